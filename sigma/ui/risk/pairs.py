"""The Correlations page's pair drill-down: the default pair and the pair section (a fragment).

Default pair: the two symbols with the highest |ρ| off the diagonal (the most interesting pair),
not the first two columns. Picking another pair reruns this section only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from sigma.charts import risk as charts
from sigma.errors import SigmaError
from sigma.ui import cache
from sigma.ui.format import provenance, ratio


def strongest_pair(matrix: pd.DataFrame) -> tuple[str, str] | None:
    """The (row, column) symbols with the largest |ρ| off the diagonal; None under two symbols or all NaN."""
    values = np.abs(matrix.to_numpy(dtype=float, copy=True))
    if values.shape[0] < 2:
        return None
    np.fill_diagonal(values, np.nan)
    if np.isnan(values).all():
        return None
    i, j = np.unravel_index(np.nanargmax(values), values.shape)
    return str(matrix.index[int(i)]), str(matrix.columns[int(j)])


def default_pair(matrix: pd.DataFrame) -> None:
    """Seed the two pickers with the strongest pair unless they already hold valid symbols."""
    symbols = [str(s) for s in matrix.index]
    for key in ("corr_a", "corr_b"):
        if st.session_state.get(key) not in symbols:
            st.session_state.pop(key, None)
    pair = strongest_pair(matrix)
    if pair and "corr_a" not in st.session_state and "corr_b" not in st.session_state:
        st.session_state["corr_a"], st.session_state["corr_b"] = pair


@st.fragment
def pair_section(symbols: list[str], window: cache.Window) -> None:
    """Two pickers, the pair's correlation, both prices rebased to 100 and the rolling correlation."""
    left, right = st.columns(2)
    a = left.selectbox("First symbol", symbols, key="corr_a")
    b = right.selectbox("Second symbol", symbols, key="corr_b")
    if a == b:
        st.info("Pick two different symbols.")
        return
    try:
        pair = cache.pair(a, b, window)
    except SigmaError as err:
        st.warning(str(err), icon=":material/info:")
        return
    st.metric(f"Correlation {a} / {b} over {pair.window}", ratio(pair.correlation))
    st.plotly_chart(charts.pair_chart(pair.prices, pair.rolling), width="stretch")
    provenance(pair, " · rolling 60-day Pearson correlation")
