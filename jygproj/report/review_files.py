"""The quarterly review as the notebook shows it and as files in the run directory: tables and
sentences displayed, the Excel workbook, the reminder letters, chart PNGs and ``summary.json``."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

import polars as pl

from jygproj import paths
from jygproj.export import Pending, Sheet, Signature, write_workbook, write_workbook_elsewhere
from jygproj.office import load_office
from jygproj.report import REVIEW_KIND, html  # REVIEW_KIND: the quarterly review's name in file names
from jygproj.report.formats import date_zh
from jygproj.report.tables import sources
from jygproj.schema import FOLLOWUP_LABELS, QUARTER_LABELS, REPORT_LABELS

if TYPE_CHECKING:
    from jygproj.quarterly import Review


def show(review: "Review", *shown: Any, max_rows: int | None = None) -> None:
    """Display the review's tables named in ``shown``, each with its title (a missing table says so,
    never blank): its first rows and chosen columns (Table.shown_rows, shown_columns), naming the sheet
    that has all; a chart in ``shown`` (jygproj.charts) is shown there as charts.show shows it. All of
    them one output (html.show_html, issue 18)."""
    from jygproj import charts

    html.show_html("".join(_table_html(review, item, max_rows) if isinstance(item, str) else charts.chart_html(item)
                           for item in shown))


def _table_html(review: "Review", key: str, max_rows: int | None) -> str:
    table = review.tables.get(key)
    if table is None:
        return "<p><em>（本节无数据）</em></p>"  # the words Markdown's *（本节无数据）* gave
    columns = table.frame.columns
    shown = [c for c in table.shown_columns if c in columns] or columns
    # the shown columns taken as they are, not by a query (issue 18: ~24 tables a report)
    frame = table.frame if shown == columns else table.frame[shown]
    return html.frame_html(sources(frame), table.title, unit=table.unit,
                           max_rows=max_rows or table.shown_rows, labels=labels(review), sheet=table.name,
                           columns_left_out=table.frame.width - len(shown))


def labels(review: "Review") -> dict[str, str]:
    """The report's column headers, with those that name the plan's numbers in this plan's words."""
    return {**REPORT_LABELS, **FOLLOWUP_LABELS, **review.plan.words.column_labels}


def say(review: "Review", *keys: str) -> None:
    """Display narrative sentences (Markdown) of the review."""
    html.say(*(review.text[k] for k in keys if k in review.text))


def show_heading(review: "Review") -> None:
    """The report's first screen: its style, the sample mark (made from the embedded sample), a box
    listing the sheets left out for errors (if any), the run, then the answer (issue 15): each
    reading's verdict and what the target month needs, who is furthest behind, the warning counts."""
    p, w = review.params, review.plan.words
    html.show_html(html.style() + (html.sample_html() if review.sample_data else ""))
    html.say(review.text.get("input_errors", ""), review.text.get("plan", ""))  # a test plan says so first
    who = f"责任单位：**{p.unit}**（{w.pct}增长跟踪为全市口径）" if p.unit else "范围：**全市**"
    folder = "内置样例数据" if review.sample_data or not p.data_dir else f"“{Path(p.data_dir).name}”"
    html.say(f"**{p.year}年第{p.quarter}季度** · {who} · 数据截至 **{date_zh(p.as_of_date)}**"
             f"（1-{p.as_of_month}月累计数） · 数据目录：{folder} · 生成时间：{dt.datetime.now():%Y-%m-%d %H:%M}")
    title = f"能否{w.early}（{w.span}累计）实现全市固定资产投资增长{w.pct}"
    html.show_html(html.answer_html(review.answer, title))


def show_files(written: Mapping[str, Path]) -> None:
    """The files written, as readers name them: the workbook by name, the letters and charts counted."""
    kinds = [k.split(":")[0] for k in written]
    lines = [f"- Excel 工作簿《{written['excel'].name}》（每张表一个工作表）" if "excel" in written else ""]
    lines.append(f"- 提醒函 {kinds.count('letter')} 份（Word）、整改反馈表 {kinds.count('form')} 份"
                 + ("、督办销号记录模板 1 份" if "closure_template" in written else "") + "（报告目录的子目录中）")
    if kinds.count("chart"):
        lines.append(f"- 图表图片 {kinds.count('chart')} 张")
    html.say("\n".join(x for x in lines if x))


def sheets_for(review: "Review") -> list[Sheet]:
    return [
        Sheet(t.name, t.title, t.frame, unit=t.unit, total_row=t.total_row, labels=labels(review),
              total_ratios=t.total_ratios,
              notes=(*t.notes, f"数据截至{date_zh(review.params.as_of_date)}；来源见“数据来源”工作表。"))
        for t in review.tables.values()
    ]


def signature(review: "Review") -> Signature:
    """制表单位 (data/reference/office.yaml), 制表日期 (today: the day the tables are made) and the
    sample mark when the review reads the embedded sample."""
    return Signature(load_office().issuer, dt.date.today(), review.sample_data)


def write_letters(review: "Review", out_dir: Path) -> list[Path]:
    """One 提醒函 (docx) per unit due one, issued on the evaluation date, each fact with its 督办编号,
    and beside it the unit's reply form 整改反馈表 (xlsx) listing its open items; the answer is due
    within the follow-up settings' reply period (data/reference/followups.yaml)."""
    from jygproj import letters  # python-docx: only here (a report's kernel imports it while it waits on a chart)
    from jygproj.followups import form

    fu = review.followups
    facts = review.frames.get("letter_facts", review.frames["reminder_facts"])
    if not facts.height:
        return []
    as_of = review.params.as_of_date
    deadline = as_of + dt.timedelta(days=fu.settings.reply_days)
    units = facts["responsible_unit"].unique(maintain_order=True).to_list()
    forms = paths.unique_names([f"整改反馈表_{u}" for u in units], ".xlsx")
    title = form.title(letters.TITLE)
    written = letters.write_letters(facts, out_dir, as_of=as_of, issued_on=as_of, plan_name=review.plan.citation,
                                    deadline=deadline, reply_forms={u: title for u in units},
                                    requests=review.letter_requests, triggers=review.letter_triggers,
                                    sample=review.sample_data)
    label = f"{review.params.year}年第{QUARTER_LABELS[review.params.quarter][0]}季度考核"
    items = {unit: [form.FormItem(r["item_id"], r["name"], r["problem"] or "", r["opened_on"])
                    for r in fu.form_items(unit).iter_rows(named=True)] for unit in units}
    alike = Counter(len(mine) for mine in items.values())  # a form from a probe only where others share it
    for unit in units:
        written.append(form.write_reply_form(Path(out_dir) / forms[f"整改反馈表_{unit}"], unit, items[unit],
                                             letter_title=letters.TITLE, review_label=label, issued_on=as_of,
                                             deadline=deadline, plan_name=review.plan.citation,
                                             probe=alike[len(items[unit])] > 1))
    return written


def write_closure_template(review: "Review", out_dir: Path) -> Path:
    """The analyst's closure record with every open item listed (销号日期, 销号理由 left to write), beside
    the letters and their reply forms: kept by the analyst in the data folder's 督办反馈/ (the tool never
    writes there)."""
    from jygproj.followups import form

    items = review.followups.items.filter(pl.col("status") != "closed")
    rows = [{"item_id": r["item_id"], "responsible_unit": r["responsible_unit"], "problem": r["name"]}
            for r in items.iter_rows(named=True)]
    return form.write_closure_record(Path(out_dir) / f"督办销号记录（{review.params.run_name}模板）.xlsx", rows)


#: A workbook of at least this many cells is written by a second process while this one writes the
#: letters, their reply forms, the charts and the brief (both cores: a province's 1.5 million cells
#: take about as long as its 1,247 letters and forms); a smaller one here, where starting a process
#: would cost more than it saves (a worker started ahead for the city's 26,000 cells saved no time and
#: cost 0.5 s of CPU, issue 18).
PARALLEL_CELLS = 200_000


def _cells(sheets: list[Sheet]) -> int:
    return sum(s.frame.height * s.frame.width for s in sheets)


def workbook_name(review: "Review") -> str:
    """The file name of the review's Excel workbook."""
    return f"{paths.output_name(review.params.run_name, REVIEW_KIND, review.params.unit)}.xlsx"


def start_workbook(review: "Review", folder: Path) -> Pending | None:
    """A big workbook (:data:`PARALLEL_CELLS`) started now by a second process, into ``folder``
    under :func:`workbook_name` (the command, once it has calculated the review it hands to the
    kernel: jygproj.handover); None for a small one, which the kernel writes itself."""
    sheets = sheets_for(review)
    if _cells(sheets) < PARALLEL_CELLS:
        return None
    return write_workbook_elsewhere(Path(folder) / workbook_name(review), sheets, signature(review))


def write_outputs(review: "Review", out_dir: str | Path) -> dict[str, Path]:
    """Write the Excel workbook, the letters, chart PNGs and summary.json into ``out_dir`` (the run directory)."""
    from jygproj import charts, handover
    from jygproj.report.review_charts import charts_for

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    name = review.params.run_name
    excel = out / workbook_name(review)
    # a big workbook by a second process while this one writes the rest (export.write_workbook_elsewhere),
    # started by the command as soon as it calculated a review it handed to this kernel (jygproj.handover)
    job = handover.workbook_for(review, excel)
    if job is None:
        sheets, sign = sheets_for(review), signature(review)
        job = write_workbook_elsewhere(excel, sheets, sign) if _cells(sheets) >= PARALLEL_CELLS else None
    try:
        written = {"excel": excel if job else write_workbook(excel, sheets, sign)}
        for path in write_letters(review, out / "letters"):  # one 提醒函 .docx per unit, and its 整改反馈表 .xlsx
            written[f"{'letter' if path.suffix == '.docx' else 'form'}:{path.stem}"] = path
        written["closure_template"] = write_closure_template(review, out / "letters")
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
    except BaseException:
        if job:  # never leave the worker writing into a folder being given up
            try:
                job.result()
            except Exception:  # noqa: BLE001 - the first error is the one raised
                pass
        raise
    if job:
        job.result()  # the workbook in place (or its error) before summary.json says the run is complete
    summary = out / "summary.json"
    summary.write_text(json.dumps(doc, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    written["summary"] = summary
    return written
