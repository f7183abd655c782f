"""Workbooks opened whole in worker threads (dataset._opened_ahead, issue 18): the same dataset as
opening them one by one in the reading thread, a copy's worker leaving the finishing to the reader, and
finish_workbook's errors reported where they were."""

from __future__ import annotations

import shutil
from concurrent.futures import Future
from pathlib import Path

import pytest

from jygproj.io import dataset, load_workbooks, workbook
from jygproj.io.workbook import WorkbookError
from test_io_builders import build_progress, build_register

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample" / "2023"


def _one_by_one(paths, read=None):
    """The reading thread opening and reading every workbook itself (the path taken for a single
    workbook)."""
    for path in paths:
        fut: Future = Future()
        try:
            fut.set_result(workbook.parse_workbook(path))
        except Exception as exc:  # noqa: BLE001 - re-raised by .result()
            fut.set_exception(exc)
        yield fut


def _same(a, b) -> None:
    for name in ("projects", "memberships", "progress", "baseline", "reserve", "reserve_steps", "problems"):
        x, y = getattr(a, name), getattr(b, name)
        assert x.schema == y.schema and x.equals(y, null_equal=True), name
    assert a.sheet_table().equals(b.sheet_table())
    assert [vars(s) for s in a.sheets] == [vars(s) for s in b.sheets]
    assert {k: repr(v) for k, v in a.readings.items()} == {k: repr(v) for k, v in b.readings.items()}


@pytest.mark.skipif(not SAMPLE.is_dir(), reason="sample data not generated")
def test_workers_give_the_dataset_of_one_by_one(monkeypatch):
    from jygproj.catalogue import catalogue

    paths = catalogue(SAMPLE).paths
    ahead = load_workbooks(paths)
    monkeypatch.setattr(dataset, "_opened_ahead", _one_by_one)
    _same(ahead, load_workbooks(paths))


def test_a_copy_claimed_first_leaves_the_finishing_to_the_reader(tmp_path):
    path = build_progress(tmp_path, month=3)
    claimed: dict = {}
    import threading

    lock = threading.Lock()
    # the copy (submitted second) was opened first and claimed the bytes
    copy = dataset._open_whole(workbook.check_workbook(path), 1, claimed, lock)
    first = dataset._open_whole(workbook.check_workbook(path), 0, claimed, lock)
    assert claimed == {first.digest: 1} and copy.finished is not None and first.finished is None
    raws = dataset._finished(first)  # finished by the reading thread
    expected = workbook.open_workbook(path)
    assert [(r.name, list(r.rows), r.row_offset, r.col_offset, r.notes, r.non_values, r.hidden_rows, r.merges)
            for r in raws] == [(r.name, list(r.rows), r.row_offset, r.col_offset, r.notes, r.non_values, r.hidden_rows,
                                r.merges) for r in expected]


def test_copies_opened_in_any_order_are_named_once_each(tmp_path):
    first = build_progress(tmp_path, month=3)
    other = build_register(tmp_path)
    copies = [shutil.copy(first, tmp_path / f"副本{i}.xlsx") for i in range(6)]
    ds = load_workbooks([first, *copies, other])
    found = ds.problems.filter(ds.problems["code"] == "duplicate_file")
    assert sorted(found["file"].to_list()) == sorted(str(c) for c in copies)
    assert ds.progress.height == 4 and ds.memberships.height > 0


def test_an_error_of_finish_workbook_is_reported_as_before(tmp_path, monkeypatch):
    bad = build_progress(tmp_path, month=3)
    good = build_register(tmp_path)
    real = workbook.finish_workbook

    def finish(opened):
        if opened.path == bad:
            raise WorkbookError("unreadable", "工作簿无法读取（测试）")
        return real(opened)

    monkeypatch.setattr(dataset, "finish_workbook", finish)
    together = load_workbooks([bad, good])  # finished in the workers
    alone = load_workbooks([bad])  # finished in the reading thread
    for ds in (together, alone):
        p = ds.problems.filter(ds.problems["file"] == str(bad)).row(0, named=True)
        assert p["code"] == "unreadable" and "工作簿无法读取（测试）" in p["message"]
    assert together.problems.filter(together.problems["file"] == str(bad)).equals(alone.problems)
    assert together.memberships.height > 0


def test_sheets_read_by_the_worker_are_those_the_reading_thread_reads(tmp_path):
    import threading

    path = build_progress(tmp_path, month=3)
    read = lambda p, raws: dataset._read_workbook(p, raws, None, None)  # noqa: E731
    ahead = dataset._open_whole(workbook.check_workbook(path), 0, {}, threading.Lock(), read)
    assert ahead.read_ahead is not None and ahead.finished is None
    names, results, problems = dataset._read_ahead(ahead, read)
    here = dataset._read_ahead(workbook.parse_workbook(path), read)  # finished and read in this thread
    assert names == here[0] and problems == here[2]
    assert [vars(r.report) for r in results] == [vars(r.report) for r in here[1]]
    assert all(a.frame.equals(b.frame) for a, b in zip(results, here[1]) if a.frame is not None)


def test_an_error_of_reading_in_a_worker_is_raised_as_before(tmp_path, monkeypatch):
    bad = build_progress(tmp_path, month=3)
    good = build_register(tmp_path)
    real = dataset._failed_sheet

    def failed_sheet(path, raw, log, exc):  # a bug outside read_sheet's guard: the load fails, as it did
        if path == bad:
            raise RuntimeError("读取出错（测试）")
        return real(path, raw, log, exc)

    def read_sheet(*args, **kwargs):
        raise ValueError("本表读取出错（测试）")

    monkeypatch.setattr(dataset, "read_sheet", read_sheet)
    monkeypatch.setattr(dataset, "_failed_sheet", failed_sheet)
    for paths in ([good, bad], [bad]):  # read in the workers, and in the reading thread
        with pytest.raises(RuntimeError, match="读取出错（测试）"):
            load_workbooks(paths)
    # the other workbook's sheets are still each reported as not read
    ds = load_workbooks([good])
    assert ds.problems.filter(ds.problems["code"] == "internal_error").height >= 1
