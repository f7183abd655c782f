"""The follow-up ledger folds the year's earlier reviews from only what it reads of them
(quarterly.raised_for: warnings and letter facts, once per inputs), not from their full calculations:
the ledger, its history, the letter facts and summary.json of the sample's 2023Q3 review — the city's
and a unit's — are those of the full path (every earlier quarter calculated in full, forecast and all)."""

from __future__ import annotations

import dataclasses
import json

import pytest
from polars.testing import assert_frame_equal

from jygproj import alerts, paths, quarterly

pytestmark = pytest.mark.slow

PARAMS = quarterly.ReviewParams(2023, 3, "", "2023-10")
UNIT = "市工信局"


def _full_path(inputs, params, results=None):
    """The ledger's reviews as they were made before raised_for: each one calculated in full."""
    if results is None or results.params.unit is not None:
        results = quarterly.calculate(inputs, quarterly.ReviewParams(params.year, params.quarter, params.data_dir,
                                                                     params.as_of, None, params.headline))
    return quarterly.Raised(results.projects, results.frames["worst"], results.frames["reminder_facts"])


def _reviews(monkeypatch, full: bool):
    inputs = quarterly.load_inputs(paths.SAMPLE_2023, 2023)
    with monkeypatch.context() as m:
        if full:
            m.setattr(quarterly, "raised_for", _full_path)
        return [quarterly.build_review(inputs, p) for p in (PARAMS, dataclasses.replace(PARAMS, unit=UNIT))]


@pytest.fixture(scope="module")
def both():
    with pytest.MonkeyPatch.context() as mp:
        return _reviews(mp, full=True), _reviews(mp, full=False)


@pytest.mark.parametrize("which", [0, 1], ids=["city", "unit"])
def test_the_ledger_is_the_full_paths(both, which):
    old, new = both[0][which], both[1][which]
    assert new.followups.reviews == old.followups.reviews == ["2023Q1", "2023Q2", "2023Q3"]
    for key in ("followup_items", "followup_history", "letter_facts"):
        assert_frame_equal(new.frames[key], old.frames[key])
    assert_frame_equal(new.followups.by_unit, old.followups.by_unit)
    assert_frame_equal(new.followups.problems, old.followups.problems)
    assert new.followups.items.height > 0 and new.followups.history.height > 0
    dump = lambda r: json.dumps(r.summary, ensure_ascii=False, sort_keys=True, default=str)  # noqa: E731
    assert dump(new) == dump(old)
    for name, table in old.tables.items():
        assert_frame_equal(new.tables[name].frame, table.frame)


def test_the_raised_frames_are_calculates():
    inputs = quarterly.load_inputs(paths.SAMPLE_2023, 2023)
    p = quarterly.ReviewParams(2023, 2, "", "2023-07")
    full, light = quarterly.calculate(inputs, p), quarterly.raised(inputs, p)
    assert_frame_equal(light.worst, full.frames["worst"])
    assert_frame_equal(light.reminder_facts, full.frames["reminder_facts"])
    assert light.projects is inputs.dataset.projects


def test_a_unit_report_after_the_citys_does_no_city_work_again(monkeypatch):
    inputs = quarterly.load_inputs(paths.SAMPLE_2023, 2023)
    quarterly.build_review(inputs, PARAMS)
    assert sorted(k[1] for k in inputs.memo if k[0] == "raised") == [(2023, 1, "2023-04"), (2023, 2, "2023-07"),
                                                                     (2023, 3, "2023-10")]
    calls = []
    monkeypatch.setattr(quarterly, "raised", lambda *a: calls.append(a) or pytest.fail("recomputed"))
    quarterly.build_review(inputs, dataclasses.replace(PARAMS, unit=UNIT))
    assert calls == []


def test_inputs_with_other_rules_are_not_given_the_first_ones_reviews():
    inputs = quarterly.load_inputs(paths.SAMPLE_2023, 2023)
    p = quarterly.ReviewParams(2023, 1, "", "2023-04")
    first = quarterly.raised_for(inputs, p)
    assert quarterly.raised_for(inputs, p) is first  # made once
    other = dataclasses.replace(inputs, rules=alerts.load_rules(plan=inputs.plan))  # shares the memo dict
    assert other.memo is inputs.memo
    again = quarterly.raised_for(other, p)
    assert again is not first and quarterly.raised_for(other, p) is again
    assert_frame_equal(again.worst, first.worst)  # the same rules read again: the same figures
