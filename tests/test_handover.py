"""A review calculated by the command while its kernel starts (jygproj.handover, issue 18): taken by
the notebook only for exactly the inputs, parameters and code it was made from, and the report's
figures are those of the notebook calculating it itself."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import pytest

import jygproj
from jygproj import cli, handover, outputs, paths
from jygproj.export import ExportError
from jygproj.report import review_files


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


def _handed_with_workbook(city, tmp_path, monkeypatch, job=None):
    """The review handed with its workbook being written (by a real second process unless ``job``)."""
    wb, review = city
    path = tmp_path / "review"
    folder = handover.workbook_folder(path)
    if job is None:
        monkeypatch.setattr(review_files, "PARALLEL_CELLS", 0)  # the city's small workbook counts as big
        job = review_files.start_workbook(review, folder)
    book = handover.WorkbookAhead(folder, job)
    handover.write(path, handover.key(wb.kept_key(), review.params), review, workbook=True)
    monkeypatch.setenv(handover.ENV, str(path))
    return path, book, handover.take(wb.kept_key(), review.params)


def test_the_workbook_the_command_wrote_is_moved_into_the_report(city, tmp_path, monkeypatch):
    path, book, taken = _handed_with_workbook(city, tmp_path, monkeypatch)
    target = tmp_path / "report" / review_files.workbook_name(taken)
    target.parent.mkdir()
    assert handover.workbook_for(taken, target).result() == target
    assert target.stat().st_size > 10_000 and target.stat().st_mode & 0o777 == outputs.file_mode()
    assert handover.workbook_for(taken, target) is None  # once
    assert handover.record(path, 1.0)["workbook"]["taken_by_the_notebook"] is True
    book.close()
    assert not handover.workbook_folder(path).exists()


def test_only_the_handed_review_takes_the_workbook(city, tmp_path, monkeypatch):
    path, book, taken = _handed_with_workbook(city, tmp_path, monkeypatch)
    other = jygproj.open(None, year=2023, as_of="2023-10").quarterly(3)  # calculated by the kernel itself
    assert handover.workbook_for(other, tmp_path / "x.xlsx") is None
    book.close()
    assert handover.record(path, 1.0).get("workbook") is None  # its folder gone with the report


class _Failed:
    """A writer that failed as export.Pending raises its error."""

    def result(self):
        raise ExportError("写入《x.xlsx》的工作表“项目”时出错：磁盘已满", "sheet_write_failed")

    def stop(self):
        pass


def test_the_writers_error_is_raised_in_the_kernel(city, tmp_path, monkeypatch):
    path, book, taken = _handed_with_workbook(city, tmp_path, monkeypatch, job=_Failed())
    with pytest.raises(ExportError, match="磁盘已满"):
        handover.workbook_for(taken, tmp_path / "x.xlsx").result()
    assert handover.record(path, 1.0)["workbook"]["taken_by_the_notebook"] is False
    book.close()


def test_a_command_gone_is_said_not_waited_for(tmp_path):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    with pytest.raises(ExportError, match="命令进程已退出") as err:
        handover.HandedWorkbook(tmp_path, tmp_path / "考核.xlsx", gone.pid).result()
    assert err.value.code == "export_worker_failed"


@pytest.mark.slow
def test_the_city_run_hands_its_review_and_its_figures_are_the_notebooks(tmp_path, monkeypatch):
    import openpyxl

    from jygproj import runs
    from jygproj.commands import quarterly as command

    # the city's workbook written ahead by the command as a province's is (in the command's process:
    # the threshold is read there; the kernel takes whatever it was handed)
    monkeypatch.setattr(review_files, "PARALLEL_CELLS", 0)
    assert cli.main(["quarterly", "2023Q3", "--out", str(tmp_path / "handed")]) == 0
    manifest = json.loads((tmp_path / "handed" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["review_handed"]["taken_by_the_notebook"] is True
    assert manifest["review_handed"]["workbook"]["taken_by_the_notebook"] is True
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".") and ".tmp-" in p.name] == []
    # the same report with the notebook calculating the review itself (its own kernel, nothing handed)
    params = {"year": 2023, "quarter": 3, "data_dir": str(paths.SAMPLE_2023), "as_of": "2023-10",
              "unit": None, "headline": "rate", "out_dir": str(tmp_path / "itself")}
    alone = runs.run_notebook(command.NOTEBOOK, tmp_path / "itself", params, name="2023Q3_季度考核")
    assert "review_handed" not in json.loads(alone.manifest.read_text(encoding="utf-8"))
    handed = json.loads((tmp_path / "handed" / "summary.json").read_text(encoding="utf-8"))
    itself = json.loads((tmp_path / "itself" / "summary.json").read_text(encoding="utf-8"))
    assert handed == itself

    def cells(folder):
        book = openpyxl.load_workbook(next(folder.glob("*.xlsx")), read_only=True)
        return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}

    assert cells(tmp_path / "handed") == cells(tmp_path / "itself")
