"""Issue 12, "must show": the embedded sample (data/sample/2023), the templates (blank and filled, as
`jygproj template` writes them) and the io test builders read exactly as before the issue — the same
frames, figures, problems and sheet reports as main's code gave (snapshot made by tests/io_snapshot.py
from that code; see its docstring).

The only differences allowed are issue 14's statistical registration, which main's code did not read:
the columns ``registered``/``registered_on`` added to projects and progress (read from the sample's
是否入库/入库时间 columns, null where a sheet has none), and so the "未识别的列" warnings main's code gave
for those two columns, gone with them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl
import pytest

from io_snapshot import TABLES, frames
from jygproj.io.headers import classify_path

SNAPSHOT = Path(__file__).parent / "fixtures" / "io_snapshot"
ADDED = {"projects": ("registered", "registered_on"), "progress": ("registered", "registered_on")}
SETS = ("sample", "templates_11", "templates_12", "templates_filled", "builders")


@pytest.fixture(scope="module")
def now(tmp_path_factory):
    return frames(tmp_path_factory.mktemp("snapshot"))


def _registration_only(message: str) -> bool:
    """A 未识别的列 warning of main's code naming only columns this branch reads as 是否入库/入库时间."""
    headers = re.findall(r"[A-Z]+列“([^”]*)”", message)
    return bool(headers) and all(classify_path((h,))[0] in ("registered", "registered_on") for h in headers)


def _before_problems(name: str) -> pl.DataFrame:
    before = pl.read_parquet(SNAPSHOT / f"{name}__problems.parquet")
    keep = [not (c == "column_unknown" and _registration_only(m)) for c, m in zip(before["code"], before["message"])]
    return before.filter(pl.Series(keep, dtype=pl.Boolean))


@pytest.mark.parametrize("name", SETS)
@pytest.mark.parametrize("table", TABLES)
def test_frame_as_before(now, name, table):
    before = _before_problems(name) if table == "problems" else pl.read_parquet(SNAPSHOT / f"{name}__{table}.parquet")
    after = now[f"{name}/{table}"]
    after = after.drop([c for c in ADDED.get(table, ()) if c in after.columns])
    assert after.schema == before.schema
    assert after.equals(before), (name, table)


def test_registration_read_from_the_sample(now):
    # forecast's sample carries 是否入库 and 入库时间 on its lists and scheduling tables (issue 14)
    for table in ("projects", "progress"):
        f = now[f"sample/{table}"]
        assert f["registered"].null_count() < f.height and f["registered_on"].null_count() < f.height
    for name in SETS[1:]:  # the templates and builders have no such column: null
        for table in ("projects", "progress"):
            f = now[f"{name}/{table}"]
            assert f["registered"].null_count() == f.height


@pytest.mark.parametrize("name", SETS)
def test_sheet_reports_as_before(now, name):
    before = json.loads((SNAPSHOT / f"{name}__sheets.json").read_text(encoding="utf-8"))
    after = json.loads(json.dumps(now[f"{name}/sheets"], ensure_ascii=False, default=str))
    gone = pl.read_parquet(SNAPSHOT / f"{name}__problems.parquet").join(
        _before_problems(name), on=["file", "sheet", "code", "message"], how="anti", nulls_equal=True)
    for b, a in zip(before, after):
        fewer = gone.filter((pl.col("sheet") == b["sheet"]) & pl.col("file").str.ends_with(Path(b["path"]).name)).height
        assert {**a, "warnings": a["warnings"] + fewer} == b
    assert len(after) == len(before)


def test_snapshot_is_not_empty():
    assert pl.read_parquet(SNAPSHOT / "sample__progress.parquet").height > 2000
    assert pl.read_parquet(SNAPSHOT / "sample__projects.parquet").height == 193
