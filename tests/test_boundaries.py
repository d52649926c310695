"""The rules of the house (ARCHITECTURE.md), enforced on the source tree with the AST."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NETWORK = {"requests", "httpx", "httpx2", "urllib.request", "yfinance", "anthropic", "aiohttp", "curl_cffi"}


def _python_files(*parts: str) -> list[Path]:
    files: list[Path] = []
    for part in parts:
        path = ROOT / part
        files += [path] if path.is_file() else sorted(path.rglob("*.py"))
    return [f for f in files if "migrations/versions" not in f.as_posix()]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _top(names: set[str]) -> set[str]:
    return {n.split(".")[0] for n in names} | names


@pytest.mark.parametrize("path", _python_files("sigma", "jobs"), ids=_rel)
def test_only_app_pages_and_sigma_ui_import_streamlit(path: Path) -> None:
    if _rel(path).startswith("sigma/ui/"):
        return
    assert "streamlit" not in _top(_imports(path)), f"{_rel(path)} imports streamlit"


@pytest.mark.parametrize("path", _python_files("pages", "app.py"), ids=_rel)
def test_pages_never_touch_the_database(path: Path) -> None:
    bad = {n for n in _imports(path) if n.split(".")[0] == "sqlalchemy" or n.startswith("sigma.db")}
    assert not bad, f"{_rel(path)} imports {bad}: pages ask services"


@pytest.mark.parametrize("path", _python_files("sigma", "jobs", "pages", "app.py"), ids=_rel)
def test_only_config_reads_the_environment(path: Path) -> None:
    if _rel(path) == "sigma/config.py":
        return
    source = path.read_text()
    assert "os.environ" not in source and "os.getenv" not in source and "getenv(" not in source, _rel(path)


@pytest.mark.parametrize("path", _python_files("sigma", "jobs", "pages", "app.py"), ids=_rel)
def test_network_lives_only_in_providers_and_the_llm_client(path: Path) -> None:
    rel = _rel(path)
    if rel.startswith("sigma/market/providers/") or rel == "sigma/chat/llm.py":
        return
    bad = {n for n in _imports(path) if n in NETWORK or n.split(".")[0] in NETWORK}
    assert not bad, f"{rel} imports a network client {bad}"


@pytest.mark.parametrize(
    "path", _python_files("sigma/risk", "sigma/portfolio", "sigma/instruments", "sigma/market/quality.py"), ids=_rel
)
def test_domain_code_has_no_hidden_clock(path: Path) -> None:
    if path.name == "service.py":
        return  # services are the edge: their clock is an injectable constructor default
    source = path.read_text()
    assert "date.today()" not in source and "datetime.now(" not in source, f"{_rel(path)} reads the clock"


@pytest.mark.parametrize("path", _python_files("pages", "app.py", "sigma/ui"), ids=_rel)
def test_no_unsafe_html(path: Path) -> None:
    assert "unsafe_allow_html=True" not in path.read_text(), f"{_rel(path)} uses unsafe_allow_html"


@pytest.mark.parametrize("path", _python_files("pages"), ids=_rel)
def test_pages_stay_thin(path: Path) -> None:
    assert len(path.read_text().splitlines()) <= 150, f"{_rel(path)} is over 150 lines: move helpers to sigma/ui"


@pytest.mark.parametrize("path", _python_files("sigma", "jobs", "pages", "app.py"), ids=_rel)
def test_modules_stay_under_300_lines_without_packed_lines(path: Path) -> None:
    source = path.read_text()
    assert "fmt: skip" not in source and "fmt: off" not in source, f"{_rel(path)} packs lines: split along concepts"
    assert len(source.splitlines()) <= 300, f"{_rel(path)} is over 300 lines: split where a concept ends"


@pytest.mark.parametrize("path", _python_files("sigma", "jobs", "pages", "app.py"), ids=_rel)
def test_functions_stay_under_40_lines(path: Path) -> None:
    tree = ast.parse(path.read_text(), filename=str(path))
    long = [
        f"{node.name} ({node.end_lineno - node.body[0].lineno + 1} lines)"
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.body[0].lineno + 1 > 40
    ]
    assert not long, f"{_rel(path)}: {', '.join(long)} over 40 lines: split it"


def test_every_risk_measure_module_has_its_place_in_the_layers_contract() -> None:
    # import-linter only checks the modules it is told about: a new measure must be placed.
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    layered = {m.strip() for c in contracts if c["type"] == "layers" for layer in c["layers"] for m in layer.split(":")}
    measures = {f"sigma.risk.{p.stem}" for p in (ROOT / "sigma" / "risk").glob("*.py") if p.stem != "__init__"}
    assert measures - {"sigma.risk.service"} <= layered, measures - layered


def test_the_streamlit_config_hides_tracebacks() -> None:
    config = (ROOT / ".streamlit" / "config.toml").read_text()
    assert 'showErrorDetails = "none"' in config or 'showErrorDetails = "type"' in config
