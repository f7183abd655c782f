"""Cell values as offices type them, and header texts as they write them."""

from __future__ import annotations

import datetime as dt

import pytest

from jygproj.io.cells import CellError, column_letter, parse_date, parse_number, parse_started
from jygproj.io.headers import classify, find_header
from jygproj.io.names import approval_year, normalise_name
from jygproj.io.recognise import kind_from_text, list_from_text, period_from_text


@pytest.mark.parametrize("text, value", [
    ("12345.6", 12345.6), ("12,345.6", 12345.6), ("１２，３４５．６", 12345.6), (" 1 234 ", 1234.0),
    ("５０００", 5000.0), ("-", None), ("—", None), ("——", None), ("/", None), ("", None), (None, None),
    ("一", None), ("0", 0.0), ("1e3", 1000.0), ("¥500", 500.0),
])
def test_numbers(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["约500", "待定", "1千", "12..5", "#DIV/0!", "5万元"])
def test_not_numbers(text):
    with pytest.raises(CellError):
        parse_number(text)


@pytest.mark.parametrize("text, value", [
    ("2023-04-15 00:00:00", dt.date(2023, 4, 15)),  # an Excel date, as calamine gives it
    ("2023-04-15", dt.date(2023, 4, 15)), ("2023/4/15", dt.date(2023, 4, 15)), ("2023.4.15", dt.date(2023, 4, 15)),
    ("2023年4月15日", dt.date(2023, 4, 15)), ("2023年3月", dt.date(2023, 3, 1)), ("2023-04", dt.date(2023, 4, 1)),
    ("2023.4", dt.date(2023, 4, 1)), ("3月中旬", dt.date(2023, 3, 11)), ("3月下旬", dt.date(2023, 3, 21)),
    ("2023年3月底", dt.date(2023, 3, 31)), ("4月", dt.date(2023, 4, 1)), ("45031", dt.date(2023, 4, 15)),
    ("20230415", dt.date(2023, 4, 15)), ("待定", None), ("—", None), ("2023年下半年", dt.date(2023, 7, 1)),
])
def test_dates(text, value):
    assert parse_date(text, default_year=2023) == value


@pytest.mark.parametrize("text", ["明年", "2023.13.5", "2023-02-30", "上个月"])
def test_not_dates(text):
    with pytest.raises(CellError):
        parse_date(text, default_year=2023)


def test_started_words():
    assert parse_started("已开工") == (True, None)
    assert parse_started("已复工") == (True, True)
    assert parse_started("未开工") == (False, None)
    assert parse_started("否") == (False, None)
    assert parse_started(None) == (None, None)
    with pytest.raises(CellError):
        parse_started("也许")


def test_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]


@pytest.mark.parametrize("text, group, field", [
    ("总投资\n（万元）", None, "total_investment"), ("计划总投资", None, "total_investment"),
    ("项目总投资(亿元)", None, "total_investment"), ("合计", "年度计划投资", "annual_plan"),
    ("一季度", "年度计划投资", "q1_plan"), ("四季度", "2023年计划投资", "q4_plan"),
    ("2023年计划投资", None, "annual_plan"), ("完成投资", "1-10月", "completed_ytd"),
    ("1-10月累计完成投资", None, "completed_ytd"), ("1-9月完成投资", None, "completed_ytd"),
    ("国家代码", None, "code"), ("项目编码", None, "code"), ("业主单位", None, "owner"),
    ("主管部门", None, "responsible_unit"), ("市级包抓领导", None, "leader"), ("所属行业", None, "sector"),
    ("大提速目标", None, "stretch_plan"), ("计划开工年月", None, "planned_start"),
    ("实际开工时间", None, "start_date"), ("开工情况", None, "started"), ("所属清单", None, "list"),
    ("2022年累计完成（可比口径）", None, "cumulative"), ("2023年累计增速（%）", None, "growth_pct"),
])
def test_header_synonyms(text, group, field):
    assert classify(text, group)[0] == field


def test_two_row_header_found():
    rows = [("2023年政府投资项目计划清单", None, None, None), (None, None, None, "单位：万元"),
            ("序号", "项目名称", "年度计划投资", None), (None, None, "合计", "一季度"), (1, "甲", 10, 2)]
    h = find_header(rows)
    assert (h.first_row, h.last_row) == (2, 3)
    assert [c.field for c in h.columns] == ["seq", "name", "annual_plan", "q1_plan"]


def test_recognition_from_names_and_titles():
    assert kind_from_text("Sheet1", "2023年1-10月政府投资项目建设进度调度表") == "progress"
    assert kind_from_text("政府投资项目", "2023年嘉峪关市政府投资项目计划清单") == "register"
    assert kind_from_text("固定资产投资基数", None) == "baseline"
    assert kind_from_text("储备项目库", None) == "reserve"
    assert list_from_text("全省重点投资项目（亿元以上）") == "provincial_key"
    assert list_from_text("2023年嘉峪关市省列重大项目") == "provincial_major"
    assert list_from_text("房地产开发项目") == "real_estate"
    assert period_from_text("2023年1-10月政府投资项目建设进度调度表", 2023).period == "2023-10"
    assert period_from_text("2023年政府投资项目周调度表（第43周 10月23日-10月29日）", 2023).period == "2023-W43"
    assert period_from_text("10月调度", 2023).period == "2023-10"


def test_identity_helpers():
    assert approval_year("2301-620200-04-01-123456") == 2023
    assert approval_year("abc") is None
    assert normalise_name(" 嘉峪关市 XX 项目（一期） ") == normalise_name("嘉峪关市XX项目(一期)")


def test_start_words_offices_write():
    # issue 12: a start word with a note in brackets, a date followed by 开工
    from jygproj.io.cells import parse_date_or_word

    assert parse_started("已开工（2023.3）") == (True, None)
    assert parse_started("已复工(4月)") == (True, True)
    assert parse_started("已开复工") == (True, None) and parse_started("未开（复）工") == (False, None)
    assert parse_date_or_word("2023年3月开工", 2023) == (dt.date(2023, 3, 1), True)
    assert parse_date_or_word("3月中旬开工", 2023) == (dt.date(2023, 3, 11), True)


@pytest.mark.parametrize("path, field, month", [
    # issue 12, point 1: the field from the whole header path, qualifiers kept as meaning
    (("2023年计划", "投资"), "annual_plan", None), (("2023年计划", "主要建设内容"), "content", None),
    (("本年度计划投资及资金来源", "合计"), "annual_plan", None), (("本年度计划投资及资金来源", "中央预算内"), "funding_part", None),
    (("2023年1-9月", "完成投资"), "completed_ytd", 9), (("2023年1-9月", "其中：9月份"), "period_completed", 9),
    (("2023年1-9月", "占年度计划比例"), "completion_rate", None), (("9月份完成投资",), "period_completed", 9),
    (("1-9月累计完成投资",), "completed_ytd", 9), (("本年累计完成投资",), "completed_ytd", None),
    (("截至9月底本年累计完成投资",), "completed_ytd", 9), (("年初至报告期累计完成投资（万元）",), "completed_ytd", None),
    (("自元月至本月完成投资（万元）",), "completed_ytd", None), (("开工以来累计完成投资",), "since_start", None),
    (("开工至本月底累计完成投资",), "since_start", None), (("至今累计完成投资",), "since_start", None),
    (("截止上年底累计完成投资",), "prior_years", None), (("到上年底",), "prior_years", None),
    (("四、自开工至本月底累计完成情况", "完成投资（万元）"), "since_start", None),
    (("二、本年元月至本月完成情况", "完成投资（万元）"), "completed_ytd", None),
    (("三、本月进展情况", "本月完成投资（万元）"), "period_completed", None),
    (("2021年1-3月完成投资", "绝对值"), "completed_ytd", 3), (("2021年1-3月完成投资", "单月完成数"), "period_completed", None),
    (("2023年计划投资", "调整后"), "annual_plan", None), (("年度计划投资（调整前）",), "annual_plan", None),
    (("总投资额（万元）",), "total_investment", None), (("当年计划投资",), "annual_plan", None),
    (("已完成投资",), "prior_years", None), (("项目（法人）单位",), "owner", None), (("县级领导",), "leader", None),
    (("委内责任处室",), "responsible_unit", None), (("是否开复工",), "started", None),
    (("开工/计划开工时间",), "start_or_planned", None), (("纳入情况",), "registered", None),
    (("项目名称*",), "name", None), (("占总投资（%）",), None, None),
])
def test_header_paths(path, field, month):
    from jygproj.io.headers import classify_path

    f, m, _ = classify_path(tuple(path))
    assert (f, m) == (field, month)
