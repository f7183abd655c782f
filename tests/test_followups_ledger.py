"""The follow-up ledger's status transitions, case by case (jygproj.followups.ledger.build): three-row
frames inline, the reviews of a year as Points, replies and closures as the reader gives them.

Dates: the Q2 review is evaluated (and its letters issued) on 2023-08-10, replies due 15 days later
on 08-25; the Q3 review on 2023-11-10 (replies due 11-25); the Q4 review on 2024-01-10."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from jygproj import schema
from jygproj.followups import build, items, load_settings
from jygproj.followups.ledger import Point
from jygproj.followups.wiring import item_note

SETTINGS = load_settings()  # reply within 15 days; red opens an item, blue or nothing closes it
Q2, Q3, Q4 = dt.date(2023, 8, 10), dt.date(2023, 11, 10), dt.date(2024, 1, 10)


def point(quarter: int, on: dt.date, rows: list[tuple], levels: dict[str, str] | None = None) -> Point:
    """rows: (kind, project_id, unit, list, level, fact, in_letter)."""
    frame = pl.DataFrame(
        [{"kind": k, "subject": items.subject(p, u, lst), "responsible_unit": u, "project_id": p, "list": lst,
          "level": lv, "fact": f, "in_letter": sent} for k, p, u, lst, lv, f, sent in rows],
        schema=items.RAISED_SCHEMA)
    if levels is None:
        levels = {r[1]: r[4] for r in rows if r[1]}
    return Point(2023 if quarter < 5 else 2024, quarter, on, frame, levels)


RED_A = ("red_project", "A", "市住建局", None, "red", "雄关大道改造：红色预警，落后序时36.5个百分点。", True)
RED_B = ("red_project", "B", "市教育局", None, "red", "二中教学楼：红色预警，未开工。", True)
MISSED = ("missed_target", None, "市水务局", "government", None, "政府投资项目二季度未完成计划。", True)


def reply(item_id: str, on: dt.date | None, *, promised: dt.date | None = dt.date(2023, 12, 31),
          unit: str = "市住建局", row: int = 6, measures: str = "增加施工班组，两班倒作业") -> dict:
    return {"item_id": item_id, "replying_unit": unit, "measures": measures, "responsible_person": "王建华（副局长）",
            "promised_on": promised, "progress": "正在整改", "explanation": "资本金到位不足", "replied_on": on,
            "revision": 0, "source_file": "/data/督办反馈/反馈表.xlsx", "source_sheet": "整改反馈", "source_row": row,
            "id_column": "B"}


def replies(*rows: dict) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema={**schema.FOLLOWUP_REPLIES, "id_column": pl.String})


def closures(*rows: tuple) -> pl.DataFrame:
    """rows: (item_id, closed_on, reason)."""
    return pl.DataFrame([{"item_id": i, "closed_on": d, "reason": r, "closed_by": "李明", "source_file": "/data/督办反馈/销号.xlsx",
                          "source_sheet": "销号记录", "source_row": 4 + n, "id_column": "B"}
                         for n, (i, d, r) in enumerate(rows)], schema={**schema.FOLLOWUP_CLOSURES, "id_column": pl.String})


NO_REPLIES, NO_CLOSURES = replies(), closures()


def item(ledger, project: str | None = None, unit: str | None = None) -> dict:
    frame = ledger.items.filter(pl.col("project_id") == project) if project else \
        ledger.items.filter(pl.col("responsible_unit") == unit)
    assert frame.height == 1, frame
    return frame.row(0, named=True)


def id_of(kind: str, project: str | None, unit: str | None, lst: str | None, quarter: int) -> str:
    return items.item_id(kind, items.subject(project, unit, lst), 2023, quarter)


A2 = id_of("red_project", "A", None, None, 2)  # the red item of project A, first raised at Q2


def test_a_new_red_project_is_awaiting_its_reply_until_the_deadline():
    led = build([point(2, Q2, [RED_A, RED_B, MISSED])], NO_REPLIES, NO_CLOSURES, SETTINGS)
    a = item(led, "A")
    assert a["item_id"] == A2 and a["item_id"].startswith("2023-2-")
    assert (a["status"], a["deadline"], a["letters"]) == ("awaiting", dt.date(2023, 8, 25), [Q2])
    assert led.counts() | {} == {"open": 3, "overdue": 0, "closed": 0, "unanswered": 0, "awaiting": 3,
                                 "in_progress": 0, "closed_this_quarter": 0, "items": 3}


def test_no_reply_by_the_deadline_is_unanswered_and_the_history_says_so():
    led = build([point(2, Q2, [RED_A]), point(3, Q3, [RED_A])], NO_REPLIES, NO_CLOSURES, SETTINGS)
    a = item(led, "A")
    assert a["status"] == "unanswered" and a["letters"] == [Q2, Q3]  # repeated in the Q3 letter
    events = led.history.filter(pl.col("item_id") == A2)["event"].to_list()
    assert events == ["raised", "deadline_missed", "repeated"]
    assert led.counts()["unanswered"] == 1


def test_a_reply_by_the_deadline_puts_the_item_in_progress_beside_the_units_words():
    led = build([point(2, Q2, [RED_A]), point(3, Q3, [RED_A])], replies(reply(A2, dt.date(2023, 8, 20))),
                NO_CLOSURES, SETTINGS)
    a = item(led, "A")
    assert (a["status"], a["overdue"], a["late_days"]) == ("in_progress", False, 0)
    assert (a["measures"], a["responsible_person"], a["promised_on"]) == (
        "增加施工班组，两班倒作业", "王建华（副局长）", dt.date(2023, 12, 31))
    assert (a["reply_file"], a["reply_row"]) == ("/data/督办反馈/反馈表.xlsx", 6)


def test_a_promise_passed_with_the_problem_still_there_is_overdue():
    # promised 30 September, still red on 10 November: 整改中, promise broken
    led = build([point(2, Q2, [RED_A]), point(3, Q3, [RED_A])],
                replies(reply(A2, dt.date(2023, 8, 22), promised=dt.date(2023, 9, 30))), NO_CLOSURES, SETTINGS)
    a = item(led, "A")
    assert (a["status"], a["overdue"], a["movement"]) == ("in_progress", True, "unchanged")
    assert led.counts()["overdue"] == 1
    hist = led.history.filter(pl.col("item_id") == A2)
    assert hist.filter(pl.col("event") == "promise_passed")["on"].to_list() == [dt.date(2023, 9, 30)]
    # and it comes first among the items in progress (attention first)
    led2 = build([point(2, Q2, [RED_A, RED_B]), point(3, Q3, [RED_A, RED_B])],
                 replies(reply(A2, dt.date(2023, 8, 22), promised=dt.date(2023, 9, 30)),
                         reply(id_of("red_project", "B", None, None, 2), dt.date(2023, 8, 21), unit="市教育局")),
                 NO_CLOSURES, SETTINGS)
    assert led2.items["project_id"].to_list() == ["A", "B"]


def test_red_turned_yellow_after_the_reply_is_improved_and_stays_open():
    yellow = point(3, Q3, [], levels={"A": "yellow"})  # no longer red: not in the Q3 letter
    led = build([point(2, Q2, [RED_A]), yellow], replies(reply(A2, dt.date(2023, 8, 20))), NO_CLOSURES, SETTINGS)
    a = item(led, "A")
    assert (a["status"], a["level_first"], a["level_now"], a["movement"]) == ("in_progress", "red", "yellow", "improved")
    assert a["measures"] == "增加施工班组，两班倒作业"  # the reply beside it
    text = led.history.filter((pl.col("item_id") == A2) & (pl.col("event") == "repeated"))["text"].item()
    assert "由红色预警好转" in text and "未列入提醒函" in text


@pytest.mark.parametrize("level", ["blue", None])
def test_the_data_closes_an_item_when_the_warning_falls_to_blue_or_clears(level):
    q3 = point(3, Q3, [], levels={"A": level} if level else {})
    led = build([point(2, Q2, [RED_A]), q3], replies(reply(A2, dt.date(2023, 8, 20))), NO_CLOSURES, SETTINGS)
    a = item(led, "A")
    assert (a["status"], a["closed_on"], a["closed_by"], a["closed_review"], a["movement"]) == (
        "closed", Q3, "data", "2023Q3", "cleared")
    assert led.counts()["closed_this_quarter"] == 1 and led.counts()["open"] == 0


def test_a_missed_target_closes_when_a_review_no_longer_states_it_and_a_new_miss_is_a_new_item():
    led = build([point(2, Q2, [MISSED]), point(3, Q3, []), point(4, Q4, [MISSED])], NO_REPLIES, NO_CLOSURES, SETTINGS)
    rows = led.items.sort("opened_on")
    assert rows["status"].to_list() == ["closed", "awaiting"]
    assert rows["item_id"].to_list() == [id_of("missed_target", None, "市水务局", "government", 2),
                                         id_of("missed_target", None, "市水务局", "government", 4)]
    raised = led.history.filter((pl.col("item_id") == rows["item_id"][1]) & (pl.col("event") == "raised"))["text"].item()
    assert rows["item_id"][0] in raised  # the new item names the closed one


def test_the_analyst_closes_with_a_written_reason_and_nothing_is_deleted():
    q3 = point(3, Q3, [], levels={"A": "yellow"})
    led = build([point(2, Q2, [RED_A]), q3], replies(reply(A2, dt.date(2023, 8, 20))),
                closures((A2, dt.date(2023, 10, 25), "经现场核实已整改到位")), SETTINGS)
    a = item(led, "A")
    assert (a["status"], a["closed_by"], a["closed_on"], a["closure_reason"]) == (
        "closed", "analyst", dt.date(2023, 10, 25), "经现场核实已整改到位")
    assert a["level_now"] == "yellow" and a["measures"]  # its reply and levels are kept
    assert led.history.filter(pl.col("item_id") == A2)["event"].to_list() == ["raised", "reply", "closed_analyst"]


def test_a_problem_still_raised_after_the_analysts_closure_opens_a_new_item():
    led = build([point(2, Q2, [RED_A]), point(3, Q3, [RED_A])], NO_REPLIES,
                closures((A2, dt.date(2023, 10, 25), "项目调整至2024年实施")), SETTINGS)
    old, new = led.items.sort("opened_on").iter_rows(named=True)
    assert (old["item_id"], old["status"], old["closed_by"]) == (A2, "closed", "analyst")
    assert (new["item_id"], new["status"], new["first_review"]) == (id_of("red_project", "A", None, None, 3), "awaiting",
                                                                    "2023Q3")


def test_a_late_reply_counts_with_its_days_late():
    led = build([point(2, Q2, [RED_A]), point(3, Q3, [RED_A])], replies(reply(A2, dt.date(2023, 9, 8))),
                NO_CLOSURES, SETTINGS)
    a = item(led, "A")
    assert (a["status"], a["late_days"]) == ("in_progress", 14)  # due 25 August, written 8 September
    missed = led.history.filter((pl.col("item_id") == A2) & (pl.col("event") == "deadline_missed"))["text"].item()
    assert "逾期14天反馈" in missed


def test_each_letter_wants_its_reply_the_q3_letter_unanswered_by_the_q4_review():
    led = build([point(2, Q2, [RED_A]), point(3, Q3, [RED_A]), point(4, Q4, [RED_A])],
                replies(reply(A2, dt.date(2023, 8, 20))), NO_CLOSURES, SETTINGS)
    assert item(led, "A")["status"] == "unanswered"  # the 11-25 deadline of the Q3 letter passed


def test_what_was_written_after_the_evaluation_date_is_not_known_to_that_review():
    late_reply = replies(reply(A2, dt.date(2023, 8, 20)))
    later_closure = closures((A2, dt.date(2023, 10, 25), "已整改"))
    led = build([point(2, Q2, [RED_A])], late_reply, later_closure, SETTINGS)  # the Q2 review on 08-10
    assert (item(led, "A")["status"], item(led, "A")["replies"]) == ("awaiting", 0)
    assert led.problems.is_empty()  # neither is an error: they belong to a later review


def test_replies_and_closures_that_match_no_item_are_located_errors():
    led = build([point(2, Q2, [RED_A])],
                replies(reply("2023-2-000000", dt.date(2023, 8, 1), row=9), reply(A2, dt.date(2023, 8, 2), unit="市教育局")),
                closures(("2023-1-123456", dt.date(2023, 8, 5), "已整改"), (A2, dt.date(2023, 5, 1), "已整改")),
                SETTINGS)
    got = {(p["code"], p["row"]) for p in led.problems.iter_rows(named=True)}
    assert got == {("reply_unknown_item", 9), ("reply_unit_mismatch", 6), ("closure_unknown_item", 4),
                   ("closure_before_item", 5)}
    msg = led.problems.filter(pl.col("code") == "reply_unknown_item")["message"].item()
    assert msg.startswith("《反馈表.xlsx》工作表“整改反馈”第9行B列（督办编号）") and msg.endswith("[reply_unknown_item]")
    assert item(led, "A")["status"] == "in_progress"  # the reply under another unit's name still counts


def test_ids_are_stable_keys_not_counters():
    one = build([point(2, Q2, [RED_A])], NO_REPLIES, NO_CLOSURES, SETTINGS)
    three = build([point(2, Q2, [RED_B, MISSED, RED_A])], NO_REPLIES, NO_CLOSURES, SETTINGS)
    assert item(one, "A")["item_id"] == item(three, "A")["item_id"] == A2  # other items change nothing
    # a project item's key holds no unit: moved to another unit, the item is the same
    moved = ("red_project", "A", "市交通运输局", None, "red", "…", True)
    led = build([point(2, Q2, [RED_A]), point(3, Q3, [moved])], NO_REPLIES, NO_CLOSURES, SETTINGS)
    assert led.items.height == 1 and item(led, "A")["item_id"] == A2
    # two keys sharing six digits are told apart in key order
    keys = [("red_project", "project:X"), ("red_project", "project:Y")]
    assert items.assign_ids(keys, 2023, 2) == {k: items.item_id(*k, 2023, 2) for k in keys}


def test_a_letter_fact_about_a_red_project_is_its_red_item():
    worst = pl.DataFrame({"project_id": ["A", "C"], "level": ["red", "yellow"], "reasons": [["落后36.5个百分点"], ["落后12个百分点"]]})
    projects = pl.DataFrame({"project_id": ["A", "C", "D"], "responsible_unit": ["市住建局", "市住建局", "市水务局"]})
    facts = pl.DataFrame({"responsible_unit": ["市住建局", "市水务局"], "kind": ["red_warning", "missed_target"],
                          "project_id": ["A", None], "list": ["government", "government"],
                          "fact": ["雄关大道改造：红色预警。", "政府投资项目未完成计划。"]})
    got = items.raised(worst, projects, facts)
    assert got.select("kind", "subject", "in_letter").rows() == [
        ("red_project", "project:A", True), ("missed_target", "unit:市水务局|list:government", True)]
    # a red project no letter names is an item too, with the warning's reasons
    alone = items.raised(worst, projects, None)
    assert alone.select("kind", "subject", "fact", "in_letter").rows() == [
        ("red_project", "project:A", "落后36.5个百分点", False)]


def test_the_letter_note_cites_the_id_the_previous_letter_and_the_answer():
    led = build([point(2, Q2, [RED_A, RED_B]), point(3, Q3, [RED_A, RED_B])],
                replies(reply(A2, dt.date(2023, 8, 22), promised=dt.date(2023, 9, 30))), NO_CLOSURES, SETTINGS)
    a, b = item(led, "A"), item(led, "B")
    assert item_note(a, Q3) == (f"督办编号：{A2}。该问题已在我委2023年8月10日提醒函中指出（首次提出：2023年8月10日），"
                                "你单位于2023年8月22日反馈，承诺于2023年9月30日前完成整改，承诺期限已过，"
                                "截至本次评估问题仍未解决，请加大整改力度。")
    assert "你单位未按期反馈整改情况" in item_note(b, Q3)
    fresh = build([point(2, Q2, [RED_A])], NO_REPLIES, NO_CLOSURES, SETTINGS)
    assert item_note(item(fresh, "A"), Q2) == f"督办编号：{A2}。请在随函所附《整改落实情况反馈表》中逐项反馈。"
