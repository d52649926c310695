"""The one timing harness every benchmark uses: same inputs, same rounds, results checked first.

`compare(name, sigma, peer, ...)` runs each side once and checks that the results agree
(`np.testing.assert_allclose` with the stated `rtol`/`atol`, NaN equal to NaN) before anything is
timed; a disagreement raises. It then runs `rounds` rounds, alternating which side goes first
(sigma-peer, peer-sigma, ...), so both sides see the same machine load, and records per call
the wall time (`time.perf_counter`) and the CPU time of the whole process (`time.process_time`,
which counts every BLAS thread: CPU above wall means the call ran on several cores). The figure
reported is the MEDIAN over rounds of the per-round ratio peer wall / sigma wall ("speed-up"),
with the min-max of those per-round ratios as its spread, and beside it the median CPU ratio
(steadier when other jobs share the machine); a goal, judged on wall time, is a minimum speed-up (a goal
"sigma <= 1.5x a limit" is a minimum speed-up of 1 / 1.5). Functions timed are public: a
benchmark passes the same call a user makes.

`goal_returns()` is the inputs of the issue's goals: 500 assets x 10 years (2,520 business days)
of seeded, fat-tailed (Student-t, nu = 4), factor-correlated daily returns, with 20 % of the
columns listed late (NaN before their listing day), and the market return as a benchmark.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

N_ASSETS, YEARS, SEED = 500, 10, 7
HEADER = "row | peer | sigma wall (cpu) | peer wall (cpu) | speed-up median [min-max] (cpu ratio) | goal | check"


def goal_returns(n_assets: int = N_ASSETS, years: int = YEARS, seed: int = SEED) -> tuple[pd.DataFrame, pd.Series]:
    """Fat-tailed, factor-correlated daily returns with late listings (NaN before), and the market."""
    rng = np.random.default_rng(seed)
    n_days = 252 * years
    dates = pd.bdate_range("2016-01-04", periods=n_days)
    market = 0.0004 + 0.011 * rng.standard_t(4, n_days) / np.sqrt(2.0)
    sectors = 0.006 * rng.standard_t(5, (n_days, 11)) / np.sqrt(5 / 3)
    loadings = rng.uniform(0.5, 1.5, n_assets)
    sector_of = rng.integers(0, 11, n_assets)
    noise = rng.uniform(0.008, 0.02, n_assets) * rng.standard_t(4, (n_days, n_assets)) / np.sqrt(2.0)
    values = market[:, None] * loadings + sectors[:, sector_of] + noise
    late = rng.choice(n_assets, n_assets // 5, replace=False)
    starts = rng.integers(50, n_days * 5 // 7, late.size)  # listed up to ~7 years in
    for col, start in zip(late, starts, strict=True):  # data set-up, not a measured path
        values[:start, col] = np.nan
    columns = [f"A{i:03d}" for i in range(n_assets)]
    return pd.DataFrame(values, index=dates, columns=columns), pd.Series(market, index=dates, name="MKT")


@dataclass(frozen=True)
class Timing:
    """Per-round wall and CPU seconds of both sides, and the goal (a minimum speed-up)."""

    name: str
    peer: str
    sigma_wall: np.ndarray
    sigma_cpu: np.ndarray
    peer_wall: np.ndarray
    peer_cpu: np.ndarray
    goal: float
    goal_text: str
    check: str

    @property
    def ratios(self) -> np.ndarray:
        """Per-round speed-ups: peer wall / sigma wall."""
        return np.asarray(self.peer_wall / self.sigma_wall)

    @property
    def speedup(self) -> float:
        """Median of the per-round speed-ups."""
        return float(np.median(self.ratios))

    @property
    def cpu_speedup(self) -> float:
        """Median of the per-round CPU ratios (peer CPU / sigma CPU): steadier than wall on a busy machine."""
        return float(np.median(self.peer_cpu / np.maximum(self.sigma_cpu, 1e-9)))

    @property
    def met(self) -> bool:
        return self.speedup >= self.goal

    def line(self) -> str:
        """One printable row."""
        r = self.ratios
        cells = (
            self.name,
            self.peer,
            f"{_ms(self.sigma_wall)} ({_ms(self.sigma_cpu)})",
            f"{_ms(self.peer_wall)} ({_ms(self.peer_cpu)})",
            f"{self.speedup:7.2f}x [{r.min():.2f}-{r.max():.2f}] over {r.size} rounds (cpu {self.cpu_speedup:.2f}x)",
            f"{self.goal_text}: {'OK' if self.met else 'MISSED'}",
            self.check,
        )
        return " | ".join(cells)


def _ms(seconds: np.ndarray) -> str:
    return f"{statistics.median(seconds.tolist()) * 1e3:9.1f} ms"


def agree(got: Any, expected: Any, rtol: float, atol: float) -> str:
    """Raise unless the two results agree elementwise (NaN == NaN); return the check as text."""
    a, b = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, equal_nan=True)
    both = np.isfinite(a) & np.isfinite(b)
    worst = float(np.max(np.abs(a[both] - b[both]), initial=0.0))
    return f"agree (rtol {rtol:g}, atol {atol:g}; max |diff| {worst:.1e}, {int(both.sum())} values)"


def clock(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """Wall seconds, process CPU seconds and the result of one call (for rows without a peer)."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, out


def _clock(fn: Callable[[], Any]) -> tuple[float, float]:
    wall, cpu, _ = clock(fn)
    return wall, cpu


def compare(
    name: str,
    peer_name: str,
    sigma: Callable[[], Any],
    peer: Callable[[], Any],
    *,
    goal: float,
    goal_text: str,
    rounds: int = 5,
    rtol: float = 1e-10,
    atol: float = 0.0,
    views: Callable[[Any, Any], tuple[Any, Any]] | None = None,
) -> Timing:
    """Check sigma() against peer() (through `views` when the outputs differ in shape), then time both.

    The check call doubles as the warm-up of both sides (imports, first-call caches); it is not timed.
    """
    got, expected = sigma(), peer()
    check = agree(*(views(got, expected) if views else (got, expected)), rtol, atol)
    times: dict[str, list[tuple[float, float]]] = {"sigma": [], "peer": []}
    for i in range(rounds):  # alternate who goes first, so load drifts hit both sides alike
        order = (("sigma", sigma), ("peer", peer)) if i % 2 == 0 else (("peer", peer), ("sigma", sigma))
        for side, fn in order:
            times[side].append(_clock(fn))
    s, p = np.array(times["sigma"]), np.array(times["peer"])
    result = Timing(name, peer_name, s[:, 0], s[:, 1], p[:, 0], p[:, 1], goal, goal_text, check)
    print(result.line(), flush=True)
    return result
