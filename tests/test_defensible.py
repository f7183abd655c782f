"""Issue 13, what the report must show: `jygproj quarterly 2023Q3` on the sample — the plan's
requirements only (practice apart), the 观摩 list without a red or yellow project, the Excel 合计 row
in real percentages, tables that agree or say their basis, one cut-off, cross-list problems naming
both cells, and the publish gate without the 1-8月 correction file (quarterly, reserve, scenario)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import openpyxl
import pytest

from jygproj import cli, paths

pytestmark = pytest.mark.slow
SAMPLE = paths.SAMPLE_2023
CORRECTION = "2023年1-8月产业投资项目调度表（更正）（样例数据）.xlsx"


def _sheet(book: Path, name: str) -> list[dict]:
    """A sheet's rows by header (the header is row 3, or row 2 on a sheet without a unit line); the
    notes under the table are not rows."""
    ws = openpyxl.load_workbook(book, data_only=True)[name]
    rows = list(ws.iter_rows(values_only=True))
    h = 2 if any(isinstance(v, str) and v.startswith("单位：") for v in rows[1]) else 1
    header = rows[h]
    return [dict(zip(header, r)) for r in rows[h + 1:] if sum(v is not None for v in r) > 1]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    base = tmp_path_factory.mktemp("defensible")
    shutil.copytree(SAMPLE, base / "sample")
    out = base / "2023Q3"
    assert cli.main(["quarterly", "2023Q3", "--data", str(base / "sample"), "--out", str(out)]) == 0
    return out, json.loads((out / "summary.json").read_text(encoding="utf-8")), next(out.glob("*.xlsx"))


def test_summary_lists_each_requirement_the_plan_sets_and_practice_apart(run):
    _, s, _ = run
    items = s["requirements"]["items"]
    keys = {"list", "period", "requirement", "clause", "threshold", "value", "met"}
    assert items and all(keys <= set(i) for i in items)
    # 100 % quarterly rates only for the 44 key projects (二(二)); the package's quarters are 二(三); no
    # quarterly requirement for the provincial major, government or enterprise lists
    quarterly = {(i["list"], i["clause"]) for i in items if i["period"] in ("Q1", "Q2", "Q3", "Q4")
                 and i["requirement_id"].endswith("_quarterly")}
    assert quarterly == {("provincial_key", "二(二)"), ("leader_package", "二(三)")}
    by_id = {i["requirement_id"]: i for i in items}
    assert by_id["enterprise_annual"]["threshold"] == 80 and by_id["enterprise_annual"]["period"] == "Year"
    assert by_id["enterprise_new_start"]["threshold"] == 85 and by_id["enterprise_new_start"]["clause"] == "二(五)"
    # 二(四): 力争一季度开工 is no deadline, the end of June is; 一季度全部复工 only for the 17 key projects
    assert by_id["government_new_q1"]["strive"] and not by_id["government_new_june"]["strive"]
    assert by_id["government_new_june"]["period"] == "2023-06"
    assert by_id["key_resumption"]["period"] == "Q1"
    assert {i["period"] for i in items if i["requirement_id"] in
            ("government_resumption", "enterprise_resumption", "package_resumption")} == {"Year"}
    # a quarter under way is not judged
    assert all(i["met"] is None for i in items if i["period"] == "Q4")
    # the counts are of the plan's binding requirements only
    failed = [i for i in items if i["final"] and i["met"] is False and not i["strive"]]
    assert s["requirements"]["failed"] == len(failed)
    practice = s["requirements"]["practice"]
    assert practice and all("met" not in p for p in practice)
    assert all(p["source"] for p in practice)


def test_the_observation_list_recommends_no_red_or_yellow_project(run):
    _, s, book = run
    rec = s["ranking"]["recommended"]
    assert rec and all({"project_id", "name", "list", "level"} <= set(r) for r in rec)
    assert all(r["level"] in (None, "blue") for r in rec)
    # 嘉信雄关府 (red, 48.6 %) and 恒丰·雄关府 (red, 34.0 %) were "top 10" of a 7-project list
    assert not any(n in r["name"] for r in rec for n in ("嘉信雄关府", "恒丰·雄关府"))
    rows = _sheet(book, "观摩评比")
    assert not any(r.get("预警等级") in ("红色预警", "黄色预警") for r in rows)


def test_the_excel_total_of_the_units_table_is_a_real_percentage(run):
    _, _, book = run
    ws = openpyxl.load_workbook(book)["分责任单位完成"]
    header = [c.value for c in ws[3]]
    total = next(r for r in ws.iter_rows(min_row=4) if r[0].value == "合计")
    cell = {h: c for h, c in zip(header, total)}
    body = [dict(zip(header, (c.value for c in r))) for r in ws.iter_rows(min_row=4) if r[0].value not in (None, "合计")]
    done = sum(r["完成投资（万元）"] or 0 for r in body)
    assert cell["完成率（%）"].value == pytest.approx(done / sum(r["计划投资（万元）"] or 0 for r in body) * 100)
    assert cell["年度计划完成率（%）"].value == pytest.approx(done / sum(r["年度计划投资（万元）"] or 0 for r in body) * 100)
    assert 50 < cell["完成率（%）"].value < 100 and cell["完成率（%）"].number_format == '0.0"%"'


def test_tables_that_count_units_agree_and_start_rates_say_their_basis(run):
    _, s, book = run
    units = {r["责任单位"]: r for r in _sheet(book, "分责任单位完成")}
    support = {r["责任单位"]: r for r in _sheet(book, "优先支持单位")}
    for unit in ("市住建局", "工业园区管委会", "市体育局"):
        assert units[unit]["项目个数"] == support[unit]["项目个数"]
        assert units[unit]["完成投资（万元）"] == pytest.approx(support[unit]["累计完成投资（万元）"])
    # 全省重点 Q2: 100 % started by the evaluation date, 80 % within the quarter (the requirement's basis)
    rates = [r for r in _sheet(book, "新开工率") if r["清单/口径"] == "全省重点投资项目" and r["期间"] == "二季度"][0]
    req = [i for i in s["requirements"]["items"] if i["requirement_id"] == "key_new_starts" and i["period"] == "Q2"][0]
    assert rates["按期开工率（%）"] == pytest.approx(req["value"])
    assert rates["截至评估日开工率（%）"] >= rates["按期开工率（%）"]


def test_one_cut_off_the_latest_week_apart(run):
    _, s, book = run
    assert s["latest_weekly"]["periods"] == ["2023-W44"]
    weekly = _sheet(book, "最新周调度")
    assert weekly and {r["期间"] for r in weekly} == {"2023年第44周"}  # the ISO week in words
    detail = _sheet(book, "项目完成明细")
    assert {r["采用月份"] for r in detail if r["采用月份"]} <= set(range(2, 11))  # never a "month 11"
    # 兴盛片区: one figure in every table (the October table's)
    xs = [r for r in detail if r["项目名称"] == "工业园区兴盛片区道路及管网项目"]
    warn = [r for r in _sheet(book, "观摩评比") if r["项目名称"] == "工业园区兴盛片区道路及管网项目"]
    assert xs and warn and xs[0]["完成投资（万元）"] == pytest.approx(warn[0]["累计完成投资（万元）"])
    # (no weekly figure in a letter: test_oracle reads every letter against the workbooks)


def test_partial_quarter_and_plan_inconsistency_are_said(run):
    _, s, book = run
    rows = _sheet(book, "分清单完成情况")
    assert any(r["期间"] == "四季度（截至10月，未结束）" for r in rows)
    # and the chart beside that table names it the same way: its October is not a quarter a third done
    html = next(run[0].glob("*.html")).read_text(encoding="utf-8")
    chart = [svg for svg in re.findall(r"<svg.*?</svg>", html, re.S) if "分清单分季度计划" in svg]
    assert len(chart) == 1 and "（截至10月，未结束）" in chart[0] and "四季度" in chart[0]
    assert all("累计完成（万元）" in r for r in rows)
    q1 = [r for r in _sheet(book, "完成率考核") if r["考核要求"] == "全省重点新建项目季度投资完成率达到100%以上"
          and r["期间"] == "一季度"][0]
    assert "方案自身不一致" in q1["说明"] and q1["是否达标"] is None


def test_two_lists_reporting_different_figures_name_both_cells(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(SAMPLE, data)
    # 索通770MW光伏发电 is on 省列重大 and 产业: type another September figure on the 省列重大 table
    book = data / "2023年1-9月省列重大项目调度表（样例数据）.xlsx"
    wb = openpyxl.load_workbook(book)
    ws = wb.worksheets[0]
    row = next(r for r in ws.iter_rows() if r[1].value == "索通770MW光伏发电")
    row[7].value = (row[7].value or 0) + 1_000
    total = next(r for r in ws.iter_rows() if r[0].value == "合计")  # the table stays consistent
    total[7].value = (total[7].value or 0) + 1_000
    wb.save(book)
    out = tmp_path / "q"
    assert cli.main(["quarterly", "2023Q3", "--data", str(data), "--out", str(out)]) == 0
    s = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert s["cross_list_conflicts"] == 1
    problems = [r for r in _sheet(next(out.glob("*.xlsx")), "读取问题") if "不一致" in (r["说明"] or "")]
    (p,) = problems
    msg = p["说明"]
    assert "索通770MW光伏发电" in msg and "[cross_list_conflict]" not in msg  # readers see Chinese only (issue 15)
    assert "2023年1-9月省列重大项目调度表" in msg and "2023年1-9月产业投资项目调度表" in msg
    assert re.search(r"第\d+行H列", msg) and p["列"] == "H"


@pytest.fixture(scope="module")
def no_correction(tmp_path_factory):
    data = tmp_path_factory.mktemp("nocorr") / "data"
    shutil.copytree(SAMPLE, data)
    (data / CORRECTION).unlink()
    return data


def test_without_the_correction_file_quarterly_refuses_naming_the_bad_cell(no_correction, tmp_path, capsys):
    out = tmp_path / "q"
    assert cli.main(["quarterly", "2023Q3", "--data", str(no_correction), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "[input_errors]" in err and "--allow-errors" in err
    # the suspicious 1-8月 cell is named (50560 for 5056), not the correct 1-9月 sheet
    assert "《2023年1-8月产业投资项目调度表（样例数据）.xlsx》工作表“8月调度”第51行H列" in err and "50560" in err
    assert "《2023年1-9月产业投资项目调度表（样例数据）.xlsx》工作表“9月调度”第" not in err
    assert not out.exists()


def test_with_allow_errors_the_first_screen_says_which_sheet_was_left_out(no_correction, tmp_path, capsys):
    out = tmp_path / "q"
    assert cli.main(["quarterly", "2023Q3", "--data", str(no_correction), "--out", str(out), "--allow-errors"]) == 0
    s = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    (left,) = s["inputs"]["left_out"]
    assert (left["file"], left["sheet"], left["rows_left_out"]) == ("2023年1-8月产业投资项目调度表（样例数据）.xlsx",
                                                                    "8月调度", 105)
    html = next(out.glob("*.html")).read_text(encoding="utf-8")
    box = html.index("以下工作表未载入")
    assert box < html.index("一、核心指标") and box < html.index("数据截至")
    assert "未载入 105 行" in html[box:box + 2000]
    # the correct 1-9月 sheet is kept: industrial Q3 is what it is with the correction file
    assert s["completion"]["industrial"]["Q3"]["rate_pct"] == pytest.approx(91.25, abs=0.01)


def test_reserve_and_scenario_refuse_too(no_correction, tmp_path, capsys):
    assert cli.main(["reserve", "--data", str(no_correction), "--out", str(tmp_path / "r")]) == 1
    assert "[input_errors]" in capsys.readouterr().err and not (tmp_path / "r").exists()
    assert cli.main(["scenario", "--data", str(no_correction), "--draws", "0"]) == 1
    assert "[input_errors]" in capsys.readouterr().out
    assert cli.main(["scenario", "--data", str(no_correction), "--draws", "0", "--allow-errors"]) == 0
    first = capsys.readouterr().out.splitlines()
    assert "未载入" in first[0] and "8月调度" in first[1]
