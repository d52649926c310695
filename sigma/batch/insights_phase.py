"""The nightly `insights` phase: every book's insight cards from its book and its stored risk views.

The work is `InsightService.refresh` (`sigma.insights`): books and stored views in bulk, the pure
rules on the run's executor in chunks, one bulk write of the cards; this hands it the run context.
"""

from __future__ import annotations

from sigma.batch.phases import PhaseResult, RunContext


def run_insights(ctx: RunContext) -> PhaseResult:
    """Recompute and store the insight cards of the portfolios in scope (a failing book is a failure entry)."""
    done = ctx.services.insights.refresh(
        ctx.portfolio_ids(), ctx.executor, checkpoint=ctx.checkpoint, progress=ctx.progress
    )
    return PhaseResult(done.rows, done.items, done.failures, done.message)
