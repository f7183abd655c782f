"""A review calculated by the command while its kernel starts (jygproj.handover, issue 18): taken by
the notebook only for exactly the inputs, parameters and code it was made from, and the report's
figures are those of the notebook calculating it itself."""

from __future__ import annotations

import dataclasses
import json

import pytest

import jygproj
from jygproj import cli, handover, paths


@pytest.fixture(scope="module")
def city():
    wb = jygproj.open(None, year=2023, as_of="2023-10")
    return wb, wb.quarterly(3)


def test_taken_once_for_the_same_inputs_and_parameters(city, tmp_path, monkeypatch):
    wb, review = city
    path = tmp_path / "review"
    handover.write(path, handover.key(wb.kept_key(), review.params), review)
    monkeypatch.setenv(handover.ENV, str(path))
    taken = handover.take(wb.kept_key(), review.params)
    assert taken is not None and taken.summary == review.summary
    assert not path.exists()  # removed: the command reads from that that the notebook took it
    assert handover.take(wb.kept_key(), review.params) is None  # nothing more to take


@pytest.mark.parametrize("change", ["unit", "headline", "inputs"])
def test_not_taken_for_anything_else(city, tmp_path, monkeypatch, change):
    wb, review = city
    path = tmp_path / "review"
    handover.write(path, handover.key(wb.kept_key(), review.params), review)
    monkeypatch.setenv(handover.ENV, str(path))
    params, kept = review.params, wb.kept_key()
    if change == "unit":
        params = dataclasses.replace(params, unit="市住建局")
    elif change == "headline":
        params = dataclasses.replace(params, headline="level")
    else:  # one input file's sha256 other than when the review was made
        files = list(kept[3])
        files[0] = (files[0][0], files[0][1], "0" * 64)
        kept = (*kept[:3], tuple(files), *kept[4:])
    assert handover.take(kept, params) is None
    assert path.exists()  # left for the command to see that the notebook calculated it itself


def test_a_damaged_file_is_not_taken(city, tmp_path, monkeypatch):
    wb, review = city
    path = tmp_path / "review"
    path.write_bytes(b"not a review")
    monkeypatch.setenv(handover.ENV, str(path))
    assert handover.take(wb.kept_key(), review.params) is None


def test_without_the_variable_a_kernel_calculates(city, monkeypatch):
    wb, review = city
    monkeypatch.delenv(handover.ENV, raising=False)
    assert wb.quarterly(3).summary == review.summary


@pytest.mark.slow
def test_the_city_run_hands_its_review_and_its_figures_are_the_notebooks(tmp_path, monkeypatch):
    from jygproj import runs
    from jygproj.commands import quarterly as command

    assert cli.main(["quarterly", "2023Q3", "--out", str(tmp_path / "handed")]) == 0
    manifest = json.loads((tmp_path / "handed" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["review_handed"]["taken_by_the_notebook"] is True
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".") and ".tmp-" in p.name] == []
    # the same report with the notebook calculating the review itself (its own kernel, nothing handed)
    params = {"year": 2023, "quarter": 3, "data_dir": str(paths.SAMPLE_2023), "as_of": "2023-10",
              "unit": None, "headline": "rate", "out_dir": str(tmp_path / "itself")}
    alone = runs.run_notebook(command.NOTEBOOK, tmp_path / "itself", params, name="2023Q3_季度考核")
    assert "review_handed" not in json.loads(alone.manifest.read_text(encoding="utf-8"))
    handed = json.loads((tmp_path / "handed" / "summary.json").read_text(encoding="utf-8"))
    itself = json.loads((tmp_path / "itself" / "summary.json").read_text(encoding="utf-8"))
    assert handed == itself
