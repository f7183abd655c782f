"""Project lists 项目清单/计划表 (kind "register") → membership records, one per data row.

Nature comes from the 建设性质 column, else from the section row above (一、续建项目（22项）);
plan figures are converted to 万元 with the column's unit.
"""

from __future__ import annotations

from jygproj.io import cells, rules
from jygproj.io.cells import CellError
from jygproj.io.context import Ctx
from jygproj.io.fastpath import register_columns
from jygproj.io.table import (
    GridColumns, check_duplicates, check_segments, check_start_year, code_and_key, merged_row, walk_rows,
    warn_missing_codes,
)

REQUIRED = ("name",)
AMOUNTS = ("total_investment", "annual_plan", "q1_plan", "q2_plan", "q3_plan", "q4_plan", "stretch_plan")
_WAN_KEYS = tuple(f"{f}_wan" for f in AMOUNTS)


def read_nature(ctx: Ctx, row: tuple, i: int, section_nature: str | None, bad: list) -> str | None:
    """The row's 建设性质: the column wins over the section row; a disagreement is a warning."""
    v = ctx.cell(row, "nature")
    try:
        col_nature = rules.nature_cell(v)
    except CellError:
        ctx.report("nature_not_understood", f"建设性质“{v}”无法识别", i, "nature", v, "续建、新建或预备")
        bad.append("nature")
        return None
    if rules.nature_conflicts(col_nature, section_nature):
        ctx.report("nature_conflict", f"建设性质“{v}”与所在分组行不一致，按本列读取", i, "nature", v)
    return col_nature or section_nature


def read_register(ctx: Ctx) -> tuple[list[dict], object]:
    """Records for schema.MEMBERSHIPS (+ project fields); returns (records, walked rows)."""
    walked = walk_rows(ctx)
    records: list[dict] = []
    values: dict[int, dict] = {}
    bad_rows: set[int] = set()
    no_code: list[int] = []
    no_nature: list[int] = []
    keys: list[tuple[int, str]] = []
    rows = ctx.raw.rows
    fast = register_columns(ctx, walked.data, AMOUNTS)
    amounts_of = None
    if fast is not None:
        amounts_of = {f: list(v) for f, v in fast["amounts"].items()}
        # each fast row's amounts as one tuple, for its record (not a dict built by Python code a row)
        wan_rows = list(zip(*(amounts_of[f] for f in AMOUNTS)))
    for k, (i, section_nature) in enumerate(walked.data):
        if fast is not None and fast["ok"][k] and i not in walked.continuations:
            code, nature = fast["code"][k], fast["nature"][k]
            if code is None:
                no_code.append(i)
            if nature is None:
                no_nature.append(i)
            pid = fast["project_id"][k]
            keys.append((i, pid))
            records.append({
                "project_id": pid, "code": code, "name": fast["name"][k], "name_key": fast["name_key"][k],
                "list": ctx.list_id, "nature": nature, "sector": fast["sector"][k],
                **dict(zip(_WAN_KEYS, wan_rows[k])),
                "planned_start": fast["planned_start"][k], "responsible_unit": fast["responsible_unit"][k],
                "lead_unit": fast["lead_unit"][k], "owner": fast["owner"][k], "leader": fast["leader"][k],
                "registered": fast["registered"][k], "registered_on": fast["registered_on"][k],
                "source_file": ctx.file, "source_sheet": ctx.raw.name, "source_row": ctx.excel_row(i),
            })
            continue
        row = merged_row(ctx, walked, i)
        bad: list[str] = []
        code, key, pid = code_and_key(ctx, row, i)
        amounts = {f: ctx.amount(row, i, f, bad) for f in AMOUNTS}
        planned = _planned_start(ctx, row, i, bad)
        registered, registered_on = ctx.registration(row, i, bad)
        nature = read_nature(ctx, row, i, section_nature, bad)
        if code is None:
            no_code.append(i)
        if nature is None and "nature" not in bad:
            no_nature.append(i)
        total, annual = amounts["total_investment"], amounts["annual_plan"]
        if rules.exceeds(annual, total):
            ctx.report("annual_above_total",
                       f"年度计划投资 {annual:g} 万元超过总投资 {total:g} 万元", i, "annual_plan",
                       ctx.cell(row, "annual_plan"), "不超过总投资")
        _check_quarters(ctx, row, i, amounts)
        if planned is not None and not check_start_year(ctx, i, code, "planned_start", planned):
            bad.append("planned_start")
        keys.append((i, pid))
        values[i] = amounts
        if amounts_of is not None:
            for f in AMOUNTS:
                amounts_of[f][k] = amounts[f]
        if bad:
            bad_rows.add(i)
        records.append({
            "project_id": pid,
            "code": code,
            "name": ctx.text(row, "name"),
            "name_key": key,
            "list": ctx.list_id,
            "nature": nature,
            "sector": ctx.text(row, "sector"),
            **{f"{f}_wan": amounts[f] for f in AMOUNTS},
            "planned_start": planned,
            "responsible_unit": ctx.text(row, "responsible_unit"),
            "lead_unit": ctx.text(row, "lead_unit"),
            "owner": ctx.text(row, "owner"),
            "leader": ctx.text(row, "leader"),
            "registered": registered,
            "registered_on": registered_on,
            "source_file": ctx.file,
            "source_sheet": ctx.raw.name,
            "source_row": ctx.excel_row(i),
        })
    check_duplicates(ctx, keys)
    if amounts_of is not None:
        values = GridColumns(len(rows), [i for i, _ in walked.data], amounts_of)
    check_segments(ctx, walked, values, bad_rows)
    warn_missing_codes(ctx, no_code)
    if no_nature:
        shown = "、".join(str(ctx.excel_row(i)) for i in no_nature[:10])
        ctx.log.add("nature_missing",
                    f"{len(no_nature)} 个项目既无“建设性质”列也不在“续建/新建/预备”分组行下（第{shown}行）",
                    expected="建设性质列，或“一、续建项目（N项）”式分组行")
    return records, walked


def _planned_start(ctx: Ctx, row: tuple, i: int, bad: list):
    v = ctx.cell(row, "planned_start")
    try:
        d, _ = cells.parse_date_or_word(v, ctx.year)
        return d
    except CellError as exc:
        ctx.report("date_not_understood", f"计划开工时间“{v}”无法识别", i, "planned_start", v, exc.expected)
        bad.append("planned_start")
        return None


def _check_quarters(ctx: Ctx, row: tuple, i: int, amounts: dict) -> None:
    quarters = [amounts[f"q{q}_plan"] for q in range(1, 5)]
    annual = amounts["annual_plan"]
    if not all(f"q{q}_plan" in ctx.cols for q in range(1, 5)):
        return
    factor = ctx.factor("annual_plan")
    if rules.quarters_disagree(annual, quarters, factor):
        s = rules.quarters_sum(quarters)
        unit = ctx.unit("annual_plan")
        ctx.report("quarters_mismatch",
                   f"四个季度计划之和 {s / factor:g} {unit} 与年度计划投资 {annual / factor:g} {unit} 不符",
                   i, "annual_plan", ctx.cell(row, "annual_plan"), f"{s / factor:g}")
