"""Broker presets: which columns a broker's positions export has, and how to recognise one.

A preset maps Sigma's fields to the headers one broker writes (normalised as in
`sigma.delimited.table.normalise_header`: 'Qty (Quantity)' -> 'qty quantity', camelCase
'CostBasisPrice' -> 'costbasisprice'). A file is recognised by a *signature*: a set of
headers that all appear on one line of its first 50 lines. Fields:

- ``price``: cost per share (average cost, cost basis price, price paid); ``cost_total``:
  the position's total cost (divided by quantity × multiplier); ``last_price``: the market
  price, used as the entry price only when the file has no cost at all (with a warning);
- ``value``: market value, read for cash lines; ``security_type``: 'Equity', 'Option',
  'Cash and Money Market', 'STK'/'OPT' (an account type such as Fidelity's `Type` Cash /
  Margin is *not* a position type and is never mapped to ``type``);
- ``type``, ``option_type``, ``strike``, ``expiry``, ``multiplier``, ``underlying``,
  ``isin``, ``date``, ``notes`` as in `files.positions`.

Formats follow the brokers' downloads as of 2025–2026: Schwab "Positions" CSV, Fidelity
"Portfolio Positions" CSV, an Interactive Brokers Flex query of Open Positions, Degiro's
Portfolio CSV (English or Dutch headers), Vanguard's holdings download, E*TRADE's "View
Summary - All Positions" and the Robinhood position exports of third-party tools.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from sigma.delimited.table import TableSchema
from sigma.portfolio.files.rows import SYNONYMS

POSITION_FIELDS = (
    "symbol",
    "quantity",
    "price",
    "cost_total",
    "last_price",
    "value",
    "date",
    "type",
    "security_type",
    "strike",
    "expiry",
    "option_type",
    "multiplier",
    "notes",
    "underlying",
    "isin",
)
NUMBER_FIELDS = frozenset({"quantity", "price", "cost_total", "last_price", "value", "strike", "multiplier"})
DATE_FIELDS = frozenset({"date", "expiry"})
REQUIRED = (("symbol", "underlying", "isin"), ("quantity",))
GENERIC = "generic"
AUTO = "auto"


@dataclass(frozen=True)
class BrokerPreset:
    """One broker's positions export: its headers per field and the header sets that identify it."""

    key: str
    label: str
    columns: Mapping[str, str]  # field -> normalised headers, '|'-separated, best first
    signatures: tuple[frozenset[str], ...] = ()
    cash_symbols: tuple[str, ...] = ()  # symbols that are the broker's cash sweep / money market

    @cached_property
    def schema(self) -> TableSchema:
        """The table schema `read_table` uses for this preset."""
        return schema_of({f: tuple(names.split("|")) for f, names in self.columns.items()})


def schema_of(synonyms: Mapping[str, tuple[str, ...]]) -> TableSchema:
    """A positions schema over these header synonyms."""
    required = tuple(tuple(f for f in group if f in synonyms) or group for group in REQUIRED)
    return TableSchema(dict(synonyms), required, NUMBER_FIELDS, DATE_FIELDS)


def _sig(*names: str) -> frozenset[str]:
    return frozenset(names)


SCHWAB = BrokerPreset(
    "schwab",
    "Schwab positions export",
    {
        "symbol": "symbol",
        "quantity": "qty quantity|quantity|qty",
        "last_price": "price",
        "cost_total": "cost basis",
        "value": "mkt val market value|market value|mkt val",
        "security_type": "security type",
        "notes": "description",
    },
    (_sig("symbol", "qty quantity"), _sig("symbol", "quantity", "cost basis", "security type")),
)
FIDELITY = BrokerPreset(
    "fidelity",
    "Fidelity positions export",
    {
        "symbol": "symbol",
        "quantity": "quantity",
        "price": "average cost basis|cost basis per share",
        "cost_total": "cost basis total|cost basis",
        "last_price": "last price",
        "value": "current value",
        "notes": "description",
    },
    (_sig("symbol", "quantity", "last price", "current value"), _sig("symbol", "cost basis total")),
)
IBKR = BrokerPreset(
    "ibkr",
    "Interactive Brokers Flex query (open positions)",
    {
        "symbol": "symbol",
        "quantity": "quantity|position",
        "price": "costbasisprice",
        "cost_total": "costbasismoney",
        "last_price": "markprice",
        "value": "positionvalue",
        "date": "opendatetime",
        "security_type": "assetclass",
        "strike": "strike",
        "expiry": "expiry",
        "option_type": "put call",
        "multiplier": "multiplier",
        "underlying": "underlyingsymbol",
        "isin": "isin",
        "notes": "description",
    },
    (_sig("clientaccountid", "symbol"), _sig("symbol", "costbasisprice"), _sig("underlyingsymbol", "markprice")),
)
DEGIRO = BrokerPreset(
    "degiro",
    "Degiro portfolio export",
    {
        "symbol": "symbol isin|symbool isin",
        "quantity": "quantity|amount|aantal",
        "last_price": "closing|slotkoers",
        "value": "value in eur|waarde in eur",
        "date": "date|datum",
        "notes": "product",
    },
    (_sig("product", "symbol isin"), _sig("product", "symbool isin")),
)
VANGUARD = BrokerPreset(
    "vanguard",
    "Vanguard holdings download",
    {
        "symbol": "symbol",
        "quantity": "shares",
        "last_price": "share price",
        "value": "total value",
        "notes": "investment name",
    },
    (_sig("investment name", "symbol", "shares", "share price"),),
    cash_symbols=("VMFXX",),
)
ETRADE = BrokerPreset(
    "etrade",
    "E*TRADE positions export",
    {
        "symbol": "symbol",
        "quantity": "qty|quantity",
        "price": "price paid",
        "last_price": "last price",
        "value": "value",
    },
    (_sig("symbol", "qty", "price paid"), _sig("symbol", "last price", "price paid")),
)
ROBINHOOD = BrokerPreset(
    "robinhood",
    "Robinhood positions export",
    {
        "symbol": "symbol",
        "quantity": "shares|quantity",
        "price": "average cost",
        "last_price": "price",
        "value": "equity",
        "notes": "name",
    },
    (_sig("symbol", "shares", "average cost"), _sig("symbol", "average cost", "equity")),
)
GENERIC_PRESET = BrokerPreset(
    GENERIC, "Generic CSV (columns matched by name)", {f: SYNONYMS[f] for f in POSITION_FIELDS}
)
PRESETS: tuple[BrokerPreset, ...] = (SCHWAB, FIDELITY, IBKR, DEGIRO, VANGUARD, ETRADE, ROBINHOOD)
BY_KEY: dict[str, BrokerPreset] = {p.key: p for p in (*PRESETS, GENERIC_PRESET)}


def detect_preset(header_lines: list[frozenset[str]]) -> BrokerPreset:
    """The first preset one of whose signatures a header line contains; the generic preset otherwise."""
    for preset in PRESETS:
        if any(sig <= line for line in header_lines for sig in preset.signatures):
            return preset
    return GENERIC_PRESET
