"""Reminder letters 提醒函 (三(三)) as Word documents, one per responsible unit (python-docx).

Layout follows 党政机关公文格式 (GB/T 9704-2012): A4, margins 37/35/28/26 mm (top/bottom/left/right)
giving the 156 × 225 mm 版心 of 22 lines × 28 characters (7.1: 三号 characters, line pitch 28.95 pt);
the 发文字号 centred above the title; title in 方正小标宋简体 二号 centred; body in 仿宋_GB2312 三号;
headings 一、二、 in 黑体; the addressee flush left with a full-width colon; the issuing body and date at
the right; the 联系人/电话 as 附注 under the date; page numbers “— 1 —” in 宋体 四号 at the foot (7.5).
The 公文 fonts are named with their common fallbacks (宋体, 仿宋, 黑体) in the font table, so a machine
without them shows the nearest font. Chinese fonts are set on every run through w:eastAsia: Word picks
the East-Asian font from that attribute, not from the Latin font name.

发文机关, 发文字号 prefix and 联系人/电话 come from data/reference/office.yaml (jygproj.office); blanks
are left where it has none. Numbers are written as 公文 write them (jygproj.report.formats.money:
9290万元, 1.20亿元). The document's properties name the commission and the run's time.

Fast for a province (1,663 letters): the page set-up, styles, fonts and footer are built once into a
template and each letter starts from a copy of it.

The facts come worded with their figures from :func:`jygproj.supervision.reminder_facts`, on the
plan's triggers only (三(三)); the 工作要求 from the unit's own categorised problems
(:func:`jygproj.factors.requests`). This module lays them out and writes the files (atomically: a
temp file in the same folder, then rename).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from datetime import date
from functools import lru_cache
from pathlib import Path

import polars as pl
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from lxml import etree
from xml.sax.saxutils import escape as xml_escape

from jygproj import outputs, paths
from jygproj.office import Office, load_office
from jygproj.report.formats import date_zh
from jygproj.schema import SAMPLE_MARK

TITLE = "关于加快推进项目建设进度的提醒函"

TITLE_FONT, BODY_FONT, HEADING_FONT, PAGE_FONT = "方正小标宋简体", "仿宋_GB2312", "黑体", "宋体"
#: What a machine without the 公文 fonts shows instead (font table w:altName).
FONT_FALLBACKS = {"方正小标宋简体": "宋体", "仿宋_GB2312": "仿宋", "黑体": "SimHei"}
TITLE_SIZE, BODY_SIZE, PAGE_SIZE = Pt(22), Pt(16), Pt(14)  # 二号, 三号, 四号
LINE_PITCH = Pt(28.95)  # 225 mm of 版心 / 22 lines (GB/T 9704 7.1)
CHARS_PER_LINE = 28

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
    fmt.line_spacing = LINE_PITCH
    fmt.space_before = fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(32)  # two characters of 三号
    _font(p.add_run(text), font, size, bold)
    return p


def _page_number_footer(section) -> None:
    """“— 1 —”: the PAGE field between em dashes, 宋体 四号, centred (GB/T 9704 7.5)."""
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run("— "), PAGE_FONT, PAGE_SIZE)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        run = p.add_run()
        _font(run, PAGE_FONT, PAGE_SIZE)
        if kind:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._element.append(fld)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._element.append(instr)
        else:
            run.text = text
    _font(p.add_run(" —"), PAGE_FONT, PAGE_SIZE)


def _font_fallbacks(doc) -> None:
    """Name the 公文 fonts in the font table with the font to use where they are missing."""
    for rel in doc.part.rels.values():
        if rel.reltype.endswith("/fontTable"):
            part = rel.target_part
            break
    else:
        return
    root = etree.fromstring(part.blob)
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    for name, alt in FONT_FALLBACKS.items():
        font = etree.SubElement(root, f"{{{w}}}font", {f"{{{w}}}name": name})
        etree.SubElement(font, f"{{{w}}}altName", {f"{{{w}}}val": alt})
        etree.SubElement(font, f"{{{w}}}charset", {f"{{{w}}}val": "86"})  # GB2312
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


@lru_cache(maxsize=1)
def _template() -> bytes:
    """The empty letter: A4, GB/T 9704 margins and grid, styles, fonts, page-number footer (saved once)."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(28) - Mm(7)  # the page number 7 mm below the 版心 (GB/T 9704 7.5)
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    # a line grid only: a character grid would also space out Latin digits (2023 年) in some viewers;
    # 28 characters a line come from a slightly condensed 三号 instead (156 mm / 28 = 15.8 pt)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(int(LINE_PITCH.pt * 20)))
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = BODY_FONT, BODY_SIZE
    rpr = normal.element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:val"), str(round((Mm(156).pt / CHARS_PER_LINE - BODY_SIZE.pt) * 20)))
    rpr.append(spacing)
    ppr = normal.element.get_or_add_pPr()
    for name in ("w:autoSpaceDE", "w:autoSpaceDN"):  # no extra space between 汉字 and digits (2023年)
        off = OxmlElement(name)
        off.set(qn("w:val"), "0")
        ppr.append(off)
    _page_number_footer(section)
    _font_fallbacks(doc)
    body = doc.element.body
    for p in list(body.iterchildren(qn("w:p"))):  # the template's empty first paragraph
        body.remove(p)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


#: Paragraph kinds of a letter: (font, size, alignment, first-line indent).
BODY = (BODY_FONT, BODY_SIZE, WD_ALIGN_PARAGRAPH.JUSTIFY, True)
HEADING = (HEADING_FONT, BODY_SIZE, WD_ALIGN_PARAGRAPH.JUSTIFY, True)
TITLE_LINE = (TITLE_FONT, TITLE_SIZE, WD_ALIGN_PARAGRAPH.CENTER, False)
CENTRED = (BODY_FONT, BODY_SIZE, WD_ALIGN_PARAGRAPH.CENTER, False)
LEFT = (BODY_FONT, BODY_SIZE, WD_ALIGN_PARAGRAPH.LEFT, False)
RIGHT = (BODY_FONT, BODY_SIZE, WD_ALIGN_PARAGRAPH.RIGHT, False)
BLANK_LINE = (BODY_FONT, BODY_SIZE, WD_ALIGN_PARAGRAPH.JUSTIFY, False)
_MARK = "\ue000"  # a private-use character standing for the paragraph's text in its XML


@lru_cache(maxsize=1)
def _scratch():
    """An empty document the paragraph kinds are made in: one for them all (python-docx parses its
    default template at every Document(): ~9 ms, seven times a run, issue 18)."""
    return Document()


@lru_cache(maxsize=16)
def _paragraph_xml(kind: tuple) -> tuple[str, str]:
    """The XML of one paragraph of ``kind`` around its text, made once by python-docx (so every
    letter's paragraphs are exactly what _para makes) and then filled by string for each letter."""
    font, size, align, indent = kind
    p = _para(_scratch(), _MARK, font=font, size=size, align=align, indent=indent)
    xml = etree.tostring(p._p, encoding="unicode")
    before, after = xml.split(_MARK)
    return before, after


@lru_cache(maxsize=1)
def _template_parts() -> tuple[bytes, str, str]:
    """The template as a zip of its fixed parts (compressed once), and its document.xml split where the
    letter's paragraphs go: each letter appends only its document.xml and core properties."""
    fixed = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_template())) as z, \
            zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as out:
        for name in z.namelist():
            if name in ("word/document.xml", "docProps/core.xml", "docProps/thumbnail.jpeg"):
                continue  # the letter's own parts; python-docx's stock thumbnail is not this letter
            blob = z.read(name)
            if name == "_rels/.rels":
                blob = re.sub(rb'<Relationship [^>]*thumbnail[^>]*/>', b"", blob)
            elif name == "docProps/app.xml":  # no application name: the letter is the commission's
                blob = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="http://'
                        b'schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Company>'
                        + xml_escape(load_office().issuer).encode("utf-8") + b"</Company></Properties>")
            out.writestr(name, blob)
        document = z.read("word/document.xml").decode("utf-8")
    cut = document.index("<w:sectPr")
    return fixed.getvalue(), document[:cut], document[cut:]


def _core_xml(issuer: str, made_at: dt.datetime) -> bytes:
    when = made_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    who, title = xml_escape(issuer), xml_escape(TITLE)
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>{title}</dc:title><dc:creator>{who}</dc:creator><cp:lastModifiedBy>{who}</cp:lastModifiedBy>"
            f'<cp:revision>1</cp:revision><dcterms:created xsi:type="dcterms:W3CDTF">{when}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{when}</dcterms:modified></cp:coreProperties>').encode("utf-8")


def render(paragraphs: list[tuple[tuple, str]], issuer: str, made_at: dt.datetime) -> bytes:
    """The .docx bytes of a letter made of ``paragraphs`` ((kind, text) pairs) on the template."""
    fixed, head, tail = _template_parts()
    body = []
    for kind, text in paragraphs:
        before, after = _paragraph_xml(kind)
        body.append(f"{before}{xml_escape(text)}{after}")
    out = io.BytesIO(fixed)
    out.seek(0, io.SEEK_END)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("docProps/core.xml", _core_xml(issuer, made_at))
        z.writestr("word/document.xml", head + "".join(body) + tail)
    return out.getvalue()


def letter_paragraphs(unit: str, facts: list[str], *, as_of: date, issued_on: date, deadline: date,
                      plan_name: str, red_projects: int = 0, missed_targets: int = 0, office: Office | None = None,
                      requests: list[str] | None = None, triggers: str = "",
                      notes: list[str | None] | None = None, reply_form: str | None = None,
                      sample: bool = False) -> list[tuple[tuple, str]]:
    """The letter to one unit as (paragraph kind, text) pairs, in order. ``requests``: its 工作要求
    (factors.requests); ``triggers``: the plan's words for why it is sent (项目推进落实慢 …). Optional
    follow-up hook (jygproj.followups): ``notes`` — one line under each fact (its 督办编号 and, for an item
    already sent, the previous letter and the unit's answer); ``reply_form`` — the reply form sent with it.
    ``office``: issuer, 发文字号 prefix, 联系人/电话 (data/reference/office.yaml); ``sample``: the letter
    is made from the embedded sample and says so under its title."""
    office = office or load_office()
    out: list[tuple[tuple, str]] = []
    add = out.append
    add((CENTRED, office.doc_number(issued_on.year)))
    add((BLANK_LINE, ""))
    add((TITLE_LINE, TITLE))
    if sample:
        add((CENTRED, SAMPLE_MARK))
    add((BLANK_LINE, ""))
    add((LEFT, f"{unit}："))
    counts = "，".join(x for x in (f"{red_projects}个项目为红色预警" if red_projects else "",
                                   f"{missed_targets}项方案目标未完成" if missed_targets else "") if x)
    why = f"存在{triggers}的情况" if triggers else ""
    add((BODY, f"根据{plan_name}“严格督导奖惩”有关要求，我委对截至{date_zh(as_of)}全市项目建设调度情况进行了分析。"
               + f"你单位负责的项目中，{'，'.join(x for x in (counts, why) if x) or '有以下情况'}。"
               + "现将有关情况提醒如下："))
    add((HEADING, "一、存在的问题"))
    for i, fact in enumerate(facts, 1):
        add((BODY, f"（{_seq(i)}）{fact}"))
        if notes and notes[i - 1]:
            add((BODY, notes[i - 1]))
    add((HEADING, "二、工作要求"))
    for i, request in enumerate(requests or (), 1):
        add((BODY, f"（{_seq(i)}）{request}"))
    if reply_form:
        add((BODY, f"请于{date_zh(deadline)}前逐项填写随函所附《{reply_form}》，将整改落实情况书面报送市发展改革委。"))
    else:
        add((BODY, f"请于{date_zh(deadline)}前将整改落实情况书面报送市发展改革委。"))
    add((BODY, "特此函告。"))
    add((BLANK_LINE, ""))
    add((RIGHT, office.issuer))
    add((RIGHT, date_zh(issued_on)))
    add((BODY, f"（{office.contact_line()}）"))  # 附注: two characters in, under the date (GB/T 9704 7.3.7)
    return out


def write_letters(facts: pl.DataFrame, out_dir: Path | str, *, as_of: date, issued_on: date, deadline: date,
                  plan_name: str, office: Office | None = None,
                  requests: dict[str, list[str]] | None = None, triggers: dict[str, str] | None = None,
                  reply_forms: dict[str, str] | None = None, sample: bool = False) -> list[Path]:
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
    office = office or load_office()
    made_at = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)  # core properties are UTC
    units = facts["responsible_unit"].unique(maintain_order=True).to_list()
    names = paths.unique_names([f"提醒函_{unit}" for unit in units], ".docx")
    written: list[Path] = []
    by_unit = facts.partition_by("responsible_unit", as_dict=True, maintain_order=True)  # one pass, not one per unit
    for unit in units:
        mine = by_unit[(unit,)]
        kinds = mine["kind"].to_list()
        paragraphs = letter_paragraphs(unit, mine["fact"].to_list(), as_of=as_of, issued_on=issued_on, deadline=deadline,
                           plan_name=plan_name, red_projects=kinds.count("red_project"),
                           missed_targets=kinds.count("missed_target") + kinds.count("missed_annual"),
                           office=office, requests=(requests or {}).get(unit), sample=sample,
                           triggers=(triggers or {}).get(unit, ""),
                           notes=mine["item_note"].to_list() if "item_note" in mine.columns else None,
                           reply_form=(reply_forms or {}).get(unit))
        written.append(outputs.write_atomic(out / names[f"提醒函_{unit}"], render(paragraphs, office.issuer, made_at)))
    return written
