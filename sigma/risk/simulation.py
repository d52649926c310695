"""Correlated draws for Monte Carlo: a covariance square root and multivariate Student-t states.

Conventions: a state row is z·√((ν − 2)/W) with z ~ N(0, Σ) and one W ~ χ²ᵥ per row shared by
every coordinate (unit variance, fat tails, joint crashes); ν = inf gives normal draws.
"""

from __future__ import annotations

import numpy as np

from sigma.typing import FloatArray


def covariance_root(cov: FloatArray) -> tuple[FloatArray, str]:
    """A matrix A with A Aᵀ = cov: Cholesky of the non-degenerate part, else a symmetric eigen root (with a note)."""
    live = np.diag(cov) > 0
    root = np.zeros_like(cov)
    try:
        root[np.ix_(live, live)] = np.linalg.cholesky(cov[np.ix_(live, live)])
        return root, ""
    except np.linalg.LinAlgError:
        vals, vecs = np.linalg.eigh(cov)
        return vecs * np.sqrt(np.clip(vals, 0.0, None)), "covariance singular: eigen square root used"


def student_t_draws(rng: np.random.Generator, root: FloatArray, size: int, nu: float) -> FloatArray:
    """`size` rows of multivariate t states with covariance root·rootᵀ (normal draws first, then the χ² scale)."""
    z = rng.standard_normal((size, len(root)))
    scale = np.sqrt((nu - 2.0) / rng.chisquare(nu, size)) if np.isfinite(nu) else np.ones(size)
    return np.asarray((z @ root.T) * scale[:, None], dtype=np.float64)
