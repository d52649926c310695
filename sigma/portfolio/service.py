"""The portfolio service: books, cash flows, positions, tags, targets, CSV import/export, snapshots, the view.

Every public method takes the acting user first and scopes by owner: another user's portfolio,
position or tag raises `PermissionDenied` ("Portfolio 12 is not one of yours."), the same error
as an id that does not exist. Each write is one transaction. "Today" is `settings.market_end`
when set (a pinned market), else the injected clock; entry dates, exits and cash flows may not
be after it. Pages write nothing by reading: `view` and `open_book` compute the snapshot days
not stored yet in memory; `backfill_snapshots`/`backfill_any` (the jobs process) store them.
The SQL lives in `sql/` (plain functions taking a Session), the checks in `rules`, the pure
assembly in `view/`; this class opens the sessions and wires them to the market.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, TypeVar

import pandas as pd

from sigma.auth.model import AuthUser, utc_now
from sigma.config import Settings
from sigma.market.service import MarketService
from sigma.portfolio import rules
from sigma.portfolio.files.mapping import FORMATS as FORMATS  # re-exported for the import page
from sigma.portfolio.files.mapping import ImportOptions as ImportOptions
from sigma.portfolio.files.mapping import guess_mapping as guess_mapping
from sigma.portfolio.files.mapping import header_candidates as header_candidates
from sigma.portfolio.files.mapping import resolving
from sigma.portfolio.files.positions import BrokerPreview as BrokerPreview
from sigma.portfolio.model import (
    BackfillResult,
    FlowKind,
    ImportPreview,
    ImportResult,
    PortfolioInfo,
    PortfolioView,
    PositionDraft,
    TagInfo,
    TargetImportPreview,
)
from sigma.portfolio.sql import books, positions, tags, targets, transactions, transfers
from sigma.portfolio.sql.backfill import ManyBackfilled, Mapper, Progress, backfill_many
from sigma.portfolio.sql.bulk import Opener, load_openers, open_many
from sigma.portfolio.sql.owned import info, owned_portfolio, owned_positions
from sigma.portfolio.sql.snapshots import backfill
from sigma.portfolio.sql.transactions import Session, Sessions
from sigma.portfolio.sql.view import load_view
from sigma.portfolio.view.book import open_book
from sigma.portfolio.view.build import build_view
from sigma.risk.book import OpenBook

T = TypeVar("T")


class PortfolioService:
    """User-scoped portfolios for the pages, the chat tools and the jobs process."""

    def __init__(
        self,
        sessions: Sessions,
        market: MarketService,
        settings: Settings,
        clock: Callable[[], date] = date.today,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        self.sessions, self.market, self.settings = sessions, market, settings
        self._clock, self._now = clock, now

    def today(self) -> date:
        """The service's today: the pinned market end, else the clock."""
        return self.settings.market_end or self._clock()

    def _write(self, work: Callable[[Session], T]) -> T:
        return transactions.write(self.sessions, work)

    def _read(self, work: Callable[[Session], T]) -> T:
        return transactions.read(self.sessions, work)

    # --- books and cash ------------------------------------------------------------------------

    def list_portfolios(self, user: AuthUser, include_archived: bool = False) -> list[PortfolioInfo]:
        """The user's portfolios by name (archived ones only when asked)."""
        return self._read(lambda s: [info(b) for b in books.list_portfolios(s, user, include_archived)])

    def get_portfolio(self, user: AuthUser, pid: int) -> PortfolioInfo:
        """One of the user's portfolios."""
        return self._read(lambda s: info(owned_portfolio(s, user, pid)))

    def create_portfolio(
        self, user: AuthUser, name: str, benchmark: str = "SPY", cash: float = 0.0, description: str = ""
    ) -> PortfolioInfo:
        """A new portfolio (name unique per owner, benchmark a known symbol, opening cash ≥ 0)."""
        symbol = benchmark.strip().upper()
        self.market.require_priced([symbol])
        return self._write(lambda s: info(books.create_portfolio(s, user, name, symbol, cash, description)))

    def rename_portfolio(self, user: AuthUser, pid: int, name: str) -> None:
        """Rename a portfolio (still unique per owner)."""

        self._write(lambda s: books.rename_portfolio(s, user, pid, name))

    def archive_portfolio(self, user: AuthUser, pid: int, archived: bool = True) -> None:
        """Archive (hide from the list) or restore a portfolio."""
        self._write(lambda s: setattr(owned_portfolio(s, user, pid), "archived", bool(archived)))

    def set_benchmark(self, user: AuthUser, pid: int, symbol: str) -> None:
        """Change the benchmark (a known symbol)."""
        self._read(lambda s: owned_portfolio(s, user, pid))
        code = symbol.strip().upper()
        self.market.require_priced([code])
        self._write(lambda s: setattr(owned_portfolio(s, user, pid), "benchmark", code))

    def record_cash_flow(
        self, user: AuthUser, pid: int, day: date, kind: FlowKind | str, amount: float, note: str = ""
    ) -> None:
        """Record a deposit, withdrawal or dividend (amount > 0) and move the cash balance."""
        self._write(lambda s: books.record_cash_flow(s, user, pid, day, kind, amount, note, self.today()))

    def cash_flows(self, user: AuthUser, pid: int) -> pd.DataFrame:
        """The portfolio's cash flows (signed), oldest first."""
        return self._read(lambda s: books.cash_flows(s, owned_portfolio(s, user, pid).id))

    # --- positions -----------------------------------------------------------------------------

    def add_position(self, user: AuthUser, pid: int, draft: PositionDraft) -> int:
        """Add a position; returns its id."""
        self._read(lambda s: owned_portfolio(s, user, pid))
        checked = rules.check_draft(draft, self.today(), self.market.require_priced)

        return self._write(lambda s: positions.add_position(s, owned_portfolio(s, user, pid).id, checked))

    def edit_position(self, user: AuthUser, position_id: int, **fields: Any) -> None:
        """Change fields of a position (the whole position is validated again)."""
        self._write(
            lambda s: positions.edit_position(
                s, owned_positions(s, user, [position_id])[0], fields, self.today(), self.market.require_priced
            )
        )

    def close_position(self, user: AuthUser, position_id: int, exit_date: date, exit_price: float) -> None:
        """Record the exit (date and price) of a position."""
        self._write(
            lambda s: positions.close_position(
                s, owned_positions(s, user, [position_id])[0], exit_date, exit_price, self.today()
            )
        )

    def delete_position(self, user: AuthUser, position_id: int) -> None:
        """Delete a position with its tags, target and snapshots."""
        self._write(lambda s: positions.delete_position(s, owned_positions(s, user, [position_id])[0]))

    # --- tags ----------------------------------------------------------------------------------

    def tags(self, user: AuthUser) -> list[TagInfo]:
        """The user's tags with their position counts."""
        return self._read(lambda s: tags.tags(s, user))

    def create_tag(self, user: AuthUser, name: str, color: str = "#4c78a8") -> TagInfo:
        """A new manual tag (name unique per user, colour #rrggbb)."""
        return self._write(lambda s: tags.create_tag(s, user, name, color))

    def rename_tag(self, user: AuthUser, tag_id: int, name: str) -> None:
        """Rename a tag."""
        self._write(lambda s: tags.rename_tag(s, user, tag_id, name))

    def recolor_tag(self, user: AuthUser, tag_id: int, color: str) -> None:
        """Change a tag's colour."""
        self._write(lambda s: tags.recolor_tag(s, user, tag_id, color))

    def delete_tag(self, user: AuthUser, tag_id: int) -> None:
        """Delete a tag."""
        self._write(lambda s: tags.delete_tag(s, user, tag_id))

    def tag_positions(self, user: AuthUser, position_ids: Sequence[int], tag_id: int) -> None:
        """Tag many positions at once (all must be the user's)."""
        self._write(lambda s: tags.tag_positions(s, user, position_ids, tag_id))

    def untag_positions(self, user: AuthUser, position_ids: Sequence[int], tag_id: int) -> None:
        """Untag many positions at once (all must be the user's)."""
        self._write(lambda s: tags.untag_positions(s, user, position_ids, tag_id))

    def sync_sector_tags(self, user: AuthUser, pid: int) -> int:
        """Automatic GICS sector tags from the stored profiles; returns the positions tagged."""
        self._read(lambda s: owned_portfolio(s, user, pid))
        profiles = self.market.profiles()
        return int(self._write(lambda s: tags.sync_sector_tags(s, user, owned_portfolio(s, user, pid).id, profiles)))

    # --- targets -------------------------------------------------------------------------------

    def set_target(
        self,
        user: AuthUser,
        position_id: int,
        target_eoy: float | None = None,
        target_next_year: float | None = None,
        downside: float | None = None,
        note: str = "",
    ) -> None:
        """Set the targets of one position (each > 0 when given)."""
        values: dict[str, object] = {"target_eoy": target_eoy, "target_next_year": target_next_year}
        values |= {"downside": downside, "note": note}
        self._write(lambda s: targets.set_targets(s, user, position_id, values, self._now()))

    def bulk_set_targets(self, user: AuthUser, pid: int, frame: pd.DataFrame) -> int:
        """Targets from a data editor: position_id, target_eoy, target_next_year, downside, note."""
        return int(
            self._write(
                lambda s: targets.bulk_set_targets(s, user, owned_portfolio(s, user, pid).id, frame, self._now())
            )
        )

    # --- CSV -----------------------------------------------------------------------------------

    def preview_import(
        self, user: AuthUser, pid: int, data: bytes, options: ImportOptions | None = None
    ) -> ImportPreview:
        """Every row of a positions file with its status; rows already stored say 'already imported'."""
        known, options = self.market.priced_symbols(), resolving(options, self.market.profiles())
        return self._read(
            lambda s: transfers.preview_import(s, owned_portfolio(s, user, pid).id, data, self.today(), known, options)
        )

    def commit_import(
        self, user: AuthUser, pid: int, data: bytes, all_or_nothing: bool = False, options: ImportOptions | None = None
    ) -> ImportResult:
        """Import the valid new rows in one transaction (nothing at all with all_or_nothing and an error)."""
        known, options = self.market.priced_symbols(), resolving(options, self.market.profiles())
        return self._write(
            lambda s: transfers.commit_import(
                s, owned_portfolio(s, user, pid).id, data, self.today(), known, all_or_nothing, options
            )
        )

    def preview_targets_import(self, user: AuthUser, pid: int, data: bytes) -> TargetImportPreview:
        """Every row of a targets file with its status."""
        known = self.market.priced_symbols()
        return self._read(lambda s: targets.preview_targets(s, owned_portfolio(s, user, pid).id, data, known))

    def commit_targets_import(
        self, user: AuthUser, pid: int, data: bytes, all_or_nothing: bool = False
    ) -> ImportResult:
        """Write the targets of the valid rows to the positions priced off each symbol."""
        known = self.market.priced_symbols()
        return self._write(
            lambda s: targets.commit_targets(
                s, owned_portfolio(s, user, pid).id, data, known, all_or_nothing, self._now()
            )
        )

    def export_positions(self, user: AuthUser, pid: int) -> bytes:
        """The portfolio's positions as injection-safe CSV."""
        return self._read(lambda s: transfers.export_positions(s, owned_portfolio(s, user, pid).id))

    def export_targets(self, user: AuthUser, pid: int) -> bytes:
        """The portfolio's target prices as injection-safe CSV."""
        return self._read(lambda s: targets.export_targets(s, owned_portfolio(s, user, pid).id))

    # --- snapshots and the view ----------------------------------------------------------------

    def backfill_snapshots(self, user: AuthUser, pid: int) -> BackfillResult:
        """Write the portfolio's missing daily snapshots."""
        self._read(lambda s: owned_portfolio(s, user, pid))
        return backfill(self.sessions, self.market, pid)

    def backfill_any(self, pid: int) -> BackfillResult:
        """Backfill without a user: for the jobs process only (never call from a page)."""
        return backfill(self.sessions, self.market, pid)

    def backfill_many(
        self, pids: Sequence[int], since: date | None = None, progress: Progress | None = None, on: Mapper | None = None
    ) -> ManyBackfilled:
        """The nightly backfill of many books in bulk (from `since`, recomputed; on the executor `on`): jobs only."""
        return backfill_many(self.sessions, self.market, pids, since, progress, on)

    def sync_all_sector_tags(self) -> int:
        """Every active book's automatic sector tags, in bulk: jobs process only (never call from a page)."""
        profiles = self.market.profiles()
        return int(self._write(lambda s: tags.sync_all_sector_tags(s, profiles)))

    def active_portfolio_ids(self) -> list[int]:
        """Every non-archived portfolio's id, ascending, for the jobs process only (never call from a page)."""
        return self._read(books.active_ids)

    def view(self, user: AuthUser, pid: int, tag: str | None = None, attribution_days: int = 21) -> PortfolioView:
        """Everything the Portfolio page draws (writes nothing: unsaved snapshot days are computed in memory)."""
        data = load_view(self.sessions, self.market, user, pid, attribution_days)
        return build_view(data, self.settings, self.today(), tag)

    def open_book(self, user: AuthUser, pid: int) -> OpenBook:
        """The open positions valued at the latest price date (InsufficientHistory when none or NAV <= 0)."""
        return open_book(load_view(self.sessions, self.market, user, pid, attribution_days=1))

    def open_books(self, pids: Sequence[int] | None = None) -> dict[int, OpenBook | str]:
        """Many books (None: every active one) opened in bulk; the str is why one cannot be. Jobs only: unscoped."""
        return {p: b if isinstance(b, str) else b[0] for p, b in open_many(self.sessions, self.market, pids).items()}

    def nightly_opener(self, pids: Sequence[int] | None = None, health: bool = False) -> Opener:
        """Books loaded in bulk, opened (and scored) where the `Opener` is called, e.g. a batch worker. Jobs only."""
        return load_openers(self.sessions, self.market, pids, self.settings.health if health else None)
