"""Issue 11, item 9: each loader row check written once (jygproj/io/rules.py), used by the row readers
and the column-wise fast path; the tolerances in one place; no import cycle inside jygproj.io. The
differential test (two readers, same frames) is tests/test_io_fastpath.py."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from jygproj.io import rules
from jygproj.io.cells import CellError

IO = Path(rules.__file__).parent


def _imports(path: Path) -> set[str]:
    """jygproj.io modules imported by a module (at any depth of its code)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "jygproj.io":
                out |= {a.name for a in node.names if (IO / f"{a.name}.py").exists()}
            elif node.module.startswith("jygproj.io."):
                out.add(node.module.split(".")[2])
        elif isinstance(node, ast.Import):
            out |= {a.name.split(".")[2] for a in node.names if a.name.startswith("jygproj.io.")}
    return out


def test_no_import_cycle_in_io():
    graph = {p.stem: _imports(p) - {p.stem} for p in IO.glob("*.py") if p.stem != "__init__"}
    assert "table" not in graph["fastpath"]  # the cycle of issue 11: fastpath ↔ table
    state: dict[str, int] = {}

    def visit(m: str, trail: list[str]) -> None:
        state[m] = 1
        for n in graph.get(m, ()):
            assert state.get(n) != 1, "import cycle: " + " → ".join(trail + [n])
            if n not in state:
                visit(n, trail + [n])
        state[m] = 2

    for m in graph:
        if m not in state:
            visit(m, [m])


def test_tolerance_literals_only_in_rules():
    literal = re.compile(r"(?<![\w.])(1e-9|1e-6|0\.0051)(?![\w])")
    found = [f"{p.name}:{n}" for p in IO.glob("*.py") if p.name != "rules.py"
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if literal.search(line)]
    assert found == []


def test_fast_path_and_row_readers_share_the_checks():
    for module in ("fastpath", "registers", "progress"):
        text = (IO / f"{module}.py").read_text(encoding="utf-8")
        assert "rules." in text, module
    fast = (IO / "fastpath.py").read_text(encoding="utf-8")
    for check in ("rules.exceeds", "rules.before_code_year", "rules.nature_cell", "rules.nature_conflicts",
                  "rules.quarters_disagree", "rules.list_cell", "rules.amount", "rules.code_reading"):
        assert check in fast, check


def test_exceeds_allows_float_noise_only():
    assert not rules.exceeds(1000.0000001, 1000.0)  # 1e-7 万元 above: noise
    assert rules.exceeds(1000.01, 1000.0)
    assert not rules.exceeds(None, 1000.0) and not rules.exceeds(5.0, None)


def test_written_sum_rounding():
    # 2 decimals in 亿元: 0.0051 亿元 = 51 万元 allowed; 60 万元 is a real difference
    assert not rules.sum_disagrees(15300.0, 15350.0, 10_000.0)
    assert rules.sum_disagrees(15300.0, 15360.0, 10_000.0)
    assert rules.quarters_disagree(3000.0, (500.0, 1000.0, 1000.0, 400.0), 1.0)  # 2900 ≠ 3000
    assert not rules.quarters_disagree(3000.0, (None, None, None, None), 1.0)  # nothing to check


def test_cell_readings():
    assert rules.amount("1,234.5") == 1234.5
    with pytest.raises(CellError) as exc:
        rules.amount("-5")
    assert exc.value.expected == "negative"
    assert rules.to_wan(1.53, 10_000.0) == 15300.0
    assert rules.nature_cell("续建项目") == "continuing" and rules.nature_cell("—") is None
    with pytest.raises(CellError):
        rules.nature_cell("扩建")
    assert rules.list_cell("", "government") == "government"
    with pytest.raises(CellError):
        rules.list_cell("", None)
    assert rules.code_reading("２３０１-620200-04-01-000001") == ("2301-620200-04-01-000001", True)
