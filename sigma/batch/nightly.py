"""The standard phases of the nightly batch, registered in dependency order.

market_data → profiles (and the automatic sector tags) → snapshots (every missing trading day)
→ risk (every portfolio's default risk views, stored) → insights (the insight cards). Later
capabilities register their own phases in their own modules the same way.

`--from DATE` (the run context's `from_date`): the market-data phase fetches every symbol again
from that date (writing only what the provider changed), the snapshots phase drops and recomputes
the snapshots from it; risk and insights always compute for the latest price date.
"""

from __future__ import annotations

from contextlib import suppress

from sigma.batch.phases import Interrupted, Phase, PhaseResult, RunContext, register
from sigma.errors import SigmaError


def market_data(ctx: RunContext) -> PhaseResult:
    """Fetch the missing daily prices of the universe (incremental, idempotent)."""
    services = ctx.services

    def progress(done: int, total: int, what: str) -> None:  # a stop is honoured by the refresh itself:
        with suppress(Interrupted):  # it writes the bars it fetched, then returns
            ctx.progress(done, total, what)

    report = services.market.refresh(progress=progress, symbols=ctx.symbols, stop=ctx.stop.is_set, since=ctx.from_date)
    ctx.checkpoint()  # stopped: the phase is recorded interrupted, with what it wrote kept
    if report.failed:
        raise SigmaError(report.summary())
    services.admin.refresh_quality(only_if_missing=report.rows_written == 0)  # the console reads it
    details = {"rows_written": report.rows_written, "errors": dict(report.errors), "source": str(report.source)}
    return PhaseResult(report.rows_written, len(report.symbols), dict(report.errors), report.summary(), details)


def profiles(ctx: RunContext) -> PhaseResult:
    """Sync the security profiles of the universe, then every book's automatic sector tags."""
    written = ctx.services.market.sync_profiles()
    ctx.progress(1, 2, "profiles")
    tagged = ctx.services.portfolios.sync_all_sector_tags()
    ctx.progress(2, 2, "sector tags")
    return PhaseResult(written + tagged, written, {}, f"{written} profiles written; {tagged} positions sector-tagged")


def snapshots(ctx: RunContext) -> PhaseResult:
    """Backfill every book's missing daily snapshots (from `from_date` when given)."""
    pids = ctx.portfolio_ids()
    result = ctx.services.portfolios.backfill_many(pids, since=ctx.from_date, progress=ctx.progress, on=ctx.executor)
    days = sum(result.days.values())
    message = f"{days} snapshot day(s) written for {len(pids)} portfolio(s)"
    return PhaseResult(days, len(pids), {f"portfolio {k}": v for k, v in result.errors.items()}, message)


def risk(ctx: RunContext) -> PhaseResult:
    """Every book's default risk views, stored in risk_results (`sigma.batch.risk_phase`)."""
    from sigma.batch.risk_phase import run_risk

    return run_risk(ctx)


def insights(ctx: RunContext) -> PhaseResult:
    """The insight cards of every book (`sigma.batch.insights_phase`, rules in `sigma.insights`)."""
    from sigma.batch.insights_phase import run_insights

    return run_insights(ctx)


register(Phase("market_data", market_data, (), "Fetch missing daily prices"))
register(Phase("profiles", profiles, (), "Security profiles and automatic sector tags"))
register(Phase("snapshots", snapshots, ("market_data",), "Backfill missing daily snapshots", per_portfolio=True))
register(Phase("risk", risk, ("snapshots",), "Default risk views of every book", per_portfolio=True))
register(Phase("insights", insights, ("risk",), "Insight cards of every book", per_portfolio=True))
