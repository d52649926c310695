"""What the AppTest login app uses: the test sets these before running the app (same process)."""

from __future__ import annotations

from sigma.auth.service import AuthService
from sigma.config import Settings

SERVICE: AuthService | None = None
SETTINGS: Settings | None = None
