"""The committed sample read back by the loaders (jygproj.io) reports exactly the plan's counts and
totals per list and construction nature (issue 4, "What it must show")."""

from __future__ import annotations

import contextlib
import io
import json

import polars as pl
import pytest

from jygproj import paths
from jygproj.cli import main
from jygproj.io import load_dataset

#: (list, nature) → (count, total 万元 or None, annual 万元 or None), from 嘉政办发〔2023〕39号.
PLAN = {
    ("provincial_major", "continuing"): (6, None, 354_000),  # 二(一) 35.4亿
    ("provincial_major", "new"): (4, None, 200_000),  # 20亿
    ("provincial_key", "continuing"): (17, None, 196_000),  # 二(二) 19.6亿
    ("provincial_key", "new"): (27, None, 374_000),  # 37.4亿
    ("government", "continuing"): (22, 255_000, 62_000),  # 二(四) 25.5 / 6.2亿
    ("government", "new"): (40, 574_000, 209_000),  # 57.4 / 20.9亿
    ("government", "preparatory"): (13, 85_000, 0),  # 8.5亿
}
LIST_TOTALS = {"industrial": (105, 5_841_000, 1_384_000),  # 二(五) 584.1 / 138.4亿
               "real_estate": (9, 664_000, 120_000),  # 66.4 / 12亿
               "leader_package": (None, None, 126_000 + 654_000 + 457_000 + 334_000)}  # 二(三)


@pytest.fixture(scope="module")
def ds():
    return load_dataset(paths.SAMPLE_2023)


def test_sample_loads_without_errors(ds):
    assert ds.problems.filter(pl.col("severity") == "error").to_dicts() == []
    # the only warnings: city lists without project codes are matched by name (by design)
    assert set(ds.problems["code"].to_list()) <= {"code_missing", "column_unknown"}


def test_registers_reconcile_per_list_and_nature(ds):
    m = ds.memberships
    for (lst, nature), (count, total, annual) in PLAN.items():
        sub = m.filter((pl.col("list") == lst) & (pl.col("nature") == nature))
        assert sub.height == count, (lst, nature)
        if total is not None:
            assert sub["total_investment_wan"].sum() == pytest.approx(total, abs=0.5)
        assert (sub["annual_plan_wan"].fill_null(0).sum()) == pytest.approx(annual, abs=0.5)
    for lst, (count, total, annual) in LIST_TOTALS.items():
        sub = m.filter(pl.col("list") == lst)
        if count is not None:
            assert sub.height == count
        if total is not None:
            assert sub["total_investment_wan"].sum() == pytest.approx(total, abs=0.5)
        assert sub["annual_plan_wan"].fill_null(0).sum() == pytest.approx(annual, abs=0.5)
    key = m.filter(pl.col("list") == "provincial_key")
    for nature, quarters in (("continuing", (13_000, 63_000, 82_000, 38_000)),
                             ("new", (2_500, 42_000, 147_500, 182_000))):
        sub = key.filter(pl.col("nature") == nature)
        assert tuple(round(sub[f"q{q}_plan_wan"].sum()) for q in (1, 2, 3, 4)) == quarters


def test_projects_are_counted_once_city_wide(ds):
    # 193 distinct projects although 313 list memberships (name variants matched by code or name)
    assert ds.projects.height == 193
    assert ds.memberships.height == 10 + 44 + 70 + 75 + 105 + 9


def test_progress_ledger_has_months_weeks_and_a_correction(ds):
    periods = set(ds.progress["period"].to_list())
    assert {"2023-02", "2023-10", "2023-W42", "2023-W43", "2023-W44"} <= periods
    assert "2023-01" not in periods  # January is reported with February
    fixed = ds.progress.filter(pl.col("revision") == 1)
    assert set(fixed["period"].to_list()) == {"2023-08"} and set(fixed["list"].to_list()) == {"industrial"}
    # the baseline: 2021, 2022 and 2023 (each with the prior year's comparable base), 11 months each
    assert ds.baseline.height == 33 and sorted(set(ds.baseline["year"].to_list())) == [2021, 2022, 2023]
    assert ds.reserve.height == 60


def test_check_command_reports_the_plan_figures():
    files = sorted(str(p) for p in paths.SAMPLE_2023.glob("*.xlsx"))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        rc = main(["check", *files, "--json"])
    assert rc == 0
    report = json.loads(out.getvalue())
    got = {}
    for f in report["files"]:
        for s in f["sheets"]:
            if s["kind"] == "register":
                for nature, v in s["by_nature"].items():
                    got[(s["list"], nature)] = (v["projects"], v["total_investment_wan"], v["annual_plan_wan"])
    for key, (count, total, annual) in PLAN.items():
        assert got[key][0] == count and got[key][2] == pytest.approx(annual, abs=0.5), key
        if total is not None:
            assert got[key][1] == pytest.approx(total, abs=0.5), key
    ind = [v for (lst, _), v in got.items() if lst == "industrial"]
    # 105 projects, 584.1亿 total, 138.4亿 annual (to 0.01亿 = 100万元)
    assert sum(v[0] for v in ind) == 105
    assert sum(v[1] for v in ind) == pytest.approx(5_841_000, abs=100)
    assert sum(v[2] for v in ind) == pytest.approx(1_384_000, abs=100)
