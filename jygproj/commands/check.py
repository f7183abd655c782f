"""`jygproj check PATH... [--json] [--explain]`: validate official workbooks and summarise them (issue 3,
point 6). ``--explain`` prints, for every sheet, how it was read (header path → field, unit, period,
nature source, rows skipped and why) and, for a sheet refused for what inference cannot settle, the
layout file entry that would read it (issue 12, point 8). A layout file (版式.yaml) beside the
workbooks is used, and said so.

Exit status: 0 no errors, 1 errors in the input, 2 usage problems (no such path, nothing to read).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from jygproj import paths, schema
from jygproj.catalogue import FOLLOWUP_FOLDER, SkippedFile, catalogue
from jygproj.io import load_workbooks
from jygproj.io.dataset import Dataset
from jygproj.io.followup_books import read_followup_books
from jygproj.io.rules import CONTROL_CHARS


def add_parser(sub) -> None:
    p = sub.add_parser(
        "check",
        help="检查官方 Excel 清单/调度表并汇总 / validate official workbooks",
        description="逐表检查项目清单、调度表、固定资产投资基数和储备项目库：识别表类型、清单、单位和调度期，"
        "统计读取/载入/结构/拒绝行数，按建设性质汇总，并列出全部错误和警告（文件、工作表、行、列）。"
        "Exit 0 without errors, 1 with errors, 2 for usage problems.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="Excel 文件（.xlsx/.xls）或包含它们的目录")
    p.add_argument("--json", action="store_true", help="以 JSON 输出（files → sheets, errors, warnings）")
    p.add_argument("--explain", action="store_true",
                   help="逐表说明如何读取：表头各列→字段、单位、调度期、建设性质来源、跳过的行及原因；未能读取的表给出可读取它的版式文件")
    p.add_argument("--year", type=int, default=None, help="标题和表名都没有年份时使用的年度")
    p.set_defaults(func=run)


def expand(given: list[str]) -> tuple[list[Path], list[str], list[SkippedFile], list[Path]]:
    """Files as given, directories expanded to their input workbooks (jygproj.catalogue); unknown
    paths listed; the files of a directory that are not inputs named with their reason; the
    follow-up workbooks (a directory's 督办反馈/, or files given from such a folder) apart."""
    files: list[Path] = []
    missing: list[str] = []
    skipped: list[SkippedFile] = []
    followups: list[Path] = []
    for raw in given:
        p = paths.resolve(raw)
        if p.is_dir():
            cat = catalogue(p, require_inputs=False)
            files.extend(Path(raw) / f.relative for f in cat.inputs)  # named as the user wrote them
            followups.extend(Path(raw) / f.relative for f in cat.followups)
            skipped.extend(SkippedFile(f"{raw.rstrip('/')}/{s.relative}", s.code) for s in cat.skipped)
        elif p.is_file():
            (followups if p.parent.name == FOLLOWUP_FOLDER else files).append(Path(raw))
        else:
            missing.append(raw)
    return files, missing, skipped, followups


def summary(ds: Dataset, files: list[Path], explain: bool = False) -> dict:
    """The JSON object of issue 3 point 6 (with ``explain``, each sheet's reading as well; ``ds``: a
    Dataset, or the follow-up workbooks read, without ``explain``)."""
    out = []
    problems = ds.problems.to_dicts()
    for f in files:
        key = str(f)
        mine = [p for p in problems if p["file"] == key]

        def shape(p):
            return {k: p[k] for k in ("sheet", "row", "column", "header", "value", "code", "message")}

        sheets = []
        for s in ds.sheets:
            if s.path != key:
                continue
            d = s.as_json()
            if explain:
                d["reading"] = _reading_json(ds.readings.get((key, s.sheet)))
            sheets.append(d)
        out.append({
            "path": key,
            "sheets": sheets,
            "errors": [shape(p) for p in mine if p["severity"] == "error"],
            "warnings": [shape(p) for p in mine if p["severity"] == "warning"],
        })
    return {"files": out}


def _reading_json(r) -> dict | None:
    if r is None:
        return None
    return {"layout": r.layout, "skipped": r.skipped, "header_rows": r.header_rows,
            "columns": [{"column": a, "header": b, "reading": c} for a, b, c in r.columns],
            "picks": r.picks, "unit": r.unit, "period": r.period, "nature": r.nature,
            "rows": [{"first": a, "last": b, "reason": c} for a, b, c in r.rows], "draft": r.draft}


def _fmt(x) -> str:
    return "—" if x is None else f"{x:,.2f}"


def _rows_text(ranges) -> list[str]:
    parts = [f"第{a}行{c}" if a == b else f"第{a}-{b}行{c}" for a, b, c in ranges]
    lines, line = [], ""
    for p in parts:
        if len(line) + len(p) > 70 and line:
            lines.append(line)
            line = ""
        line += ("；" if line else "") + p
    if line:
        lines.append(line)
    return lines


def explain_lines(sheet: dict, path: str) -> list[str]:
    """How one sheet was read, for --explain (sheet["reading"] from summary(explain=True))."""
    from jygproj.io.layout import layout_file, render_entry
    from jygproj.schema import LAYOUT_NAMES

    r = sheet.get("reading")
    if not r:
        return []
    out = [f"    读取方式：{'按' + r['layout'] if r['layout'] else '自动识别（无版式文件）'}"]
    if r["skipped"]:
        out.append(f"    已跳过：{r['skipped']}（不含项目明细）")
        return out
    if r["header_rows"]:
        a, b = r["header_rows"]
        out.append(f"    表头：第{a}行" if a == b else f"    表头：第{a}-{b}行")
    if r["columns"]:
        out.append("    各列（表头 → 读作）：")
        for c in r["columns"]:
            out.append(f"      {c['column']}列  {c['header']} → {c['reading']}")
    for p in r["picks"]:
        out.append(f"    选列：{p}")
    if r["unit"]:
        out.append(f"    单位：{r['unit']}")
    if r["period"]:
        out.append(f"    调度期：{r['period']}")
    if r["nature"]:
        out.append(f"    建设性质来源：{r['nature']}")
    if r["rows"]:
        out.append("    非数据行：")
        out.extend(f"      {line}" for line in _rows_text([(x["first"], x["last"], x["reason"]) for x in r["rows"]]))
    if r["draft"]:
        folder = Path(path).parent
        existing = layout_file(folder)
        target = existing or folder / LAYOUT_NAMES[0]
        how = (f"加入已有的版式文件《{target}》的“版式:”列表" if existing else f"保存为《{target}》")
        out.append(f"    本表未载入。下面的版式条目可读取本表：请逐项核对（“请填写”处必须填写，列的含义不对的改正），{how}，再运行检查：")
        out.extend(f"      {line}" for line in render_entry(r["draft"]).splitlines())
    return out


def human(report: dict, explain: bool = False) -> str:
    lines: list[str] = []
    n_err = sum(len(f["errors"]) for f in report["files"])
    n_warn = sum(len(f["warnings"]) for f in report["files"])
    for f in report["files"]:
        lines.append(f"文件：{f['path']}")
        for s in f["sheets"]:
            kind = schema.SHEET_KINDS.get(s["kind"], "未识别") if s["kind"] else "未识别"
            lst = schema.LISTS.get(s["list"], "—") if s["list"] else "—"
            r = s["rows"]
            lines.append(
                f"  工作表“{s['sheet']}”  类型：{kind}  清单：{lst}  单位：{s['unit'] or '—'}"
                + (f"  调度期：{s['period']}" if s["period"] else "")
            )
            lines.append(f"    行数：读取 {r['read']} = 载入 {r['loaded']} + 结构 {r['structure']} + 拒绝 {r['rejected']}")
            reading = s.get("reading") or {}
            if explain:
                lines.extend(explain_lines(s, f["path"]))
            elif reading.get("layout"):
                lines.append(f"    按{reading['layout']}读取")
            elif reading.get("skipped"):
                lines.append(f"    已跳过：{reading['skipped']}")
            if s["by_nature"]:
                lines.append(f"    {'建设性质':<6}{'项目数':>6}{'总投资(万元)':>16}{'年度计划(万元)':>16}{'累计完成(万元)':>16}")
                for nature, v in s["by_nature"].items():
                    lines.append(
                        f"    {schema.NATURES[nature]:<8}{v['projects']:>8}{_fmt(v['total_investment_wan']):>18}"
                        f"{_fmt(v['annual_plan_wan']):>18}{_fmt(v['completed_ytd_wan']):>18}"
                    )
        for label, items in (("错误", f["errors"]), ("警告", f["warnings"])):
            for p in items:
                lines.append(f"  {label}：{p['message']}")
    for s in report.get("skipped", []):
        lines.append(f"未读取：{s['path']}（{s['reason']}）")
    verdict = "未发现错误" if n_err == 0 else "有错误的工作表未载入，请按提示修改后重新检查"
    if n_err and not explain:
        verdict += "（加 --explain 可查看每张表的读取方式，以及可读取未识别表格的版式文件）"
    lines.append(f"共 {len(report['files'])} 个文件，错误 {n_err} 条，警告 {n_warn} 条；{verdict}。")
    return "\n".join(lines)


def run(args) -> int:
    files, missing, skipped, followups = expand(args.paths)
    if missing:
        for m in missing:
            print(f"用法错误 [path_not_found]：找不到文件或目录“{m}”", file=sys.stderr)
        return 2
    if not files and not followups:
        print("用法错误 [no_excel_files]：给出的目录里没有 .xlsx/.xls 文件", file=sys.stderr)
        return 2
    ds = load_workbooks(files, year=args.year)
    explain = getattr(args, "explain", False)
    report = summary(ds, files, explain=True)
    books = read_followup_books(followups)  # the units' reply forms and the closure record (督办反馈/)
    report["files"] += summary(books, followups)["files"]
    report["skipped"] = [{"path": s.relative, "code": s.code, "reason": s.reason} for s in skipped]
    if args.json:
        if not explain:
            for f in report["files"]:
                for sh in f["sheets"]:
                    sh.pop("reading", None)
        # json escapes C0 controls itself; C1 controls (\x9b starts an escape sequence too) and DEL as \u escapes
        print(CONTROL_CHARS.sub(lambda m: f"\\u{ord(m[0]):04x}", json.dumps(report, ensure_ascii=False, indent=2, default=str)))
    else:
        # a cell's control characters never reach the terminal raw (issue 17): shown as \xNN
        print(CONTROL_CHARS.sub(lambda m: f"\\x{ord(m[0]):02x}", human(report, explain=explain).replace("\r", "\\r")))
    return 1 if ds.has_errors or (books.problems["severity"] == "error").any() else 0
