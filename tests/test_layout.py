"""The layout rules of DESIGN.md that a newcomer relies on, checked on the source tree."""

import ast
import importlib
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LIBRARY = ROOT / "evcore"
MAX_LINES = 400


def library_modules():
    return sorted(LIBRARY.rglob("*.py"))


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_one_subpackage_per_concern():
    for package in ("io", "forecast", "cluster", "placement", "viz", "cli"):
        assert (LIBRARY / package / "__init__.py").is_file(), f"evcore/{package}/ is not a package"
    for module in ("geo", "data", "demo", "config"):
        assert (LIBRARY / f"{module}.py").is_file(), f"evcore/{module}.py is missing"


@pytest.mark.parametrize("path", library_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_is_over_the_size_limit(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines (limit {MAX_LINES})"


def test_only_config_reads_the_environment():
    readers = []
    for path in library_modules():
        text = path.read_text(encoding="utf-8")
        if ("os.environ" in text or "getenv(" in text) and path != LIBRARY / "config.py":
            readers.append(str(path.relative_to(ROOT)))
    assert readers == []


def test_the_library_has_no_streamlit():
    users = [str(p.relative_to(ROOT)) for p in library_modules()
             if any(m.split(".")[0] in ("streamlit", "streamlit_folium") for m in imported_modules(p))]
    assert users == []


def test_public_api_is_importable_from_evcore_with_docstrings():
    import evcore

    assert {"read_file", "Dataset", "LSTMForecaster", "backtest", "KMedians", "PMedian",
            "MaxCoverage", "Settings", "InputError"} <= set(evcore.__all__)
    for name in evcore.__all__:
        value = getattr(evcore, name)
        assert (value.__doc__ or "").strip(), f"evcore.{name} has no docstring"


def test_evcore_console_script_points_at_the_cli():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    module, function = project["scripts"]["evcore"].split(":")
    assert callable(getattr(importlib.import_module(module), function))
    assert any(dep.replace(" ", "") == "torch==2.13.0" for dep in project["dependencies"])


def test_python_m_evcore_help_names_every_command():
    out = subprocess.run([sys.executable, "-m", "evcore", "--help"], capture_output=True, text=True,
                         cwd=ROOT, check=True).stdout
    for command in ("validate", "backtest", "forecast", "cluster", "place", "serve"):
        assert command in out


def test_every_option_has_a_description():
    from evcore.cli import build_parser

    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    for name, sub in commands.items():
        for action in sub._actions:
            if action.dest != "help":
                assert action.help, f"{name} {'/'.join(action.option_strings) or action.dest} has no help"


def test_tests_import_neither_other_test_modules_nor_bench():
    offenders = []
    for path in sorted((ROOT / "tests").glob("*.py")):
        if path.name == Path(__file__).name:  # this file names what it looks for
            continue
        text = path.read_text(encoding="utf-8")
        for module in imported_modules(path):
            if module.split(".")[0].startswith("test_") or module.split(".")[0] == "bench":
                offenders.append(f"{path.name} imports {module}")
        if "sys.path.insert" in text or "sys.path.append" in text:
            offenders.append(f"{path.name} changes sys.path")
        if "importorskip(" + '"evcore' in text:
            offenders.append(f"{path.name} skips on our own module")
    assert offenders == []
