"""The shared base of the risk views: as-of date, source and notes, and JSON payloads for `risk_results`.

Every view is a frozen dataclass deriving from `RiskView`: `as_of` (the last price date used)
and `source` (live / simulated / csv) come first, `notes` (advice shown under the view) is a
keyword-only field at the end. A view has a `KIND` (the `risk_results.kind` it is stored under),
`to_payload()` and `from_payload()` (see `sigma.risk.view.payload`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar, Protocol, Self

from sigma.risk.view.payload import decode, encode

_REGISTRY: dict[str, type[RiskView]] = {}


class Storable(Protocol):
    """What `RiskService.store_result` takes: a kind, a date, a source and a JSON payload."""

    KIND: ClassVar[str]

    @property
    def as_of(self) -> date: ...

    @property
    def source(self) -> str: ...

    def to_payload(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class RiskView:
    """As-of date, source and notes of a risk view, and its JSON payload."""

    KIND: ClassVar[str] = ""
    as_of: date
    source: str
    notes: tuple[str, ...] = field(default=(), kw_only=True)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _REGISTRY[cls.__name__] = cls

    def to_payload(self) -> dict[str, Any]:
        """The view as plain JSON (NaN and dates marked; see `sigma.risk.view.payload`)."""
        return dict(encode(self)["fields"])

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Self:
        """The view stored by `to_payload`."""
        view = decode({"__dc__": cls.__name__, "fields": payload}, dict(_REGISTRY))
        if not isinstance(view, cls):
            raise TypeError(f"A {cls.__name__} payload decoded to {type(view).__name__}.")
        return view
