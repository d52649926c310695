"""`make mutate`: mutation testing with mutmut, one module at a time against its own tests.

mutmut reads its configuration from the working directory, so each module runs in a staging
directory ($MUTATE_DIR or /tmp, sigma-mutate/<module>/) that links `sigma/` and `tests/` and holds a pyproject.toml
whose [tool.mutmut] is the repository's, narrowed to that module and its tests. At the end it
prints the share of mutants killed per module (killed + timed out, over those tested).

    python scripts/mutate.py                       # every module in MODULES
    python scripts/mutate.py sigma/risk/var.py     # one module (or several)
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STAGE = Path(tempfile.gettempdir()) / "sigma-mutate"
GOAL = 85.0
KILLED_CODES = {1, 3, 36, 24, -24, 152, 255, 37}  # killed, pytest internal error, timeouts, caught by mypy

INSTRUMENTS = ["tests/instruments"]
RISK = [
    "tests/risk/test_var.py",
    "tests/risk/test_var_contract.py",
    "tests/risk/test_performance.py",
    "tests/risk/test_performance_contract.py",
    "tests/risk/test_reference_values.py",
]
SCOPING = ["tests/test_permissions.py", "tests/portfolio/test_service_scoping.py"]
MODULES: dict[str, list[str]] = {
    "sigma/instruments/options.py": INSTRUMENTS,
    "sigma/instruments/occ.py": INSTRUMENTS,
    "sigma/risk/var.py": RISK,
    "sigma/risk/performance.py": RISK,
    "sigma/risk/tail.py": RISK,
    "sigma/risk/beta.py": ["tests/risk/test_beta.py", "tests/risk/test_reference_values.py"],
    "sigma/risk/stress.py": ["tests/risk/test_stress.py"],
    "sigma/risk/volatility.py": ["tests/risk/test_volatility.py"],
    "sigma/risk/correlation.py": ["tests/risk/test_correlation.py"],
    "sigma/risk/sector.py": ["tests/risk/test_sector.py"],
    "sigma/portfolio/sql/owned.py": SCOPING,
}


def _config(module: str, tests: list[str]) -> str:
    base = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]
    lines = ["[tool.mutmut]"]
    for key, value in {**base, "only_mutate": [module], "pytest_add_cli_args_test_selection": tests}.items():
        lines.append(f"{key} = {json.dumps(value)}")
    pytest_ini = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    lines.append("[tool.pytest.ini_options]")
    lines += [f"{key} = {json.dumps(value)}" for key, value in pytest_ini.items()]
    return "\n".join(lines) + "\n"


def _stage(module: str, tests: list[str], root: Path = STAGE) -> Path:
    stage = root / module.replace("/", "_").removesuffix(".py")
    if stage.exists():
        shutil.rmtree(stage)
    stage.mkdir(parents=True)
    for name in ("sigma", "tests"):
        (stage / name).symlink_to(ROOT / name, target_is_directory=True)
    (stage / "pyproject.toml").write_text(_config(module, tests))
    return stage


def score(stage: Path, module: str) -> tuple[int, int]:
    """(killed, tested) from mutmut's results file for `module`."""
    meta = json.loads((stage / "mutants" / f"{module}.meta").read_text())
    codes = [c for c in meta["exit_code_by_key"].values() if c is not None]
    return sum(c in KILLED_CODES for c in codes), len(codes)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Mutation scores per module (mutmut), each against its own tests.")
    parser.add_argument("modules", nargs="*", help="modules to mutate (default: every module in the table)")
    parser.add_argument("--children", default="2", help="parallel mutmut workers (default 2)")
    parser.add_argument("--stage-dir", type=Path, default=STAGE, help="where the per-module work folders go")
    args = parser.parse_args(argv)
    modules, children = args.modules or list(MODULES), args.children
    mutmut = str(Path(sys.executable).with_name("mutmut"))
    table = []
    for module in modules:
        stage = _stage(module, MODULES.get(module, ["tests"]), args.stage_dir)
        print(f"== {module}: tests {' '.join(MODULES.get(module, ['tests']))}", flush=True)
        subprocess.run([mutmut, "run", "--max-children", children], cwd=stage, check=False)
        killed, tested = score(stage, module)
        table.append((module, killed, tested))
    print("\nmodule                                   killed / tested   score")
    for module, killed, tested in table:
        share = 100.0 * killed / tested if tested else 0.0
        flag = "" if share >= GOAL else f"  (goal {GOAL:.0f} %)"
        print(f"{module:<40} {killed:>6} / {tested:<6}  {share:5.1f} %{flag}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
