"""Where per-portfolio work runs: one small interface, three implementations.

`Executor.map(fn, items)` applies a pure, picklable top-level function to each item and returns
the results in order. Phases ship data to it (the driver bulk-loads inputs and bulk-writes
results), so workers need no database connection.

- `InlineExecutor`: in this process, one item after another (tests, tiny batches).
- `LocalExecutor`: a process pool on this machine (the default; `SIGMA_BATCH_WORKERS`).
- `DaskExecutor`: a Dask distributed cluster (`SIGMA_BATCH_EXECUTOR=dask`, `SIGMA_DASK_SCHEDULER=tcp://host:8786`),
  or any `distributed.Client` passed in (the tests use an in-process `LocalCluster`).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from distributed import Client

    from sigma.config import Settings

T = TypeVar("T")
R = TypeVar("R")


class Executor(Protocol):
    """Runs a pure function over items and returns the results in order."""

    name: str
    workers: int

    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> list[R]: ...

    def close(self) -> None: ...


class InlineExecutor:
    """Runs every item in this process, in order."""

    name = "inline"
    workers = 1

    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
        """`[fn(item) for item in items]`."""
        return [fn(item) for item in items]

    def close(self) -> None:
        """Nothing to release."""


class LocalExecutor:
    """A process pool (fork on Linux: the children inherit the imported modules, not the connections in use)."""

    name = "local"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self._pool: ProcessPoolExecutor | None = None

    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
        """The results of `fn` over `items`, computed in the pool (inline for a single item or worker)."""
        if len(items) <= 1 or self.workers == 1:
            return [fn(item) for item in items]
        if self._pool is None:
            method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context(method))
        return list(self._pool.map(fn, items))

    def close(self) -> None:
        """Shut the pool down."""
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None


class DaskExecutor:
    """Submits the work to a Dask distributed cluster and gathers the results in order."""

    name = "dask"

    def __init__(self, client: Client, owns_client: bool = False, timeout: float | None = None) -> None:
        self._client = client
        self._owns = owns_client
        self.timeout = timeout  # seconds one `map` may take (a dead worker would otherwise hang it)
        self.workers = max(1, len(client.scheduler_info().get("workers", {})))

    @classmethod
    def connect(cls, address: str, timeout: float = 10.0, map_timeout: float | None = None) -> DaskExecutor:
        """A client of the scheduler at `address` (tcp://host:8786); a clear error when it cannot be reached."""
        from distributed import Client

        try:
            client = Client(address, timeout=timeout)  # type: ignore[no-untyped-call]
            return cls(client, owns_client=True, timeout=map_timeout)
        except OSError as exc:
            raise RuntimeError(
                f"Could not reach the Dask scheduler at {address} ({exc}). Start one with `dask scheduler` "
                "and workers with `dask worker ADDRESS`, or unset SIGMA_BATCH_EXECUTOR to run locally."
            ) from exc

    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
        """Submit one task per item (pure=False: equal items still run) and gather the results."""
        if not items:
            return []
        from distributed import wait

        futures: list[Any] = self._client.map(fn, list(items), pure=False)
        _done, pending = wait(futures, timeout=self.timeout)  # type: ignore[no-untyped-call]
        if pending:
            self._client.cancel(list(pending))  # type: ignore[no-untyped-call]
            raise TimeoutError(
                f"{len(pending)} of {len(futures)} task(s) did not finish on the Dask cluster within "
                f"{self.timeout:.0f} s: are its workers alive, and can they import sigma (PYTHONPATH)?"
            )
        results: list[R] = self._client.gather(futures)  # type: ignore[no-untyped-call]
        return results

    def close(self) -> None:
        """Close the client when this executor opened it."""
        if self._owns:
            self._client.close()  # type: ignore[no-untyped-call]


def make_executor(settings: Settings) -> Executor:
    """The executor the settings ask for (`batch_executor`: inline, local or dask)."""
    kind = settings.batch_executor
    if kind == "inline":
        return InlineExecutor()
    if kind == "dask":
        if not settings.dask_scheduler:
            raise RuntimeError("SIGMA_BATCH_EXECUTOR=dask needs SIGMA_DASK_SCHEDULER=tcp://host:8786.")
        return DaskExecutor.connect(settings.dask_scheduler, map_timeout=float(settings.job_deadline_seconds))
    return LocalExecutor(settings.batch_workers)
