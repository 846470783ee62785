"""Settings that more than one problem uses (one Setting each, so they mean one thing)."""

from ..settings import Setting

NOISE = Setting("noise", "number", 0.0, label="reward noise", lo=0.0, hi=1e6, live=True,
                help="standard deviation of additive N(0, noise²) reward noise")
