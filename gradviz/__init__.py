"""gradviz: the log-derivative trick, made visible.

    ∇θ E_{x~p(x|θ)}[f(x)] = E_{x~p(x|θ)}[ f(x) ∇θ log p(x|θ) ]
"""

__version__ = "0.1.0"
