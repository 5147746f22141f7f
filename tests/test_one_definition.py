"""Names defined in one place (issue 19): the kinds of data, and the demo's dataset id."""

import ast

from conftest import ROOT


def test_the_kinds_of_data_are_defined_once():
    import evcore.data
    import evcore.io
    import evcore.workspace

    assert evcore.io.KINDS is evcore.data.KINDS and evcore.workspace.KINDS is evcore.data.KINDS
    sources = [p for p in (ROOT / "evcore").rglob("*.py")]
    defined = [p.relative_to(ROOT).as_posix() for p in sources
               if any(isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "KINDS" for t in node.targets)
                      for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))))]
    assert defined == ["evcore/data.py"]


def test_the_demo_id_is_written_out_once():
    files = [*(ROOT / "evcore").rglob("*.py"), *(ROOT / "pages").glob("*.py"), ROOT / "ui.py", ROOT / "app.py"]
    written = [f"{p.relative_to(ROOT).as_posix()}:{node.lineno}" for p in files
               for node in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
               if isinstance(node, ast.Constant) and node.value == "demo"]
    assert len(written) == 1 and written[0].startswith("evcore/workspace.py:"), written
