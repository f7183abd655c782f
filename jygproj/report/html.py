"""The one HTML table renderer (notebooks and their offline HTML reports) and the notebook's
display helpers. Headers from schema labels, cells by :mod:`jygproj.report.formats`."""

from __future__ import annotations

import html
import re
from typing import Any, Mapping

import polars as pl

from jygproj.report import formats
from jygproj.schema import ALERT_LEVELS, LEVEL_COLUMNS, REPORT_LABELS

#: The report's styles, screen and print: numbers right-aligned, warning levels as coloured badges,
#: charts at the page's width; printed on A4 landscape (the widest table, 15 columns, fits its width;
#: Chromium's per-table landscape pages left most pages half empty), long cells wrap, a table's
#: header repeats on each page, so nothing is cut off (issue 15: ≤ 40 A4 pages). A table of more
#: than WIDE_COLUMNS columns is marked "wide".
WIDE_COLUMNS = 9
REPORT_CSS = """
table.jyg { border-collapse: collapse; font-size: 13px; margin: 6px 0 14px; }
table.jyg th { background: #edf2f7; font-weight: 600; padding: 4px 6px; vertical-align: bottom;
  min-width: 4.5em; max-width: 16em; }
table.jyg td { padding: 3px 6px; vertical-align: top; max-width: 28em; overflow-wrap: anywhere; }
table.jyg tbody tr:nth-child(even) { background: #f7fafc; }
/* JupyterLab right-aligns every cell (:not(.jp-RenderedMarkdown).jp-RenderedHTMLCommon td): text goes left */
table.jyg td:not(.num), table.jyg th:not(.num) { text-align: left; }
table.jyg td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
table.jyg th.num { text-align: right; }
table.jyg caption { text-align: left; }
.lvl { display: inline-block; padding: 0 6px; border-radius: 3px; color: #fff; white-space: nowrap;
  font-size: 12px; line-height: 18px; }
.lvl-red { background: #c53030; } .lvl-yellow { background: #b7791f; } .lvl-blue { background: #2b6cb0; }
.jyg-chart { width: 100%; margin: 8px 0 16px; }
.jyg-chart svg { width: 100%; max-width: 1200px; height: auto; }
.jyg-sample { border: 2px solid #c53030; color: #9b2c2c; background: #fff5f5; padding: 6px 12px;
  font-weight: 600; margin: 0 0 10px; }
.jyg-answer { border: 1px solid #cbd5e0; border-radius: 6px; padding: 10px 16px; margin: 8px 0 16px;
  background: #fbfdff; }
.jyg-answer h2 { font-size: 20px; margin: 0 0 8px; }
.jyg-verdicts { display: flex; gap: 16px; flex-wrap: wrap; }
.jyg-verdict { flex: 1 1 420px; border-left: 6px solid #c53030; padding: 6px 12px; background: #fff; }
.jyg-verdict.ok { border-left-color: #2f855a; }
.jyg-verdict .big { font-size: 22px; font-weight: 700; margin: 2px 0 6px; }
.jyg-verdict.ok .big { color: #276749; } .jyg-verdict .big { color: #9b2c2c; }
.jyg-verdict ul, .jyg-behind ul { margin: 4px 0; padding-left: 20px; font-size: 15px; line-height: 1.6; }
.jyg-behind { display: flex; gap: 16px; flex-wrap: wrap; margin-top: 8px; }
.jyg-behind > div { flex: 1 1 380px; }
.jyg-behind h3 { font-size: 16px; margin: 4px 0; }
.jyg-levels { font-size: 16px; margin-top: 6px; } .jyg-levels .lvl { font-size: 15px; line-height: 22px; }
.jyg-note { color: #4a5568; font-size: 13px; margin-top: 6px; }
@page { size: A4 landscape; margin: 10mm 10mm 12mm; }
@media print {
  body { font-size: 10.5px; }
  .jp-Cell, .jp-OutputArea-output, .jp-RenderedHTMLCommon { padding: 0 !important; margin: 0 !important; }
  .jp-RenderedHTMLCommon p { margin: 2px 0 4px !important; }
  .jp-RenderedHTMLCommon h2 { font-size: 16px !important; margin: 8px 0 4px !important; page-break-after: avoid; }
  table.jyg { font-size: 9px; page-break-inside: auto; margin: 2px 0 8px; }
  table.jyg caption { font-size: 10px; }
  table.jyg th, table.jyg td { padding: 1px 4px; }
  table.jyg td { max-width: 48em; }
  table.jyg thead { display: table-header-group; }
  table.jyg tr { page-break-inside: avoid; }
  .jyg-chart svg { max-width: 80%; max-height: 120mm; }
  .jyg-chart { page-break-inside: avoid; }
  .jp-RenderedHTMLCommon h1 { font-size: 20px !important; margin: 0 0 6px !important; }
  .jyg-answer { padding: 4px 10px; margin: 4px 0; } .jyg-verdict .big { font-size: 16px; }
  .jyg-answer h2 { font-size: 15px; margin: 0 0 4px; } .jyg-behind h3 { font-size: 12px; margin: 2px 0; }
  .jyg-verdict ul, .jyg-behind ul { font-size: 11px; line-height: 1.4; }
  .lvl { font-size: 9px; line-height: 13px; padding: 0 3px; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""

_LEVEL_CODES = {**{k: k for k in ALERT_LEVELS}, **{v: k for k, v in ALERT_LEVELS.items()}}
#: Text that is a figure (1,234.56 / −3.2 / 12.0（10.3–12.7） / —): right-aligned like the numbers.
_NUMBERISH = re.compile(r"^[−+\-]?[\d,.]+%?(（[\d,.–\-%]+）)?$|^—$")


def style() -> str:
    """The report's <style> element (shown once, first)."""
    return f"<style>{REPORT_CSS}</style>"


def badge(code: str, label: str | None = None) -> str:
    """A warning level as a coloured badge (红色预警 on red…); ``code`` red/yellow/blue or its label."""
    key = _LEVEL_CODES.get(code, "")
    return f"<span class='lvl lvl-{key}'>{html.escape(label or ALERT_LEVELS.get(key, code))}</span>"


def _numeric_columns(frame: pl.DataFrame) -> set[str]:
    """Columns of numbers, or of text that is all figures (mixed-unit tables): right-aligned."""
    out = set()
    for c, dtype in frame.schema.items():
        if dtype.is_numeric():
            out.add(c)
        elif dtype == pl.String:
            values = [v for v in frame[c].to_list() if v is not None]
            if values and all(_NUMBERISH.match(v.strip()) for v in values):
                out.add(c)
    return out


def _td(col: str, v: Any, numeric: bool) -> str:
    text = formats.cell(col, v)
    if col in LEVEL_COLUMNS and v is not None and str(v) in _LEVEL_CODES:
        return f"<td>{badge(str(v), text)}</td>"
    return f"<td class='num'>{html.escape(text)}</td>" if numeric else f"<td>{html.escape(text)}</td>"


def table_html(frame: pl.DataFrame, labels: Mapping[str, str] = REPORT_LABELS, *, max_rows: int = 60,
               caption: str | None = None, css_class: str = "jyg", empty: str | None = None,
               sheet: str | None = None, columns_left_out: int = 0) -> str:
    """An HTML table with Chinese headers and formatted numbers; says how many rows (and columns) were
    left out and which Excel sheet has them all (``sheet``). ``empty``: what to say instead of an
    empty table (the planner's "no lever changed")."""
    if empty is not None and frame.is_empty():
        return f"<p>{html.escape(empty)}</p>"
    shown = frame.head(max_rows)
    numeric = _numeric_columns(shown)
    head = "".join(f"<th class='num'>{html.escape(labels.get(c, c))}</th>" if c in numeric
                   else f"<th>{html.escape(labels.get(c, c))}</th>" for c in shown.columns)
    # the cells column by column, a text column's distinct values made once (names of units, levels
    # and places repeat down a table: issue 18), then joined row by row
    columns = []
    for c, dtype in shown.schema.items():
        values, is_num = shown[c].to_list(), c in numeric
        if dtype == pl.String:
            made = {v: _td(c, v, is_num) for v in set(values)}
            columns.append([made[v] for v in values])
        else:
            columns.append([_td(c, v, is_num) for v in values])
    body = [f"<tr>{''.join(row)}</tr>" for row in zip(*columns)]
    if len(shown.columns) > WIDE_COLUMNS:
        css_class += " wide"
    where = f"Excel 工作簿“{sheet}”工作表" if sheet else "Excel 工作簿"
    parts = ([f"共 {frame.height} 行，此处显示前 {max_rows} 行"] if frame.height > max_rows else []) + (
        [f"另有 {columns_left_out} 列未在此显示"] if columns_left_out else [])
    more = f"<p class='jyg-more'>（{'；'.join(parts)}；完整数据见{html.escape(where)}）</p>" if parts else ""
    cap = f"<caption style='caption-side:top;font-weight:bold'>{html.escape(caption)}</caption>" if caption else ""
    return f"<table class='{css_class}'>{cap}<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{more}"


def display_table(frame: pl.DataFrame, *, labels: Mapping[str, str] = REPORT_LABELS, max_rows: int = 60,
                  caption: str | None = None, sheet: str | None = None, columns_left_out: int = 0) -> Any:
    """:func:`table_html` as a notebook display object."""
    from IPython.display import HTML

    return HTML(table_html(frame, labels=labels, max_rows=max_rows, caption=caption, sheet=sheet,
                           columns_left_out=columns_left_out))


def show_frame(frame: pl.DataFrame, title: str, *, unit: str | None = None,
               labels: Mapping[str, str] = REPORT_LABELS, max_rows: int = 60, sheet: str | None = None,
               columns_left_out: int = 0) -> None:
    """Display a table with its title and unit; an empty one says so (never a blank)."""
    show_html(frame_html(frame, title, unit=unit, labels=labels, max_rows=max_rows, sheet=sheet,
                         columns_left_out=columns_left_out))


def frame_html(frame: pl.DataFrame, title: str, *, unit: str | None = None,
               labels: Mapping[str, str] = REPORT_LABELS, max_rows: int = 60, sheet: str | None = None,
               columns_left_out: int = 0) -> str:
    """What :func:`show_frame` displays, as HTML: the table with its title and unit, or the sentence
    saying it is empty (the words Markdown's **title**：无。 gave, as HTML so that it is one output with
    the tables beside it)."""
    if frame.is_empty():
        return f"<p><strong>{html.escape(title)}</strong>：无。</p>"
    if {"value", "unit"} <= set(frame.columns):  # mixed units: each value formatted by its own unit
        # in Python, the column replaced in a copy, not by a query (issue 18)
        values = [formats.by_unit(v, u) for v, u in zip(frame["value"].to_list(), frame["unit"].to_list())]
        frame = frame.clone()
        frame.replace_column(frame.get_column_index("value"), pl.Series("value", values, dtype=pl.String))
    caption = title + (f"（单位：{unit}）" if unit else "")
    return table_html(frame, labels=labels, max_rows=max_rows, caption=caption, sheet=sheet,
                      columns_left_out=columns_left_out)


def say(*paragraphs: str) -> None:
    """Display sentences (Markdown)."""
    from IPython.display import Markdown, display

    text = "\n\n".join(p for p in paragraphs if p)
    if text:  # nothing to say: no empty output
        display(Markdown(text))


def show_html(text: str) -> None:
    """Display raw HTML (the report's style, its first screen, tables and charts one after the other)
    as one output. Each output crosses the kernel's channel, the runner's handling and the HTML export
    on its own (about 0.5 ms of CPU each end to end: a report showed 55, issue 18)."""
    from IPython.display import HTML, display

    if text:
        display(HTML(text))


def sample_html() -> str:
    """The mark of a report made from the embedded sample (issue 15): first, in red."""
    return ("<div class='jyg-sample'>样例数据：本报告由内置样例数据（软件合成，非官方统计数据）生成，"
            "数字不得作为统计或考核依据。</div>")


def answer_html(answer: Mapping[str, Any], title: str) -> str:
    """The first screen: each reading's verdict with its figures (headline first), the units and
    projects furthest behind, the projects by warning level (jygproj.report.review_text.answer)."""
    e = html.escape
    verdicts = "".join(
        f"<div class='jyg-verdict{' ok' if r['ok'] else ''}'><div><b>{e(r['name'])}</b>"
        f"{'（主口径）' if r['headline'] else ''}：{e(r['rule'])}</div>"
        f"<div class='big'>{e(r['verdict'])}</div><ul>{''.join(f'<li>{e(x)}</li>' for x in r['lines'])}</ul></div>"
        for r in answer["readings"])

    def listing(head: str, items: list[str]) -> str:
        body = "".join(f"<li>{e(x)}</li>" for x in items) or "<li>无</li>"
        return f"<div><h3>{e(head)}</h3><ul>{body}</ul></div>"

    levels = "　".join(f"{badge(code, label)} <b>{n}</b> 个" for code, label, n in answer["levels"])
    return (f"<div class='jyg-answer'><h2>{e(title)}</h2><div class='jyg-verdicts'>{verdicts}</div>"
            f"<div class='jyg-note'>{e(answer['note'])}</div>"
            f"<div class='jyg-behind'>{listing(answer['units_head'], answer['units'])}"
            f"{listing('落后序时计划最多的项目', answer['projects'])}</div>"
            f"<div class='jyg-levels'>预警项目（按项目最高等级）：{levels}　· 拟发提醒函 <b>{answer['letters']}</b> 份</div></div>")
