"""Loading the view data of many books at once, in a number of SQL statements that does not grow with them.

For the nightly batch (`PortfolioService.nightly_opener`, `open_books`): the portfolios (1), their
positions with targets (1) and tags (1), their snapshots (1) and cash flows (1), the market status
(1), then ONE price load for the union of their symbols (`sql.prices.load_prices`: last dates,
close frame, profiles) from the earliest start any of them needs. `load_openers` hands all of it,
unopened, to an `Opener` (`sigma.portfolio.opening`): each book gets exactly the prices a page read
of it would load (`sql.view.load_view`), the union frame cut to its symbols and its start, the
dates on which none of them trades dropped, so the books it opens, wherever it is called (the
batch ships a chunk of it to each worker), equal the ones `open_book` values one at a time.
`load_views` assembles every book's full view data here (`sql.view.assemble`, shared with the page read).

`pids` None means every non-archived portfolio (the filter is a subquery, no list of ids); a list
is sent as one `IN (...)` (keep it under the driver's parameter limit: SQLite 32,766).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, cast

import pandas as pd
from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import InstrumentedAttribute, Session, sessionmaker

from sigma.config import HealthThresholds
from sigma.db.models import CashFlow, Portfolio, PortfolioSnapshot, Position
from sigma.errors import SigmaError
from sigma.market.service import MarketService, MarketStatus
from sigma.portfolio.history import NAV_COLUMNS
from sigma.portfolio.inputs import PriceInputs, ViewData
from sigma.portfolio.model import PortfolioInfo
from sigma.portfolio.opening import BookRows, ScoredBook, book_prices, last_valid, reinferred, why
from sigma.portfolio.opening import Opener as Opener  # re-exported for the service
from sigma.portfolio.snapshots import SNAPSHOT_COLUMNS
from sigma.portfolio.sql.owned import info
from sigma.portfolio.sql.prices import load_prices
from sigma.portfolio.sql.view import assemble, positions_where, price_start
from sigma.portfolio.valuation import priced_symbol

FLOW_COLUMNS = ("date", "kind", "amount")


def _in_scope(column: InstrumentedAttribute[int], pids: Sequence[int] | None) -> ColumnElement[bool]:
    """`column IN pids`, or IN the non-archived portfolios when `pids` is None (one subquery)."""
    if pids is None:
        return column.in_(select(Portfolio.id).where(Portfolio.archived.is_(False)))
    return column.in_(list(pids))


def _split(frame: pd.DataFrame, columns: Sequence[str], dtypes: dict[str, str]) -> dict[int, pd.DataFrame]:
    """Rows by portfolio_id, each with `columns` only and a fresh index (the shape a one-book query gives);
    a text column that is all NULL in a book is typed as that book's own load types it (`reinferred`)."""
    typed = frame.astype(dtypes)
    text = [c for c in columns if isinstance(typed[c].dtype, pd.StringDtype)]
    empty = typed[text].isna().groupby(typed["portfolio_id"], sort=False).all().any(axis=1)  # one pass, not per book
    out: dict[int, pd.DataFrame] = {}
    for pid, part in typed.groupby("portfolio_id", sort=False):
        book = part[list(columns)].reset_index(drop=True)
        out[int(cast(int, pid))] = reinferred(book) if bool(empty.get(pid, False)) else book
    return out


def _tuples(session: Session, stmt: Select[*tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The rows of a column select as plain tuples, through the session's connection: hundreds of thousands of
    snapshot rows, which the ORM's row processing and pandas' named-tuple probing of `Row`s would slow tenfold."""
    return [tuple(row) for row in session.connection().execute(stmt).all()]


def _records(
    session: Session, pids: Sequence[int] | None
) -> tuple[list[PortfolioInfo], pd.DataFrame, dict[int, pd.DataFrame], dict[int, pd.DataFrame]]:
    """The portfolios, every position (with targets and tags), snapshots and flows by book: five queries."""
    found = session.scalars(select(Portfolio).where(_in_scope(Portfolio.id, pids)).order_by(Portfolio.id))
    portfolios = [info(p) for p in found]
    positions = positions_where(session, _in_scope(Position.portfolio_id, pids))
    snap_cols = [PortfolioSnapshot.portfolio_id, *(getattr(PortfolioSnapshot, c) for c in SNAPSHOT_COLUMNS)]
    snap_stmt = select(*snap_cols).where(_in_scope(PortfolioSnapshot.portfolio_id, pids))
    snap_rows = _tuples(session, snap_stmt.order_by(PortfolioSnapshot.portfolio_id, PortfolioSnapshot.date))
    snaps = pd.DataFrame(snap_rows, columns=["portfolio_id", *SNAPSHOT_COLUMNS])
    snapshots = _split(snaps, SNAPSHOT_COLUMNS, {c: "float64" for c in (*NAV_COLUMNS, "flows")})
    flow_stmt = select(CashFlow.portfolio_id, CashFlow.date, CashFlow.kind, CashFlow.amount)
    flow_rows = _tuples(session, flow_stmt.where(_in_scope(CashFlow.portfolio_id, pids)).order_by(CashFlow.id))
    flow_frame = pd.DataFrame(flow_rows, columns=["portfolio_id", *FLOW_COLUMNS])
    flows = _split(flow_frame, FLOW_COLUMNS, {"amount": "float64"})
    return portfolios, positions, snapshots, flows


def _empty(columns: Sequence[str], dtypes: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame(columns=list(columns)).astype(dtypes)


def _union_prices(
    market: MarketService, portfolios: list[PortfolioInfo], positions: pd.DataFrame, status: MarketStatus
) -> tuple[PriceInputs | None, dict[int, tuple[list[str], date]]]:
    """One price load for every book with positions, and each book's (symbols, start)."""
    wanted: dict[int, tuple[list[str], date]] = {}
    by_pid = dict(tuple(positions.groupby("portfolio_id", sort=False)))
    priced = priced_symbol(positions).groupby(positions["portfolio_id"], sort=False)
    held_symbols = {pid: list(dict.fromkeys(symbols.dropna())) for pid, symbols in priced}  # each book's, in one pass
    for portfolio in portfolios:
        if portfolio.id in by_pid:
            symbols = [*held_symbols[portfolio.id], portfolio.benchmark]  # `sql.view.price_symbols` of the book
            wanted[portfolio.id] = (symbols, price_start(by_pid[portfolio.id], status))
    if not wanted:
        return None, wanted
    union = list(dict.fromkeys(s for symbols, _ in wanted.values() for s in symbols))
    return load_prices(market, union, min(start for _, start in wanted.values())), wanted


def load_views(
    sessions: sessionmaker[Session], market: MarketService, pids: Sequence[int] | None, attribution_days: int = 1
) -> dict[int, ViewData | str]:
    """The view data of every book in `pids` (or every active one), by id, equal to `load_view` of each;
    a book whose data cannot be computed (a symbol without prices) is the error's text."""
    with sessions() as session:
        portfolios, positions, snapshots, flows = _records(session, pids)
    status = market.status()
    union, wanted = _union_prices(market, portfolios, positions, status)
    by_pid = _split(positions, list(positions.columns), {})
    no_snaps = _empty(SNAPSHOT_COLUMNS, {c: "float64" for c in (*NAV_COLUMNS, "flows")})
    no_flows, no_positions = _empty(FLOW_COLUMNS, {"amount": "float64"}), positions.iloc[:0]
    views: dict[int, ViewData | str] = {}
    for portfolio in portfolios:
        pid = portfolio.id
        prices = None if union is None or pid not in wanted else book_prices(union, *wanted[pid])
        held = by_pid.get(pid, no_positions)
        try:
            views[pid] = assemble(
                portfolio,
                held,
                snapshots.get(pid, no_snaps),
                flows.get(pid, no_flows),
                status,
                prices,
                attribution_days,
            )
        except (SigmaError, KeyError, ValueError) as exc:  # e.g. a position whose symbol has no stored price
            views[pid] = why(exc)
    return views


def load_openers(
    sessions: sessionmaker[Session],
    market: MarketService,
    pids: Sequence[int] | None,
    thresholds: HealthThresholds | None = None,
) -> Opener:
    """The records of every book in `pids` (or every active one) and one price load for all of them, as an
    `Opener` (opening.py) that opens and scores each one where it is called: six statements and one price load."""
    with sessions() as session:
        portfolios, positions, snapshots, flows = _records(session, pids)
    status = market.status()
    union, wanted = _union_prices(market, portfolios, positions, status)
    by_pid = _split(positions, list(positions.columns), {})
    no_snaps = _empty(SNAPSHOT_COLUMNS, {c: "float64" for c in (*NAV_COLUMNS, "flows")})
    no_flows, no_positions = _empty(FLOW_COLUMNS, {"amount": "float64"}), positions.iloc[:0]
    books = {
        p.id: BookRows(
            p,
            by_pid.get(p.id, no_positions),
            snapshots.get(p.id, no_snaps),
            flows.get(p.id, no_flows),
            tuple(wanted[p.id][0]) if p.id in wanted else (),
            wanted[p.id][1] if p.id in wanted else date.min,
        )
        for p in portfolios
    }
    last = last_valid(union.close) if union is not None else {}
    return Opener(books, union, status, thresholds, {}, last)


def open_many(
    sessions: sessionmaker[Session],
    market: MarketService,
    pids: Sequence[int] | None,
    thresholds: HealthThresholds | None = None,
) -> dict[int, ScoredBook | str]:
    """Every book of `pids` (or every active one) opened here, one after another, with its health score
    when `thresholds` are given (the batch opens them on its executor instead: `load_openers`)."""
    opener = load_openers(sessions, market, pids, thresholds)
    return {pid: opener(pid) for pid in opener.ids()}
