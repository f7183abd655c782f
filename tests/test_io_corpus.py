"""Issue 12, "must show": every workbook of the corpus (tests/io_corpus.py: office layouts modelled
on public forms and exports, generated here) is read right — kind, list, unit, period, counts and 万元
totals per nature as computed from the projects themselves — or refused with an error naming its
cell and what to do. No corpus file is loaded with wrong figures and no error."""

from __future__ import annotations

from collections import Counter

import pytest

from io_corpus import VARIANTS, Reading, Refusal
from jygproj.io import load_workbooks


def test_corpus_is_large_and_covers_every_class():
    assert len(VARIANTS) >= 60
    classes = Counter(v.cls for v in VARIANTS)
    assert set(classes) >= {str(n) for n in range(1, 12)} | {"synonyms", "kept"}
    assert sum(1 for v in VARIANTS if any(isinstance(e, Refusal) for e in v.expect)) >= 10
    assert len({v.id for v in VARIANTS}) == len(VARIANTS)
    assert all(v.source for v in VARIANTS)


def _sheet(ds, e):
    found = [s for s in ds.sheets if s.sheet == e.sheet and (e.file is None or s.path.endswith(e.file))]
    assert len(found) == 1, [(s.path, s.sheet) for s in ds.sheets]
    return found[0]


@pytest.mark.parametrize("v", VARIANTS, ids=[v.id for v in VARIANTS])
def test_corpus_variant(tmp_path, v):
    ds = load_workbooks(v.build(tmp_path))
    errors = ds.problems.filter(severity="error")
    for e in v.expect:
        if isinstance(e, Reading):
            s = _sheet(ds, e)
            mine = ds.problems.filter(sheet=e.sheet)
            assert s.errors == 0, mine.filter(severity="error")["message"].to_list()
            assert (s.kind, s.list, s.unit, s.period) == (e.kind, e.list, e.unit, e.period)
            assert s.by_nature == pytest.approx(e.by_nature) if False else _same(s.by_nature, e.by_nature), \
                (s.by_nature, e.by_nature)
            for code in e.warnings:
                assert code in mine["code"].to_list(), mine["message"].to_list()
            if e.loaded is not None:
                assert s.rows["loaded"] == e.loaded
            assert s.rows["read"] == s.rows["loaded"] + s.rows["structure"] + s.rows["rejected"]
        else:
            hit = errors.filter(code=e.code)
            if e.sheet is not None:
                hit = hit.filter(sheet=e.sheet)
            assert hit.height >= 1, errors.select("code", "sheet", "row", "column", "message").to_dicts()
            p = hit.row(0, named=True)
            assert (p["row"], p["column"]) == (e.row, e.column), p["message"]
            where = (f"第{e.row}行" if e.row else "") + (f"{e.column}列" if e.column else "")
            assert where in p["message"] and "应为" in p["message"] and f"[{e.code}]" in p["message"]
    if all(isinstance(e, Reading) for e in v.expect):
        assert errors.height == 0, errors["message"].to_list()
    else:
        assert ds.has_errors  # `check` exits 1: nothing refused is loaded silently


def _same(got: dict, want: dict) -> bool:
    if set(got) != set(want):
        return False
    for nature, w in want.items():
        g = got[nature]
        if g["projects"] != w["projects"]:
            return False
        for k in ("total_investment_wan", "annual_plan_wan", "completed_ytd_wan"):
            if (g[k] is None) != (w[k] is None) or (w[k] is not None and abs(g[k] - w[k]) > 1e-6):
                return False
    return True
