"""The batch's phases as a registry: a name, the phases it needs, and a function of a run context.

A phase function takes a `RunContext` (the services, the as-of date, the portfolios and symbols in
scope, a progress callback, the executor for per-portfolio work, a stop check) and returns a
`PhaseResult` (rows written, failures by item, coverage). Capabilities register their own phases
with `register` (`sigma.batch.nightly` registers the standard ones); the orchestrator
(`sigma.batch.orchestrator`) runs a plan in dependency order and never names a phase itself.

Rules every phase keeps: it writes in its own transactions and is idempotent (a re-run writes the
same rows); one bad symbol or portfolio is a failure in its result, not an exception; it calls
`ctx.checkpoint()` between units of work so SIGTERM stops it cleanly; its SQL statement count does
not grow with the number of portfolios or positions (bulk loads, bulk upserts).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Protocol

from sigma.batch.status import Progress

if TYPE_CHECKING:
    from sigma.batch.executors import Executor
    from sigma.wiring import Services


class StopSignal(Protocol):
    """Anything that says whether a stop was asked (a `threading.Event`, or several: `AnyOf`)."""

    def is_set(self) -> bool: ...


class AnyOf:
    """Set when any of its signals is set: the process's SIGTERM flag, the run's deadline, its lease."""

    def __init__(self, *signals: StopSignal) -> None:
        self._signals = signals

    def is_set(self) -> bool:
        """True when any signal is set."""
        return any(s.is_set() for s in self._signals)


class Interrupted(Exception):
    """A stop was asked (SIGTERM, Ctrl-C, or the run's lease was lost): the phase ends after its unit."""


@dataclass(frozen=True)
class PhaseResult:
    """What a phase did: rows written, failures by item (symbol, portfolio id), items in scope."""

    rows: int = 0
    items: int = 0
    failures: Mapping[str, str] = field(default_factory=dict)
    message: str = ""
    details: Mapping[str, object] = field(default_factory=dict)  # merged into the run's stored result

    @property
    def coverage(self) -> float:
        """The fraction of items in scope done without failure (1.0 when there were none)."""
        return 1.0 if self.items <= 0 else max(0.0, (self.items - len(self.failures)) / self.items)


@dataclass(frozen=True)
class RunContext:
    """What a phase receives. `portfolios`/`symbols` None means every active one; `from_date` asks for
    a recompute from that date (else phases fill only what is missing)."""

    services: Services
    executor: Executor
    progress: Progress
    stop: StopSignal
    portfolios: tuple[int, ...] | None = None
    symbols: tuple[str, ...] | None = None
    from_date: date | None = None

    def checkpoint(self) -> None:
        """Raise `Interrupted` when a stop was asked; call between units of work."""
        if self.stop.is_set():
            raise Interrupted("stopped on request")

    def as_of(self) -> date | None:
        """The latest stored price date (read when asked: the market-data phase may just have moved it)."""
        return self.services.market.status().as_of

    def portfolio_ids(self) -> list[int]:
        """The portfolios in scope: the given ones that are active, or every active one, ascending."""
        active = self.services.portfolios.active_portfolio_ids()
        if self.portfolios is None:
            return active
        wanted = set(self.portfolios)
        return [p for p in active if p in wanted]


PhaseFn = Callable[[RunContext], PhaseResult]


@dataclass(frozen=True)
class Phase:
    """A registered phase."""

    name: str
    run: PhaseFn
    depends_on: tuple[str, ...] = ()
    description: str = ""
    per_portfolio: bool = False  # True: `--portfolio ID` narrows it; False: it ignores the scope


_REGISTRY: dict[str, Phase] = {}


def register(phase: Phase) -> Phase:
    """Add (or replace, by name) a phase; its dependencies must be registered first."""
    missing = [d for d in phase.depends_on if d not in _REGISTRY and d != phase.name]
    if missing:
        raise ValueError(f"Phase {phase.name!r} depends on unregistered phase(s): {', '.join(missing)}.")
    _REGISTRY[phase.name] = phase
    return phase


def registered() -> tuple[Phase, ...]:
    """Every registered phase, in registration order (a valid dependency order)."""
    return tuple(_REGISTRY.values())


def phase_names() -> tuple[str, ...]:
    """The names of the registered phases, in order."""
    return tuple(_REGISTRY)


def plan(names: tuple[str, ...] | None = None) -> tuple[Phase, ...]:
    """The phases to run, in dependency order: all of them, or the named ones (ValueError for an unknown name)."""
    if names is None:
        return registered()
    unknown = [n for n in names if n not in _REGISTRY]
    if unknown:
        raise ValueError(f"Unknown phase(s): {', '.join(unknown)}. Known phases: {', '.join(_REGISTRY)}.")
    wanted = set(names)
    return tuple(p for p in _REGISTRY.values() if p.name in wanted)
