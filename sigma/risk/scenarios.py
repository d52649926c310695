"""The stress catalogue as the Risk page lists it, and the shock keys a scenario may use.

Conventions: shock keys and units are `sigma.risk.stress`'s (market, rates_bp, credit_bp, oil,
gold, vix, "sector:<GICS sector>", "style:<style factor>"). The catalogue is stored in the
`stress_scenarios` table (seeded from `SCENARIO_CATALOGUE` by `python -m jobs init`); before it
is seeded, the built-in catalogue stands in, numbered in its own order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sigma.conventions import GICS_SECTORS
from sigma.errors import ValidationError
from sigma.risk.stress import SCENARIO_CATALOGUE, Scenario, ScenarioKind
from sigma.risk.style import STYLE_NAMES

SHOCK_KEYS = ("market", "rates_bp", "credit_bp", "oil", "gold", "vix")


@dataclass(frozen=True)
class ScenarioInfo:
    """A stress scenario of the catalogue (stress_scenarios table)."""

    id: int
    name: str
    kind: str
    description: str
    shocks: dict[str, float]
    window_start: date | None = None
    window_end: date | None = None

    def scenario(self) -> Scenario:
        """The catalogue entry as a `Scenario` for `RiskService.apply`."""
        kind = ScenarioKind(self.kind)
        return Scenario(self.name, dict(self.shocks), kind, self.description, self.window_start, self.window_end)


def builtin_catalogue() -> list[ScenarioInfo]:
    """The built-in catalogue, numbered 1… in its order (what a freshly seeded table holds)."""
    return [
        ScenarioInfo(i, s.name, str(s.kind), s.description, dict(s.shocks), s.window_start, s.window_end)
        for i, s in enumerate(SCENARIO_CATALOGUE, start=1)
    ]


def valid_shock_key(key: str) -> bool:
    """True for the scenario shock keys of `sigma.risk.stress` (market, rates_bp, sector:<GICS>, style:<name>…)."""
    if key in SHOCK_KEYS:
        return True
    kind, _, name = key.partition(":")
    return (kind == "sector" and name in GICS_SECTORS) or (kind == "style" and name in STYLE_NAMES)


def check_shocks(shocks: Mapping[str, float]) -> dict[str, float]:
    """Shocks as floats; ValidationError naming an unknown key."""
    bad = [k for k in shocks if not valid_shock_key(k)]
    if bad:
        raise ValidationError(
            f"Unknown shock {', '.join(bad)}: use {', '.join(SHOCK_KEYS)}, "
            f"sector:<GICS sector> or style:<{'|'.join(STYLE_NAMES)}>."
        )
    return {str(k): float(v) for k, v in shocks.items()}
