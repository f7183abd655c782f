"""The quarterly review as the notebook shows it and as files in the run directory: tables and
sentences displayed, the Excel workbook, the reminder letters, chart PNGs and ``summary.json``."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Mapping

from jygproj import letters, paths
from jygproj.export import Sheet, write_workbook
from jygproj.report import html
from jygproj.report.formats import date_zh
from jygproj.schema import REPORT_LABELS

if TYPE_CHECKING:
    from jygproj.quarterly import Review

#: The quarterly review's name in file names (jygproj.paths.output_name).
REVIEW_KIND = "季度考核"
#: Days a unit has to answer a reminder letter in writing (a commission's choice, not the plan's).
LETTER_DAYS = 15


def show(review: "Review", key: str, max_rows: int = 60) -> None:
    """Display one of the review's tables with its title (a missing table says so, never blank)."""
    table = review.tables.get(key)
    if table is None:
        html.say(f"*（本节无数据：{key}）*")
        return
    html.show_frame(table.frame, table.title, unit=table.unit, max_rows=max_rows, labels=labels(review))


def labels(review: "Review") -> dict[str, str]:
    """The report's column headers, with those that name the plan's numbers in this plan's words."""
    return {**REPORT_LABELS, **review.plan.words.column_labels}


def say(review: "Review", *keys: str) -> None:
    """Display narrative sentences (Markdown) of the review."""
    html.say(*(review.text[k] for k in keys if k in review.text))


def show_heading(review: "Review") -> None:
    p, w = review.params, review.plan.words
    who = f"责任单位：**{p.unit}**（{w.pct}增长跟踪为全市口径）" if p.unit else "范围：**全市**"
    html.say(f"**{p.year}年第{p.quarter}季度** · {who} · 数据截至 **{date_zh(p.as_of_date)}**"
             f"（{p.as_of}） · 主口径：{w.reading_labels[p.headline]} · "
             f"数据目录：`{paths.display(p.data_dir, for_readers=True) if p.data_dir else '内置样例数据'}` · 生成时间：{dt.datetime.now():%Y-%m-%d %H:%M}")


def show_files(written: Mapping[str, Path]) -> None:
    html.say("\n".join(f"- `{Path(p).parent.name}/{Path(p).name}`" if Path(p).parent.name == "letters"
                       else f"- `{Path(p).name}`" for p in written.values()))


def sheets_for(review: "Review") -> list[Sheet]:
    return [
        Sheet(t.name, t.title, t.frame, unit=t.unit, total_row=t.total_row, labels=labels(review),
              total_ratios=t.total_ratios,
              notes=(*t.notes, f"数据截至{date_zh(review.params.as_of_date)}；来源见“数据来源”工作表。"))
        for t in review.tables.values()
    ]


def write_letters(review: "Review", out_dir: Path) -> list[Path]:
    """One 提醒函 (docx) per unit due one; issued on the evaluation date, answer due in LETTER_DAYS."""
    facts = review.frames["reminder_facts"]
    if not facts.height:
        return []
    as_of = review.params.as_of_date
    return letters.write_letters(facts, out_dir, as_of=as_of, issued_on=as_of, plan_name=review.plan.citation,
                                 deadline=as_of + dt.timedelta(days=LETTER_DAYS))


def write_outputs(review: "Review", out_dir: str | Path) -> dict[str, Path]:
    """Write the Excel workbook, the letters, chart PNGs and summary.json into ``out_dir`` (the run directory)."""
    from jygproj import charts
    from jygproj.report.review_charts import charts_for

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    name = review.params.run_name
    written = {"excel": write_workbook(out / f"{paths.output_name(name, REVIEW_KIND, review.params.unit)}.xlsx",
                                       sheets_for(review))}
    for path in write_letters(review, out / "letters"):  # one 提醒函 .docx per unit
        written[f"letter:{path.stem}"] = path
    if charts.cjk_fonts():  # PNG text needs a CJK font on this machine (SVG in the HTML does not)
        (out / "charts").mkdir(exist_ok=True)
        for key, chart in charts_for(review).items():
            written[f"chart:{key}"] = charts.save_png(chart, out / "charts" / f"{key}.png")
    doc = dict(review.summary)
    if review.params.unit is None:  # the brief is the city's, for leadership
        from jygproj.report import brief

        written["brief"], figures = brief.write_brief(
            review, json.loads(json.dumps(review.summary, default=str)), out / f"{paths.output_name(name, brief.KIND)}.docx")
        doc["brief"] = {"file": written["brief"].name, "figures": figures}
    summary = out / "summary.json"
    summary.write_text(json.dumps(doc, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    written["summary"] = summary
    return written
