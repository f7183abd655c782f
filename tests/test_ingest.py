"""The Parquet copy of the ledger (jygproj ingest, issue 8): rebuilt when an input's hash changes,
left alone when nothing changed, and read back equal to what load_dataset gives."""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from jygproj import schema
from jygproj.commands import ingest as ingest_cmd
from jygproj.ingest import MANIFEST, TABLES, ingest, load_ingested, scan_ingested
from jygproj.io import load_dataset

A = ("甲厂技改项目", "2201-620200-04-01-000001", "续建", "市工信局", 5000, 2000)
B = ("乙园区道路项目", "2301-620200-04-01-000002", "新建", "工业园区管委会", 3000, 1000)


def write_register(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "产业投资项目"
    ws.append(["2023年嘉峪关市产业投资项目计划清单"])
    ws.append([None] * 7 + ["单位：万元"])
    ws.append(["序号", "项目名称", "项目代码", "建设性质", "责任单位", "总投资", "年度计划投资", "计划开工时间"])
    ws.append([1, *A, None])
    ws.append([2, *B, "2023年4月"])
    wb.save(path)
    return path


def write_progress(path: Path, month: int, done: tuple[float, float]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = f"{month}月调度"
    ws.append([f"2023年1-{month}月产业投资项目建设进度调度表"])
    ws.append([None] * 10 + ["单位：万元"])
    ws.append(["序号", "项目名称", "项目代码", "建设性质", "责任单位", "总投资", "年度计划投资", f"1-{month}月完成投资",
               "是否开工", "开工时间", "填报日期"])
    reported = dt.datetime(2023, month + 1, 6)
    ws.append([1, *A, done[0], "已复工", dt.datetime(2023, 3, 1), reported])
    ws.append([2, *B, done[1], "已开工", dt.datetime(2023, 5, 10), reported])
    wb.save(path)
    return path


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    d.mkdir()
    write_register(d / "2023年产业投资项目清单.xlsx")
    write_progress(d / "2023年1-9月产业投资项目调度表.xlsx", 9, (1200, 300))
    write_progress(d / "2023年1-10月产业投资项目调度表.xlsx", 10, (1500, 400))
    return d


def mtimes(out: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in out.iterdir()}


def test_first_ingest_writes_every_table_and_the_input_hashes(data_dir, tmp_path):
    out = tmp_path / "parquet"
    result = ingest(data_dir, out)
    assert result.rebuilt
    assert {p.name for p in out.iterdir()} == {MANIFEST, *(f"{t}.parquet" for t in TABLES)}
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    # three workbooks, each with the sha256 of its bytes
    assert sorted(manifest["inputs"]) == sorted(p.name for p in data_dir.iterdir())
    f = data_dir / "2023年产业投资项目清单.xlsx"
    assert manifest["inputs"][f.name]["sha256"] == hashlib.sha256(f.read_bytes()).hexdigest()
    # 2 projects, 2 memberships, 2 projects × 2 months of progress
    assert manifest["tables"]["projects"]["rows"] == 2
    assert manifest["tables"]["memberships"]["rows"] == 2
    assert manifest["tables"]["progress"]["rows"] == 4


def test_no_rebuild_when_nothing_changed(data_dir, tmp_path):
    out = tmp_path / "parquet"
    ingest(data_dir, out)
    before = mtimes(out)
    again = ingest(data_dir, out)
    assert not again.rebuilt
    assert "未变化" in again.reason
    assert mtimes(out) == before  # not a byte rewritten


def test_rebuild_when_an_input_changes(data_dir, tmp_path):
    out = tmp_path / "parquet"
    ingest(data_dir, out)
    # the October table is resubmitted with project A's 1-10月 figure corrected 1500 → 1650
    changed = write_progress(data_dir / "2023年1-10月产业投资项目调度表.xlsx", 10, (1650, 400))
    result = ingest(data_dir, out)
    assert result.rebuilt
    assert changed.name in result.reason
    oct_a = load_ingested(out).progress.filter((pl.col("period") == "2023-10") & (pl.col("project_id") == A[1]))
    assert oct_a["completed_ytd_wan"].to_list() == [1650.0]


def test_rebuild_when_a_workbook_is_added_or_removed(data_dir, tmp_path):
    out = tmp_path / "parquet"
    ingest(data_dir, out)
    added = write_progress(data_dir / "2023年1-8月产业投资项目调度表.xlsx", 8, (900, 0))
    result = ingest(data_dir, out)
    assert result.rebuilt and "新增" in result.reason
    assert load_ingested(out).progress.height == 6  # 2 projects × 3 months
    added.unlink()
    result = ingest(data_dir, out)
    assert result.rebuilt and "删除" in result.reason
    assert load_ingested(out).progress.height == 4


def test_a_damaged_copy_is_rebuilt(data_dir, tmp_path):
    out = tmp_path / "parquet"
    ingest(data_dir, out)
    (out / "progress.parquet").unlink()
    result = ingest(data_dir, out)
    assert result.rebuilt and "progress" in result.reason
    assert (out / "progress.parquet").is_file()


def test_round_trip_equals_load_dataset(data_dir, tmp_path):
    out = tmp_path / "parquet"
    ingest(data_dir, out)
    back = load_ingested(out)
    direct = load_dataset(data_dir)
    for table in TABLES:
        assert_frame_equal(getattr(back, table), getattr(direct, table))
    assert back.sheets == direct.sheets
    # the canonical enums survive Parquet (list, nature)
    assert back.memberships.schema["list"] == schema.LIST_ENUM
    assert back.projects.schema["nature"] == schema.NATURE_ENUM


def test_round_trip_on_the_embedded_sample(tmp_path):
    from jygproj.paths import SAMPLE_2023

    if not any(SAMPLE_2023.glob("*.xlsx")):
        pytest.skip("sample not generated")
    out = tmp_path / "sample"
    ingest(SAMPLE_2023, out)
    back, direct = load_ingested(out), load_dataset(SAMPLE_2023)
    for table in TABLES:
        assert_frame_equal(getattr(back, table), getattr(direct, table))


def test_scan_is_lazy_with_canonical_dtypes(data_dir, tmp_path):
    out = tmp_path / "parquet"
    ingest(data_dir, out)
    lazy = scan_ingested(out)
    assert isinstance(lazy["progress"], pl.LazyFrame)
    assert lazy["progress"].collect_schema() == pl.Schema(schema.PROGRESS)
    # 1-10月 total: 1500 + 400 = 1900 万元
    total = lazy["progress"].filter(pl.col("period") == "2023-10").select(pl.col("completed_ytd_wan").sum())
    assert total.collect().item() == 1900.0


def test_command_exit_codes(data_dir, tmp_path, capsys):
    out = tmp_path / "parquet"
    args = argparse.Namespace(data_dir=data_dir, out=out, force=False)
    assert ingest_cmd.run(args) == 0
    assert "已重建" in capsys.readouterr().out
    assert ingest_cmd.run(args) == 0
    assert "未重建" in capsys.readouterr().out
    missing = argparse.Namespace(data_dir=tmp_path / "nowhere", out=out, force=False)
    assert ingest_cmd.run(missing) == 1
    assert "data_dir_missing" in capsys.readouterr().out


def test_default_copy_location_keeps_directories_apart(tmp_path):
    from jygproj import paths
    from jygproj.ingest import default_out

    assert default_out(paths.SAMPLE_2023) == paths.DATA / "parquet" / "sample-2023"
    a, b = tmp_path / "a" / "2023", tmp_path / "b" / "2023"
    assert default_out(a) != default_out(b)  # same name, different directories
    assert default_out(a).name.startswith("2023-")
