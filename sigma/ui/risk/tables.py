"""The Risk page's tables as a finance reader expects them: human labels, percentages, units, no raw floats.

Formatting only: every number comes from a risk view. Percentages are fractions in, "12.3%" out
(`sigma.ui.format`); a missing value reads "—" and the caption under the table says why.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from sigma.ui.format import MISSING, money, pct, ratio

Formatter = Callable[[object], str]


def _int(value: object) -> str:
    number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    return MISSING if pd.isna(number) else f"{int(number):,}"


def profile_rows(benchmark: str) -> dict[str, tuple[str, Formatter]]:
    """Profile column → (human label, formatter), in display order."""
    return {
        "cagr": ("CAGR (annualised)", pct),
        "volatility": ("Volatility (ann.)", pct),
        "sharpe": ("Sharpe ratio", ratio),
        "sortino": ("Sortino ratio", ratio),
        "max_drawdown": ("Max drawdown", pct),
        "calmar": ("Calmar ratio", ratio),
        "beta": (f"Beta vs {benchmark}", ratio),
        "alpha": ("Alpha (ann.)", lambda v: pct(v, signed=True)),
        "tracking_error": ("Tracking error (ann.)", pct),
        "information_ratio": ("Information ratio", ratio),
        "var_95": ("VaR 95% (1-day)", lambda v: pct(v, digits=2)),
        "cvar_95": ("CVaR 95% (1-day)", lambda v: pct(v, digits=2)),
        "var_99": ("VaR 99% (1-day)", lambda v: pct(v, digits=2)),
        "cvar_99": ("CVaR 99% (1-day)", lambda v: pct(v, digits=2)),
        "n_obs": ("Daily returns", _int),
    }


def performance_table(profile: pd.DataFrame, benchmark: str) -> pd.DataFrame:
    """Metrics as rows (human labels), the portfolio and the benchmark as columns, formatted."""
    rows = profile_rows(benchmark)
    out = {
        str(name): [fmt(profile.at[name, col]) if col in profile.columns else MISSING for col, (_, fmt) in rows.items()]
        for name in profile.index
    }
    return pd.DataFrame(out, index=pd.Index([label for label, _ in rows.values()], name="Metric"))


PROFILE_BASIS = (
    "Basis: daily simple returns (the book's time-weighted returns net of flows), annualised with 252 "
    "trading days (returns compounded: CAGR; volatility and tracking error × √252). Sharpe and Sortino "
    "use a zero risk-free rate unless one is set; alpha is arithmetic and annualised; VaR and CVaR are "
    "historical 1-day losses as a share of value, shown positive."
)


def var_table(table: pd.DataFrame, horizon: int) -> pd.DataFrame:
    """VaR and CVaR at 95 and 99 % for one horizon: $ and % of NAV, one row per measure."""
    rows = table[table["horizon"] == horizon].sort_values("level")
    out = []
    for _, r in rows.iterrows():  # two confidence levels, not assets
        level = f"{float(r['level']):.0%}"
        for kind in ("var", "cvar"):
            label = f"{kind.upper().replace('CVAR', 'CVaR').replace('VAR', 'VaR')} {level}"
            out.append({"Measure": label, "Loss ($)": money(r[kind]), "Loss (% NAV)": pct(r[f"{kind}_pct"], digits=2)})
    return pd.DataFrame(out, columns=["Measure", "Loss ($)", "Loss (% NAV)"])
