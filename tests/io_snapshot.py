"""Frames of the embedded sample, the blank and filled templates and the io test builders, as loaded
by a given version of jygproj.io: the before/after proof of issue 12 ("the embedded sample and the
templates read exactly as before"). The committed snapshot under tests/fixtures/io_snapshot/ was made
from main's code, before issue 12, by

    PYTHONPATH=. .venv/bin/python tests/io_snapshot.py tests/fixtures/io_snapshot

first at e85bf3d, then again at 2852a35 when main's sample was regenerated (forecast's rebased
sample, with 是否入库/入库时间 columns) and merged into this branch; and again with 2852a35's code on
issue 16's sample (three industrial projects catch up from August: their 1-8月 to 1-10月 rows and the
sheet totals; the templates and builders came out byte-identical), the old code extracted with
``git archive 2852a35 jygproj data/reference | tar -x -C /tmp/ref`` and ``PYTHONPATH=/tmp/ref``.

and tests/test_io_snapshot.py loads the same inputs with this branch's code and compares.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import tempfile
from pathlib import Path

import polars as pl

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SAMPLE = REPO / "data" / "sample" / "2023"
TABLES = ("projects", "memberships", "progress", "baseline", "reserve", "reserve_steps", "problems")

# Two rows for each filled template (the layout a filled-in template really gets).
REGISTER_ROWS = [
    {"序号": 1, "项目名称": "嘉峪关市第九中学改扩建项目", "项目代码": "2303-620200-04-01-123456",
     "建设性质": "新建", "建设单位": "嘉峪关市教育局", "责任单位": "市教育局", "行业领域": "教育",
     "建设规模及内容": "改扩建教学楼", "总投资": 12000, "年度计划投资": 3000, "合计": 3000, "一季度": 500,
     "二季度": 1000, "三季度": 1000, "四季度": 500, "计划开工时间": dt.datetime(2023, 4, 1), "包抓领导": "张三"},
    {"序号": 2, "项目名称": "城区供水管网改造项目", "项目代码": "2201-620200-04-01-654321",
     "建设性质": "续建", "建设单位": "嘉峪关市水务局", "责任单位": "市水务局", "行业领域": "水利",
     "建设规模及内容": "改造供水管网12公里", "总投资": 8000.5, "年度计划投资": 2500, "合计": 2500,
     "一季度": 600, "二季度": 700, "三季度": 700, "四季度": 500, "包抓领导": "李四"},
]
PROGRESS_ROWS = [
    {"序号": 1, "项目名称": "城区供水管网改造项目", "项目代码": "2201-620200-04-01-654321", "清单": "政府投资项目",
     "建设性质": "续建", "责任单位": "市水务局", "总投资": 8000, "年度计划投资": 2500, "1-11月完成投资": 2100,
     "是否开工": "已复工", "开工时间": dt.datetime(2023, 3, 10), "形象进度": "完成管网铺设10公里", "存在问题": "无",
     "填报日期": dt.datetime(2023, 12, 4)},
]


def _fill(path: Path, out: Path, rows: list[dict]) -> Path:
    """Write rows under a template's header (the header's own texts give the columns)."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb.worksheets[0]
    heads: dict[str, int] = {}
    for c in range(1, ws.max_column + 1):
        top, sub = ws.cell(row=3, column=c).value, ws.cell(row=4, column=c).value
        if top and not sub:
            heads.setdefault(top, c)
        if sub:
            heads[sub] = c
    two_rows = any(ws.cell(row=4, column=c).value for c in range(1, ws.max_column + 1))
    first = 5 if two_rows else 4
    for i, row in enumerate(rows):
        for header, value in row.items():
            if header in heads:
                ws.cell(row=first + i, column=heads[header], value=value)
    wb.save(out)
    return out


def input_sets(work: Path) -> dict[str, list[Path]]:
    """Name → workbooks: the sample folder, blank templates (two months), filled templates, builders."""
    sys.path.insert(0, str(HERE))
    from test_io_builders import build_baseline, build_progress, build_register, build_reserve

    from jygproj.templates import write_templates

    sets: dict[str, list[Path]] = {"sample": sorted(p for p in SAMPLE.iterdir() if p.suffix == ".xlsx")}
    for month in (11, 12):
        d = work / f"templates_{month}"
        d.mkdir()
        sets[f"templates_{month}"] = write_templates(d, year=2023, month=month)
    filled = work / "filled"
    filled.mkdir()
    sets["templates_filled"] = [
        _fill(p, filled / p.name, PROGRESS_ROWS if "调度" in p.name else REGISTER_ROWS)
        for p in sets["templates_11"]]
    b = work / "builders"
    b.mkdir()
    sets["builders"] = [build_register(b), build_register(b, unit="亿元", file="亿元清单.xlsx"),
                        build_progress(b, month=9, completed=[2000.0, 2500.0, 2000.0, 0.0]), build_progress(b),
                        build_progress(b, month=10, completed=[2500.0, 2550.0, 2600.0, 0.0], correction=True),
                        build_baseline(b), build_reserve(b)]
    return sets


def _relative(frame: pl.DataFrame, roots: dict[str, str]) -> pl.DataFrame:
    """File paths without the machine's folders (the work folder differs between runs)."""
    for col in ("source_file", "file"):
        if col in frame.columns:
            expr = pl.col(col)
            for root, name in roots.items():
                expr = expr.str.replace(root, name, literal=True)
            frame = frame.with_columns(expr)
    return frame


def frames(work: Path) -> dict[str, pl.DataFrame | list]:
    """"set/table" → frame, and "set/sheets" → the sheet reports, for every input set."""
    from jygproj.io import load_workbooks

    out: dict[str, object] = {}
    roots = {str(SAMPLE): "<sample>", str(work): "<work>"}
    for name, paths in input_sets(work).items():
        ds = load_workbooks(paths)
        for table in TABLES:
            out[f"{name}/{table}"] = _relative(getattr(ds, table), roots)
        sheets = []
        for s in ds.sheets:
            d = s.as_json()
            d["path"] = s.path
            for root, label in roots.items():
                d["path"] = d["path"].replace(root, label)
            d["errors"], d["warnings"] = s.errors, s.warnings
            sheets.append(d)
        out[f"{name}/sheets"] = sheets
    return out


def write(target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for key, value in frames(Path(tmp)).items():
            stem = key.replace("/", "__")
            if isinstance(value, pl.DataFrame):
                value.write_parquet(target / f"{stem}.parquet")
            else:
                (target / f"{stem}.json").write_text(json.dumps(value, ensure_ascii=False, indent=1, default=str),
                                                     encoding="utf-8")


if __name__ == "__main__":
    import jygproj

    print("jygproj from", jygproj.__file__)
    write(Path(sys.argv[1]))
