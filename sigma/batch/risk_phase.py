"""The nightly `risk` phase: every book's default risk views, computed in chunks on the executor, stored in bulk.

The driver loads in bulk and opens nothing (`RiskService.nightly_opener`: the books' records and
one price load, which tells each book's valuation date without valuing it; `nightly_close`: one
close frame for the union of their symbols; `nightly_inputs`: what every book of an as-of date
shares, once), cuts the books into about `CHUNKS_PER_WORKER` chunks per worker (each with the
opener of its own books and the close frame of its own symbols), and maps the pure
`sigma.risk.nightly.run_chunk` over them in waves of one chunk per worker: the worker values each
book once, builds its health score and risk book, then its views. The driver calls
`ctx.checkpoint()` and `ctx.progress` between waves. The rows are written at the end with one
executemany (`RiskService.store_many`), so the statement count does not grow with the books; a
re-run over the same prices writes the same rows (unchanged rows keep their computed_at).

A book that cannot be opened is a failure "portfolio <id>": "<why>"; a kind of view that fails
for it is a failure "portfolio <id>": "<kind>: <error>; …", and its other views are still stored. `rows` counts the rows
written, `items` the portfolios in scope.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

import pandas as pd

from sigma.batch.phases import PhaseResult, RunContext
from sigma.risk.nightly import BookOpener, BookRef, BookResult, RiskChunk, RiskInputs, error_text, run_chunk

CHUNKS_PER_WORKER = 4  # enough chunks to balance uneven books across workers, few enough to ship cheaply
PHASE = "risk"


def _chunks(items: Sequence[BookRef], count: int) -> list[tuple[BookRef, ...]]:
    """`items` cut into at most `count` consecutive chunks of nearly equal size."""
    size = max(1, math.ceil(len(items) / max(1, count)))
    return [tuple(items[i : i + size]) for i in range(0, len(items), size)]


def _tasks(
    items: Sequence[BookRef], close: pd.DataFrame, inputs: dict[date, RiskInputs], workers: int, opener: BookOpener
) -> list[RiskChunk]:
    """One task per chunk of books of one as-of date: the opener of its books, the close frame of their symbols."""
    tasks: list[RiskChunk] = []
    for as_of, shared in inputs.items():
        same_day = [item for item in items if item.as_of == as_of]
        for chunk in _chunks(same_day, workers * CHUNKS_PER_WORKER):
            symbols = list(dict.fromkeys(s for item in chunk for s in item.symbols if s in close.columns))
            opens = opener.subset([item.portfolio_id for item in chunk])
            tasks.append(RiskChunk(chunk, close[symbols], shared, opens))
    return tasks


def _shared(ctx: RunContext, items: Sequence[BookRef], failures: dict[str, str]) -> dict[date, RiskInputs]:
    """The shared inputs of each as-of date; the books of a date whose inputs cannot be loaded fail."""
    inputs: dict[date, RiskInputs] = {}
    for as_of in sorted({item.as_of for item in items}):
        try:
            inputs[as_of] = ctx.services.risk.nightly_inputs(as_of)
        except Exception as exc:  # e.g. no VIX stored: every book of that date fails, the phase goes on
            for item in items:
                if item.as_of == as_of:
                    failures[f"portfolio {item.portfolio_id}"] = f"inputs: {error_text(exc)}"
    return inputs


def _collect(results: Sequence[list[BookResult]], rows: list[dict[str, object]], failures: dict[str, str]) -> int:
    """Gather the chunks' rows and each book's errors (or why it could not be opened); returns the books done."""
    done = 0
    for chunk in results:
        for result in chunk:
            rows.extend(result.rows)
            if result.failure:
                failures[f"portfolio {result.portfolio_id}"] = result.failure
            elif result.errors:
                failures[f"portfolio {result.portfolio_id}"] = "; ".join(f"{k}: {v}" for k, v in result.errors.items())
            done += 1
    return done


def _refs(opener: BookOpener, failures: dict[str, str]) -> list[BookRef]:
    """The books to compute, by the date each is valued at; a book without one (no positions, no prices)
    is opened here, where it fails at once, for its reason."""
    refs = []
    for pid in opener.ids():
        as_of = opener.as_of(pid)
        if as_of is None:
            opened = opener(pid)
            failures[f"portfolio {pid}"] = opened if isinstance(opened, str) else f"portfolio {pid} has no prices"
        else:
            refs.append(BookRef(pid, as_of, opener.symbols(pid)))
    return refs


def run_risk(ctx: RunContext) -> PhaseResult:
    """Compute and store every book's default risk views (see the module docstring)."""
    risk = ctx.services.risk
    opener = risk.nightly_opener(None if ctx.portfolios is None else ctx.portfolio_ids())
    failures: dict[str, str] = {}
    items = _refs(opener, failures)
    inputs = _shared(ctx, items, failures)
    tasks = _tasks(items, risk.nightly_close(items), inputs, ctx.executor.workers, opener)
    total = len(opener.ids())
    done = total - sum(len(task.books) for task in tasks)
    ctx.progress(done, total, PHASE)
    rows: list[dict[str, object]] = []
    wave = max(1, ctx.executor.workers)
    for start in range(0, len(tasks), wave):
        ctx.checkpoint()
        done += _collect(ctx.executor.map(run_chunk, tasks[start : start + wave]), rows, failures)
        ctx.progress(done, total, PHASE)
    ctx.checkpoint()
    written = risk.store_many(rows)
    message = f"{written} risk view(s) stored for {total - len(failures)} of {total} portfolio(s)"
    return PhaseResult(written, total, failures, message)
