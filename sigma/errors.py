"""Sigma's errors: a `SigmaError` base and a few named situations.

Messages read like advice: what went wrong and what to do next. Pages catch `SigmaError`
and show its text; anything else is a bug and surfaces.
"""

from __future__ import annotations


class SigmaError(Exception):
    """Base class of every error a user may see."""


class ConfigError(SigmaError):
    """A setting has a bad value; the message names the variable."""


class DatabaseUnavailable(SigmaError):
    """The database cannot be reached or is locked by another process."""


class UnknownSymbol(SigmaError):
    """A symbol is not in the universe or the price store."""

    def __init__(self, symbols: str | list[str], hint: str = "") -> None:
        names = [symbols] if isinstance(symbols, str) else list(symbols)
        self.symbols = names
        joined = ", ".join(names)
        msg = f"Unknown symbol: {joined}." if len(names) == 1 else f"Unknown symbols: {joined}."
        super().__init__(
            f"{msg} {hint or 'Check the spelling, or add it to the universe and run: python -m jobs run market_data'}"
        )


class InsufficientHistory(SigmaError):
    """Fewer observations than an analytic needs."""


class ProviderUnavailable(SigmaError):
    """A market-data provider timed out, refused, rate-limited or returned nothing usable."""


class ProviderDown(ProviderUnavailable):
    """The live provider failed too often in a row and is called down for the rest of the run."""


class PermissionDenied(SigmaError):
    """The acting user may not see or change this object (also used for 'not found')."""


class ValidationError(SigmaError):
    """User input failed validation; the message says which field and why."""


class NotFound(SigmaError):
    """The requested object does not exist."""
