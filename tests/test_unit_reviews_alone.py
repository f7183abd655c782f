"""A unit's review made after the city's on the same inputs (--all-units: one lent kernel keeps the
workbench) takes the city's per-project results' rows of its projects (ledger.per_project, issue
18): every figure must be the one the unit's review made alone gives."""

from __future__ import annotations

import polars as pl
import pytest

import jygproj
from jygproj import quarterly


def _alone(wb, unit):
    """The unit's review on fresh inputs: nothing made before, by the city's review or another unit's."""
    inputs = quarterly.inputs_from(wb.catalogue, wb.dataset, wb.plan)
    return quarterly.build_review(inputs, quarterly.ReviewParams(2023, 3, "", wb.evaluation.text, unit))


def _same(after, alone, unit):
    assert after.tables.keys() == alone.tables.keys(), unit
    for name, t in after.tables.items():
        a = alone.tables[name]
        assert t.frame.schema == a.frame.schema and t.frame.equals(a.frame), (unit, name)
        assert (t.title, t.notes, t.unit) == (a.title, a.notes, a.unit), (unit, name)
    assert after.text == alone.text, unit
    assert after.summary == alone.summary, unit
    assert after.answer == alone.answer, unit
    for name, f in after.frames.items():
        g = alone.frames[name]
        if isinstance(f, pl.DataFrame):
            assert f.schema == g.schema and f.equals(g), (unit, name)
    assert (after.letter_units, after.letter_requests, after.letter_triggers) == \
        (alone.letter_units, alone.letter_requests, alone.letter_triggers), unit


@pytest.fixture(scope="module")
def after_city():
    wb = jygproj.open(None, year=2023, as_of="2023-10")
    wb.quarterly(3, unit=None)
    return wb, {u: wb.quarterly(3, unit=u) for u in quarterly.units(wb.projects)}


def test_every_unit_review_after_the_citys_is_the_one_made_alone(after_city):
    wb, reviews = after_city
    for unit, review in reviews.items():
        _same(review, _alone(wb, unit), unit)


def test_a_unit_review_in_a_fresh_workbench_is_the_same(after_city):
    wb, reviews = after_city
    unit = sorted(reviews)[len(reviews) // 2]
    _same(reviews[unit], jygproj.open(None, year=2023, as_of="2023-10").quarterly(3, unit=unit), unit)
