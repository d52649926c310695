"""The demo accounts' credentials, and the rule that keeps them out of production.

The demo passwords are public by design (printed by `make run`) and far below the password
policy: `sigma.batch.demo` seeds them through `AuthService.seed_demo_user`, which bypasses the
policy on purpose and refuses to run in production. A database seeded in development may still
reach production, so a login with a demo password is refused there, whatever the username: a
known list of credentials marks the demo accounts, no schema change needed, and a real account
named like a demo one (say `admin`) with its own password is unaffected.
"""

from __future__ import annotations

DEMO_PASSWORD = "sigma-demo"
ADMIN_PASSWORD = "sigma-admin"
DEMO_PASSWORDS = frozenset({DEMO_PASSWORD, ADMIN_PASSWORD})

DEMO_REFUSED = (
    "Demo accounts are disabled in production (SIGMA_ENV=production). Ask an administrator for a personal account."
)


def is_demo_login(password: str) -> bool:
    """True when `password` is one of the public demo passwords."""
    return password in DEMO_PASSWORDS
