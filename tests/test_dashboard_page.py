"""The dashboard page's figures (jygproj.scenario.needs, jygproj.scenario.ui) on the embedded sample:
one sign convention, each lever's effect in 亿元, what it would take (the pace found closes the gap),
the searchable picker, the sample banner, and a first screen without program words.

The browser end of the same page is tests/test_dashboard_browser.py."""

from __future__ import annotations

import re

import pytest

import jygproj
from jygproj import paths
from jygproj.scenario import needs
from jygproj.scenario.levers import PACE_LISTS
from jygproj.scenario.ui import SAMPLE_BANNER, build_planner_ui


@pytest.fixture(scope="module")
def page():
    if not any(paths.SAMPLE_2023.glob("*.xlsx")):
        pytest.skip("data/sample/2023 not generated yet")
    wb = jygproj.open()
    planner = wb.planner(draws=200)
    return build_planner_ui(planner, workbench=wb)


def test_one_sign_convention():
    assert needs.gap_words(-35_800) == "差 3.58亿元" and needs.gap_words(5_350) == "超 0.54亿元"
    assert needs.gap_words(20) == "持平"
    assert needs.signed_yi(8_500) == "+0.85亿元" and needs.signed_yi(-3_000) == "−0.30亿元"


def test_headline_and_tables_say_short_the_same_way(page):
    text = re.sub("<[^>]+>", " ", page.headline.value + page.tornado.value)
    margin = page.result.outcome.headline.margin_wan
    assert needs.gap_words(margin) in text
    assert not re.search(r"(?<![\d月])[-−]\d", text)  # no bare negative number for a shortfall (1-11月 is a span)


def test_each_lever_effect_is_in_yi_and_adds_up(page):
    t = page.planner.goal.target_month
    before = page.result.outcome.headline.projected_wan
    page.controls["pace.provincial_major"].value = 1.5
    try:
        after = page.result.outcome.headline.projected_wan
        effect = needs.lever_effects_wan(page.planner.model, page.result.levers, t)["pace.provincial_major"]
        assert effect == pytest.approx(after - before, rel=1e-9)
        assert page.effects["pace.provincial_major"].value.count(needs.signed_yi(effect)) == 1
        assert "1.5倍" in page.diff.value and needs.signed_yi(effect) in page.diff.value
        assert "主要来自" in page.needs.value
    finally:
        page.controls["pace.provincial_major"].value = 1.0


def test_what_it_takes_pace_closes_the_gap(page):
    o, specs = page.result.outcome, page.planner.specs
    wit = needs.what_it_takes(o, page.result.tornado, specs)
    assert wit.short_wan == pytest.approx(-o.headline.margin_wan)
    if wit.short_wan <= 0:
        pytest.skip("the sample's headline reading is met: nothing to close")
    found = {k: p for k, p in wit.list_pace.items() if p is not None}
    assert found, wit
    for k, p in found.items():
        lv = o.levers.copy()
        lv.pace_by_list[k] = p
        assert needs.target_wan(o.model, lv, o.goal.target_month) >= o.headline.goal_wan - 1e-6
        lv.pace_by_list[k] = p - 0.01
        assert needs.target_wan(o.model, lv, o.goal.target_month) < o.headline.goal_wan
    assert "还差" in page.needs.value and "倍" in page.needs.value


def test_picker_takes_the_clicked_project_even_from_a_replaced_list(page):
    picker = page.pickers["exclude"]
    picker.show("光伏")
    shown = [b.description for b in picker.matches.children]
    assert len(shown) > 2 and all("光伏" in x for x in shown)
    old = picker.matches.children
    try:
        old[2].click()
        assert picker.chosen.value == [shown[2]]
        picker.show("工业园区")  # a click already on its way reaches the button it was made on
        old[1].click()
        assert picker.chosen.value == [shown[2], shown[1]]
        old[1].click()  # twice is once
        assert picker.chosen.value == [shown[2], shown[1]]
    finally:
        picker.chosen.value = []
        picker.show("")
    assert picker.matches.children == ()
    picker.show("没有这样的项目名")
    assert picker.matches.children == () and "没有符合“没有这样的项目名”的项目" in picker.more.value
    picker.show("光伏")  # the line names the search it answers, with the count shown
    assert f"符合“光伏”的项目共 {len(picker.matches.children)} 个" in picker.more.value
    picker.show("")


def test_picker_searches_name_unit_and_list(page):
    picker = page.pickers["accelerate"]
    assert all("光伏" in x for x in picker.find("光伏"))
    assert picker.find("工业园区") and all("工业园区" in x for x in picker.find("工业园区"))
    assert picker.find("产业投资项目")
    label = picker.find("光伏")[0]
    picker.chosen.value = [label]
    try:
        assert picker.ids and picker.ids[0] in page.result.levers.accelerate
    finally:
        picker.chosen.value = []
    lists = [l.split(" · ")[-1] for l, _, _ in picker.options]
    order = [lists.index(x) for x in dict.fromkeys(lists)]
    assert order == sorted(order)  # grouped by list, in the plan's order


def test_first_screen_marks_the_sample_and_has_no_program_words(page):
    html = page.first_paint_html()
    assert SAMPLE_BANNER in html
    text = re.sub(r"<style>.*?</style>|<[^>]+>", " ", html, flags=re.S)
    assert not re.findall(r"[A-Za-z]{3,}", text.replace("MW", ""))
    for gone in ("jygproj", ".yaml", "data/", "P10", "龙卷风", "YAML"):
        assert gone not in text
    assert len(PACE_LISTS) == sum(1 for k in page.effects if k.startswith("pace."))
