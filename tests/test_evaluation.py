"""One evaluation date: the as-of month, the day the ledger is read on, the period before; one parser
of YYYY-MM; every calculation of a review, the projection included, sees the ledger as of that day."""

from __future__ import annotations

import dataclasses
import datetime as dt

import polars as pl
import pytest

from jygproj import evaluation, paths, projection
from jygproj.errors import UsageError


def test_evaluation_date_is_the_month_end_plus_the_lag():
    ev = evaluation.evaluation("2023-10")
    assert (ev.year, ev.month, ev.text) == (2023, 10, "2023-10")
    assert ev.date == dt.date(2023, 11, 10)  # 31 October + 10 days
    assert ev.previous_quarter.date == dt.date(2023, 8, 10)
    assert evaluation.evaluation("2024-02").shifted(-3).text == "2023-11"


@pytest.mark.parametrize("text", ["2023-13", "2023", "23-10", "2023-W43", 2023.1, None])
def test_one_parser_refuses_what_is_not_a_month(text):
    with pytest.raises(UsageError) as err:
        evaluation.parse_month(text)
    assert err.value.code == "bad_month" and "YYYY-MM" in str(err.value)


def test_one_parser_reads_the_usual_spellings():
    assert evaluation.parse_month("2023-1") == evaluation.parse_month("2023/01") == evaluation.parse_month(
        "2023.01") == evaluation.parse_month(dt.date(2023, 1, 31)) == (2023, 1)


@pytest.fixture(scope="module")
def inputs():
    from jygproj import quarterly

    return quarterly.load_inputs(paths.SAMPLE_2023, 2023)


def _late_correction(progress: pl.DataFrame) -> pl.DataFrame:
    """A 1-10月 correction filed on 1 December for every October row: +5,000 万元 each."""
    october = progress.filter(pl.col("period") == "2023-10")
    fixed = october.with_columns(pl.col("completed_ytd_wan") + 5000.0, pl.col("revision") + 1,
                                 pl.lit(dt.date(2023, 12, 1)).alias("reported_at"))
    return pl.concat([progress, fixed.select(progress.columns)], how="vertical_relaxed")


@pytest.mark.slow
def test_a_correction_filed_after_the_evaluation_date_changes_nothing(inputs):
    from jygproj import quarterly

    params = quarterly.ReviewParams(2023, 3, "", "2023-10")
    late = dataclasses.replace(inputs, dataset=dataclasses.replace(
        inputs.dataset, progress=_late_correction(inputs.dataset.progress)))
    before, after = quarterly.build_review(inputs, params), quarterly.build_review(late, params)
    assert after.summary == before.summary  # completion, starts, warnings, growth and its projection
    # the projection alone: the same path with and without the late correction…
    ds, ev = inputs.dataset, params.evaluation
    kw = dict(as_of=ev, profile=inputs.profile)
    base = projection.project(ds.projects, ds.memberships, ds.progress, ds.baseline, **kw)
    same = projection.project(ds.projects, ds.memberships, late.dataset.progress, ds.baseline, **kw)
    assert same.equals(base)
    # …and a review evaluated after the correction does see it
    later = evaluation.Evaluation(2023, 10, lag_days=40)  # read on 10 December
    moved = projection.project(ds.projects, ds.memberships, late.dataset.progress, ds.baseline, as_of=later,
                               profile=inputs.profile)
    assert moved["projected_cum_wan"][11] != base["projected_cum_wan"][11]
