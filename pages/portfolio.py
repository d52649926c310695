"""Portfolio: the page a PM opens every morning. Widgets → one service call → draw."""

from __future__ import annotations

import streamlit as st

from sigma.conventions import WINDOWS
from sigma.errors import SigmaError
from sigma.ui import cache, shell
from sigma.ui.auth import current_user
from sigma.ui.format import provenance
from sigma.ui.portfolio import forms, insights, performance
from sigma.ui.portfolio import imports as csv_flow
from sigma.ui.portfolio import view as draw

svc = shell.services()
user = current_user()
pid = shell.current_portfolio_id()
st.title("Portfolio")
if user is None or pid is None:
    st.info("Create a portfolio below to get started.")
    with st.form("create_portfolio"):
        name = st.text_input("Name", key="new_pf_name")
        cash = st.number_input("Starting cash ($)", 0.0, forms.MAX_CASH, 100_000.0, key="new_pf_cash")
        if st.form_submit_button("Create portfolio") and user is not None:
            try:
                svc.portfolios.create_portfolio(user, name, cash=cash)
                st.rerun()
            except SigmaError as err:
                st.error(str(err))
    st.stop()

tag_names = [t.name for t in svc.portfolios.tags(user)]
top = st.columns([3, 1])
tag = top[1].selectbox("Filter by tag", ["(all)", *tag_names], key="tag_filter")
try:
    view = cache.portfolio_view(user, pid, None if tag == "(all)" else tag, WINDOWS[draw.DEFAULT_ATTRIBUTION] or 21)
except SigmaError as err:
    shell.show_error(err)
    raise
top[0].subheader(view.info.name)
provenance(view)
for note in view.notes:
    st.info(note, icon=":material/info:")
forms.flash()
draw.kpis(view)
insights.show(svc.insights, user, pid)

overview, positions, tags_tab, cash_tab, io_tab = st.tabs(
    ["Overview", "Positions", "Tags & targets", "Cash", "Import / export"]
)
with overview:
    st.markdown("#### Holdings")
    draw.holdings(view)
    st.markdown(f"#### Returns vs {view.info.benchmark}")
    performance.period_returns(view)
    st.markdown(f"#### Equity curve vs {view.info.benchmark}")
    draw.equity(view)
    left, right = st.columns(2)
    with left:
        st.markdown("#### Allocation")
        performance.allocation(view)
    with right:
        st.markdown("#### Income")
        performance.income(view)
    left, right = st.columns(2)
    with left:
        st.markdown("#### Exposure")
        draw.exposures(view)
    with right:
        st.markdown("#### Health")
        draw.health(view)
    st.markdown("#### Options")
    draw.options(view)
    left, right = st.columns(2)
    with left:
        st.markdown("#### P&L attribution")
        draw.attribution(user, view)
    with right:
        st.markdown("#### Activity")
        draw.activity(view)
    if not view.closed.empty:
        st.markdown("#### Closed positions")
        draw.closed(view)
with positions:
    st.markdown("#### Add a position")
    forms.add_position(svc.portfolios, user, pid, view.as_of)
    st.markdown("#### Close a position")
    forms.close_position(svc.portfolios, user, view.holdings, view.as_of)
with tags_tab:
    st.markdown("#### Tags")
    forms.tags(svc.portfolios, user, pid, view.holdings)
    st.markdown("#### Target prices")
    forms.targets(svc.portfolios, user, pid, view.holdings)
with cash_tab:
    st.markdown("#### Cash flows")
    forms.cash(svc.portfolios, user, pid, view.as_of)
with io_tab:
    st.markdown("#### Import positions")
    csv_flow.import_positions(svc.portfolios, user, pid)
    st.markdown("#### Import target prices")
    csv_flow.import_targets(svc.portfolios, user, pid)
    st.markdown("#### Export")
    csv_flow.exports(svc.portfolios, user, pid, view.info.name)
