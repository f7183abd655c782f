"""The column-wise readers (jygproj.io.fastpath, issue 8) give exactly what the per-row reference readers
give: the same frames, the same problems (code, row, column, message) in the same order, the same row
counts. Long sheets (above fastpath.MIN_ROWS) full of the cells offices really type are loaded twice,
once with the fast path and once with it switched off, and compared."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from jygproj.io import fastpath, load_workbooks
from test_io_builders import write_workbook

N = 400  # data rows per sheet, above fastpath.MIN_ROWS

# Cells a scheduling table or register really holds: readable ones in every form offices type, and
# (rarely, so that most rows are clean) bad ones that must be reported with their row and column
# whichever path reads them.
AMOUNTS = (["1200", "85.5", "0", "１２３", "1,234.5", " 300 ", "—", "-", "无", "", None, "12.", "￥800", "100", "1e3"],
           ["约500", "-20", "待定"])
NAMES = ["嘉峪关市{}号供热管网改造工程", "中科·锦绣园{}期", "讨赖河生态修复工程（{}期）", "ＸＹ有限责任公司{}项目",
         " 酒钢{}号焦炉 ", "续建项目{}", "【重点】{}号厂房", "A-B/C {} 项目"]
CODES = (["2301-620200-04-01-{:06d}", "２３０１-620200-04-01-{:06d}", "无", None, "2301—620200—04—01—{:06d}"],
         ["2301620200{:06d}", "2001-620200-04-01-{:06d}"])
STARTED = (["已开工", "是", "否", "已复工", "未开工", "停工", None, "√"], ["开了"])
DATES = (["2023-03-10 00:00:00", "2023年3月8日", "2023.4.15", "3月中旬", "2023年底", "已开工", "待定", None, "45000"],
         ["2023-13-01", "下个月", "2019-05-01 00:00:00"])
NATURES = (["续建", "新建", "预备", None, "续建项目"], ["续", "扩建"])
UNITS = ["市工信局", "市住建局", " 市发改委 ", "—", None, "市交通局（代管）"]
REGISTERED = (["已入库", "否", None, "是", "未入统", "—"], ["入了"])
REGISTERED_ON = (["2023-03-10 00:00:00", "2023年3月8日", "2023.4.15", None, "待定"], ["2023-13-01", "下个月"])


P_BAD = {"p": 0.03}


def pick(rng: random.Random, cells: tuple[list, list]):
    good, bad = cells
    return rng.choice(bad) if rng.random() < P_BAD["p"] else rng.choice(good)


def _progress_rows(rng: random.Random, month: int, names: list[str], codes: list) -> list[list]:
    rows = [[f"2023年1-{month}月政府投资项目建设进度调度表"], [None] * 11 + ["单位：万元"],
            ["序号", "项目名称", "项目代码", "建设性质", "责任单位", "总投资", "年度计划投资", f"1-{month}月完成投资",
             "是否开工", "开工时间", "形象进度", "填报日期", "是否入统", "入统时间"],
            ["合计", None, None, None, None, "99999", None, "12345"] if P_BAD["p"] else ["合计"],
            [None, "一、续建项目（150项）"]]
    for k in range(N):
        if k == N // 2:
            rows.append(["二、", "新建项目"])
        if k == N - 10:
            rows.append(["小计", None, None, None, None, "100"] if P_BAD["p"] else ["小计"])
        done = pick(rng, AMOUNTS) if k % 7 or not P_BAD["p"] else "99999"  # every seventh above its total
        rows.append([str(k + 1), names[k], codes[k], pick(rng, NATURES), rng.choice(UNITS), "5000",
                     pick(rng, AMOUNTS), done, pick(rng, STARTED), pick(rng, DATES),
                     rng.choice(["主体施工", "—", None, "竣工"]),
                     pick(rng, (["2023-11-06 00:00:00", "2023.11.6", None], ["上周"])),
                     pick(rng, REGISTERED), pick(rng, REGISTERED_ON)])
    rows.append(["备注：本表由各责任单位填报"])
    rows.append([None, "填表人：张三"])
    return rows


def _register_rows(rng: random.Random, names: list[str], codes: list) -> list[list]:
    rows = [["2023年政府投资项目清单"], ["单位：万元"],
            ["序号", "项目名称", "项目代码", "建设性质", "责任单位", "总投资", "年度计划投资", "一季度", "二季度", "三季度",
             "四季度", "计划开工时间", "行业领域", "是否入库", "入库时间"],
            ["合计", None, None, None, None, "88888"] if P_BAD["p"] else ["合计"]]
    for k in range(N):
        q = [rng.choice(["100", "200", None]) for _ in range(4)] if k % 5 else [None] * 4
        rows.append([str(k + 1), names[k], codes[k], pick(rng, NATURES), rng.choice(UNITS), pick(rng, AMOUNTS),
                     rng.choice(["400", "500", "1200", None]) if k % 5 else None, *q, pick(rng, DATES),
                     rng.choice(["交通", " 能源 ", "—", None]), pick(rng, REGISTERED), pick(rng, REGISTERED_ON)])
    return rows


def _workbooks(tmp_path, p_bad: float) -> list:
    P_BAD["p"] = p_bad
    rng = random.Random(8)
    names = [rng.choice(NAMES).format(k % 350) for k in range(N)]  # some names twice, with other codes
    codes = [pick(rng, CODES) for _ in range(N)]
    codes = [c.format(k) if isinstance(c, str) and "{" in c else c for k, c in enumerate(codes)]
    if p_bad:
        names[-1], codes[-1] = names[0], codes[0]  # the same project twice in each sheet
    paths = [write_workbook(tmp_path / "2023年政府投资项目清单.xlsx", {"政府投资项目": _register_rows(rng, names, codes)})]
    for month in (9, 10):
        paths.append(write_workbook(tmp_path / f"2023年1-{month}月政府投资项目调度表.xlsx",
                                    {f"{month}月": _progress_rows(rng, month, names, codes)}))
    return paths


@pytest.fixture
def messy_workbooks(tmp_path):
    return _workbooks(tmp_path, 0.03)


def _load(paths, min_rows: int, monkeypatch):
    monkeypatch.setattr(fastpath, "MIN_ROWS", min_rows)
    return load_workbooks(paths, year=2023)


def test_fast_path_gives_what_the_row_readers_give(messy_workbooks, monkeypatch):
    fast = _load(messy_workbooks, 300, monkeypatch)
    slow = _load(messy_workbooks, 10**9, monkeypatch)
    for table in ("projects", "memberships", "progress", "problems"):
        a, b = getattr(fast, table), getattr(slow, table)
        assert a.schema == b.schema and a.equals(b), table
    assert [s.as_json() for s in fast.sheets] == [s.as_json() for s in slow.sheets]
    assert [(s.errors, s.warnings) for s in fast.sheets] == [(s.errors, s.warnings) for s in slow.sheets]
    # the workbooks are as messy as intended: many kinds of problem, each with its row
    codes = set(slow.problems["code"].to_list())
    assert {"amount_not_number", "amount_negative", "date_not_understood", "started_not_understood",
            "nature_not_understood", "code_format", "duplicate_project", "completed_above_total",
            "quarters_mismatch", "annual_above_total", "nature_conflict", "registered_not_understood"} <= codes
    assert slow.problems.filter(code="amount_not_number")["row"].null_count() == 0


def test_fast_path_readable_cells_load_the_same(tmp_path, monkeypatch):
    """Every cell readable (in all the forms offices type): the sheets load, and the loaded frames are
    the same whichever path read them."""
    paths = _workbooks(tmp_path, 0.0)
    fast = _load(paths, 300, monkeypatch)
    slow = _load(paths, 10**9, monkeypatch)
    # the register and 1-9月 load; 1-10月 (random figures) has cumulative figures below 1-9月's: rejected
    assert fast.memberships.height == N and fast.progress.height == N
    assert fast.problems.filter(severity="error")["code"].unique().to_list() == ["cumulative_falling"]
    for table in ("projects", "memberships", "progress", "problems"):
        a, b = getattr(fast, table), getattr(slow, table)
        assert a.schema == b.schema and a.equals(b), table
    assert [s.as_json() for s in fast.sheets] == [s.as_json() for s in slow.sheets]


def test_fast_path_clean_sheets_load(tmp_path, monkeypatch):
    """Clean long sheets: every row on the fast path, nothing reported, same result as row by row."""
    names = [f"嘉峪关市{k}号项目（一期）" for k in range(N)]
    codes = [f"2301-620200-04-01-{k:06d}" for k in range(N)]
    rows = [["2023年1-10月政府投资项目建设进度调度表"], ["单位：万元"],
            ["序号", "项目名称", "项目代码", "建设性质", "总投资", "1-10月完成投资", "开工时间"]]
    # every project 1000 万元 total, 100.5 done: the 合计 is not written (nothing to check)
    rows += [[str(k + 1), names[k], codes[k], "续建", "1000", "100.5", "2023-03-01 00:00:00"] for k in range(N)]
    path = write_workbook(tmp_path / "调度.xlsx", {"10月": rows})
    fast = _load([path], 300, monkeypatch)
    slow = _load([path], 10**9, monkeypatch)
    assert fast.progress.equals(slow.progress) and fast.projects.equals(slow.projects)
    assert fast.progress.height == N
    assert fast.progress["completed_ytd_wan"].sum() == pytest.approx(100.5 * N)  # 400 × 100.5 = 40,200
    assert fast.progress["start_date"].unique().to_list() == [dt.date(2023, 3, 1)]
    assert fast.problems.height == slow.problems.height == 0


def test_fast_path_with_office_rows(tmp_path, monkeypatch):
    """Long sheets with what offices add (issue 12): hidden project rows, a project over two merged
    rows, sections in 续建类/开工类 wording, footers: both readers give the same frames, problems and
    reports."""
    import openpyxl

    rows = [["2023年1-9月政府投资项目建设进度调度表"], ["单位：万元"],
            ["序号", "项目名称", "建设性质", "总投资", "年度计划投资", "1-9月完成投资", "形象进度", "是否入库"]]
    merges, hidden = [], []
    for k in range(N):
        if k in (0, N // 2):
            rows.append(["一、续建类项目" if k == 0 else "二、开工类项目"])
        rows.append([str(k + 1), f"嘉峪关市{k}号项目", None, "1000", "300", "120.5", "施工", "已入库" if k % 3 else "否"])
        if k == 7:  # the project of row len(rows) goes on over the next row (名称 and 序号 merged down)
            r = len(rows)
            rows.append([None, None, None, None, None, None, "（续）二期"])
            merges += [f"A{r}:A{r + 1}", f"B{r}:B{r + 1}"]
        if k % 97 == 5:
            hidden.append((len(rows), k >= N // 2))
    rows.append(["填报单位（盖章）：市住建局    填报人：张三    联系电话：0937-1234567"])
    path = tmp_path / "调度.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "9月"
    for r, row in enumerate(rows, 1):
        for c, v in enumerate(row, 1):
            if v is not None:
                ws.cell(r, c, v)
    for m in merges:
        ws.merge_cells(m)
    for r, _ in hidden:
        ws.row_dimensions[r].hidden = True
    wb.save(path)
    fast = _load([path], 300, monkeypatch)
    slow = _load([path], 10**9, monkeypatch)
    for table in ("projects", "memberships", "progress", "problems"):
        a, b = getattr(fast, table), getattr(slow, table)
        assert a.schema == b.schema and a.equals(b), table
    assert [s.as_json() for s in fast.sheets] == [s.as_json() for s in slow.sheets]
    assert not fast.has_errors, fast.problems["message"].to_list()
    assert fast.progress.height == N - len(hidden)  # hidden rows are not loaded
    assert fast.problems.filter(code="hidden_rows").height == 1
    assert fast.sheets[0].by_nature["new"]["projects"] == N - N // 2 - sum(1 for _, new in hidden if new)
    continued = fast.progress.filter(source_row=12)
    assert continued["image_progress"].to_list() == ["施工；（续）二期"]


def test_equal_columns_read_once_but_only_when_equal():
    """fastpath.memo_column (issue 18): an equal column (values, nulls, dtype, order) gives back the
    earlier result; any difference reads it again."""
    import polars as pl

    fastpath.clear_memo()
    calls = []

    def read(s):
        calls.append(s.to_list())
        return s.to_list()

    base = pl.Series(["甲", None, "乙", "丙"] * 100)
    first = fastpath.memo_column("t", base, lambda: read(base))
    assert fastpath.memo_column("t", base.clone(), lambda: read(base)) is first and len(calls) == 1
    for other in (base.clone().scatter([200], "丁"), base.clone().scatter([1], "甲"), base.slice(1),
                  base.cast(pl.Categorical)):
        fastpath.memo_column("t", other, lambda o=other: read(o))
    assert len(calls) == 5
    assert fastpath.memo_column("u", base, lambda: read(base)) is not first  # another reading: its own
    fastpath.clear_memo()


def test_same_cells_in_another_unit_are_not_taken_from_the_memo(tmp_path, monkeypatch):
    """Two months whose amount columns are the same text, one in 万元 and one in 亿元: the memo of
    equal columns is per unit (and per year for dates): the 亿元 month reads 10,000 times as much."""
    names = [f"嘉峪关市{k}号项目（一期）" for k in range(N)]
    codes = [f"2301-620200-04-01-{k:06d}" for k in range(N)]
    paths = []
    for month, unit in ((9, "万元"), (10, "亿元")):
        rows = [[f"2023年1-{month}月政府投资项目建设进度调度表"], [f"单位：{unit}"],
                ["序号", "项目名称", "项目代码", "建设性质", "总投资", f"1-{month}月完成投资", "开工时间"]]
        rows += [[str(k + 1), names[k], codes[k], "续建", "1000", "0.5", "2023-03-01 00:00:00"] for k in range(N)]
        paths.append(write_workbook(tmp_path / f"2023年1-{month}月调度.xlsx", {f"{month}月": rows}))
    fast = _load(paths, 300, monkeypatch)
    slow = _load(paths, 10**9, monkeypatch)
    assert fast.progress.equals(slow.progress) and fast.problems.equals(slow.problems)
    done = fast.progress.group_by("period").agg(pl_sum("completed_ytd_wan")).sort("period")["completed_ytd_wan"]
    assert done.to_list() == [pytest.approx(0.5 * N), pytest.approx(5000 * N)]


def pl_sum(col: str):
    import polars as pl

    return pl.col(col).sum()
