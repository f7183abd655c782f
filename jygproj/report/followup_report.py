"""The follow-up ledger 督办台账 in the quarterly report: its tables (report section and Excel sheets),
its sentences and ``summary.json``'s ``followups``. Shapes and words only: statuses, dates and
counts come from jygproj.followups (the ledger); codes become Chinese here, from schema's labels."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from jygproj.catalogue import FOLLOWUP_FOLDER
from jygproj.followups.items import RED
from jygproj.report.formats import date_zh
from jygproj.report.tables import Table, without_codes
from jygproj.schema import (
    ALERT_LEVELS, FOLLOWUP_CLOSED_BY_LABELS, FOLLOWUP_EVENT_LABELS, FOLLOWUP_MOVEMENT_LABELS,
    FOLLOWUP_STATUS_LABELS, PROBLEM_SEVERITY_LABELS, QUARTER_LABELS, REMINDER_KIND_LABELS,
)

if TYPE_CHECKING:
    from jygproj.followups.wiring import Followups
    from jygproj.quarterly import Results



def review_label(name: str | None) -> str | None:
    """"2023Q2" → 2023年二季度."""
    if not name:
        return None
    return f"{name[:4]}年{QUARTER_LABELS[int(name[-1])]}"


def _level(code: str | None) -> str:
    return ALERT_LEVELS.get(code, code) if code else "无预警"


def reply_note(r: dict[str, Any], on: dt.date, reply_days: int) -> str:
    """How the unit answered, in words: on time, late by N days, not answered, awaiting."""
    st = r["status"]
    deadline = r["deadline"]
    if r["replied_on"] is not None:
        late = f"逾期{r['late_days']}天反馈" if r["late_days"] else "按期反馈"
        text = f"{late}（{date_zh(r['replied_on'])}，共{r['replies']}次）"
        if st not in ("closed",) and deadline is not None and deadline >= on and r["replied_on"] < r["letters"][-1]:
            text += f"；本次提醒函待反馈（截止{date_zh(deadline)}）"
        return text
    if r["replies"]:  # replies without a 填报日期 (reported as a problem of the form)
        return f"已反馈（未注明填报日期，共{r['replies']}次）"
    if st == "unanswered":
        return f"未反馈（截止{date_zh(deadline)}）"
    if st == "awaiting" and deadline is not None:
        return f"待反馈（截止{date_zh(deadline)}）"
    return "未反馈"


def item_rows(fu: "Followups", on: dt.date) -> pl.DataFrame:
    """The ledger's items for readers: Chinese statuses, levels, movements; the unit's own words."""
    days = fu.settings.reply_days
    items = fu.items
    notes = [reply_note(r, on, days) for r in items.iter_rows(named=True)]
    return items.with_columns(
        pl.col("status").replace_strict(FOLLOWUP_STATUS_LABELS, return_dtype=pl.String).alias("status_label"),
        pl.col("kind").replace_strict(REMINDER_KIND_LABELS, default="提醒函所列问题", return_dtype=pl.String)
        .alias("kind_label"),
        pl.col("first_review").map_elements(review_label, return_dtype=pl.String).alias("first_review"),
        pl.col("letters").list.eval(pl.element().map_elements(date_zh, return_dtype=pl.String)).list.join("、")
        .alias("letters_text"),
        *(pl.when(pl.col("kind") == RED).then(pl.col(c).map_elements(_level, return_dtype=pl.String, skip_nulls=False))
          .alias(c) for c in ("level_first", "level_now")),  # a project's warning; a list's problem has none
        pl.col("movement").replace_strict(FOLLOWUP_MOVEMENT_LABELS, return_dtype=pl.String).alias("item_movement"),
        pl.col("closed_by").replace_strict(FOLLOWUP_CLOSED_BY_LABELS, default=None, return_dtype=pl.String)
        .alias("closed_by_label"),
        pl.Series("reply_note", notes, dtype=pl.String),
        pl.when(pl.col("overdue")).then(pl.lit("是")).otherwise(pl.lit("否")).alias("overdue"),
        pl.col("reply_file").map_elements(shown_file, return_dtype=pl.String),
    )


def shown_file(path: str | None) -> str | None:
    """A follow-up workbook by its place in the data folder (督办反馈/…), never a machine path."""
    if not path:
        return None
    p = Path(path)
    return f"{p.parent.name}/{p.name}" if p.parent.name == FOLLOWUP_FOLDER else p.name


def tables(r: "Results") -> dict[str, Table]:
    """督办台账 (every item, attention first), 分单位督办 (by unit, with the unit's words), 督办记录
    (each item's history) and 督办反馈问题 (the follow-up workbooks' problems; empty says 无)."""
    fu = r.followups
    if fu is None:
        return {}
    on = r.params.as_of_date
    note = f"（{r.params.unit}）" if r.params.unit else ""
    rows = item_rows(fu, on)
    out = {
        "followups": Table(
            "督办台账", f"督办事项台账{note}：截至{date_zh(on)}（逾期未反馈、承诺逾期的事项在前）",
            rows.select("item_id", "status_label", "overdue", "responsible_unit", "name", "kind_label", "problem",
                        "first_review", "letters_text", pl.col("deadline").alias("reply_deadline"), "level_first",
                        "level_now", "item_movement",
                        "reply_note", "measures", "responsible_person", "promised_on", "progress", "explanation",
                        "closed_on", "closed_by_label", "closure_reason",
                        pl.col("reply_file").map_elements(shown_file, return_dtype=pl.String).alias("source_file"),
                        pl.col("reply_sheet").alias("source_sheet"), pl.col("reply_row").alias("source_row"))
,
            unit=None, notes=("“来源文件/来源工作表/来源行号”为单位最近一次反馈所在的反馈表及行。",), shown_rows=12,
            shown_columns=("item_id", "status_label", "overdue", "responsible_unit", "name", "problem",
                           "reply_deadline", "level_now")),
        "followups_by_unit": Table(
            "分单位督办", f"各责任单位督办事项{note}：在办、逾期、本季度销号及单位反馈原文",
            fu.by_unit, unit="个", total_row=True,
            shown_columns=("responsible_unit", "items_open", "items_unanswered", "items_overdue", "items_awaiting",
                           "items_in_progress", "items_closed_this_quarter", "items_closed")),
        "followup_history": Table(
            "督办记录", f"督办事项办理记录{note}（按事项、日期）",
            fu.history.join(rows.select("item_id", "responsible_unit", "name"), on="item_id", how="left",
                            maintain_order="left")
            .with_columns(pl.col("review").map_elements(review_label, return_dtype=pl.String),
                          pl.col("source_file").map_elements(shown_file, return_dtype=pl.String),
                          pl.col("event").replace_strict(FOLLOWUP_EVENT_LABELS, return_dtype=pl.String)
                          .alias("event_label"))
            .select("item_id", "responsible_unit", "name", "on", "review", "event_label", "text", "source_file",
                    "source_sheet", "source_row"), unit=None, shown_rows=15),
    }
    out["followup_problems"] = Table(
        "督办反馈问题", "读取督办反馈表、销号记录时发现的问题（文件、工作表、行、列见说明）",
        without_codes(fu.problems.select(pl.col("severity").replace_strict(PROBLEM_SEVERITY_LABELS, return_dtype=pl.String)
                           .alias("severity_label"), "message"), "message"), unit=None, shown_rows=10)
    return out


def summary(r: "Results") -> dict[str, Any]:
    """summary.json's ``followups``: counts {open, overdue, closed, unanswered, …}, the reviews folded,
    and the problems of the follow-up workbooks."""
    fu = r.followups
    if fu is None:
        return {}
    problems = fu.problems
    return {**fu.counts(), "reviews": fu.reviews,
            "problems": {f"{sev}s": int((problems["severity"] == sev).sum()) if problems.height else 0
                         for sev in ("error", "warning")}}


def sentences(r: "Results") -> dict[str, str]:
    """The section's sentences: problems of the forms first, then the counts, then what needs action."""
    fu = r.followups
    if fu is None:
        return {}
    c = fu.counts()
    on = date_zh(r.params.as_of_date)
    errors = int((fu.problems["severity"] == "error").sum()) if fu.problems.height else 0
    first = (f"**注意：督办反馈表或销号记录中有 {errors} 处错误（见“督办反馈问题”表），相关反馈或销号未能计入或不完整，"
             "以下状态按已读取的内容判断。**" if errors else "")
    by = fu.by_unit
    late = "、".join(by.filter(pl.col("items_unanswered") > 0)["responsible_unit"].to_list())
    counts = (f"截至{on}，督办事项共 {c['items']} 项：在办 {c['open']} 项（逾期未反馈 {c['unanswered']} 项、"
              f"待反馈 {c['awaiting']} 项、整改中 {c['in_progress']} 项，其中承诺期限已过仍未整改 {c['overdue']} 项），"
              f"已销号 {c['closed']} 项（本季度 {c['closed_this_quarter']} 项）。")
    who = f"逾期未反馈的单位：{late}。" if late else "各单位均已按期反馈或尚在反馈期内。"
    rule = (f"每季度考核时逐项复核：项目预警降至{ALERT_LEVELS[fu.settings.close_level]}或解除、未再出现在提醒函中的问题，"
            f"按数据销号；分析人员可凭书面理由销号；提醒函印发后{fu.settings.reply_days}日内应反馈。")
    return {"followups": first + counts + who, "followups_rule": rule}
