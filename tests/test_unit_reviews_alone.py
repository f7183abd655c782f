"""A unit's review made on inputs another review was made on (--all-units: each lent kernel keeps its
workbench for the city's and several units' reports) takes the whole data set's per-project results'
rows of its projects (ledger.per_project, issue 18): every figure must be the one its review gives
computed on its own projects' rows alone."""

from __future__ import annotations

import polars as pl
import pytest

import jygproj
from jygproj import ledger, quarterly


def _own_rows(wb, unit):
    """The unit's review on fresh inputs, inside a block that keeps nothing (no ``kept`` dict): every
    per-project result made on the unit's own rows, nothing taken from the whole data set's."""
    inputs = quarterly.inputs_from(wb.catalogue, wb.dataset, wb.plan)
    with ledger.reuse_results():
        return quarterly.build_review(inputs, quarterly.ReviewParams(2023, 3, "", wb.evaluation.text, unit))


def _same(shared, alone, unit):
    assert shared.tables.keys() == alone.tables.keys(), unit
    for name, t in shared.tables.items():
        a = alone.tables[name]
        assert t.frame.schema == a.frame.schema and t.frame.equals(a.frame), (unit, name)
        assert (t.title, t.notes, t.unit) == (a.title, a.notes, a.unit), (unit, name)
    assert shared.text == alone.text, unit
    assert shared.summary == alone.summary, unit
    assert shared.answer == alone.answer, unit
    for name, f in shared.frames.items():
        g = alone.frames[name]
        if isinstance(f, pl.DataFrame):
            assert f.schema == g.schema and f.equals(g), (unit, name)
    assert (shared.letter_units, shared.letter_requests, shared.letter_triggers) == \
        (alone.letter_units, alone.letter_requests, alone.letter_triggers), unit


@pytest.fixture(scope="module")
def after_city():
    wb = jygproj.open(None, year=2023, as_of="2023-10")
    wb.quarterly(3, unit=None)
    return wb, {u: wb.quarterly(3, unit=u) for u in quarterly.units(wb.projects)}


def test_every_unit_review_after_the_citys_is_the_one_made_on_its_own_rows(after_city):
    wb, reviews = after_city
    kept = wb._inputs().memo[quarterly.LEDGER_KEPT]["results"]
    assert {k[0] for k in kept} >= {"positions", "completion_detail", "project_status", "start_judged"}
    for unit, review in reviews.items():
        _same(review, _own_rows(wb, unit), unit)


def test_units_first_in_a_fresh_workbench_give_the_same(after_city):
    """A lent kernel whose first report is a unit's (no city review before): the first unit makes the
    whole data set's results, the next takes its rows."""
    wb, reviews = after_city
    fresh = jygproj.open(None, year=2023, as_of="2023-10")
    for unit in sorted(reviews)[:3]:
        _same(fresh.quarterly(3, unit=unit), reviews[unit], unit)


def test_a_city_review_keeps_nothing():
    wb = jygproj.open(None, year=2023, as_of="2023-10")
    wb.quarterly(3, unit=None)
    assert not wb._inputs().memo[quarterly.LEDGER_KEPT].get("results")
