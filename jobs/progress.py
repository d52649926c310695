"""The terminal progress of `python -m jobs run`: one tqdm bar per phase, on stderr."""

from __future__ import annotations

import sys
from types import TracebackType
from typing import Any


class PhaseBars:
    """A progress sink that opens a new bar whenever the phase changes and closes the last one at exit."""

    def __init__(self) -> None:
        self._bar: Any = None
        self._phase = ""

    def __enter__(self) -> PhaseBars:
        return self

    def __exit__(
        self, _type: type[BaseException] | None, _exc: BaseException | None, _tb: TracebackType | None
    ) -> None:
        if self._bar is not None:
            self._bar.close()

    def update(self, done: int, total: int, what: str) -> None:
        """(items done, items in all, "phase: detail") from the orchestrator."""
        from tqdm import tqdm

        phase, _, detail = what.partition(": ")
        if phase != self._phase or self._bar is None:
            if self._bar is not None:
                self._bar.close()
            self._phase = phase
            self._bar = tqdm(total=max(total, 1), desc=f"{phase:<12}", file=sys.stderr, dynamic_ncols=True)
        self._bar.total = max(total, 1)
        self._bar.n = min(done, self._bar.total)
        self._bar.set_postfix_str(detail[:40])
        self._bar.refresh()
