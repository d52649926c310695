"""The fixed calendar of the simulated market: its origin, price anchor, crash episodes and rate path.

The simulation always runs on a business-day grid (Mon-Fri, no holidays) from `ORIGIN`, so a
date's values never depend on the requested end date (prefix stability). Episodes are market
moves pinned to historical peak-to-trough figures (S&P 500 total, a fraction) with their
realised volatility (annualised), and the calm stretches between them pinned to the index's
closes (vol 0: no volatility floor, the GARCH runs free); after `FUTURE_START` seeded synthetic crashes follow, drawn
once with a fixed count so they too never depend on the end date. Yield anchors are
approximate historical 3-month and 10-year Treasury yields in percent points; the simulated
curve mean-reverts around them. Between `ANCHOR_DATE` and `PULL_END` the pull is stronger, and
prices mean-revert to their reference levels, so a window ending in 2025-2027 closes near the
late-2025 references whatever its end date (the pull is causal: prefix stability holds).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

import numpy as np
import numpy.typing as npt

from sigma.typing import FloatArray, IntArray

ORIGIN: Final = date(2005, 1, 3)
ANCHOR_DATE: Final = date(2025, 10, 31)  # the close equals the universe's ref_price on this date
PULL_END: Final = date(2027, 6, 30)  # from ANCHOR_DATE to here, prices and yields are pulled to their anchors
FUTURE_START: Final = date(2026, 1, 2)
N_FUTURE_EPISODES: Final = 40  # enough for a century; drawn whatever the end date


@dataclass(frozen=True)
class Episode:
    """A market move pinned between two dates: total simple return and annualised volatility."""

    start: date
    end: date
    total: float
    vol: float


HISTORICAL_EPISODES: Final[tuple[Episode, ...]] = (
    Episode(date(2007, 10, 10), date(2008, 9, 12), -0.19, 0.22),  # GFC, first leg
    Episode(date(2008, 9, 15), date(2008, 11, 20), -0.40, 0.70),  # Lehman
    Episode(date(2008, 11, 21), date(2009, 1, 6), 0.25, 0.50),
    Episode(date(2009, 1, 7), date(2009, 3, 9), -0.27, 0.45),  # GFC trough: -56.8 % from the 2007 peak
    Episode(date(2009, 3, 10), date(2010, 4, 23), 0.79, 0.25),
    Episode(date(2010, 4, 26), date(2010, 7, 2), -0.16, 0.28),  # flash crash
    Episode(date(2011, 7, 25), date(2011, 10, 3), -0.194, 0.38),  # US downgrade
    Episode(date(2015, 8, 18), date(2015, 8, 25), -0.11, 0.40),
    Episode(date(2018, 1, 29), date(2018, 2, 8), -0.10, 0.35),  # volmageddon
    Episode(date(2018, 9, 21), date(2018, 12, 24), -0.198, 0.28),  # Q4 2018
    Episode(date(2018, 12, 26), date(2019, 4, 23), 0.25, 0.18),
    Episode(date(2020, 2, 20), date(2020, 3, 23), -0.339, 0.75),  # COVID: 23 trading days
    Episode(date(2020, 3, 24), date(2020, 8, 18), 0.52, 0.35),
    Episode(date(2022, 1, 4), date(2022, 6, 16), -0.23, 0.27),  # 2022 inflation and rates
    Episode(date(2022, 6, 17), date(2022, 8, 16), 0.17, 0.20),
    Episode(date(2022, 8, 17), date(2022, 10, 12), -0.17, 0.27),  # 2022 trough: -25.4 % from January
    Episode(date(2025, 2, 19), date(2025, 4, 8), -0.19, 0.35),  # tariff shock
    Episode(date(2025, 4, 9), date(2025, 6, 27), 0.24, 0.20),
)

# The calm stretches between those episodes, pinned to S&P 500 closes at their ends (approximate,
# from S&P Dow Jones Indices / Yahoo ^GSPC history) so a decade's growth replays history:
# (first day, last day, index close before the first day, index close on the last day).
CALM_STRETCHES: Final[tuple[tuple[date, date, float, float], ...]] = (
    (date(2005, 1, 3), date(2007, 10, 9), 1202.0, 1565.0),
    (date(2010, 7, 6), date(2011, 7, 22), 1022.0, 1345.0),
    (date(2011, 10, 4), date(2015, 8, 17), 1099.0, 2102.0),
    (date(2015, 8, 26), date(2018, 1, 26), 1867.0, 2873.0),
    (date(2018, 2, 9), date(2018, 9, 20), 2581.0, 2931.0),
    (date(2019, 4, 24), date(2020, 2, 19), 2934.0, 3386.0),
    (date(2020, 8, 19), date(2022, 1, 3), 3390.0, 4797.0),
    (date(2022, 10, 13), date(2025, 2, 18), 3577.0, 6129.0),
    (date(2025, 6, 30), date(2025, 10, 31), 6173.0, 6840.0),
)
INDEX_DIVIDEND_YIELD: Final = 0.018  # the market factor is a total return: price change plus ~1.8 %/yr


def calm_episodes() -> tuple[Episode, ...]:
    """CALM_STRETCHES as episodes pinned to their total return, with no volatility floor (vol 0)."""
    return tuple(
        Episode(
            first,
            last,
            end_level / start_level * np.exp(INDEX_DIVIDEND_YIELD * (last - first).days / 365.25) - 1.0,
            0.0,
        )
        for first, last, start_level, end_level in CALM_STRETCHES
    )


# (date, 3-month yield, 10-year yield), percent points; linear in between, flat after the last.
YIELD_KNOTS: Final[tuple[tuple[date, float, float], ...]] = (
    (date(2005, 1, 3), 2.3, 4.2),
    (date(2006, 7, 3), 5.0, 5.1),
    (date(2007, 6, 29), 4.8, 5.1),
    (date(2007, 12, 31), 3.3, 4.0),
    (date(2008, 6, 30), 1.9, 4.0),
    (date(2008, 12, 31), 0.05, 2.2),
    (date(2009, 6, 30), 0.2, 3.7),
    (date(2010, 4, 30), 0.15, 3.8),
    (date(2010, 10, 29), 0.13, 2.5),
    (date(2011, 3, 31), 0.1, 3.5),
    (date(2011, 9, 30), 0.02, 1.9),
    (date(2012, 7, 31), 0.1, 1.5),
    (date(2013, 5, 1), 0.04, 1.7),
    (date(2013, 12, 31), 0.07, 3.0),
    (date(2014, 12, 31), 0.03, 2.2),
    (date(2015, 12, 31), 0.25, 2.3),
    (date(2016, 7, 8), 0.3, 1.4),
    (date(2016, 12, 30), 0.5, 2.45),
    (date(2017, 12, 29), 1.35, 2.4),
    (date(2018, 10, 31), 2.3, 3.2),
    (date(2018, 12, 31), 2.4, 2.7),
    (date(2019, 8, 30), 2.0, 1.5),
    (date(2019, 12, 31), 1.55, 1.9),
    (date(2020, 2, 19), 1.55, 1.55),
    (date(2020, 3, 9), 0.4, 0.55),
    (date(2020, 3, 31), 0.05, 0.7),
    (date(2020, 12, 31), 0.08, 0.92),
    (date(2021, 3, 31), 0.03, 1.7),
    (date(2021, 12, 31), 0.05, 1.5),
    (date(2022, 6, 30), 1.6, 3.2),
    (date(2022, 10, 31), 4.0, 4.2),
    (date(2023, 3, 31), 4.8, 3.5),
    (date(2023, 10, 19), 5.4, 4.9),
    (date(2023, 12, 29), 5.3, 3.9),
    (date(2024, 4, 30), 5.4, 4.6),
    (date(2024, 9, 16), 4.8, 3.7),
    (date(2025, 1, 13), 4.3, 4.7),
    (date(2025, 4, 30), 4.3, 4.2),
    (date(2025, 10, 31), 3.9, 4.05),
    (date(2027, 6, 30), 3.3, 4.0),  # long run
)


def future_episodes(rng: np.random.Generator) -> tuple[Episode, ...]:
    """Seeded crashes after FUTURE_START: one every 1.5-4.5 years, -15 % to -35 % over 20-120 days."""
    gaps = rng.uniform(1.5, 4.5, N_FUTURE_EPISODES) * 252
    lengths = rng.integers(20, 121, N_FUTURE_EPISODES)
    totals = rng.uniform(-0.35, -0.15, N_FUTURE_EPISODES)
    vols = rng.uniform(0.30, 0.60, N_FUTURE_EPISODES)
    starts = np.cumsum(gaps).astype(np.int64)
    origin = np.datetime64(FUTURE_START, "D")
    start_days = np.busday_offset(origin, starts, roll="forward")
    end_days = np.busday_offset(origin, starts + lengths, roll="forward")
    return tuple(
        Episode(s.astype(object), e.astype(object), float(t), float(v))
        for s, e, t, v in zip(start_days, end_days, totals, vols, strict=True)
    )


def horizon(end: date, episodes: tuple[Episode, ...]) -> date:
    """The last grid date to simulate: at least the anchor date, and the end of any episode containing `end`."""
    last = max(end, ANCHOR_DATE)
    for ep in episodes:  # a few dozen episodes, once per market
        if ep.start <= last <= ep.end:
            last = ep.end
    return last


def yield_anchors(days: npt.NDArray[np.datetime64]) -> tuple[FloatArray, FloatArray]:
    """Anchor 3-month and 10-year yields (percent points) on each grid day."""
    knot_days = np.array([k[0] for k in YIELD_KNOTS], dtype="datetime64[D]").astype(np.int64)
    x = days.astype("datetime64[D]").astype(np.int64)
    short = np.interp(x, knot_days, [k[1] for k in YIELD_KNOTS])
    long = np.interp(x, knot_days, [k[2] for k in YIELD_KNOTS])
    return short, long


def episode_arrays(
    days: npt.NDArray[np.datetime64], episodes: tuple[Episode, ...]
) -> tuple[IntArray, FloatArray, FloatArray]:
    """Per grid day: episode index (-1 outside), pinned daily log drift, and daily variance floor."""
    n = len(days)
    ep_id = np.full(n, -1, dtype=np.int64)
    drift = np.zeros(n)
    floor = np.zeros(n)
    d = days.astype("datetime64[D]")
    for k, ep in enumerate(episodes):  # a few dozen episodes; each a vectorised slice
        lo, hi = (
            np.searchsorted(d, np.datetime64(ep.start, "D")),
            np.searchsorted(d, np.datetime64(ep.end, "D"), "right"),
        )
        if hi <= lo:
            continue
        ep_id[lo:hi] = k
        drift[lo:hi] = np.log1p(ep.total) / (hi - lo)
        floor[lo:hi] = ep.vol**2 / 252
    return ep_id, drift, floor
