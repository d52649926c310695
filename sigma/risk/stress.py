"""Stress tests: scenarios of factor shocks, conditional propagation, full option repricing.

Conventions: factors are named "market", "rates", "credit", "oil", "gold", "vix",
"sector:<GICS name>" and "style:<Size|Value|Momentum|Quality|LowVol>". Return factors (market,
sector, oil, gold) are simple returns as fractions; styles are spread returns; "rates" and
"credit" are yield changes in percent points (+100 bp = +1.00, so a rate beta is return per
+100 bp); "vix" is a change in VIX points. A `Scenario`'s shocks use the same keys except
"rates_bp" and "credit_bp" (basis points) and "vix" (the shocked LEVEL, turned into a change with
the current `vix_level`).

Unshocked factors move by their conditional expectation E[f_u | f_s] = Σ_us Σ_ss⁻¹ f_s under the
factor covariance (only its ratios matter, so daily or annual units give the same moves); factors
outside the covariance move only when shocked. A linear position's P&L is exposure × Σⱼ βⱼ fⱼ.
Options are fully repriced at spot × (1 + the underlying's predicted return) and at vol × (VIX
level after / before) when the VIX is shocked (vol unchanged otherwise: sticky strike), with no
time decay (an instantaneous shock). The vol is each option's surface vol (docs/CONVENTIONS.md),
whose short-end ATM level is proportional to the VIX, so the whole smile scales with the shock.
Percentages are fractions of NAV.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

import numpy as np
import pandas as pd

from sigma.errors import InsufficientHistory, ValidationError
from sigma.risk.option_book import OptionBook

ADDITIVE_FACTORS = ("rates", "credit", "vix")  # changes that add up over a window instead of compounding
_BP_KEYS = {"rates_bp": "rates", "credit_bp": "credit"}
IT = "sector:Information Technology"


class ScenarioKind(StrEnum):
    """Where a scenario comes from."""

    HISTORICAL = "historical"
    HYPOTHETICAL = "hypothetical"


@dataclass(frozen=True)
class Scenario:
    """A named set of shocks (see the module docstring for keys and units)."""

    name: str
    shocks: Mapping[str, float]
    kind: ScenarioKind = ScenarioKind.HYPOTHETICAL
    description: str = ""
    window_start: date | None = None
    window_end: date | None = None


@dataclass(frozen=True)
class StressResult:
    """P&L of a book under a scenario: per position, per sector, total, and the factor moves used."""

    scenario: str
    positions: pd.DataFrame  # index position; columns sector, value, pnl, pnl_pct (of NAV), return (pnl / |value|)
    sectors: pd.DataFrame  # index sector; columns pnl, pnl_pct
    total: float
    total_pct: float
    factor_moves: pd.Series  # every factor's move, shocked or propagated
    propagated: tuple[str, ...] = field(default=())


def factor_shocks(scenario: Scenario, vix_level: float | None = None) -> dict[str, float]:
    """The scenario's shocks in factor units (bp → percent points, VIX level → change in points)."""
    out: dict[str, float] = {}
    for key, value in scenario.shocks.items():  # a handful of keys
        if key in _BP_KEYS:
            out[_BP_KEYS[key]] = value / 100.0
        elif key == "vix":
            if vix_level is None or not vix_level > 0:
                raise ValidationError(f"Scenario {scenario.name!r} sets the VIX level: pass today's VIX level.")
            out["vix"] = value - vix_level
        else:
            out[key] = value
    return out


def propagate(shocks: Mapping[str, float], factor_cov: pd.DataFrame | None, factors: pd.Index) -> pd.Series:
    """Every factor's move: the shocks, and E[f_u | f_s] = Σ_us Σ_ss⁻¹ f_s for the unshocked ones."""
    names = [*factors, *(k for k in dict.fromkeys(shocks) if k not in set(factors))]  # factors ∪ shocks, in order
    at = {k: i for i, k in enumerate(names)}
    moves = np.zeros(len(names))
    for k, v in shocks.items():  # a handful of shocks; a NaN shock leaves its factor at 0
        if not np.isnan(v):
            moves[at[k]] = float(v)
    if factor_cov is not None:
        rows, cols = factor_cov.index, {k: j for j, k in enumerate(factor_cov.columns)}
        s = [k for k in shocks if k in rows]
        u = [k for k in rows if k not in shocks and k in at]
        if s and u:
            cov = factor_cov.to_numpy(dtype=np.float64)
            row = {k: i for i, k in enumerate(rows)}
            s_cols = [cols[k] for k in s]
            sigma_ss = cov[np.ix_([row[k] for k in s], s_cols)]
            solved = np.linalg.lstsq(sigma_ss, moves[[at[k] for k in s]], rcond=None)[0]  # least squares if singular
            moves[[at[k] for k in u]] = cov[np.ix_([row[k] for k in u], s_cols)] @ solved
    return pd.Series(moves, index=pd.Index(names), name="move")


@dataclass(frozen=True)
class _Book:
    """What every scenario applied to one book shares: computed once, before the first scenario."""

    betas: np.ndarray  # assets x factors, NaN as 0
    exposures: np.ndarray  # $ by asset (0 when not held)
    held: np.ndarray  # exposure != 0
    options: OptionBook | None  # live options, None when there are none
    option_price: np.ndarray  # today's unit price, per option
    rows: pd.DataFrame  # sector and value of every held asset, then of every live option, by label
    sector_of: np.ndarray  # each row's position in `sectors` (-1: no sector)
    sectors: pd.Index  # the sectors, sorted, as `rows.groupby("sector", sort=True)` names them


def _book(exposures: pd.Series, betas: pd.DataFrame, options: OptionBook | None, sectors: pd.Series | None) -> _Book:
    labels = sectors if sectors is not None else pd.Series(dtype=object)
    labels = labels.reindex(betas.index).fillna("Unclassified")
    e = exposures.reindex(betas.index).fillna(0.0)
    held = e != 0
    rows = pd.DataFrame({"sector": labels[held], "value": e[held]})
    live = options if options is not None and len(options.units) else None
    price = np.zeros(0)
    if live is not None:
        price = live.price()
        names = list(live.labels) or [f"option {i}" for i in range(len(price))]
        under = labels.to_numpy()[np.asarray(live.underlying, dtype=np.intp)]
        value = np.asarray(live.units, dtype=float) * price
        rows = pd.concat([rows, pd.DataFrame({"sector": under, "value": value}, index=names)])
    groups = rows.groupby("sector", sort=True)
    sector_of, sector_names = groups.ngroup().to_numpy(dtype=np.intp), groups.size().index
    exposure, b = e.to_numpy(dtype=np.float64), betas.fillna(0.0).to_numpy(np.float64)
    return _Book(b, exposure, held.to_numpy(bool), live, price, rows, sector_of, sector_names)


def _option_pnl(book: _Book, predicted: np.ndarray, vol_scales: np.ndarray) -> np.ndarray:
    """Per scenario and option (scenarios x options): full repricing at the shocked spot and vol, all at once."""
    assert book.options is not None
    under_return = predicted[:, np.asarray(book.options.underlying, dtype=np.intp)]
    shocked = book.options.price(under_return, 0.0, vol_scales[:, None])  # type: ignore[arg-type]
    return np.asarray((shocked - book.option_price) * np.asarray(book.options.units, dtype=float), dtype=np.float64)


def _result(
    scenario: Scenario, shocks: dict[str, float], moves: pd.Series, book: _Book, pnl: np.ndarray, nav: float
) -> StressResult:
    """One scenario's rows, sectors and total from its P&L per row of the book's `rows`."""
    value = book.rows["value"].to_numpy(dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        columns = {"pnl": pnl, "pnl_pct": pnl / nav, "return": pnl / np.abs(value)}
    rows = pd.DataFrame({"sector": book.rows["sector"].array, "value": value, **columns}, index=book.rows.index)
    ok = book.sector_of >= 0  # a missing P&L adds nothing to its sector's sum, as in a groupby sum
    by_sector = np.bincount(book.sector_of[ok], np.where(np.isnan(pnl), 0.0, pnl)[ok], len(book.sectors))
    sectors = pd.DataFrame({"pnl": by_sector, "pnl_pct": by_sector / nav}, index=book.sectors)
    total = float(rows["pnl"].sum())
    propagated = tuple(str(k) for k, v in moves.items() if k not in shocks and v != 0.0)
    return StressResult(scenario.name, rows, sectors, total, total / nav, moves, propagated)


def run_scenario(
    scenario: Scenario,
    exposures: pd.Series,
    betas: pd.DataFrame,
    nav: float,
    *,
    factor_cov: pd.DataFrame | None = None,
    options: OptionBook | None = None,
    sectors: pd.Series | None = None,
    vix_level: float | None = None,
) -> StressResult:
    """P&L of a book under a scenario.

    `betas` (assets x factors) covers every linear position and option underlying; `exposures` ($)
    are by asset (missing = 0); `options.underlying` holds row positions in `betas`; `sectors`
    maps assets to a sector label for the per-sector view ("Unclassified" when missing).
    """
    return run_scenarios(
        [scenario], exposures, betas, nav, factor_cov=factor_cov, options=options, sectors=sectors, vix_level=vix_level
    )[0]


def run_scenarios(
    scenarios: Sequence[Scenario],
    exposures: pd.Series,
    betas: pd.DataFrame,
    nav: float,
    *,
    factor_cov: pd.DataFrame | None = None,
    options: OptionBook | None = None,
    sectors: pd.Series | None = None,
    vix_level: float | None = None,
) -> list[StressResult]:
    """`run_scenario` of each scenario on one book (the arguments are `run_scenario`'s): the book's
    labels, exposures and option values are prepared once, and its options are repriced for every
    scenario in one vectorised call, so a catalogue costs little more than one scenario."""
    if not nav > 0:
        raise ValidationError(f"NAV must be positive to express stress P&L as a share of it; got {nav}.")
    book = _book(exposures, betas, options, sectors)
    shocks = [factor_shocks(scenario, vix_level) for scenario in scenarios]
    moves = [propagate(k, factor_cov, betas.columns) for k in shocks]
    predicted = np.array(  # each asset's predicted return, per scenario (scenarios x assets)
        [book.betas @ m.reindex(betas.columns).fillna(0.0).to_numpy(dtype=np.float64) for m in moves]
    ).reshape(len(scenarios), len(betas.index))
    option = np.zeros((len(scenarios), 0))
    if book.options is not None:
        scales = [(vix_level + k["vix"]) / vix_level if "vix" in k and vix_level else 1.0 for k in shocks]
        option = _option_pnl(book, predicted, np.asarray(scales, dtype=np.float64))
    pnl = np.concatenate([(book.exposures * predicted)[:, book.held], option], axis=1)
    return [
        _result(scenario, shocks[i], moves[i], book, pnl[i], nav)
        for i, scenario in enumerate(scenarios)  # a handful of scenarios: the frames of each result
    ]


def historical_replay(
    factor_returns: pd.DataFrame, start: date | pd.Timestamp, end: date | pd.Timestamp, name: str = ""
) -> Scenario:
    """The factor moves of a stored window as a scenario: returns compounded, rates/credit/VIX changes summed."""
    stamp = pd.Timestamp if isinstance(factor_returns.index, pd.DatetimeIndex) else (lambda d: d)
    first, last = stamp(start), stamp(end)
    window = factor_returns.loc[first:last]
    if window.empty or factor_returns.index[0] > first or window.isna().all().all():
        raise InsufficientHistory(
            f"Stored factor returns do not cover {start} – {end}: the window predates the history. "
            "Use the catalogue's shocks instead."
        )
    additive = [c for c in window.columns if c in ADDITIVE_FACTORS]
    compounded = [c for c in window.columns if c not in ADDITIVE_FACTORS]
    moves = pd.concat([(1.0 + window[compounded]).prod() - 1.0, window[additive].sum()])
    shocks = {
        (f"{k}_bp" if k in _BP_KEYS.values() else str(k)): v * (100.0 if k in _BP_KEYS.values() else 1.0)
        for k, v in moves.items()
        if k != "vix"
    }
    return Scenario(
        name or f"Replay {start} – {end}",
        shocks,
        ScenarioKind.HISTORICAL,
        "Compounded factor moves of the stored window (VIX left to propagation).",
        start,
        end,
    )


def _historical(name: str, start: date, end: date, description: str, **shocks: float) -> Scenario:
    return Scenario(name, shocks, ScenarioKind.HISTORICAL, description, start, end)


def _hypothetical(name: str, description: str, shocks: Mapping[str, float]) -> Scenario:
    return Scenario(name, dict(shocks), ScenarioKind.HYPOTHETICAL, description)


SCENARIO_CATALOGUE: tuple[Scenario, ...] = (
    _historical(
        "GFC 2007–09",
        date(2007, 10, 9),
        date(2009, 3, 9),
        "Global financial crisis, S&P 500 peak to trough −56.8 %.",
        market=-0.568,
    ),
    _historical(
        "COVID crash 2020", date(2020, 2, 19), date(2020, 3, 23), "S&P 500 −33.9 % in 23 trading days.", market=-0.339
    ),
    _historical(
        "2022 inflation & rates",
        date(2022, 1, 3),
        date(2022, 10, 12),
        "S&P 500 −25.4 %, 10-year +240 bp.",
        market=-0.254,
        rates_bp=240.0,
    ),
    _historical(
        "Dot-com 2000–02",
        date(2000, 3, 24),
        date(2002, 10, 9),
        "S&P 500 −49.1 %, Nasdaq −78 % (as a tech sector shock).",
        market=-0.491,
        **{IT: -0.78},
    ),
    _historical(
        "Black Monday 1987", date(1987, 10, 19), date(1987, 10, 19), "S&P 500 −20.5 % in one day.", market=-0.205
    ),
    _historical("Q4 2018", date(2018, 9, 20), date(2018, 12, 24), "S&P 500 −19.8 %.", market=-0.198),
    _historical("2011 US downgrade", date(2011, 4, 29), date(2011, 10, 3), "S&P 500 −19.4 %.", market=-0.194),
    _historical("Taper tantrum 2013", date(2013, 5, 2), date(2013, 9, 5), "10-year +140 bp.", rates_bp=140.0),
    _hypothetical("Market −10 %", "Equity market −10 %.", {"market": -0.10}),
    _hypothetical("Market −20 %", "Equity market −20 %.", {"market": -0.20}),
    _hypothetical("Market −30 %", "Equity market −30 %.", {"market": -0.30}),
    _hypothetical("Rates +100 bp", "Parallel +100 bp.", {"rates_bp": 100.0}),
    _hypothetical("Rates −100 bp", "Parallel −100 bp.", {"rates_bp": -100.0}),
    _hypothetical("Tech −25 %", "Information Technology sector −25 %.", {IT: -0.25}),
    _hypothetical("Oil +50 %", "Oil +50 %.", {"oil": 0.50}),
    _hypothetical("VIX to 40", "VIX jumps to 40.", {"vix": 40.0}),
)
