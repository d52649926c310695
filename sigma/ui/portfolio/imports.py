"""The CSV import and export flow: upload → preview with a status per row → import, and downloads."""

from __future__ import annotations

import streamlit as st

from sigma.auth.model import AuthUser
from sigma.errors import SigmaError
from sigma.portfolio.model import RowStatus
from sigma.portfolio.service import PortfolioService

STATUS_ICON = {RowStatus.OK: "✓ ok", RowStatus.WARNING: "⚠ warning", RowStatus.ERROR: "✗ error"}


def import_positions(svc: PortfolioService, user: AuthUser, pid: int) -> None:
    """Upload a broker CSV, preview it row by row, then import the valid rows or nothing."""
    upload = st.file_uploader("Broker CSV of positions", type=["csv", "txt"], key="import_file")
    if upload is None:
        st.caption(
            "Accepted: UTF-8 with or without BOM, comma or semicolon, thousands separators, ISO or US "
            "dates, preamble and footer lines, OCC option symbols (AAPL  250117C00150000) or separate "
            "option columns."
        )
        return
    data = upload.getvalue()
    try:
        preview = svc.preview_import(user, pid, data)
    except SigmaError as err:
        st.error(str(err))
        return
    frame = preview.to_frame()
    frame["status"] = frame["status"].map(STATUS_ICON).fillna(frame["status"])
    ok, warn, bad = (int((preview.to_frame()["status"] == s).sum()) for s in RowStatus)
    st.markdown(f"**Preview:** {ok} ok · {warn} warnings · {bad} errors")
    st.dataframe(frame, hide_index=True, width="stretch", key="import_preview")
    c = st.columns(2)
    valid_only = c[0].button(f"Import the {ok + warn} valid rows", key="import_valid", disabled=ok + warn == 0)
    strict = c[1].button("Import all or nothing", key="import_strict")
    if valid_only or strict:
        try:
            result = svc.commit_import(user, pid, data, all_or_nothing=strict)
        except SigmaError as err:
            st.error(str(err))
            return
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
            st.success(f"Imported {result.imported} target(s).")
    except SigmaError as err:
        st.error(str(err))


def exports(svc: PortfolioService, user: AuthUser, pid: int, name: str) -> None:
    """Download positions and targets as CSV (formula-injection safe)."""
    c = st.columns(2)
    c[0].download_button(
        "Export positions (CSV)",
        svc.export_positions(user, pid),
        f"{name}-positions.csv",
        "text/csv",
        key="export_positions",
    )
    c[1].download_button(
        "Export targets (CSV)", svc.export_targets(user, pid), f"{name}-targets.csv", "text/csv", key="export_targets"
    )
