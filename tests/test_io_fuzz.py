"""Whatever an office types into a register's cells, the loader never raises and every row is
loaded or reported (issue 3, point 4)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openpyxl.utils.exceptions import IllegalCharacterError

from jygproj.io import load_workbooks
from test_io_builders import build_register

CELL_TEXT = st.one_of(
    st.none(),
    st.sampled_from(["合计", "小计", "一、续建项目（2项）", "备注：无", "—", "12,345.6", "５０００", "2023年3月",
                     "3月中旬", "已开工", "单位：亿元", "总投资（万元）", "#DIV/0!", "=SUM(F7:F8)", "其中：新建"]),
    st.text(min_size=1, max_size=12),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.integers(min_value=-10**9, max_value=10**9),
)
REFS = [f"{c}{r}" for c in "ABCDEFGHIJKLM" for r in range(1, 17)]


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(REFS), CELL_TEXT, min_size=1, max_size=6))
def test_any_cell_values_are_loaded_or_reported(cells):
    cells = {k: (v if not (isinstance(v, str) and v.startswith("=")) else "'" + v) for k, v in cells.items()}
    with tempfile.TemporaryDirectory() as tmp:
        try:
            path = build_register(Path(tmp), cells=cells)
        except (ValueError, TypeError, AttributeError, IllegalCharacterError):  # openpyxl refuses these
            return
        ds = load_workbooks([path])
        assert ds.problems.filter(code="internal_error").height == 0, ds.problems["message"].to_list()
        for s in ds.sheets:
            r = s.rows
            assert r["read"] == r["loaded"] + r["structure"] + r["rejected"]
            if s.errors:
                assert r["loaded"] == 0
        # a loaded row that turns out to be a project already on the same list (e.g. a row without a
        # code whose name matches a coded row) is merged into it and reported as duplicate_project
        merged = ds.problems.filter(code="duplicate_project", severity="warning").height
        loaded = sum(s.rows["loaded"] for s in ds.sheets if s.kind == "register")
        assert ds.memberships.height + merged == loaded
