"""The portfolio's types: drafts to store, flow kinds, import previews and the frozen results of `PortfolioService`.

Conventions: money in the portfolio's base currency (USD); percentages are fractions (0.05 = 5 %);
"% of NAV" figures divide by the NAV at `as_of`; exposures are delta-adjusted (DOMAIN.md,
"Positions and valuation"); theta is $ per calendar day, vega $ per vol point, dollar gamma the
change of dollar delta for a 1 % move of the underlying.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Generic, TypeVar

import pandas as pd

from sigma.conventions import PositionType
from sigma.delimited.table import DetectedFormat
from sigma.errors import ValidationError
from sigma.portfolio.activity import ActivityItem
from sigma.portfolio.health import HealthScore
from sigma.portfolio.income import Income

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

DraftT = TypeVar("DraftT", bound="DataclassInstance")


class FlowKind(StrEnum):
    """Kinds of cash flow; the amount is entered positive and stored signed."""

    DEPOSIT = "deposit"
    WITHDRAWAL = "withdrawal"
    DIVIDEND = "dividend"


class RowStatus(StrEnum):
    """Outcome of one row: ok and warning rows are imported, error rows are not."""

    OK = "ok"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True)
class PositionDraft:
    """A validated position ready to store (quantity and price > 0; options fully specified)."""

    symbol: str
    position_type: PositionType
    quantity: float
    entry_price: float
    entry_date: date
    underlying: str | None = None
    strike: float | None = None
    expiry: date | None = None
    multiplier: float = 1.0
    notes: str = ""

    def __post_init__(self) -> None:
        option_fields = (self.underlying, self.strike, self.expiry)
        if self.quantity <= 0 or self.entry_price <= 0 or self.multiplier <= 0:
            raise ValidationError(f"{self.symbol}: quantity, entry price and multiplier must be > 0.")
        if self.position_type.is_option != all(v is not None for v in option_fields):
            raise ValidationError(f"{self.symbol}: options need underlying, strike and expiry; stocks have none.")


@dataclass(frozen=True)
class TargetDraft:
    """Validated target prices for one symbol (each given target > 0)."""

    symbol: str
    target_eoy: float | None
    target_next_year: float | None
    downside: float | None
    note: str = ""


@dataclass(frozen=True)
class ImportRow(Generic[DraftT]):
    """One data row of the file: where, how it went, why, what it said, and the draft if not an error."""

    line: int
    status: RowStatus
    reasons: tuple[str, ...]
    cells: tuple[str, ...]
    symbol: str
    draft: DraftT | None


@dataclass(frozen=True)
class _Preview(Generic[DraftT]):
    rows: tuple[ImportRow[DraftT], ...]
    detected: DetectedFormat

    @property
    def errors(self) -> int:
        """Number of rows that will not be imported."""
        return sum(r.status is RowStatus.ERROR for r in self.rows)

    @property
    def warnings(self) -> int:
        """Number of rows imported with a warning."""
        return sum(r.status is RowStatus.WARNING for r in self.rows)

    @property
    def valid_drafts(self) -> tuple[DraftT, ...]:
        """Drafts of the ok and warning rows, in file order."""
        return tuple(r.draft for r in self.rows if r.draft is not None)

    def _frame(self, rename: dict[str, str]) -> pd.DataFrame:
        records = [
            {"line": r.line, "status": str(r.status), "reason": "; ".join(r.reasons), "symbol": r.symbol}
            | ({rename.get(k, k): v for k, v in asdict(r.draft).items()} if r.draft is not None else {})
            for r in self.rows
        ]
        return pd.DataFrame.from_records(records, columns=["line", "status", "reason", *rename.values()])


@dataclass(frozen=True)
class ImportPreview(_Preview[PositionDraft]):
    """Every data row of a positions file with its status, plus what was detected about the file."""

    def fingerprint(self, draft: PositionDraft) -> str:
        """Stable key of a draft; the service skips drafts whose key is already stored."""
        return position_fingerprint(draft)

    def to_frame(self) -> pd.DataFrame:
        """One row per data line: line, status, reason, symbol, type, quantity, price, date, option fields, notes."""
        names = {f.name: f.name for f in fields(PositionDraft)}
        return self._frame(names | {"position_type": "type", "entry_price": "price", "entry_date": "date"})


@dataclass(frozen=True)
class TargetImportPreview(_Preview[TargetDraft]):
    """Every data row of a target-prices file with its status."""

    def to_frame(self) -> pd.DataFrame:
        """One row per data line: line, status, reason, symbol, target_eoy, target_next_year, downside, note."""
        return self._frame({f.name: f.name for f in fields(TargetDraft)})


def position_fingerprint(draft: PositionDraft) -> str:
    """'symbol|type|quantity|price|date|strike|expiry|multiplier' with numbers written canonically."""
    parts = (draft.symbol, draft.position_type.value, _canon(draft.quantity), _canon(draft.entry_price))
    tail = (draft.entry_date.isoformat(), _canon(draft.strike), str(draft.expiry or ""), _canon(draft.multiplier))
    return "|".join(parts + tail)


def _canon(x: float | None) -> str:
    return "" if x is None else f"{x:.8f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class PortfolioInfo:
    """One portfolio as the sidebar and the page list it; `cash` is the current balance."""

    id: int
    name: str
    description: str
    benchmark: str
    base_currency: str
    cash: float
    archived: bool


@dataclass(frozen=True)
class TagInfo:
    """A tag of the acting user; `auto` tags are sector tags kept by `sync_sector_tags`."""

    id: int
    name: str
    color: str
    auto: bool
    n_positions: int


@dataclass(frozen=True)
class ImportResult:
    """What a committed import did: rows written, rows skipped (already there), error lines not imported."""

    imported: int
    skipped: int
    errors: tuple[str, ...] = ()


@dataclass(frozen=True)
class BackfillResult:
    """What one backfill wrote."""

    portfolio_id: int
    days_written: int
    note: str | None = None


@dataclass(frozen=True)
class Kpis:
    """Headline numbers of the whole book at `as_of` (never filtered by tag)."""

    nav: float
    cash: float
    day_pnl: float
    day_pnl_pct: float  # day P&L / previous NAV (NaN without a previous snapshot)
    unrealized_pnl: float
    realized_pnl: float
    long: float
    short: float  # ≤ 0
    gross: float
    net: float
    long_pct: float  # of NAV
    short_pct: float
    gross_pct: float
    net_pct: float
    beta: float | None  # vs the portfolio's benchmark, 252-day OLS on snapshot returns
    beta_reason: str | None  # why beta is None
    health: HealthScore | None
    health_reason: str | None
    expected_return: float | None  # Σ exposure × (target EOY / spot − 1) / NAV over positions with a target
    target_coverage: float  # share of gross exposure that has a target
    delta_dollars: float
    gamma_dollars: float
    theta_dollars: float
    vega_dollars: float


@dataclass(frozen=True)
class PortfolioView:
    """Everything the Portfolio page shows, with where the numbers come from."""

    info: PortfolioInfo
    as_of: date
    source: str
    kpis: Kpis
    holdings: pd.DataFrame
    closed: pd.DataFrame
    equity: pd.DataFrame
    exposures: dict[str, pd.DataFrame]
    options: pd.DataFrame
    attribution: pd.DataFrame
    activity: list[ActivityItem]
    notes: list[str] = field(default_factory=list)
    tag: str | None = None
    returns: pd.DataFrame = field(default_factory=pd.DataFrame)  # returns.RETURN_COLUMNS, one row per period
    holdings_with_cash: pd.DataFrame = field(default_factory=pd.DataFrame)  # holdings + a "Cash" line (no tag)
    allocation: pd.DataFrame = field(default_factory=pd.DataFrame)  # treemap tree: id, parent, label, value
    income: Income | None = None
