"""`python -m jobs`: serve the scheduler, run a job once (with a progress bar), list jobs, seed the demo,
create a user."""

from __future__ import annotations

import argparse
import getpass
import logging
import signal
import sys
from collections.abc import Sequence
from datetime import date

from sigma.batch.catalog import JOB_NAMES, JOBS
from sigma.batch.status import JobStatus, Trigger
from sigma.config import from_env
from sigma.conventions import Role
from sigma.errors import SigmaError
from sigma.wiring import Services, build


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run the command; returns the exit code."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("apscheduler", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        services = build(from_env())
    except SigmaError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    try:
        return int(args.func(services, args))
    except SigmaError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    finally:
        services.close()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m jobs", description="Sigma's jobs process and CLI.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="run the scheduler until SIGTERM or Ctrl-C").set_defaults(func=_serve)
    run = sub.add_parser("run", help="run one job now, with a progress bar per phase")
    run.add_argument("name", choices=JOB_NAMES)
    run.add_argument("--phase", action="append", help="run only this phase (repeatable); see `status`")
    run.add_argument("--portfolio", action="append", type=int, help="only this portfolio id (repeatable)")
    run.add_argument("--from", dest="since", type=date.fromisoformat, help="recompute from this date (YYYY-MM-DD)")
    run.set_defaults(func=_run)
    sub.add_parser("list", help="list the jobs, their schedules and last runs").set_defaults(func=_list)
    status = sub.add_parser("status", help="the scheduler's state, next run times and the last runs with their phases")
    status.add_argument("--runs", type=int, default=5, help="how many recent runs to show")
    status.set_defaults(func=_status)
    sub.add_parser("seed-demo", help="create the demo users and portfolios (idempotent)").set_defaults(func=_seed)
    init = sub.add_parser(
        "init", help="load prices, the demo book, snapshots and reference data (what `make run` does first)"
    )
    init.add_argument("--logins", action="store_true", help="print the demo logins at the end")
    init.set_defaults(func=_init)
    sub.add_parser("logins", help="print the demo logins").set_defaults(func=_logins)
    user = sub.add_parser("create-user", help="create a user, e.g. the first admin; asks for the password")
    user.add_argument("username")
    user.add_argument("--role", default="analyst", choices=[r.value for r in Role])
    user.add_argument("--name", default="")
    user.add_argument("--email", default="")
    user.set_defaults(func=_create_user)
    return parser


def _run(services: Services, args: argparse.Namespace) -> int:
    """Run a job once; exit 0 when it succeeded, 1 otherwise (partial, failed, skipped, interrupted)."""
    from jobs.progress import PhaseBars
    from jobs.runner import STOP, run_job
    from sigma.batch.catalog import phases_of
    from sigma.batch.orchestrator import BatchRequest
    from sigma.batch.phases import plan

    phases_of(args.name)  # registers the phases
    phases = tuple(args.phase) if args.phase else None
    portfolios = tuple(args.portfolio) if args.portfolio else None
    request = BatchRequest(args.name, phases, portfolios, args.since, Trigger.MANUAL)
    try:
        plan(phases)  # an unknown phase is refused before anything runs
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    STOP.clear()
    previous = {sig: signal.signal(sig, lambda *_: STOP.set()) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        with PhaseBars() as bars:
            run_id, outcome = run_job(services, args.name, Trigger.MANUAL, bars.update, request)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    records = outcome.details.get("phases")
    for record in records if isinstance(records, list) else []:
        print(f"  {record['name']:<12} {record['status']:<12} {record['message']}")
    print(
        f"{args.name}: {outcome.status} (run #{run_id})"
        + ("" if "phases" in outcome.details else f": {outcome.message}")
    )
    return 0 if outcome.status == JobStatus.SUCCEEDED else 1


def _status(services: Services, args: argparse.Namespace) -> int:
    from jobs.status import print_status

    return print_status(services, args.runs)


def _list(services: Services, _args: argparse.Namespace) -> int:
    last = {r.job: r for r in reversed(services.runs.recent(limit=200))}
    for spec in JOBS:
        run = last.get(spec.name)
        when = f"last run {run.started_at:%Y-%m-%d %H:%M} UTC: {run.status}" if run else "never run"
        print(f"{spec.name:<12} {spec.description}\n{'':<12} schedule: {spec.schedule}; {when}")
    return 0


def _seed(services: Services, _args: argparse.Namespace) -> int:
    from sigma.batch.demo import seed_demo

    print(seed_demo(services).summary())
    return 0


def _init(services: Services, args: argparse.Namespace) -> int:
    """Load missing prices, the demo book (outside production), the reference data, then the batch's
    snapshots, risk results and insight cards, so the pages open on stored numbers.

    Cheap when nothing is to do (a second `make run`): the market-data job fetches only missing days
    (and keeps the stored data-quality report when it wrote none), the demo seeding changes nothing,
    and the batch is skipped when every book's snapshots and risk results reach the latest price date
    and no catch-up run is queued.
    """
    from jobs.runner import run_job
    from sigma.batch.orchestrator import BatchRequest

    _run_id, outcome = run_job(services, "market_data", Trigger.INIT)
    print(f"market data: {outcome.status}: {outcome.message}")
    code = 0 if services.settings.is_production else _seed(services, args)
    services.risk.seed_reference()
    print("risk reference data: seeded")
    if _batch_current(services):
        print("batch: every book's snapshots and risk results are up to date (skipped)")
    else:
        request = BatchRequest("batch", ("snapshots", "risk", "insights"), trigger=Trigger.INIT)
        _run_id, outcome = run_job(services, "batch", Trigger.INIT, request=request)
        print(f"batch: {outcome.status}: {outcome.message}")
    if getattr(args, "logins", False) and not services.settings.is_production:
        _logins(services, args)  # here, not in a second `python -m jobs logins` start (seconds of imports)
    return code


def _batch_current(services: Services) -> bool:
    """True when no catch-up is queued and every active book has its snapshots and risk results to the
    latest price date."""
    from sigma.batch.sql.freshness import portfolios_behind

    as_of = services.market.status().as_of
    if as_of is None or any(r.job in ("snapshots", "batch") for r in services.queue.pending()):
        return False
    if portfolios_behind(services.sessions, as_of):
        return False
    pids = services.portfolios.active_portfolio_ids()
    return len(services.risk.stored_views(pids, as_of)) == len(pids)


def _logins(services: Services, _args: argparse.Namespace) -> int:
    from sigma.batch.demo import demo_logins

    for line in demo_logins():
        print(f"    {line}")
    return 0


def _create_user(services: Services, args: argparse.Namespace) -> int:
    """Create a user; the password is asked twice on a terminal, else read from one line of stdin."""
    if sys.stdin.isatty():
        password = getpass.getpass("Password (12+ characters, a passphrase is best): ")
        if getpass.getpass("Same password again: ") != password:
            print("error: the two passwords differ; nothing was created.", file=sys.stderr)
            return 1
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    user = services.auth.register_user(args.username, args.name, password, args.role, args.email)
    print(f"created {user.role} {user.username!r} (id {user.id})")
    return 0


def _serve(services: Services, _args: argparse.Namespace) -> int:
    from jobs.scheduler import serve

    return serve(services)
