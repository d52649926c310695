"""The nightly risk of many books: a pure task per chunk of portfolios, run where the batch's executor runs it.

The driver (`RiskService.nightly_*`, the `risk` phase) loads everything in bulk and ships it,
unopened: a chunk's books as the portfolio package's `BookOpener` (their records and prices,
which open, value and score a book where they are called: this package never imports the
portfolio package, it only calls what it is handed), one close frame for the union of the chunk's
symbols, and the inputs every book shares (`RiskInputs`: benchmark returns, ^TNX changes, style
and stress factors, the look-through table, the stress catalogue, the settings' numbers).
`run_chunk` needs no database: each book is opened (valued once, its Portfolio-page health score
from the same valuation) and put on the asset axis, its asset returns are cut from the chunk's
close frame exactly as `MarketService.returns_frame` would load them, then the Risk page's view
builders run with the page's defaults: performance against SPY over 1Y, OLS factors with a 3M
attribution, volatility, historical VaR, sectors against SPY's weights, concentration, and every
catalogue scenario (applied in one vectorised call). A book that cannot be opened is a failure;
a kind that fails is an error of that book, and the others are still returned. The tasks limit
BLAS to one thread: the executor already runs one task per core.

Rows are keyed (portfolio, kind, as_of, params_key): params_key "" is the default view of a kind;
a stress view's key is its scenario's name. `view_key` names them in `stored_views`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any, Protocol

import pandas as pd
from threadpoolctl import ThreadpoolController

from sigma.errors import SigmaError, UnknownSymbol
from sigma.risk.book import OpenBook
from sigma.risk.stress import Scenario
from sigma.risk.view import stress as sst
from sigma.risk.view.base import RiskView
from sigma.risk.view.book import RiskBook, risk_book
from sigma.risk.view.concentration import ConcentrationView, concentration_view
from sigma.risk.view.factors import FACTOR_WINDOW, FactorView, factor_view
from sigma.risk.view.health import HealthView, Scored, health_view
from sigma.risk.view.performance import PerformanceView, performance_view
from sigma.risk.view.sector import SectorView, sector_view
from sigma.risk.view.stress import StressView
from sigma.risk.view.var import VarView, var_view
from sigma.risk.view.volatility import VolView, vol_view

HISTORY_TRADING_DAYS = 800  # asset returns loaded for risk (HAR needs 500, VaR 500, factors 252)
DEFAULT_BENCHMARK_SPEC = "SPY"  # the Risk page's default benchmark, and the sector weights it compares with
DEFAULT_WINDOW, FACTOR_METHOD, FACTOR_ATTRIBUTION, VAR_METHOD = "1Y", "ols", "3M", "historical"
CATALOGUE_BASIS = "catalogue shocks"
VIEW_CLASSES: dict[str, type[RiskView]] = {
    cls.KIND: cls
    for cls in (
        PerformanceView,
        FactorView,
        VolView,
        VarView,
        SectorView,
        ConcentrationView,
        StressView,
        HealthView,
    )
}


def start_of(as_of: date, trading_days: int) -> date:
    """A calendar start date that covers `trading_days` before `as_of` (with a margin)."""
    return (pd.Timestamp(as_of) - pd.Timedelta(days=int(trading_days * 1.5) + 10)).date()


def view_key(kind: str, params_key: str) -> str:
    """The name of a stored view: its kind, or "kind:params_key" (e.g. "stress:Market −10 %")."""
    return kind if not params_key else f"{kind}:{params_key}"


@dataclass(frozen=True)
class RiskInputs:
    """What every book of one as-of date shares, loaded once by the driver."""

    as_of: date
    benchmark: pd.Series  # daily returns of DEFAULT_BENCHMARK_SPEC, full history
    tnx_changes: pd.Series  # daily change of the 10-year yield, full history
    style: pd.DataFrame  # style-factor returns up to as_of
    stress_factors: pd.DataFrame  # stress-factor moves up to as_of, full history
    vix: float  # the last VIX level
    look_through: Mapping[str, Mapping[str, float]]
    sector_weights: Mapping[str, float]  # the sector weights of DEFAULT_BENCHMARK_SPEC
    reference_as_of: date  # the later of the two tables' as-of dates
    scenarios: tuple[Scenario, ...]
    risk_free: float
    ridge_alpha: float
    mc_paths: int
    mc_seed: int


@dataclass(frozen=True)
class BookInput:
    """One book to compute: the risk book and the portfolio's health view (or why it has none)."""

    book: RiskBook
    health: HealthView | str | None = None


Opened = tuple[OpenBook, Scored | str | None] | str  # an open book and its health score, or why it has none


class BookOpener(Protocol):
    """What the portfolio package hands the batch (`PortfolioService.nightly_opener`): its loaded books,
    opened and scored where it is called (pure, picklable: it travels with a chunk to the worker)."""

    def __call__(self, pid: int) -> Opened: ...

    def ids(self) -> list[int]: ...

    def as_of(self, pid: int) -> date | None: ...

    def symbols(self, pid: int) -> tuple[str, ...]: ...

    def subset(self, pids: Sequence[int]) -> BookOpener: ...


@dataclass(frozen=True)
class BookRef:
    """A book of a chunk before it is opened: its id, the date it is valued at, its priced symbols."""

    portfolio_id: int
    as_of: date
    symbols: tuple[str, ...]


@dataclass(frozen=True)
class RiskChunk:
    """One task: a chunk of books, their opener, the close frame of their symbols, the shared inputs."""

    books: tuple[BookRef, ...]
    close: pd.DataFrame  # dates x symbols, adjusted close, from start_of(as_of, HISTORY_TRADING_DAYS)
    inputs: RiskInputs
    open: BookOpener  # the books' records and prices: `open(pid)` values the book once, here


@dataclass(frozen=True)
class BookResult:
    """A book's rows for `risk_results` (without computed_at) and its errors by view key."""

    portfolio_id: int
    rows: tuple[dict[str, Any], ...] = ()
    errors: Mapping[str, str] = field(default_factory=dict)
    failure: str = ""  # why the book could not be opened at all (then there are no rows)


def asset_returns(close: pd.DataFrame, symbols: Sequence[str], start: date, end: date) -> pd.DataFrame:
    """`MarketService.returns_frame(symbols, start, end)` cut from a close frame holding them (pure):
    the dates on which none of `symbols` trades are dropped before the returns are taken."""
    missing = [s for s in dict.fromkeys(symbols) if s not in close.columns]
    if missing:
        raise UnknownSymbol(missing)
    days = (close.index >= pd.Timestamp(start)) & (close.index <= pd.Timestamp(end))
    frame = close.loc[days, list(dict.fromkeys(symbols))].dropna(how="all")
    prices = frame.to_numpy()
    return pd.DataFrame(prices[1:] / prices[:-1] - 1.0, index=frame.index[1:], columns=frame.columns)


def error_text(exc: Exception) -> str:
    """What a failure says: the message of an error a user may see, else the exception's type and message."""
    return str(exc) if isinstance(exc, SigmaError) else f"{type(exc).__name__}: {exc}"


def _builders(book: RiskBook, close: pd.DataFrame, x: RiskInputs) -> dict[str, Callable[[], RiskView]]:
    """The default view of each kind, as a thunk (run one at a time so one failure spares the others)."""
    returns = asset_returns(close, book.symbols, start_of(book.as_of, HISTORY_TRADING_DAYS), book.as_of)
    year = asset_returns(close, book.symbols, start_of(book.as_of, FACTOR_WINDOW), book.as_of)
    return {
        "performance": lambda: performance_view(book, x.benchmark, x.tnx_changes, DEFAULT_WINDOW, x.risk_free),
        "factors": lambda: factor_view(book, returns, x.style, FACTOR_METHOD, x.ridge_alpha, FACTOR_ATTRIBUTION),
        "volatility": lambda: vol_view(book, returns),
        "var": lambda: var_view(book, returns, VAR_METHOD, None, x.mc_paths, x.mc_seed),
        "sectors": lambda: sector_view(
            book, x.look_through, x.sector_weights, x.reference_as_of, year, DEFAULT_BENCHMARK_SPEC
        ),
        "concentration": lambda: concentration_view(book, year),
        "stress": lambda: sst.build_model(book, returns, x.stress_factors, x.ridge_alpha, x.vix),
    }


def _row(pid: int, view: RiskView, params_key: str = "") -> dict[str, Any]:
    return {
        "portfolio_id": pid,
        "kind": view.KIND,
        "as_of": view.as_of,
        "params_key": params_key,
        "source": view.source,
        "payload": view.to_payload(),
    }


def _stress_rows(
    pid: int, model: sst.StressModel, scenarios: Sequence[Scenario], errors: dict[str, str]
) -> list[dict[str, Any]]:
    """One row per catalogue scenario applied to the book's stress model (as the page applies it, all
    scenarios in one vectorised call); a scenario that cannot be applied is an error, the others are kept."""
    rows = []
    for scenario, view in zip(scenarios, sst.apply_scenarios(model, scenarios, CATALOGUE_BASIS), strict=True):
        if isinstance(view, Exception):
            errors[view_key("stress", scenario.name)] = error_text(view)
        else:
            rows.append(_row(pid, view, scenario.name))
    return rows


def compute_book(item: BookInput, close: pd.DataFrame, inputs: RiskInputs) -> BookResult:
    """Every default view of one book, as rows; a kind that fails is an error, the others are kept."""
    book, pid = item.book, item.book.portfolio_id
    rows: list[dict[str, Any]] = []
    errors: dict[str, str] = {}
    if isinstance(item.health, HealthView):
        rows.append(_row(pid, item.health))
    elif isinstance(item.health, str):
        errors["health"] = item.health
    try:
        builders = _builders(book, close, inputs)
    except Exception as exc:  # e.g. a holding without stored prices: no view of this book can be computed
        return BookResult(pid, tuple(rows), {**errors, "risk": error_text(exc)})
    for kind, build in builders.items():
        try:
            view = build()
        except Exception as exc:  # one failing kind is reported; the book's other views are still stored
            errors[kind] = error_text(exc)
            continue
        if isinstance(view, sst.StressModel):
            rows.extend(_stress_rows(pid, view, inputs.scenarios, errors))
        else:
            rows.append(_row(pid, view))
    return BookResult(pid, tuple(rows), errors)


def book_input(opened: Opened) -> BookInput | str:
    """The nightly input of an opened book: its risk book and its health view (or why none)."""
    if isinstance(opened, str):
        return opened
    book, scored = opened
    try:
        risk = risk_book(book)
    except (SigmaError, KeyError, ValueError) as exc:
        return error_text(exc)
    if scored is None or isinstance(scored, str):
        return BookInput(risk, scored)
    return BookInput(risk, health_view(risk.as_of, risk.source, book.benchmark, scored))


@cache
def _blas() -> ThreadpoolController:
    """The BLAS libraries loaded in this process (looked up once per process)."""
    return ThreadpoolController()


def open_risk_books(opener: BookOpener) -> list[tuple[int, RiskBook | str]]:
    """An executor task: every book of the opener on the asset axis, or why it cannot be (pure)."""
    out: list[tuple[int, RiskBook | str]] = []
    with _blas().limit(limits=1, user_api="blas"):  # the executor runs tasks side by side: one BLAS thread each
        for pid in opener.ids():
            item = book_input(opener(pid))
            out.append((pid, item if isinstance(item, str) else item.book))
    return out


def run_chunk(chunk: RiskChunk) -> list[BookResult]:
    """The executor's task: every book of the chunk opened (valued once, scored), then computed (pure,
    picklable in and out). A book that cannot be opened is a `failure`."""
    with _blas().limit(limits=1, user_api="blas"):  # the executor runs chunks side by side: one BLAS thread each
        return [_run_book(ref, chunk) for ref in chunk.books]


def _run_book(ref: BookRef, chunk: RiskChunk) -> BookResult:
    item = book_input(chunk.open(ref.portfolio_id))
    if isinstance(item, str):
        return BookResult(ref.portfolio_id, failure=item)
    if item.book.as_of != ref.as_of:  # the driver grouped it by another date's inputs: never silently
        return BookResult(ref.portfolio_id, failure=f"valued at {item.book.as_of}, not {ref.as_of}")
    return compute_book(item, chunk.close, chunk.inputs)
