"""Running `python -m jobs` in a subprocess the way an operator does, measured by coverage when it runs.

A child gets a minimal environment (PATH and the SIGMA_* variables a test gives it) plus the
COVERAGE_* variables of this process, so that `make coverage` measures the CLI and `jobs serve`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def cli_env(**sigma: str) -> dict[str, str]:
    """PATH, the given SIGMA_* variables, and any COVERAGE_* variables of this process."""
    env = {"PATH": "/usr/bin:/bin", **sigma}
    env.update({k: v for k, v in os.environ.items() if k.startswith("COVERAGE_")})
    return env


def run_cli(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`python -m jobs <args>` from the repository root; its output captured as text."""
    cmd = [sys.executable, "-m", "jobs", *args]
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
