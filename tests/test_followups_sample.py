"""`jygproj quarterly 2023Q3` on the embedded sample and its Q2 replies (督办反馈/): the follow-up ledger
in every output — the report's section, the Excel sheets, the letters and their reply forms,
summary.json — with items in all four statuses and their history."""

from __future__ import annotations

import json
import shutil

import docx
import openpyxl
import polars as pl
import pytest

from jygproj import catalogue, cli, paths
from jygproj.io.followup_books import read_followup_books

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    base = tmp_path_factory.mktemp("followups")
    data = base / "2023"
    shutil.copytree(paths.SAMPLE_2023, data)
    out = base / "2023Q3"
    assert cli.main(["quarterly", "2023Q3", "--data", str(data), "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    wb = openpyxl.load_workbook(out / "2023Q3_季度考核.xlsx")
    return out, summary, wb, data


def _sheet(wb, name: str) -> list[dict]:
    rows = list(wb[name].iter_rows(values_only=True))
    at = next(i for i, r in enumerate(rows) if r[0] in ("督办编号", "责任单位", "来源文件"))  # under title and unit line
    header, rows = rows[at], rows[at:]
    # data rows only: not the 合计 row, nor the notes written under the table (column A alone)
    return [dict(zip(header, r)) for r in rows[1:] if r[0] and r[0] != "合计" and any(v is not None for v in r[1:])]


def test_summary_counts_the_items_by_status(run):
    _, summary, wb, _ = run
    f = summary["followups"]
    assert {"open", "overdue", "closed", "unanswered"} <= set(f)
    items = _sheet(wb, "督办台账")
    statuses = [r["状态"] for r in items]
    assert set(statuses) == {"待反馈", "整改中", "已销号", "逾期未反馈"}  # all four
    assert f["items"] == len(items)
    assert f["open"] == len(items) - statuses.count("已销号") and f["closed"] == statuses.count("已销号")
    assert f["unanswered"] == statuses.count("逾期未反馈") > 0 and f["overdue"] >= 1
    assert f["reviews"] == ["2023Q1", "2023Q2", "2023Q3"] and f["problems"] == {"errors": 0, "warnings": 0}
    # attention first: not answered, then promises broken, then awaiting, in progress, closed
    order = ["逾期未反馈", "承诺逾期", "待反馈", "整改中", "已销号"]
    ranks = [order.index("承诺逾期" if r["承诺期限已过未整改"] == "是" and r["状态"] == "整改中" else r["状态"]) for r in items]
    assert ranks == sorted(ranks)


def test_a_red_project_turned_yellow_after_its_reply_shows_as_improved_with_the_reply(run):
    _, _, wb, _ = run
    (row,) = [r for r in _sheet(wb, "督办台账") if r["项目名称"] == "同创特钢年产30万吨合金钢棒材项目"]
    assert (row["状态"], row["提出时预警"], row["当前预警"], row["变化"]) == ("整改中", "红色预警", "黄色预警", "好转")
    assert row["整改措施（单位填报）"].startswith("专班驻场推进")  # its latest (second) reply, beside it
    assert row["责任人"] and row["承诺完成时间"] and "共2次" in row["反馈情况"]
    assert row["来源文件"] == "督办反馈/2023年二季度提醒函整改反馈表_市工信局（补充）（样例数据）.xlsx"


def test_a_promise_passed_with_no_change_shows_as_overdue(run):
    _, _, wb, _ = run
    overdue = [r for r in _sheet(wb, "督办台账") if r["承诺期限已过未整改"] == "是"]
    assert overdue and all(r["状态"] == "整改中" and r["当前预警"] == "红色预警" and r["变化"] == "未好转"
                           for r in overdue)
    assert all(r["承诺完成时间"] < r["反馈截止日期"] for r in overdue)  # promised before this review's letter


def test_the_missing_reply_the_late_one_and_both_closures(run):
    _, _, wb, _ = run
    items = _sheet(wb, "督办台账")
    unanswered = {r["责任单位"] for r in items if r["状态"] == "逾期未反馈"}
    assert unanswered == {"市教育局"}  # the one unit that never replied
    late = [r for r in items if r["反馈情况"] and r["反馈情况"].startswith("逾期")]
    assert {r["责任单位"] for r in late} == {"大景区管委会(丝路长城文化研究院)"}
    closed = {r["项目名称"]: r for r in items if r["状态"] == "已销号"}
    assert closed["同创光伏组件边框及支架制造项目"]["销号方式"] == "数据显示问题消除"
    by_hand = closed["鑫源风光储一体化200万千瓦项目"]
    assert by_hand["销号方式"] == "分析人员销号" and "现场核实" in by_hand["销号理由"]


def test_every_item_has_its_history(run):
    _, _, wb, _ = run
    items = _sheet(wb, "督办台账")
    history = _sheet(wb, "督办记录")
    assert {r["督办编号"] for r in items} == {r["督办编号"] for r in history}
    improved = next(r["督办编号"] for r in items if r["项目名称"] == "同创特钢年产30万吨合金钢棒材项目")
    events = [r["事件"] for r in history if r["督办编号"] == improved]
    assert events == ["提出", "单位反馈", "单位反馈", "复查"]
    units = _sheet(wb, "分单位督办")
    assert sum(r["在办事项"] for r in units) == sum(1 for r in items if r["状态"] != "已销号")
    assert any(r["单位反馈（原文摘录）"] for r in units)


def test_letters_cite_item_ids_and_the_previous_letter_and_carry_their_reply_form(run):
    out, summary, _, _ = run
    letters = sorted((out / "letters").glob("提醒函_*.docx"))
    forms = sorted((out / "letters").glob("整改反馈表_*.xlsx"))
    assert len(letters) == len(forms) == summary["letters"]
    text = "\n".join(p.text for p in docx.Document(out / "letters" / "提醒函_市教育局.docx").paragraphs)
    assert "督办编号：2023-2-" in text and "2023年8月10日提醒函中指出" in text and "未按期反馈" in text
    assert "随函所附《关于加快推进项目建设进度的提醒函整改落实情况反馈表》" in text
    # the form sent with the letter lists the unit's open items and reads back through the front door
    books = read_followup_books([out / "letters" / "整改反馈表_市教育局.xlsx"])
    sheet = next(s for s in books.sheets if s.kind == "reply")
    assert sheet.kind == "reply" and books.replies.is_empty()
    ws = openpyxl.load_workbook(out / "letters" / "整改反馈表_市教育局.xlsx")["整改反馈"]
    assert ws["A2"].value == "反馈单位：市教育局" and "2023年11月25日前" in ws["A3"].value
    blank = books.problems.filter(pl.col("code") == "reply_row_blank")["message"].item()
    assert "2023-2-" in blank


def test_the_report_has_the_section_and_the_sources_list_the_replies(run):
    out, _, wb, data = run
    html = (out / "2023Q3_季度考核.html").read_text(encoding="utf-8")
    assert "九、督办台账" in html and "逾期未反馈" in html
    sources = _sheet(wb, "数据来源")
    replies = [r for r in sources if str(r["来源文件"]).startswith("督办反馈/")]
    assert len({r["来源文件"] for r in replies}) == 14  # every reply form and the closure record, hashed
    assert {r["数据表"] for r in replies} == {"整改反馈", "销号记录"}
    for r in replies:
        assert r["文件校验值"] == catalogue.sha256_file(data / r["来源文件"])


def test_a_unit_report_shows_the_same_ids(run):
    out, _, wb, data = run
    assert cli.main(["quarterly", "2023Q3", "--data", str(data), "--out", str(out), "--unit", "市工信局"]) == 0
    unit = openpyxl.load_workbook(out / "units" / "市工信局" / "2023Q3_季度考核_市工信局.xlsx")
    city = {r["督办编号"]: r["状态"] for r in _sheet(wb, "督办台账") if r["责任单位"] == "市工信局"}
    assert {r["督办编号"]: r["状态"] for r in _sheet(unit, "督办台账")} == city


def test_the_closure_template_lists_every_open_item_and_closes_nothing_as_it_is(run):
    out, summary, _, _ = run
    books = read_followup_books([out / "letters" / "督办销号记录（2023Q3模板）.xlsx"])
    sheet = next(s for s in books.sheets if s.kind == "closure")
    assert books.closures.is_empty() and books.problems.is_empty()
    assert sheet.rows["structure"] == 3 + summary["followups"]["open"]  # title, note, header + one row per item


def test_a_broken_cell_in_a_returned_form_is_located_in_the_review_and_the_reply_still_counts(tmp_path):
    import jygproj

    data = tmp_path / "2023"
    shutil.copytree(paths.SAMPLE_2023, data)
    form = next((data / "督办反馈").glob("*市住建局*.xlsx"))
    wb = openpyxl.load_workbook(form)
    ws = wb["整改反馈"]
    row = next(r for r in range(6, ws.max_row + 1) if ws.cell(r, 3).value == "城区集中供热管网改造（南湖路段）项目")
    ws.cell(row, 8).value = "九月底"  # the promised date in words
    wb.save(form)
    review = jygproj.open(data, as_of="2023-10").quarterly(3)
    (p,) = review.followups.problems.filter(pl.col("severity") == "error").iter_rows(named=True)
    assert (p["code"], p["sheet"], p["row"], p["column"], p["value"]) == ("date_not_understood", "整改反馈", row, "H", "九月底")
    assert review.summary["followups"]["problems"]["errors"] == 1
    assert review.text["followups"].startswith("**注意：督办反馈表或销号记录中有 1 处错误")
    item = review.followups.items.filter(pl.col("name") == "城区集中供热管网改造（南湖路段）项目").row(0, named=True)
    assert item["status"] == "in_progress" and item["measures"].startswith("倒排工期")  # nothing lost
    assert item["promised_on"] is None and not item["overdue"]  # the date unknown, so no promise to break
