"""Reminder letters 提醒函 (三(三)) as Word documents, one per responsible unit (python-docx).

Layout follows the usual form of an official letter (党政机关公文格式, GB/T 9704 in spirit): A4,
title in 小标宋/宋体 二号 centred, body in 仿宋 三号 with a fixed 28-point line, headings 一、二、 in
黑体, the addressee flush left with a full-width colon, the issuing body and date at the right.
Chinese fonts are set on every run through w:eastAsia: Word picks the East-Asian font from that
attribute, not from the Latin font name, and without it Chinese falls back to whatever the viewer has.

The facts come worded with their figures from :func:`jygproj.supervision.reminder_facts`, on the
plan's triggers only (三(三)); the 工作要求 from the unit's own categorised problems
(:func:`jygproj.factors.requests`). This module lays them out and writes the files (atomically: a
temp file in the same folder, then rename).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from jygproj import outputs, paths
from jygproj.report.formats import date_zh

TITLE = "关于加快推进项目建设进度的提醒函"
ISSUER = "嘉峪关市发展和改革委员会"

TITLE_FONT, BODY_FONT, HEADING_FONT = "宋体", "仿宋", "黑体"
TITLE_SIZE, BODY_SIZE = Pt(22), Pt(16)  # 二号, 三号

CN_NUM = "一二三四五六七八九十"


def _seq(i: int) -> str:
    """1 -> 一, 12 -> 十二, 20 -> 二十 (letters rarely have more than a few dozen items)."""
    if i <= 10:
        return CN_NUM[i - 1]
    tens, ones = divmod(i, 10)
    return (CN_NUM[tens - 1] if tens > 1 else "") + "十" + (CN_NUM[ones - 1] if ones else "")


def _font(run, name: str, size: Pt, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = size
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _para(doc, text: str, *, font: str = BODY_FONT, size: Pt = BODY_SIZE, bold: bool = False,
          align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent: bool = True):
    p = doc.add_paragraph()
    p.alignment = align
    fmt = p.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(28)
    fmt.space_before = fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(32)  # two characters of 三号
    _font(p.add_run(text), font, size, bold)
    return p


def build_letter(unit: str, facts: list[str], *, as_of: date, issued_on: date, deadline: date, plan_name: str,
                 red_projects: int = 0, missed_targets: int = 0, issuer: str = ISSUER,
                 doc_number: str | None = None, requests: list[str] | None = None, triggers: str = "",
                 notes: list[str | None] | None = None, reply_form: str | None = None):
    """The letter to one unit as a python-docx Document (not saved). ``requests``: its 工作要求
    (factors.requests); ``triggers``: the plan's words for why it is sent (项目推进落实慢 …). Optional
    follow-up hook (jygproj.followups): ``notes`` — one line under each fact (its 督办编号 and, for an item
    already sent, the previous letter and the unit's answer); ``reply_form`` — the reply form sent with it."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = BODY_FONT, BODY_SIZE
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)

    _para(doc, TITLE, font=TITLE_FONT, size=TITLE_SIZE, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    if doc_number:
        _para(doc, doc_number, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _para(doc, "", indent=False)
    _para(doc, f"{unit}：", align=WD_ALIGN_PARAGRAPH.LEFT, indent=False)
    counts = "，".join(x for x in (f"{red_projects}个项目为红色预警" if red_projects else "",
                                   f"{missed_targets}项方案目标未完成" if missed_targets else "") if x)
    why = f"存在{triggers}的情况" if triggers else ""
    _para(doc, f"根据{plan_name}“严格督导奖惩”有关要求，我委对截至{date_zh(as_of)}全市项目建设调度情况进行了分析。"
               + f"你单位负责的项目中，{'，'.join(x for x in (counts, why) if x) or '有以下情况'}。"
               + "现将有关情况提醒如下：")
    _para(doc, "一、存在的问题", font=HEADING_FONT)
    for i, fact in enumerate(facts, 1):
        _para(doc, f"（{_seq(i)}）{fact}")
        if notes and notes[i - 1]:
            _para(doc, notes[i - 1])
    _para(doc, "二、工作要求", font=HEADING_FONT)
    for i, request in enumerate(requests or (), 1):
        _para(doc, f"（{_seq(i)}）{request}")
    if reply_form:
        _para(doc, f"请于{date_zh(deadline)}前逐项填写随函所附《{reply_form}》，将整改落实情况书面报送市发展改革委。")
    else:
        _para(doc, f"请于{date_zh(deadline)}前将整改落实情况书面报送市发展改革委。")
    _para(doc, "特此函告。")
    _para(doc, "", indent=False)
    _para(doc, issuer, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    _para(doc, date_zh(issued_on), align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    return doc


def write_letters(facts: pl.DataFrame, out_dir: Path | str, *, as_of: date, issued_on: date, deadline: date,
                  plan_name: str, issuer: str = ISSUER, doc_number: str | None = None,
                  requests: dict[str, list[str]] | None = None, triggers: dict[str, str] | None = None,
                  reply_forms: dict[str, str] | None = None) -> list[Path]:
    """Write one 提醒函 per responsible unit in ``facts`` (supervision.reminder_facts); return the paths.
    ``plan_name``: the plan the letter cites, 《title》（document） (jygproj.plan.Plan.citation);
    ``requests`` / ``triggers``: each unit's 工作要求 and the plan's words for its triggers.
    Follow-up hook: an ``item_note`` column in ``facts`` is printed under each fact; ``reply_forms``
    (unit → the reply form's title) names the form sent with the unit's letter.

    Files are named 提醒函_<unit>.docx, made safe file names (jygproj.paths.unique_names: two units
    that clean to the same name get a numbered suffix). Each file is written atomically with the one
    output file mode (jygproj.outputs.write_atomic), so an interrupted run never leaves a
    half-written letter under the final name.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    units = facts["responsible_unit"].unique(maintain_order=True).to_list()
    names = paths.unique_names([f"提醒函_{unit}" for unit in units], ".docx")
    written: list[Path] = []
    for unit in units:
        mine = facts.filter(pl.col("responsible_unit") == unit)
        kinds = mine["kind"].to_list()
        doc = build_letter(unit, mine["fact"].to_list(), as_of=as_of, issued_on=issued_on, deadline=deadline,
                           plan_name=plan_name, red_projects=kinds.count("red_project"),
                           missed_targets=kinds.count("missed_target") + kinds.count("missed_annual"),
                           issuer=issuer, doc_number=doc_number, requests=(requests or {}).get(unit),
                           triggers=(triggers or {}).get(unit, ""),
                           notes=mine["item_note"].to_list() if "item_note" in mine.columns else None,
                           reply_form=(reply_forms or {}).get(unit))
        written.append(outputs.write_atomic(out / names[f"提醒函_{unit}"], doc.save))
    return written
