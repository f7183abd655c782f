"""build_listed fills its arrays column-wise (jygproj.forecast.listed): the monthly cumulatives and
start months must be those of the project-by-project rule it had (kept here as the reference), on
the sample at every as-of month and two evaluation lags."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

import jygproj
from jygproj import ledger
from jygproj.evaluation import Evaluation
from jygproj.forecast import listed
from jygproj.forecast.listed import NOT_THIS_YEAR


@pytest.fixture(scope="module")
def ds():
    return jygproj.open(None, year=2023, as_of="2023-10").dataset


def _one_by_one(ds, lst, year, m0, known_on):
    """The rule as build_listed had it, project by project."""
    index = {pid: i for i, pid in enumerate(lst.ids)}
    rows = ledger.with_period_fields(ledger.snapshot(ds.progress, known_on)).filter(
        (pl.col("year") == year) & (pl.col("month") <= m0))
    monthly = ledger.monthly_from_resolved(rows).select("project_id", "month", "completed_ytd_wan")
    cum = np.full((len(index), 13), np.nan)
    cum[:, 0] = 0.0
    for pid, month, value in monthly.iter_rows():
        if pid in index:
            cum[index[pid], month] = value
    for t in range(1, 13):
        cum[:, t] = np.where(np.isnan(cum[:, t]), cum[:, t - 1], cum[:, t])
    cum[:, m0 + 1:] = 0.0
    status = ledger.start_status(ds.progress.filter(pl.col("project_id").is_in(list(index))), known_on)
    start = {r["project_id"]: r for r in status.iter_rows(named=True)}
    start_month = np.full(len(index), NOT_THIS_YEAR)
    for pid, i in index.items():
        s = start.get(pid)
        day = None
        if s is not None and (s["started"] or s["resumed"]):
            day = min(d for d in (s["started_on"], s["resumed_on"]) if d is not None) \
                if (s["started_on"] or s["resumed_on"]) else None
        first = np.nonzero(cum[i, 1:m0 + 1] > 0)[0]
        if day is not None and day <= known_on:
            start_month[i] = 0 if day.year < year else (day.month if day.year == year else NOT_THIS_YEAR)
        if first.size:
            start_month[i] = min(start_month[i], first[0] + 1)
    return cum, np.where(start_month > m0, NOT_THIS_YEAR, start_month)


@pytest.mark.parametrize("m0", range(2, 12))
@pytest.mark.parametrize("lag", [10, 45])
def test_column_wise_arrays_are_the_one_by_one_rule(ds, m0, lag):
    known_on = Evaluation(2023, m0, lag).date
    lst = listed.build_listed(ds.projects, ds.memberships, ds.progress, year=2023, as_of_month=m0, known_on=known_on)
    cum, start_month = _one_by_one(ds, lst, 2023, m0, known_on)
    assert np.array_equal(lst.cum_wan, cum, equal_nan=True)
    assert np.array_equal(lst.start_month, start_month) and lst.start_month.dtype == np.int64
