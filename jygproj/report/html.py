"""The one HTML table renderer (notebooks and their offline HTML reports) and the notebook's
display helpers. Headers from schema labels, cells by :mod:`jygproj.report.formats`."""

from __future__ import annotations

import html
from typing import Any, Mapping

import polars as pl

from jygproj.report import formats
from jygproj.schema import REPORT_LABELS


def table_html(frame: pl.DataFrame, labels: Mapping[str, str] = REPORT_LABELS, *, max_rows: int = 60,
               caption: str | None = None, css_class: str = "jyg", empty: str | None = None) -> str:
    """An HTML table with Chinese headers and formatted numbers; says how many rows were left out.
    ``empty``: what to say instead of an empty table (the planner's "no lever changed")."""
    if empty is not None and frame.is_empty():
        return f"<p>{html.escape(empty)}</p>"
    shown = frame.head(max_rows)
    head = "".join(f"<th>{html.escape(labels.get(c, c))}</th>" for c in shown.columns)
    body = []
    for row in shown.iter_rows():
        cells = "".join(f"<td style='text-align:{formats.align(v)}'>{html.escape(formats.cell(c, v))}</td>"
                        for c, v in zip(shown.columns, row))
        body.append(f"<tr>{cells}</tr>")
    more = (f"<p>（共 {frame.height} 行，此处显示前 {max_rows} 行；完整数据见 Excel 工作簿）</p>"
            if frame.height > max_rows else "")
    cap = f"<caption style='caption-side:top;font-weight:bold'>{html.escape(caption)}</caption>" if caption else ""
    return f"<table class='{css_class}'>{cap}<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{more}"


def display_table(frame: pl.DataFrame, *, labels: Mapping[str, str] = REPORT_LABELS, max_rows: int = 60,
                  caption: str | None = None) -> Any:
    """:func:`table_html` as a notebook display object."""
    from IPython.display import HTML

    return HTML(table_html(frame, labels=labels, max_rows=max_rows, caption=caption))


def show_frame(frame: pl.DataFrame, title: str, *, unit: str | None = None,
               labels: Mapping[str, str] = REPORT_LABELS, max_rows: int = 60) -> None:
    """Display a table with its title and unit; an empty one says so (never a blank)."""
    from IPython.display import Markdown, display

    if frame.is_empty():
        display(Markdown(f"**{title}**：无。"))
        return
    if {"value", "unit"} <= set(frame.columns):  # mixed units: each value formatted by its own unit
        frame = frame.with_columns(pl.struct("value", "unit").map_elements(
            lambda r: formats.by_unit(r["value"], r["unit"]), return_dtype=pl.String).alias("value"))
    caption = title + (f"（单位：{unit}）" if unit else "")
    display(display_table(frame, labels=labels, max_rows=max_rows, caption=caption))


def say(*paragraphs: str) -> None:
    """Display sentences (Markdown)."""
    from IPython.display import Markdown, display

    text = "\n\n".join(p for p in paragraphs if p)
    if text:  # nothing to say: no empty output
        display(Markdown(text))
