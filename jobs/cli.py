"""`python -m jobs`: serve the scheduler, run a job once (with a progress bar), list jobs, seed the demo,
create a user."""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
from collections.abc import Sequence

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
    run = sub.add_parser("run", help="run one job now, with a progress bar")
    run.add_argument("name", choices=JOB_NAMES)
    run.set_defaults(func=_run)
    sub.add_parser("list", help="list the jobs, their schedules and last runs").set_defaults(func=_list)
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
    from tqdm import tqdm

    from jobs.runner import run_job

    with tqdm(total=1, desc=args.name, unit="step", file=sys.stderr, dynamic_ncols=True) as bar:

        def sink(done: int, total: int, phase: str) -> None:
            bar.total = max(total, 1)
            bar.n = done
            bar.set_postfix_str(phase[:40])
            bar.refresh()

        run_id, outcome = run_job(services, args.name, Trigger.MANUAL, sink)
    print(f"{args.name}: {outcome.status}: {outcome.message}" + (f" (run #{run_id})" if run_id else ""))
    return 0 if outcome.status.ok or outcome.status == JobStatus.SKIPPED else 1


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
    """Load missing prices, the demo book (outside production), the snapshots and the reference data.

    Cheap when nothing is to do (a second `make run`): the market-data job fetches only missing days
    (and keeps the stored data-quality report when it wrote none), the demo seeding changes nothing,
    and the snapshots job is skipped when every book's snapshots reach the latest price date and no
    catch-up run is queued.
    """
    from jobs.runner import run_job

    _run_id, outcome = run_job(services, "market_data", Trigger.INIT)
    print(f"market data: {outcome.status}: {outcome.message}")
    code = 0 if services.settings.is_production else _seed(services, args)
    if _snapshots_current(services):
        print("snapshots: every book is up to date (skipped)")
    else:
        _run_id, outcome = run_job(services, "snapshots", Trigger.INIT)
        print(f"snapshots: {outcome.status}: {outcome.message}")
    services.risk.seed_reference()
    print("risk reference data: seeded")
    if getattr(args, "logins", False) and not services.settings.is_production:
        _logins(services, args)  # here, not in a second `python -m jobs logins` start (seconds of imports)
    return code


def _snapshots_current(services: Services) -> bool:
    """True when no catch-up run is queued and every active book's snapshots reach the latest price date."""
    from sigma.batch.sql.freshness import portfolios_behind

    as_of = services.market.status().as_of
    if as_of is None or any(r.job == "snapshots" for r in services.queue.pending()):
        return False
    return not portfolios_behind(services.sessions, as_of)


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
