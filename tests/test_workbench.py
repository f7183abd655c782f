"""The analyst's front door: one call opens the sample or a folder, from notebooks/ as from anywhere,
and every view (tables, completion, quarterly review, reserve, planner) uses the same data, plan and
evaluation date."""

from __future__ import annotations

import pytest

import jygproj
from jygproj import paths
from jygproj.catalogue import CatalogueError


@pytest.fixture(scope="module")
def wb():
    return jygproj.open()


def test_no_argument_opens_the_embedded_sample_at_its_latest_month(wb):
    assert wb.folder == paths.SAMPLE_2023.resolve() and wb.year == 2023
    assert wb.evaluation.text == "2023-10" and wb.evaluation.date.isoformat() == "2023-11-10"
    assert len(wb.catalogue.inputs) == 57 and wb.skipped["path"].to_list() == ["README.md"]
    assert wb.projects.height and wb.progress.height and wb.baseline.height and wb.reserve_projects.height


def test_it_works_from_notebooks_like_jupyterlab(monkeypatch):
    monkeypatch.chdir(paths.NOTEBOOKS)  # JupyterLab's working folder
    assert jygproj.open().folder == paths.SAMPLE_2023.resolve()
    assert jygproj.open("../data/sample/2023").folder == paths.SAMPLE_2023.resolve()  # relative: from here
    with pytest.raises(CatalogueError) as err:
        jygproj.open("data/sample/2023")  # not under notebooks/: refused, never replaced by the sample
    assert err.value.code == "data_dir_missing"


@pytest.mark.slow
def test_every_view_uses_the_same_data_plan_and_date(wb):
    from jygproj import quarterly

    review = wb.quarterly()
    assert (review.params.year, review.params.quarter, review.params.as_of) == (2023, 3, "2023-10")
    same = quarterly.build_review(quarterly.load_inputs("", 2023), quarterly.ReviewParams(2023, 3, "", "2023-10"))
    assert {k: v for k, v in review.summary.items() if k != "run"} == {k: v for k, v in same.summary.items()
                                                                          if k != "run"}
    comp = wb.completion()
    ytd = comp.filter((comp["period"] == "YTD") & (comp["list"] == "city") & comp["nature"].is_null())
    assert ytd["completed_wan"].sum() == pytest.approx(review.summary["completion"]["city"]["YTD"]["completed_wan"],
                                                       abs=0.01)
    planner = wb.planner(draws=10)
    assert planner.plan is wb.plan and planner.model.as_of_month == 10
    reserve = wb.reserve()
    assert reserve.report.review.isoformat() == "2023-11-01"
