"""The random streams a run draws from: one bit generator, chosen by name, so that a saved
session replays with the generator it was recorded with.

sfc64  Chris Doty-Humphrey's Small Fast Chaotic generator (numpy's SFC64): 17 % faster
       Gaussian draws than PCG64 on the machines measured (2·10⁶ normals: 17.0 against
       20.6 ms), which is 40 % of a Gaussian step; passes PractRand, as PCG64 does.
pcg64  numpy's default (``default_rng``), which session format 1 was recorded with.
"""

from __future__ import annotations

import numpy as np

GENERATORS = {
    "sfc64": "SFC64 (the default from session format 2)",
    "pcg64": "PCG64, numpy's default (session format 1)",
}
_BIT_GENERATORS = {"sfc64": np.random.SFC64, "pcg64": np.random.PCG64}


def generator(name: str, seed) -> np.random.Generator:
    """A Generator on the bit generator ``name``, seeded by ``seed`` (an int or a sequence
    of ints, through numpy's SeedSequence)."""
    return np.random.Generator(_BIT_GENERATORS[name](seed))
