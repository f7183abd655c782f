"""The brief for leadership 情况汇报 (Word, A4, at most two pages): the verdict under both readings of
the growth goal, what the target month needs (亿元 and year on year), a small table by list, the units
behind, the three projects that would change the outcome most, and the data date (issue 15, item 3).

Every figure is read from the review's ``summary.json`` (jygproj.report.review_text.summary), never
recomputed: :func:`figures` names each by its path in the summary, and :func:`trace` lists them
(what the brief says, the value, the path) for summary.json's ``brief`` entry. Numbers are written
as 公文 write them (jygproj.report.formats.official_amount: 9290万元, 13.19亿元). A brief made from
the embedded sample says 样例数据 first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import reduce
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from jygproj import outputs
from jygproj.office import load_office
from jygproj.report.formats import date_zh, official_amount, official_yi
from jygproj.schema import LISTS, QUARTER_LABELS, READING_NAMES, SAMPLE_WORD, SCOPE_LABELS

if TYPE_CHECKING:
    from jygproj.quarterly import Review

#: The brief's name in the run's file names (jygproj.paths.output_name).
KIND = "情况汇报"
#: How many units behind and projects that matter the brief names (a page has room for no more).
UNITS_SHOWN, PROJECTS_SHOWN = 5, 3
TITLE_FONT, BODY_FONT, HEADING_FONT, TABLE_FONT = "方正小标宋简体", "仿宋", "黑体", "仿宋"
#: Lists of the table, in the plan's order, then the city each project once (completion.CITY).
TABLE_LISTS = ("provincial_major", "provincial_key", "leader_package", "government", "industrial", "real_estate",
               "city")


@dataclass(frozen=True)
class Figure:
    """One number of the brief: what it is, where in summary.json it comes from, its value and text."""

    label: str
    path: tuple[str | int, ...]
    value: Any
    text: str


class Figures:
    """The brief's numbers, each read from the summary by its path and kept for the trace."""

    def __init__(self, summary: dict[str, Any]):
        self.summary, self.used = summary, []

    def get(self, label: str, *path: str | int, fmt=official_amount) -> str:
        value = reduce(lambda d, k: d[k], path, self.summary)
        fig = Figure(label, path, value, fmt(value))
        self.used.append(fig)
        return fig.text


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.1f}%"


def _pct2(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}%"


def _chance(p: float | None) -> str:
    return "—" if p is None else f"{p:.0%}"


def _change(x: float | None) -> str:
    return "—" if x is None else (f"增长{x:.1f}%" if x >= 0 else f"下降{-x:.1f}%")


def _plain(x: Any) -> str:
    return str(x)


def verdict(f: Figures, key: str, w) -> str:
    """One reading in a sentence: the goal, what the target month needs, the forecast's margin, the chance."""
    g = f.summary["growth"]
    r = g[key]
    rest = "、".join(f"{m}月" for m in g["rest_months"])
    goal = (f"{w.span}累计增速不低于{w.pct}" if key == "rate" else f"{w.span}累计达到上年全年的{w.factor}倍")
    margin = r["margin_wan"]
    short = "还差" if margin < 0 else "超出"
    words = f"可以{w.early}完成" if r["met_early"] else f"难以{w.early}完成"
    return (f"按{READING_NAMES[key]}（{goal}，即{w.span}累计"
            f"{f.get(f'{READING_NAMES[key]}目标', 'growth', key, 'goal_wan')}），"
            f"{rest}需完成{f.get(f'{READING_NAMES[key]}{rest}所需投资', 'growth', key, 'needed_rest_wan')}、"
            f"比上年同期{f.get(f'{READING_NAMES[key]}{rest}所需同比', 'growth', key, 'needed_rest_yoy_pct', fmt=_change)}；"
            f"按预测{w.month}末{short}"
            f"{f.get(f'{READING_NAMES[key]}{w.month}末差额', 'growth', key, 'margin_wan', fmt=lambda v: official_amount(abs(v)))}，"
            f"按目前预测{words}（达到的可能性为"
            f"{f.get(f'{READING_NAMES[key]}达到概率', 'growth', key, 'probability', fmt=_chance)}）。")


def paragraphs(review: "Review", f: Figures) -> dict[str, Any]:
    """The brief's text and table rows (Chinese), every number through ``f``."""
    s, p, w = f.summary, review.params, review.plan.words
    g = s["growth"]
    m = p.as_of_month
    head = s["run"]["headline"]
    other = next(k for k in READING_NAMES if k != head)
    out: dict[str, Any] = {}
    out["overview"] = (
        f"1-{m}月，全市固定资产投资累计完成{f.get(f'1-{m}月全市固定资产投资', 'growth', 'ytd_cum_wan')}，"
        f"同比{f.get(f'1-{m}月累计增速', 'growth', 'ytd_growth_pct', fmt=_change)}。"
        + ("" if g.get("forecast") is None else
           f"按投资预测，{w.span}累计{f.get('预测目标月累计', 'growth', 'forecast', 'cum_wan')}、"
           f"累计增速{f.get('预测目标月累计增速', 'growth', 'forecast', 'growth_pct', fmt=_pct2)}"
           f"（80%的可能在{f.get('预测增速下限', 'growth', 'forecast', 'p10_growth_pct', fmt=_pct)}至"
           f"{f.get('预测增速上限', 'growth', 'forecast', 'p90_growth_pct', fmt=_pct)}之间）。"))
    out["readings"] = [verdict(f, head, w), verdict(f, other, w)]
    rows = []
    for key in TABLE_LISTS:
        ytd = (s["completion"].get(key) or {}).get("YTD")
        if not ytd:
            continue
        name = LISTS.get(key) or SCOPE_LABELS[key]
        rows.append((name,
                     f.get(f"{name}项目数", "completion", key, "YTD", "projects", fmt=_plain),
                     f.get(f"{name}年度计划", "completion", key, "YTD", "annual_plan_wan", fmt=official_yi),
                     f.get(f"{name}1-{m}月完成", "completion", key, "YTD", "completed_wan", fmt=official_yi),
                     f.get(f"{name}年度计划完成率", "completion", key, "YTD", "annual_rate_pct", fmt=_pct),
                     f.get(f"{name}序时完成率", "completion", key, "YTD", "rate_pct", fmt=_pct)))
    out["table"] = rows
    units = [(i, u) for i, u in enumerate(s["units"]) if u["rate_pct"] is not None][:UNITS_SHOWN]
    out["units"] = (
        "序时进度完成率最低的单位：" + "；".join(
            f"{u['unit']}{f.get(u['unit'] + '序时完成率', 'units', i, 'rate_pct', fmt=_pct)}"
            + (f"（红色预警项目{f.get(u['unit'] + '红色预警项目', 'units', i, 'red', fmt=_plain)}个）" if u["red"] else "")
            for i, u in units) + "。"
        + f"按方案“严格督导奖惩”要求，{f.get('提醒函', 'letters', fmt=_plain)}个单位应发提醒函。")
    counts = s["warnings"]["projects_by_level"]
    out["warnings"] = ("按项目最高预警等级计，红色预警" + f.get("红色预警项目", "warnings", "projects_by_level", "red", fmt=_plain)
                       + "个、黄色预警" + f.get("黄色预警项目", "warnings", "projects_by_level", "yellow", fmt=_plain)
                       + "个、蓝色预警" + f.get("蓝色预警项目", "warnings", "projects_by_level", "blue", fmt=_plain)
                       + "个。") if counts else ""
    sens = s.get("sensitivity")
    out["levers"] = []
    if sens:
        lo, hi = sens["low_multiplier"], sens["high_multiplier"]
        for i, pr in enumerate(sens["projects"][:PROJECTS_SHOWN]):
            out["levers"].append(
                f"{pr['name']}（{pr['list']}，{pr['unit'] or '未填责任单位'}）：{w.month}前剩余投资按{hi:g}倍推进，"
                f"{w.month}末全市投资增加{f.get(pr['name'] + '加快增加', 'sensitivity', 'projects', i, 'high_delta_wan')}；"
                f"按{lo:g}倍推进（未开工的不开工），减少"
                f"{f.get(pr['name'] + '放缓减少', 'sensitivity', 'projects', i, 'low_delta_wan', fmt=lambda v: official_amount(abs(v)))}。")
    out["date"] = (f"数据截至{p.year}年{m}月（按{date_zh(p.as_of_date)}前报送的调度数据和已公布的统计数）；"
                   f"清单项目每个项目在合计中只计一次。")
    return out


# --- layout ---------------------------------------------------------------------------------------


def _font(run, name: str, size: float, bold: bool = False, color: RGBColor | None = None) -> None:
    run.font.name, run.font.size, run.font.bold = name, Pt(size), bold
    if color is not None:
        run.font.color.rgb = color
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _para(doc, text: str = "", *, font: str = BODY_FONT, size: float = 14, bold: bool = False, indent: bool = True,
          align=WD_ALIGN_PARAGRAPH.JUSTIFY, color: RGBColor | None = None, line: float = 23):
    p = doc.add_paragraph()
    p.alignment = align
    fmt = p.paragraph_format
    fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(line)
    fmt.space_before = fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    if text:
        _font(p.add_run(text), font, size, bold, color)
    return p


def _page_number(section) -> None:
    """— 1 — centred in the footer (a PAGE field)."""
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run("— "), BODY_FONT, 12)
    run = p.add_run()
    for tag, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if tag:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), tag)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._element.append(el)
    _font(run, BODY_FONT, 12)
    _font(p.add_run(" —"), BODY_FONT, 12)


def _table(doc, header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    t = doc.add_table(rows=1 + len(rows), cols=len(header))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    widths = (Mm(40), Mm(18), Mm(26), Mm(26), Mm(26), Mm(22))  # 158 mm: the text width
    for c, width in enumerate(widths):
        t.columns[c].width = width
    for r, (row, values) in enumerate(zip(t.rows, [header, *rows])):
        cells = row.cells  # a row's cells once (t.cell(r, c) works out every cell of the table each time)
        for c, value in enumerate(values):
            cell = cells[c]
            cell.width = widths[c]
            p = cell.paragraphs[0]
            p.alignment = WD_ALIGN_PARAGRAPH.LEFT if c == 0 and r else WD_ALIGN_PARAGRAPH.CENTER if r == 0 \
                else WD_ALIGN_PARAGRAPH.RIGHT
            p.paragraph_format.space_before = p.paragraph_format.space_after = Pt(1)
            _font(p.add_run(value), HEADING_FONT if r == 0 else TABLE_FONT, 10.5,
                  bold=r == len(rows) and rows[-1][0] == SCOPE_LABELS["city"])


def build_brief(review: "Review", summary: dict[str, Any], *, issuer: str | None = None,
                made_at: dt.datetime | None = None):
    """The brief as a python-docx Document (not saved) and the figures it used."""
    f = Figures(summary)
    text = paragraphs(review, f)
    p, w = review.params, review.plan.words
    made_at = made_at or dt.datetime.now()
    issuer = issuer or load_office().issuer  # data/reference/office.yaml: the one home of the issuer
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(25), Mm(22)
    section.left_margin = section.right_margin = Mm(25)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = BODY_FONT, Pt(14)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    props = doc.core_properties
    props.author = props.last_modified_by = issuer
    props.title = f"{p.year}年{QUARTER_LABELS[p.quarter]}全市项目建设和固定资产投资情况汇报"
    props.comments = props.keywords = props.subject = props.category = ""
    props.created = props.modified = made_at.astimezone(dt.timezone.utc).replace(tzinfo=None)
    props.revision = 1
    _page_number(section)

    if summary["run"].get("sample_data"):
        _para(doc, f"【{SAMPLE_WORD}】本材料由内置{SAMPLE_WORD}生成，不是官方统计数据，仅供演示。",
              font=HEADING_FONT, size=12, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER,
              color=RGBColor(0xC0, 0x00, 0x00))
    _para(doc, props.title, font=TITLE_FONT, size=18, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, line=30)
    _para(doc, f"{issuer}　{date_zh(made_at.date())}", size=14, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, text["date"], size=12, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, line=20)
    _para(doc, f"一、能否{w.early}完成{w.pct}增长目标", font=HEADING_FONT)
    _para(doc, text["overview"])
    for sentence in text["readings"]:
        _para(doc, sentence)
    _para(doc, "二、分清单完成情况", font=HEADING_FONT)
    _table(doc, ("清单", "项目数", "年度计划（亿元）", f"1-{p.as_of_month}月完成（亿元）", "年度计划完成率",
                 "序时完成率"), text["table"])
    _para(doc, "注：全市合计中同时列入多个清单的项目只计一次；序时完成率按季节性施工进度计算。", size=10.5, indent=False,
          line=16)
    _para(doc, "三、进度滞后的单位", font=HEADING_FONT)
    _para(doc, text["units"])
    if text["warnings"]:
        _para(doc, text["warnings"])
    if text["levers"]:
        _para(doc, "四、对结果影响最大的三个项目", font=HEADING_FONT)
        _para(doc, f"按投资预测的敏感性测算，以下项目{w.month}前的进度对{w.month}末全市投资影响最大：")
        for i, sentence in enumerate(text["levers"], 1):
            _para(doc, f"{i}．{sentence}")
    return doc, f.used


def trace(figures: list[Figure]) -> list[dict[str, Any]]:
    """summary.json's ``brief.figures``: what the brief says, the value and where it comes from."""
    return [{"figure": x.label, "text": x.text, "value": x.value,
             "source": "summary.json：" + ".".join(str(k) for k in x.path)} for x in figures]


def write_brief(review: "Review", summary: dict[str, Any], path: str | Path) -> tuple[Path, list[dict[str, Any]]]:
    """Write the brief atomically (jygproj.outputs.write_atomic, the one output mode); returns its
    path and its trace."""
    doc, used = build_brief(review, summary)
    return outputs.write_atomic(path, doc.save), trace(used)
