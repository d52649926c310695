"""Risk: performance, betas, factors, volatility, VaR, stress tests with a scenario builder, sectors.

Widgets → per section, the view the nightly batch stored while its controls are at their defaults,
else one cached service call → draw. A failing section shows its warning and the rest of the page
still renders.
"""

from __future__ import annotations

import streamlit as st

from sigma.ui import shell
from sigma.ui.auth import current_user
from sigma.ui.risk.choice import DEFAULT_BENCHMARK, DEFAULT_WINDOW, RiskChoice, section
from sigma.ui.risk.sections import SECTIONS

BENCHMARKS = [DEFAULT_BENCHMARK, "QQQ", "IWM", "ACWX", "60/40", "Other symbol", "Custom weights"]

user, pid = current_user(), shell.current_portfolio_id()
st.title("Risk")
if user is None or pid is None:
    st.info("Pick or create a portfolio first (Portfolio page).")
    st.stop()
top = st.columns([2, 2, 2])
benchmark = top[0].selectbox("Benchmark", BENCHMARKS, key="risk_benchmark")
if benchmark == "Other symbol":
    benchmark = top[1].text_input("Benchmark symbol", "DIA", key="risk_bench_symbol")
elif benchmark == "Custom weights":  # the service parses "SYMBOL:weight, …"
    benchmark = top[1].text_input("Weights (symbol:weight, …)", "SPY:0.7, TLT:0.3", key="risk_bench_weights")
windows = ["3M", "6M", "1Y", "3Y", "ALL"]
window = top[2].segmented_control("Window", windows, default=DEFAULT_WINDOW, key="risk_window") or DEFAULT_WINDOW

choice = RiskChoice(user, pid, benchmark, window)
for title, draw in SECTIONS.items():
    section(title, draw, choice)
