"""The follow-up ledger 督办台账 (三(三)): items from the year's quarterly reviews, re-reviewed each
quarter against the data, with the units' replies and the analyst's closures. Pure: frames in,
frames out; nothing is kept between runs (jygproj.followups explains why).

The reviews of the year are folded in order (Q1, Q2, …, the review being made). At each review:

1. the analyst's closures dated by its evaluation date close their items (a written reason is
   required by the reader); the item is done — should the problem still be raised, a new item is
   opened for it (a letter's fact is always an open item);
2. every open item is checked against the review's data: a project item stays open while the
   project's worst warning is above the closing level (red → yellow is 好转, still open), any other
   item while the review restates it; otherwise it is closed (销号) on that evaluation date;
3. a problem the review raises that no open item holds opens a new item (id: jygproj.followups.items).

On the evaluation date of the last review each item has one status (schema.FOLLOWUP_STATUS_LABELS):

- 已销号 closed by the data or by the analyst;
- 逾期未反馈 the reply deadline of the latest letter whose deadline has passed went by with no reply
  written since that letter was issued (each letter asks for its own written reply);
- 整改中 replied (to that letter, or at all when no deadline has passed yet);
- 待反馈 in a letter whose deadline has not passed, no reply yet (or never in a letter, no reply).

and an ``overdue`` flag: the latest reply promised a completion date that has passed while the item
is still open (承诺期限已过未整改). Replies and closures written after the evaluation date are not
known to that review (like the scheduling ledger's snapshot) and are ignored by it. Nothing is ever
deleted: every item, reply and closure stays in the frames with its source.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from jygproj import schema
from jygproj.followups.items import RED, assign_ids
from jygproj.followups.settings import Settings, _rank
from jygproj.report.formats import date_zh
from jygproj.schema import ALERT_LEVELS, QUARTER_LABELS

ITEMS_SCHEMA: dict[str, pl.DataType] = {
    "item_id": pl.String,
    "status": pl.String,  # FOLLOWUP_STATUS_LABELS key
    "overdue": pl.Boolean,  # promised date passed, item still open
    "responsible_unit": pl.String,
    "project_id": pl.String,
    "list": pl.String,
    "kind": pl.String,
    "problem": pl.String,  # the latest words of the problem (letter fact or warning reasons)
    "first_review": pl.String,  # "2023Q2"
    "opened_on": pl.Date,  # evaluation date of the first review = the first letter's date
    "letters": pl.List(pl.Date),  # the dates of the letters the item went out in
    "deadline": pl.Date,  # reply deadline of its latest letter
    "level_first": pl.String,
    "level_now": pl.String,  # at the last review (null: no warning)
    "movement": pl.String,  # FOLLOWUP_MOVEMENT_LABELS key
    "replies": pl.Int32,  # replies known on the evaluation date
    "replied_on": pl.Date,  # latest reply
    "late_days": pl.Int32,  # the latest letter answered: days after its deadline (0 = on time)
    "measures": pl.String,
    "responsible_person": pl.String,
    "promised_on": pl.Date,
    "progress": pl.String,
    "explanation": pl.String,
    "reply_file": pl.String,
    "reply_sheet": pl.String,
    "reply_row": pl.Int32,
    "closed_on": pl.Date,
    "closed_by": pl.String,  # "data" | "analyst"
    "closure_reason": pl.String,
    "closure_file": pl.String,
    "closure_row": pl.Int32,
    "closed_review": pl.String,  # review that recorded the closure
}
HISTORY_SCHEMA: dict[str, pl.DataType] = {
    "item_id": pl.String,
    "on": pl.Date,
    "review": pl.String,
    "event": pl.String,  # FOLLOWUP_EVENT_LABELS key
    "text": pl.String,
    "source_file": pl.String,
    "source_sheet": pl.String,
    "source_row": pl.Int32,
}
#: Order of the ledger's tables, what needs attention first: not answered, promise broken, awaiting a
#: reply, in progress, closed.
ATTENTION = ("unanswered", "overdue", "awaiting", "in_progress", "closed")


def attention() -> pl.Expr:
    """The place of an item in :data:`ATTENTION` (an overdue item in progress comes before the rest)."""
    st = pl.when((pl.col("status") == "in_progress") & pl.col("overdue")).then(pl.lit("overdue")) \
        .otherwise(pl.col("status"))
    return st.replace_strict({s: i for i, s in enumerate(ATTENTION)}, return_dtype=pl.Int8)


@dataclass(frozen=True)
class Point:
    """One quarterly review of the year as the ledger sees it."""

    year: int
    quarter: int
    evaluated_on: dt.date  # the review's evaluation date: its letters are issued on it
    raised: pl.DataFrame  # jygproj.followups.items.raised
    levels: dict[str, str]  # project_id → worst warning level at this review (projects with a warning)

    @property
    def name(self) -> str:
        return f"{self.year}Q{self.quarter}"

    @property
    def label(self) -> str:
        return f"{self.year}年第{QUARTER_LABELS[self.quarter][0]}季度考核"


@dataclass
class _Item:
    item_id: str
    key: tuple[str, str]
    kind: str
    responsible_unit: str
    project_id: str | None
    list: str | None
    problem: str | None
    first: Point
    level_first: str | None
    level_now: str | None = None
    letters: list[dt.date] = field(default_factory=list)
    replies: list[dict] = field(default_factory=list)
    closed_on: dt.date | None = None
    closed_by: str | None = None
    closure: dict | None = None
    closed_review: str | None = None
    events: list[dict] = field(default_factory=list)


@dataclass
class Ledger:
    """The ledger on the evaluation date of its last review."""

    items: pl.DataFrame  # ITEMS_SCHEMA, attention first
    history: pl.DataFrame  # HISTORY_SCHEMA, by item then date
    problems: pl.DataFrame  # schema.PROBLEMS: replies and closures that could not be applied
    evaluated_on: dt.date
    previous_on: dt.date | None  # the review before (closed this quarter = closed after it)
    review: str  # "2023Q3"

    def counts(self) -> dict[str, int]:
        """summary.json's ``followups``: open, overdue, closed, unanswered (and the other statuses)."""
        s = self.items["status"]
        return {
            "open": int((s != "closed").sum()),
            "overdue": int((self.items["overdue"] & (s != "closed")).sum()),
            "closed": int((s == "closed").sum()),
            "unanswered": int((s == "unanswered").sum()),
            "awaiting": int((s == "awaiting").sum()),
            "in_progress": int((s == "in_progress").sum()),
            "closed_this_quarter": int(self.closed_this_quarter().sum()),
            "items": self.items.height,
        }

    def closed_this_quarter(self) -> pl.Series:
        after = self.previous_on or dt.date.min
        return ((self.items["status"] == "closed") & (self.items["closed_on"] > after)).fill_null(False)

    def of_unit(self, unit: str | None) -> "Ledger":
        """The ledger of one responsible unit (None: the whole city)."""
        if unit is None:
            return self
        items = self.items.filter(pl.col("responsible_unit") == unit)
        return Ledger(items, self.history.filter(pl.col("item_id").is_in(items["item_id"].implode())),
                      self.problems, self.evaluated_on, self.previous_on, self.review)


def build(points: list[Point], replies: pl.DataFrame, closures: pl.DataFrame, settings: Settings) -> Ledger:
    """Fold the reviews ``points`` (in order) with the replies (schema.FOLLOWUP_REPLIES) and closures
    (schema.FOLLOWUP_CLOSURES) into the ledger on the last review's evaluation date."""
    if not points:
        raise ValueError("a ledger needs at least one review")
    last = points[-1].evaluated_on
    known_replies = sorted(
        (r for r in replies.iter_rows(named=True) if r["replied_on"] is None or r["replied_on"] <= last),
        key=lambda r: (r["replied_on"] or dt.date.min, r["source_file"] or "", r["source_row"] or 0))
    known_closures = sorted((c for c in closures.iter_rows(named=True) if c["closed_on"] is not None
                             and c["reason"] and c["closed_on"] <= last),
                            key=lambda c: (c["closed_on"], c["source_file"] or "", c["source_row"] or 0))
    problems: list[dict] = []
    items: dict[str, _Item] = {}
    attached: dict[tuple[str, str], str] = {}  # key → its open item
    closed: dict[tuple[str, str], _Item] = {}  # key → its last closed item, while no open one
    pending = list(known_closures)
    for point in points:
        pending = _apply_closures(point, pending, items, attached, closed, problems)
        _check(point, items, attached, closed, settings)
        _raise(point, items, attached, closed)
    for item in items.values():  # a project item's level on the evaluation date (closed by hand too)
        if item.kind == RED and item.closed_by != "data":
            item.level_now = points[-1].levels.get(item.project_id)
    for c in pending:  # dated by the last review, yet not applied: before its item, or no such item
        item = items.get(c["item_id"])
        if item is not None:
            problems.append(_before_item(c, item))
            continue
        problems.append(_problem(c, "error", "closure_unknown_item",
                                 f"销号记录中的督办编号“{c['item_id']}”不在督办台账中，未销号",
                                 "台账中已有的督办编号（见季度考核报告“督办台账”）"))
    for r in known_replies:
        item = items.get(r["item_id"])
        if item is None:
            problems.append(_problem(r, "error", "reply_unknown_item",
                                     f"反馈表中的督办编号“{r['item_id']}”不在督办台账中，该行反馈未计入",
                                     "随提醒函下发的反馈表中的督办编号"))
            continue
        if r["replying_unit"] and r["replying_unit"] != item.responsible_unit:
            problems.append(_problem(r, "warning", "reply_unit_mismatch",
                                     f"反馈单位“{r['replying_unit']}”与督办事项{item.item_id}的责任单位"
                                     f"“{item.responsible_unit}”不一致，按督办编号计入", item.responsible_unit))
        item.replies.append(r)
    frames = [_row(item, last, settings) for item in items.values()]
    history = [e for item in items.values() for e in _history(item, last, settings.reply_days)]
    table = pl.DataFrame(frames, schema=ITEMS_SCHEMA) if frames else pl.DataFrame(schema=ITEMS_SCHEMA)
    table = table.with_columns(attention().alias("_o")).sort(
        ["_o", "responsible_unit", "opened_on", "item_id"]).drop("_o")
    hist = pl.DataFrame(history, schema=HISTORY_SCHEMA) if history else pl.DataFrame(schema=HISTORY_SCHEMA)
    hist = hist.with_row_index("_n").sort(["item_id", "on", "_n"]).drop("_n")
    previous = points[-2].evaluated_on if len(points) > 1 else None
    return Ledger(table, hist, _problems_frame(problems), last, previous, points[-1].name)


# --- the fold ------------------------------------------------------------------------------------


def _apply_closures(point: Point, pending: list[dict], items: dict[str, _Item], attached: dict, closed: dict,
                    problems: list[dict]) -> list[dict]:
    """Close the items of the analyst's closures dated by this review; return those not yet applicable."""
    left = []
    for c in pending:
        if c["closed_on"] > point.evaluated_on:
            left.append(c)
            continue
        item = items.get(c["item_id"])
        if item is None:
            left.append(c)  # perhaps an item of a later review; reported at the end if never found
            continue
        if c["closed_on"] < item.first.evaluated_on:
            problems.append(_before_item(c, item))
            continue
        if item.closed_on is not None:
            problems.append(_problem(c, "warning", "closure_already_closed",
                                     f"督办事项{item.item_id}已于{date_zh(item.closed_on)}销号"
                                     f"（{schema.FOLLOWUP_CLOSED_BY_LABELS[item.closed_by]}），本条销号记录未再适用",
                                     "尚未销号的督办编号"))
            continue
        item.closed_on, item.closed_by, item.closure, item.closed_review = c["closed_on"], "analyst", c, point.name
        by = f"（经办人：{c['closed_by']}）" if c.get("closed_by") else ""
        item.events.append(_event(item, c["closed_on"], point, "closed_analyst",
                                  f"分析人员销号{by}：{c['reason']}", c))
        _detach(item, attached, closed)  # the episode ends; a problem raised again opens a new item
    return left


def _check(point: Point, items: dict[str, _Item], attached: dict, closed: dict, settings: Settings) -> None:
    """Re-review every open item against this review's data."""
    rows = {(r["kind"], r["subject"]): r for r in point.raised.iter_rows(named=True)}
    for key, iid in list(attached.items()):
        item = items[iid]
        row = rows.get(key)
        if item.kind == RED:
            level = point.levels.get(item.project_id)
            keeps = settings.keeps_open(level)
        else:
            level, keeps = None, row is not None
        before = item.level_now
        item.level_now = level
        if not keeps:
            item.closed_on, item.closed_by, item.closed_review = point.evaluated_on, "data", point.name
            why = (f"预警{'降为' + _level(level) if level else '已解除'}（提出时为{_level(item.level_first)}）"
                   if item.kind == RED else "本次考核未再出现该问题")
            item.events.append(_event(item, point.evaluated_on, point, "closed_data", f"{point.label}：{why}，销号"))
            _detach(item, attached, closed)
            continue
        if row is not None:
            item.problem = row["fact"] or item.problem
            item.responsible_unit = row["responsible_unit"] or item.responsible_unit  # a project moved unit
            if row["in_letter"]:
                item.letters.append(point.evaluated_on)
        moved = _moved(before, level) if item.kind == RED else ""
        sent = "，再次列入提醒函" if row is not None and row["in_letter"] else "，本次未列入提醒函"
        state = f"仍为{_level(level)}{moved}" if item.kind == RED else "问题仍在"
        item.events.append(_event(item, point.evaluated_on, point, "repeated", f"{point.label}：{state}{sent}"))


def _raise(point: Point, items: dict[str, _Item], attached: dict, closed: dict) -> None:
    """Open an item for every problem of this review that no open item holds (``closed``: the last
    closed item of each key, named by the new one)."""
    new = [r for r in point.raised.iter_rows(named=True) if (r["kind"], r["subject"]) not in attached]
    ids = assign_ids([(r["kind"], r["subject"]) for r in new], point.year, point.quarter)
    for r in new:
        key = (r["kind"], r["subject"])
        item = _Item(ids[key], key, r["kind"], r["responsible_unit"], r["project_id"], r["list"], r["fact"], point,
                     r["level"], r["level"])
        if r["in_letter"]:
            item.letters.append(point.evaluated_on)
        earlier = closed.get(key)  # the same problem, closed before: say so
        again = f"（该问题曾列为督办事项{earlier.item_id}，已于{date_zh(earlier.closed_on)}销号）" if earlier else ""
        what = _level(r["level"]) if r["kind"] == RED else schema.REMINDER_KIND_LABELS.get(r["kind"], "提醒函所列问题")
        sent = "，列入提醒函" if r["in_letter"] else "，未列入提醒函"
        item.events.append(_event(item, point.evaluated_on, point, "raised",
                                  f"{point.label}：{what}{sent}{again}：{r['fact'] or ''}"))
        items[item.item_id] = item
        attached[key] = item.item_id
        closed.pop(key, None)


# --- an item on the evaluation date --------------------------------------------------------------


def _known(item: _Item, on: dt.date) -> list[dict]:
    return [r for r in item.replies if r["replied_on"] is None or r["replied_on"] <= on]


def _answered(replies: list[dict], issued: dt.date) -> dict | None:
    """The first reply written on or after a letter's issue date (a reply without a date counts)."""
    return next((r for r in replies if r["replied_on"] is None or r["replied_on"] >= issued), None)


def status(item: _Item, on: dt.date, reply_days: int) -> str:
    if item.closed_on is not None and item.closed_on <= on:
        return "closed"
    replies = _known(item, on)
    due = [d for d in item.letters if d + dt.timedelta(days=reply_days) < on]
    if due:
        return "in_progress" if _answered(replies, due[-1]) else "unanswered"
    return "in_progress" if replies else "awaiting"


def _row(item: _Item, on: dt.date, settings: Settings) -> dict[str, Any]:
    days = settings.reply_days
    replies = _known(item, on)
    latest = replies[-1] if replies else None
    st = status(item, on, days)
    overdue = bool(st != "closed" and latest and latest["promised_on"] and latest["promised_on"] < on)
    late = None
    answered_letters = [d for d in item.letters if _answered(replies, d)]
    if answered_letters:
        d = answered_letters[-1]
        first = _answered(replies, d)
        late = max(0, (first["replied_on"] - (d + dt.timedelta(days=days))).days) if first["replied_on"] else None
    if item.closed_by == "data":
        movement = "cleared"
    elif item.kind == RED and item.level_first and item.level_now:
        change = _rank(item.level_now) - _rank(item.level_first)
        movement = "improved" if change < 0 else "worsened" if change > 0 else "unchanged"
    else:
        movement = "unchanged"
    c = item.closure or {}
    return {
        "item_id": item.item_id, "status": st, "overdue": overdue, "responsible_unit": item.responsible_unit,
        "project_id": item.project_id, "list": item.list, "kind": item.kind, "problem": item.problem,
        "first_review": item.first.name, "opened_on": item.first.evaluated_on, "letters": list(item.letters),
        "deadline": item.letters[-1] + dt.timedelta(days=days) if item.letters else None,
        "level_first": item.level_first, "level_now": item.level_now,
        "movement": movement, "replies": len(replies), "replied_on": latest["replied_on"] if latest else None,
        "late_days": late,
        **{k: latest[k] if latest else None for k in ("measures", "responsible_person", "promised_on", "progress",
                                                        "explanation")},
        "reply_file": latest["source_file"] if latest else None,
        "reply_sheet": latest["source_sheet"] if latest else None,
        "reply_row": latest["source_row"] if latest else None,
        "closed_on": item.closed_on, "closed_by": item.closed_by, "closure_reason": c.get("reason"),
        "closure_file": c.get("source_file"), "closure_row": c.get("source_row"), "closed_review": item.closed_review,
    }


def _history(item: _Item, on: dt.date, days: int) -> list[dict]:
    """The item's events: the reviews' (raised, re-reviewed, closed), the replies known on ``on``, the
    reply deadlines missed and the promise passed."""
    events = list(item.events)
    replies = _known(item, on)
    for n, r in enumerate(replies):
        when = r["replied_on"]
        words = "；".join(f"{label}：{r[k].rstrip('。；;')}" for k, label in (
            ("measures", "整改措施"), ("responsible_person", "责任人"), ("progress", "整改进展"),
            ("explanation", "情况说明")) if r[k])
        promise = f"；承诺完成时间：{date_zh(r['promised_on'])}" if r["promised_on"] else ""
        again = f"（第{n + 1}次反馈）" if n else ""
        events.append({"item_id": item.item_id, "on": when, "review": None, "event": "reply",
                       "text": f"{r['replying_unit'] or item.responsible_unit}反馈{again}"
                               f"{'（' + date_zh(when) + '）' if when else '（未填填报日期）'}：{words}{promise}",
                       "source_file": r["source_file"], "source_sheet": r["source_sheet"],
                       "source_row": r["source_row"]})
    # deadlines: each letter's, passed by ``on`` with no reply written between its issue and its deadline
    for k, issued in enumerate(item.letters):
        deadline = issued + dt.timedelta(days=days)
        if deadline >= on or (item.closed_on is not None and item.closed_on <= deadline):
            continue
        first = _answered(replies, issued)
        if first is None or (first["replied_on"] is not None and first["replied_on"] > deadline):
            late = (f"，{date_zh(first['replied_on'])}逾期{(first['replied_on'] - deadline).days}天反馈"
                    if first is not None else "")
            events.append({"item_id": item.item_id, "on": deadline, "review": None, "event": "deadline_missed",
                           "text": f"{date_zh(issued)}提醒函的反馈期限{date_zh(deadline)}已过，未收到反馈{late}",
                           "source_file": None, "source_sheet": None, "source_row": None})
    latest = replies[-1] if replies else None
    if latest and latest["promised_on"] and latest["promised_on"] < on and (
            item.closed_on is None or item.closed_on > latest["promised_on"]):
        events.append({"item_id": item.item_id, "on": latest["promised_on"], "review": None, "event": "promise_passed",
                       "text": f"承诺{date_zh(latest['promised_on'])}前完成整改，期限已过，问题仍未销号",
                       "source_file": latest["source_file"], "source_sheet": latest["source_sheet"],
                       "source_row": latest["source_row"]})
    return events


# --- helpers -------------------------------------------------------------------------------------


def _detach(item: _Item, attached: dict, closed: dict) -> None:
    if attached.get(item.key) == item.item_id:
        del attached[item.key]
    closed[item.key] = item


def _before_item(c: dict, item: _Item) -> dict:
    return _problem(c, "error", "closure_before_item",
                    f"销号日期{date_zh(c['closed_on'])}早于督办事项{item.item_id}的提出日期"
                    f"{date_zh(item.first.evaluated_on)}，未销号", "不早于事项提出日期的销号日期")


def _level(level: str | None) -> str:
    return ALERT_LEVELS[level] if level else "无预警"


def _moved(before: str | None, now: str | None) -> str:
    if not before or not now or before == now:
        return "（未好转）" if before == now else ""
    return f"（由{_level(before)}{'好转' if _rank(now) < _rank(before) else '加重'}）"


def _event(item: _Item, on: dt.date, point: Point, event: str, text: str, source: dict | None = None) -> dict:
    s = source or {}
    return {"item_id": item.item_id, "on": on, "review": point.name, "event": event, "text": text,
            "source_file": s.get("source_file"), "source_sheet": s.get("source_sheet"), "source_row": s.get("source_row")}


def _problem(record: dict, severity: str, code: str, text: str, expected: str | None) -> dict:
    from jygproj.io.problems import ProblemLog

    log = ProblemLog(file=record.get("source_file") or "", sheet=record.get("source_sheet"))
    p = log.add(code, text, row=record.get("source_row"), column=record.get("id_column"), header="督办编号",
                value=record.get("item_id"), expected=expected, severity=severity)
    return p.__dict__


def _problems_frame(rows: list[dict]) -> pl.DataFrame:
    return schema.conform(pl.DataFrame(rows, schema=schema.PROBLEMS), schema.PROBLEMS) if rows \
        else schema.empty(schema.PROBLEMS)
