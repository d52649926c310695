"""What the Risk page's top row picked, handed to every section."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import streamlit as st

from sigma.auth.model import AuthUser
from sigma.errors import SigmaError

INDEX_BENCHMARKS = ("SPY", "QQQ", "IWM", "ACWX")
DEFAULT_BENCHMARK, DEFAULT_WINDOW = "SPY", "1Y"  # the top row's defaults: the views the nightly batch stores


@dataclass(frozen=True)
class RiskChoice:
    """The acting user, the portfolio, the benchmark spec and the window of the Risk page."""

    user: AuthUser
    pid: int
    benchmark: str  # a symbol, "60/40", or "SYMBOL:weight, …" (the service parses it)
    window: str

    @property
    def sector_benchmark(self) -> str:
        """The benchmark whose sector weights are stored: an index ETF, else SPY."""
        return self.benchmark if self.benchmark in INDEX_BENCHMARKS else "SPY"

    @property
    def at_defaults(self) -> bool:
        """True when the top row is at its defaults (the stored views apply)."""
        return (self.benchmark, self.window) == (DEFAULT_BENCHMARK, DEFAULT_WINDOW)


def section(title: str, draw: Callable[[RiskChoice], None], choice: RiskChoice) -> None:
    """A titled section; a SigmaError becomes a warning instead of blanking the page."""
    st.subheader(title)
    try:
        draw(choice)
    except SigmaError as err:
        st.warning(str(err), icon=":material/info:")


@contextmanager
def guard() -> Iterator[None]:
    """Inside a fragment (which reruns alone): a SigmaError becomes a warning, not an error box."""
    try:
        yield
    except SigmaError as err:
        st.warning(str(err), icon=":material/info:")
