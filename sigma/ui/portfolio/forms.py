"""Forms of the Portfolio page: positions, tags, targets and cash flows.

Each form calls one service method; a `SigmaError` is shown next to the form and nothing is written.
Number inputs carry the bounds of `sigma.portfolio.rules` (the service checks them again).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pandas as pd
import streamlit as st

from sigma.auth.model import AuthUser
from sigma.conventions import PositionType
from sigma.errors import SigmaError
from sigma.portfolio.model import FlowKind, PositionDraft, TagInfo
from sigma.portfolio.rules import MAX_CASH as MAX_CASH  # re-exported: the new-portfolio form on the page
from sigma.portfolio.rules import MAX_MULTIPLIER, MAX_PRICE, MAX_QUANTITY
from sigma.portfolio.service import PortfolioService
from sigma.ui import cache, shell
from sigma.ui.format import money, money_column, price_column

TYPES = [t.value for t in PositionType]
FLOW_KINDS = [k.value for k in FlowKind]


def _attempt(user: AuthUser, action: Callable[[], object], success: str) -> bool:
    try:
        action()
    except SigmaError as err:
        st.error(str(err))
        return False
    st.session_state["flash"] = success
    book_changed(user)
    return True


CATCH_UP: dict[str, object] = {"phases": ["snapshots", "risk", "insights"]}


def book_changed(user: AuthUser) -> None:
    """After any write to the user's book: drop their cached views and queue the batch catch-up."""
    cache.forget_user(user.id)  # this user's Risk and Correlations views hold the book just changed
    _catch_up()


def _catch_up() -> None:
    """Ask the jobs process to store the snapshots, risk results and insight cards a write invalidated
    (one queued catch-up at a time; the write deleted the book's stored risk results).

    Until it has, each Portfolio view values the unsaved days in memory and the Risk page computes
    on demand: correct, but repeated work on every render, so the write path hands it to the jobs
    process instead of waiting a night.
    """
    queue = shell.services().queue
    if not any(r.job == "batch" and r.params == CATCH_UP for r in queue.pending()):
        queue.request("batch", None, CATCH_UP)  # a system catch-up, not a run the user asked for


def flash() -> None:
    """Show (once) the confirmation left by the last successful form."""
    message = st.session_state.pop("flash", None)
    if message:
        st.success(message)


def _latest_price(symbol: str) -> float | None:
    """The latest close of `symbol` (None when unknown or unpriced)."""
    try:
        frame = shell.services().market.latest([symbol])
    except SigmaError:
        return None
    prices = pd.to_numeric(frame.get("close", pd.Series(dtype=float)), errors="coerce").dropna()
    return round(float(prices.iloc[-1]), 2) if len(prices) else None


def _fill_entry_price() -> None:
    """on_change of the symbol: default the entry price to the symbol's latest close."""
    symbol = str(st.session_state.get("pos_symbol", "")).strip().upper()
    price = _latest_price(symbol) if symbol else None
    if price is not None and 0.0 <= price <= MAX_PRICE:
        st.session_state["pos_price"] = price


def _dates_and_option_fields(as_of: date) -> tuple[date, float, date | None, float]:
    """The add form's second row: entry date, then strike, expiry and multiplier (options only)."""
    o = st.columns(4)
    entry = o[0].date_input("Entry date", value=as_of, max_value=as_of, key="pos_entry")
    strike = o[1].number_input("Strike (options)", min_value=0.0, max_value=MAX_PRICE, value=0.0, key="pos_strike")
    expiry = o[2].date_input("Expiry (options)", value=None, key="pos_expiry")
    mult = o[3].number_input("Multiplier", min_value=1.0, max_value=MAX_MULTIPLIER, value=100.0, key="pos_mult")
    return entry, float(strike), expiry, float(mult)


def add_position(svc: PortfolioService, user: AuthUser, pid: int, as_of: date) -> None:
    """Add a stock, ETF, short or option position (the entry price defaults to the latest close)."""
    st.text_input("Symbol (underlying for options)", key="pos_symbol", on_change=_fill_entry_price)
    st.session_state.setdefault("pos_price", 0.0)
    with st.form("add_position", clear_on_submit=False):
        c = st.columns(3)
        kind = c[0].selectbox(
            "Type", TYPES, key="pos_type", help="LONG / SHORT stock; LC, LP, SC, SP: long/short call/put"
        )
        qty = c[1].number_input("Quantity", min_value=0.0, max_value=MAX_QUANTITY, value=100.0, step=1.0, key="pos_qty")
        price = c[2].number_input(
            "Entry price ($)",
            min_value=0.0,
            max_value=MAX_PRICE,
            step=0.01,
            key="pos_price",
            help="Defaults to the symbol's latest close (for an option, type its premium)",
        )
        entry, strike, expiry, mult = _dates_and_option_fields(as_of)
        submitted = st.form_submit_button("Add position")
    if not submitted:
        return
    symbol = str(st.session_state.get("pos_symbol", "")).strip().upper()
    option = PositionType(kind).is_option
    draft = PositionDraft(
        symbol=symbol,
        position_type=PositionType(kind),
        quantity=qty,
        entry_price=price,
        entry_date=entry,
        underlying=symbol if option else None,
        strike=strike if option and strike else None,
        expiry=expiry if option else None,
        multiplier=mult if option else 1.0,
        notes="",
    )
    if _attempt(user, lambda: svc.add_position(user, pid, draft), f"Added {draft.position_type} {draft.symbol}."):
        st.rerun()


def close_position(svc: PortfolioService, user: AuthUser, holdings: pd.DataFrame, as_of: date) -> None:
    """Close an open position at an exit price (defaulting to its latest price) and date."""
    if holdings.empty:
        return
    labels = dict(zip(holdings["position_id"], holdings["symbol"] + " · " + holdings["type"], strict=True))
    latest = dict(zip(holdings["position_id"], pd.to_numeric(holdings["price"], errors="coerce"), strict=True))

    def fill_exit_price() -> None:
        price = latest.get(st.session_state.get("close_pos"))
        if price is not None and pd.notna(price):
            st.session_state["close_price"] = round(float(price), 2)

    pos = st.selectbox(
        "Position", list(labels), format_func=labels.__getitem__, key="close_pos", on_change=fill_exit_price
    )
    if "close_price" not in st.session_state:
        fill_exit_price()
    with st.form("close_position"):
        c = st.columns(2)
        exit_date = c[0].date_input("Exit date", value=as_of, max_value=as_of, key="close_date")
        exit_price = c[1].number_input(
            "Exit price ($)",
            min_value=0.0,
            max_value=MAX_PRICE,
            step=0.01,
            key="close_price",
            help="Defaults to the position's latest price",
        )
        submitted = st.form_submit_button("Close position")
    if submitted and _attempt(
        user, lambda: svc.close_position(user, int(pos), exit_date, exit_price), f"Closed {labels[pos]}."
    ):
        st.rerun()


def tags(svc: PortfolioService, user: AuthUser, pid: int, holdings: pd.DataFrame) -> None:
    """Create, rename, recolour, delete tags; tag and untag positions in bulk."""
    existing = svc.tags(user)
    with st.form("new_tag", clear_on_submit=True):
        c = st.columns([3, 1, 1])
        name = c[0].text_input("New tag", key="tag_name")
        color = c[1].color_picker("Colour", "#4c78a8", key="tag_color")
        if c[2].form_submit_button("Create tag") and _attempt(
            user, lambda: svc.create_tag(user, name, color), f"Created tag {name}."
        ):
            st.rerun()
    if not existing:
        st.caption("No tags yet.")
        return
    st.dataframe(pd.DataFrame([t.__dict__ for t in existing]), hide_index=True, width="stretch")
    tag_id = _tag_positions(svc, user, existing, holdings)
    btns = st.columns(3)
    if btns[0].button("Sector tags from profiles", key="sector_tags") and _attempt(
        user, lambda: svc.sync_sector_tags(user, pid), "Sector tags updated."
    ):
        st.rerun()
    if btns[1].button("Delete selected tag", key="tag_delete") and _attempt(
        user, lambda: svc.delete_tag(user, tag_id), "Tag deleted."
    ):
        st.rerun()


def _tag_positions(svc: PortfolioService, user: AuthUser, existing: list[TagInfo], holdings: pd.DataFrame) -> int:
    """Tag, untag or rename in bulk; returns the picked tag's id."""
    names = {t.id: f"{t.name} ({t.n_positions})" for t in existing}
    with st.form("tag_positions"):
        tag_id = st.selectbox("Tag", list(names), format_func=names.__getitem__, key="tag_pick")
        labels = dict(zip(holdings["position_id"], holdings["symbol"], strict=True)) if not holdings.empty else {}
        chosen = st.multiselect("Positions", list(labels), format_func=labels.__getitem__, key="tag_positions")
        row = st.columns(4)
        do_tag = row[0].form_submit_button("Tag")
        do_untag = row[1].form_submit_button("Untag")
        new_name = row[2].text_input(
            "Rename to", key="tag_rename", label_visibility="collapsed", placeholder="Rename to…"
        )
        do_rename = row[3].form_submit_button("Rename")
    ids = [int(i) for i in chosen]
    if do_tag and _attempt(user, lambda: svc.tag_positions(user, ids, tag_id), f"Tagged {len(ids)} position(s)."):
        st.rerun()
    if do_untag and _attempt(user, lambda: svc.untag_positions(user, ids, tag_id), f"Untagged {len(ids)} position(s)."):
        st.rerun()
    if do_rename and _attempt(user, lambda: svc.rename_tag(user, tag_id, new_name), f"Renamed to {new_name}."):
        st.rerun()
    return int(tag_id)


def targets(svc: PortfolioService, user: AuthUser, pid: int, holdings: pd.DataFrame) -> None:
    """Bulk-edit target prices in a data editor."""
    if holdings.empty:
        return
    cols = ["position_id", "symbol", "price", "target_eoy", "target_next_year", "downside", "target_note"]
    frame = holdings.reindex(columns=cols).rename(columns={"target_note": "note"})
    frame["note"] = frame["note"].astype(object).where(frame["note"].notna(), "").astype(str)
    edited = st.data_editor(
        frame,
        key="targets_editor",
        hide_index=True,
        width="stretch",
        disabled=["position_id", "symbol", "price"],
        column_config={
            "position_id": None,
            "symbol": st.column_config.TextColumn("Symbol", width="medium"),
            "price": price_column("Price"),
            "target_eoy": price_column("Target (year end)", min_value=0.0, max_value=MAX_PRICE),
            "target_next_year": price_column("Target (next year)", min_value=0.0, max_value=MAX_PRICE),
            "downside": price_column("Downside case", min_value=0.0, max_value=MAX_PRICE),
            "note": st.column_config.TextColumn("Note", width="large"),
        },
    )
    if st.button("Save targets", key="save_targets") and _attempt(
        user, lambda: svc.bulk_set_targets(user, pid, edited), "Targets saved."
    ):
        st.rerun()


def cash(svc: PortfolioService, user: AuthUser, pid: int, as_of: date) -> None:
    """Record a deposit, withdrawal or dividend."""
    with st.form("cash_flow", clear_on_submit=True):
        c = st.columns(4)
        kind = c[0].selectbox("Kind", FLOW_KINDS, key="cf_kind")
        amount = c[1].number_input(
            "Amount ($)", min_value=0.0, max_value=MAX_CASH, value=0.0, step=100.0, key="cf_amount"
        )
        day = c[2].date_input("Date", value=as_of, max_value=as_of, key="cf_date")
        note = c[3].text_input("Note", key="cf_note")
        submitted = st.form_submit_button("Record cash flow")
    recorded = f"Recorded {kind} of {money(amount, digits=2)}."
    if submitted and _attempt(user, lambda: svc.record_cash_flow(user, pid, day, kind, amount, note), recorded):
        st.rerun()
    flows = svc.cash_flows(user, pid)
    if not flows.empty:
        st.dataframe(
            flows,
            hide_index=True,
            width="stretch",
            column_config={
                "id": None,
                "date": st.column_config.DateColumn("Date", format="YYYY-MM-DD"),
                "kind": st.column_config.TextColumn("Kind"),
                "amount": money_column("Amount", help="Deposits and dividends positive, withdrawals negative"),
                "note": st.column_config.TextColumn("Note", width="large"),
            },
        )
