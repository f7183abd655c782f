"""The embedded sample workbooks load cleanly and reconcile with the plan's numbers (二(一)-(五))."""

from __future__ import annotations

import pytest

from jygproj.io import latest_progress, load_dataset
from jygproj.paths import SAMPLE_2023

pytestmark = pytest.mark.skipif(not any(SAMPLE_2023.glob("*.xlsx")), reason="sample not generated yet")


@pytest.fixture(scope="module")
def ds():
    return load_dataset(SAMPLE_2023)


def _by_list(ds, list_id):
    """by_nature of the register sheet of one list, in 亿元 (projects, total, annual)."""
    sheet = next(s for s in ds.sheets if s.kind == "register" and s.list == list_id)
    return {n: (v["projects"], round(v["total_investment_wan"] / 1e4, 2), round(v["annual_plan_wan"] / 1e4, 2))
            for n, v in sheet.by_nature.items()}


def test_sample_loads_without_errors(ds):
    assert not ds.has_errors, ds.problems.filter(severity="error")["message"].to_list()[:5]
    for s in ds.sheets:
        r = s.rows
        assert r["read"] == r["loaded"] + r["structure"] + r["rejected"]
        assert r["rejected"] == 0


def test_sample_reconciles_with_the_plan(ds):
    # 二(四): 75 = 22 + 40 + 13; totals 25.5 + 57.4 + 8.5 = 91.4 亿元; annual 6.2 + 20.9 = 27.1
    assert _by_list(ds, "government") == {"continuing": (22, 25.5, 6.2), "new": (40, 57.4, 20.9),
                                          "preparatory": (13, 8.5, 0.0)}
    # 二(二): 17 continuing (annual 19.6) + 27 new (37.4) = 44 projects, 57 亿元
    key = _by_list(ds, "provincial_key")
    assert (key["continuing"][0], key["continuing"][2], key["new"][0], key["new"][2]) == (17, 19.6, 27, 37.4)
    # 二(一): 6 continuing 35.4, 4 new 20
    major = _by_list(ds, "provincial_major")
    assert (major["continuing"][0], major["continuing"][2], major["new"][0], major["new"][2]) == (6, 35.4, 4, 20.0)
    # 二(五): industrial 105 projects, total 584.1, annual 138.4; real estate 9, 66.4, 12
    for list_id, n, total, annual in (("industrial", 105, 584.1, 138.4), ("real_estate", 9, 66.4, 12.0)):
        got = _by_list(ds, list_id).values()
        assert sum(g[0] for g in got) == n
        assert sum(g[1] for g in got) == pytest.approx(total)
        assert sum(g[2] for g in got) == pytest.approx(annual)


def test_sample_progress_ledger(ds):
    latest = latest_progress(ds.progress)
    assert latest.height <= ds.progress.height
    assert ds.progress["project_id"].null_count() == 0
    # weekly government tables carry no code: their rows are matched to coded register projects by name
    weekly = ds.progress.filter(ds.progress["period"].str.contains("W"))
    assert weekly.height > 0
