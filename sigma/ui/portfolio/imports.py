"""The CSV import and export flow: upload → preset or column mapping → preview → import, and downloads.

The preview is parsed once per uploaded file: `st.cache_data` keyed by the file's SHA-256, the
preset, the column mapping, the user and the book (reruns reuse it; a commit clears it so
rows just written show as "already imported"). Cash found in the file is never a position;
the page offers to record a positive total as one deposit dated today.
"""

from __future__ import annotations

import hashlib

import streamlit as st

from sigma.auth.model import AuthUser
from sigma.errors import SigmaError
from sigma.portfolio.model import FlowKind, ImportPreview, RowStatus
from sigma.portfolio.service import (
    FORMATS,
    BrokerPreview,
    ImportOptions,
    PortfolioService,
    guess_mapping,
    header_candidates,
)
from sigma.ui.portfolio.forms import book_changed

STATUS_ICON = {RowStatus.OK: "✓ ok", RowStatus.WARNING: "⚠ warning", RowStatus.ERROR: "✗ error"}
AUTO, GENERIC = ImportOptions().preset, "generic"
FIELD_LABELS = {
    "symbol": "Symbol",
    "quantity": "Quantity",
    "price": "Cost per share",
    "cost_total": "Total cost",
    "last_price": "Last price",
    "date": "Entry date",
    "type": "Side (long/short)",
    "option_type": "Call/put",
    "strike": "Strike",
    "expiry": "Expiry",
    "multiplier": "Multiplier",
    "underlying": "Underlying",
    "isin": "ISIN",
    "notes": "Notes",
}
MAPPED_FIELDS = tuple(FIELD_LABELS)


def file_key(data: bytes) -> str:
    """The SHA-256 of an uploaded file: what its parsed preview is cached under."""
    return hashlib.sha256(data).hexdigest()


@st.cache_data(ttl=600, max_entries=16, show_spinner="Reading the file…")
def _cached_preview(
    key: str,
    preset: str,
    mapping: tuple[tuple[str, str], ...],
    user_id: int,
    pid: int,
    _svc: PortfolioService,
    _user: AuthUser,
    _data: bytes,
) -> ImportPreview:
    return _svc.preview_import(_user, pid, _data, ImportOptions(preset, mapping))


def preview_once(svc: PortfolioService, user: AuthUser, pid: int, data: bytes, options: ImportOptions) -> ImportPreview:
    """The preview of `data`, parsed once per (file hash, preset, mapping, user, book), not on every rerun."""
    return _cached_preview(file_key(data), options.preset, options.mapping, user.id, pid, svc, user, data)


def import_positions(svc: PortfolioService, user: AuthUser, pid: int) -> None:
    """Upload a broker CSV, pick or detect its preset, preview it row by row, then import."""
    upload = st.file_uploader("Broker CSV of positions", type=["csv", "txt"], key="import_file")
    if upload is None:
        st.caption(
            "Formats: " + ", ".join(list(FORMATS.values())[1:-1]) + " (detected from the header), or any CSV "
            "with a column-mapping step. Cash and money-market lines are summed, not imported as positions."
        )
        return
    import_file(svc, user, pid, upload.getvalue())


def import_file(svc: PortfolioService, user: AuthUser, pid: int, data: bytes) -> None:
    """The steps after the upload, on the file's bytes: format, preview (parsed once), import."""
    options = _options_step(data)
    try:
        preview = preview_once(svc, user, pid, data, options)
    except SigmaError as err:
        st.error(str(err))
        return
    _show_preview(preview, options)
    _commit_step(svc, user, pid, data, options, preview)


def _options_step(data: bytes) -> ImportOptions:
    preset = st.selectbox("File format", list(FORMATS), format_func=FORMATS.__getitem__, key="import_preset")
    if preset != GENERIC:
        return ImportOptions(preset)
    headers = header_candidates(data)
    guesses = guess_mapping(headers)
    choices = ["—", *headers]
    cols = st.columns(4)
    mapping = []
    for i, name in enumerate(MAPPED_FIELDS):  # one picker per field Sigma reads
        default = choices.index(guesses[name]) if name in guesses else 0
        picked = cols[i % 4].selectbox(FIELD_LABELS[name], choices, index=default, key=f"import_map_{name}")
        if picked != "—":
            mapping.append((name, picked))
    return ImportOptions(GENERIC, tuple(mapping))


def _show_preview(preview: ImportPreview, options: ImportOptions) -> None:
    broker = preview if isinstance(preview, BrokerPreview) else BrokerPreview(preview.rows, preview.detected)
    st.caption(("Detected: " if options.preset == AUTO else "Read as: ") + broker.preset_label)
    cash, notes = broker.cash, broker.notes
    if cash:
        st.info(f"Cash found: {broker.cash_total:,.2f} in {len(cash)} line(s), not positions.")
    if notes:
        with st.expander(f"{len(notes)} line(s) set aside"):
            st.markdown("\n".join(f"- {n}" for n in notes))
    frame = preview.to_frame()
    frame["status"] = frame["status"].map(STATUS_ICON).fillna(frame["status"])
    st.markdown(
        f"**Preview:** {len(preview.rows) - preview.warnings - preview.errors} ok · "
        f"{preview.warnings} warnings · {preview.errors} errors"
    )
    st.dataframe(frame, hide_index=True, width="stretch", key="import_preview")


def _commit_step(
    svc: PortfolioService, user: AuthUser, pid: int, data: bytes, options: ImportOptions, preview: ImportPreview
) -> None:
    valid = len(preview.valid_drafts)
    cash = preview.cash_total if isinstance(preview, BrokerPreview) else 0.0
    deposit = cash > 0 and st.checkbox(
        f"Also record the cash found ({cash:,.2f}) as a deposit today", key="import_cash"
    )
    c = st.columns(2)
    valid_only = c[0].button(f"Import the {valid} valid rows", key="import_valid", disabled=valid == 0)
    strict = c[1].button("Import all or nothing", key="import_strict")
    if not (valid_only or strict):
        return
    try:
        result = svc.commit_import(user, pid, data, all_or_nothing=strict, options=options)
        if deposit:
            svc.record_cash_flow(user, pid, svc.today(), FlowKind.DEPOSIT, cash, "cash found in a broker import")
    except SigmaError as err:
        st.error(str(err))
        return
    _cached_preview.clear()  # rows just written now preview as "already imported"
    book_changed(user)
    st.success(f"Imported {result.imported} position(s); {result.skipped} already present or skipped.")


def import_targets(svc: PortfolioService, user: AuthUser, pid: int) -> None:
    """Upload a CSV of target prices, preview and import."""
    upload = st.file_uploader("CSV of target prices", type=["csv", "txt"], key="targets_file")
    if upload is None:
        return
    data = upload.getvalue()
    try:
        preview = svc.preview_targets_import(user, pid, data)
        st.dataframe(preview.to_frame(), hide_index=True, width="stretch")
        if st.button("Import targets", key="targets_import"):
            result = svc.commit_targets_import(user, pid, data)
            book_changed(user)
            st.success(f"Imported {result.imported} target(s).")
    except SigmaError as err:
        st.error(str(err))


def exports(svc: PortfolioService, user: AuthUser, pid: int, name: str) -> None:
    """Download positions and targets as CSV (formula-injection safe)."""
    c = st.columns(2)
    c[0].download_button(
        "Export positions (CSV)",
        lambda: svc.export_positions(user, pid),  # built on click, not on every render
        f"{name}-positions.csv",
        "text/csv",
        key="export_positions",
    )
    c[1].download_button(
        "Export targets (CSV)",
        lambda: svc.export_targets(user, pid),
        f"{name}-targets.csv",
        "text/csv",
        key="export_targets",
    )
