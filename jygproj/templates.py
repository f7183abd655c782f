"""Blank input workbooks for the offices (issue 4, point 7): one per list and one scheduling table,
in the official layout (shared/domain.md, “Official Excel tables as they really arrive”), with
drop-down lists (data validation) for 建设性质, 清单, 责任单位 and 是/否 fields, number formats on amount
columns, a locked header, and a Chinese 填报说明 sheet.

``validate_against_template(path)`` re-reads a filled-in template and reports every cell whose
value is outside its drop-down (or not a number in an amount column): Excel only enforces a
drop-down for typed values, not for pasted ones, so the check is needed on arrival.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.styles import Protection
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.datavalidation import DataValidation

from jygproj import paths
from jygproj.sample import catalogue as cat
from jygproj.sample.catalogue import LEADERS
from jygproj.sample.xlsx import (
    BODY_FONT, BORDER, LEFT, Head, new_workbook, save_deterministic, write_frame,
)
from jygproj.schema import LISTS, NATURES

GUIDE_SHEET = "填报说明"
DATA_ROWS = 300  # blank, unlocked, formatted rows under the header
YES_NO = ("是", "否")
START_WORDS = ("已开工", "未开工", "已复工", "是", "否")
REGISTER_LISTS = ("provincial_major", "provincial_key", "leader_package", "government",
                  "industrial", "real_estate")


@dataclass(frozen=True)
class Field:
    """A template column: header, its drop-down (name of an option list) and kind."""

    head: Head
    kind: str = "text"  # text | amount | date | month_text
    options: str | None = None  # key of OPTIONS


def _union(*groups: tuple[str, ...]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for g in groups:
        for x in g:
            seen.setdefault(x, None)
    return tuple(seen)


def unit_options(list_key: str | None) -> tuple[str, ...]:
    """责任单位 choices from the plan's own unit lists: the clause of the list (二(一)…二(五)),
    or 二(八) for the scheduling table. Each stays under Excel's 255-character inline limit."""
    if list_key in ("provincial_major", "provincial_key", "leader_package"):
        return _union(cat.UNITS_MAJOR, cat.UNITS_KEY, cat.UNITS_PACKAGE)
    if list_key == "government":
        return cat.UNITS_GOVERNMENT
    if list_key in ("industrial", "real_estate"):
        return cat.UNITS_ENTERPRISE
    return cat.UNITS_SCHEDULING


def _options(list_key: str | None) -> dict[str, tuple[str, ...]]:
    return {
        "nature": tuple(NATURES.values()),  # 续建/新建/预备
        "nature_provincial": ("续建", "新建"),  # provincial lists carry no preparatory projects
        "list": tuple(v for k, v in LISTS.items() if k != "reserve"),
        "unit": unit_options(list_key),
        "lead": ("市发展改革委", "市财政局", "市发展改革委、市财政局"),
        "yes_no": YES_NO,
        "started": START_WORDS,
        "leader": LEADERS,
    }


def _quarters(group: str) -> list[Field]:
    return [Field(Head(t, group, 10), "amount") for t in ("合计", "一季度", "二季度", "三季度", "四季度")]


def register_fields(list_key: str) -> list[Field]:
    """Columns of a list's register template (canonical header texts of the layout contract)."""
    nature = "nature_provincial" if list_key.startswith("provincial") else "nature"
    head = [Field(Head("序号", width=6))]
    if list_key == "leader_package":
        head.append(Field(Head("包抓领导", width=12), options="leader"))
    head += [Field(Head("项目名称", width=32)), Field(Head("项目代码", width=26)),
             Field(Head("建设性质", width=9), options=nature), Field(Head("建设单位", width=24)),
             Field(Head("责任单位", width=16), options="unit")]
    if list_key in ("provincial_major", "provincial_key"):
        head.append(Field(Head("牵头单位", width=14), options="lead"))
    if list_key not in ("leader_package",):
        head += [Field(Head("行业领域", width=10)), Field(Head("建设规模及内容", width=28))]
    head.append(Field(Head("总投资", width=11), "amount"))
    if list_key in ("provincial_major", "provincial_key", "leader_package"):
        head += _quarters("年度计划投资")
    else:
        head.append(Field(Head("年度计划投资", width=11), "amount"))
    if list_key == "provincial_major":
        head.append(Field(Head("力争目标", width=10), "amount"))
    head += [Field(Head("计划开工时间", width=12), "date"), Field(Head("备注", width=16))]
    return head


def progress_fields(month: int) -> list[Field]:
    return [Field(Head("序号", width=6)), Field(Head("项目名称", width=32)),
            Field(Head("项目代码", width=26)), Field(Head("清单", width=16), options="list"),
            Field(Head("建设性质", width=9), options="nature"),
            Field(Head("责任单位", width=16), options="unit"),
            Field(Head("总投资", width=11), "amount"), Field(Head("年度计划投资", width=11), "amount"),
            Field(Head(f"1-{month}月完成投资", width=12), "amount"),
            Field(Head("是否开工", width=9), options="started"),
            Field(Head("开工时间", width=12), "date"), Field(Head("形象进度", width=30)),
            Field(Head("存在问题", width=30)), Field(Head("填报日期", width=12), "date"),
            Field(Head("备注", width=14))]


GUIDE = (
    "填报说明",
    "",
    "一、依据：{plan}。省列重大项目、全省重点投资项目按月调度，"
    "政府投资项目按周调度、按月统计，产业投资项目和房地产投资项目按月调度（二(八)）。",
    "二、每个项目填一行，不要合并单元格，不要插入合计、小计行（由系统汇总）；表头（第1-{header}行）已锁定，请勿修改。",
    "三、金额单位见第2行（{unit}），只填数字，不要带“万元”“亿元”等文字；没有的填“—”或留空。",
    "四、建设性质、清单、责任单位（取自方案所列责任单位）、是否开工等列请从下拉列表中选择；粘贴的内容不受下拉限制，系统收表时会逐格核对。",
    "五、项目代码填全国投资项目在线审批监管平台赋予的代码（如 2301-620200-04-01-123456）；同一项目在各清单、各月份的名称和代码应保持一致。",
    "六、日期填 {year}-04-15 格式（计划开工时间可只填到月，如 {year}-04-01）。",
    "七、调度表中“1-X月完成投资”为年初至本月末的累计完成投资；1-2月合并填报。如需更正已报数据，请在标题中注明“（更正）”并重新报送整表。",
    "八、年度计划投资按季度分解的清单，四个季度之和应等于年度计划投资。",
)


def _inline(values: tuple[str, ...]) -> str:
    """An inline drop-down list (no helper sheet, so a filled-in template has only the data sheet
    and the guide); Excel caps it at 255 characters."""
    text = ",".join(values)
    if len(text) > 255:
        raise ValueError(f"drop-down list too long for Excel ({len(text)} > 255 characters)")
    return f'"{text}"'


def _write_guide(wb, header_rows: int, unit: str, plan_name: str, year: int) -> None:
    ws = wb.create_sheet(GUIDE_SHEET)
    ws.column_dimensions["A"].width = 110
    for i, text in enumerate(GUIDE, 1):
        c = ws.cell(row=i, column=1, value=text.format(header=header_rows, unit=unit, plan=plan_name, year=year))
        c.font = BODY_FONT
        c.alignment = LEFT


def _data_area(ws, fields: list[Field], first: int, options: dict[str, tuple[str, ...]],
               unit: str) -> None:
    """Unlocked, bordered, formatted blank rows with drop-downs; the header stays locked."""
    last = first + DATA_ROWS - 1
    number_format = "0.00" if unit == "亿元" else "#,##0.00"
    for j, f in enumerate(fields, 1):
        letter = get_column_letter(j)
        for r in range(first, last + 1):
            cell = ws.cell(row=r, column=j)
            cell.protection = Protection(locked=False)
            cell.border = BORDER
            cell.font = BODY_FONT
            if f.kind == "amount":
                cell.number_format = number_format
            elif f.kind == "date":
                cell.number_format = "yyyy-mm-dd"
        area = f"{letter}{first}:{letter}{last}"
        if f.options:
            dv = DataValidation(type="list", formula1=_inline(options[f.options]), allow_blank=True,
                                showErrorMessage=True, errorTitle="输入值无效",
                                error=f"请从下拉列表中选择“{f.head.text}”。",
                                promptTitle=f.head.text, prompt="请从下拉列表中选择")
            dv.add(area)
            ws.add_data_validation(dv)
        elif f.kind == "amount":
            dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0",
                                allow_blank=True, showErrorMessage=True, errorTitle="输入值无效",
                                error=f"“{f.head.text}”只能填不小于0的数字（单位：{unit}）。")
            dv.add(area)
            ws.add_data_validation(dv)
    ws.protection.sheet = True
    # offices may still insert rows and resize columns
    ws.protection.insertRows = False
    ws.protection.deleteRows = False
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def _template(path: Path, sheet: str, title: str, unit: str, fields: list[Field],
              list_key: str | None, guide: tuple[str, int]) -> Path:
    wb = new_workbook()
    ws = wb.active
    ws.title = sheet
    first = write_frame(ws, title, f"单位：{unit}", [f.head for f in fields],
                        unit_left="填报单位：")
    _data_area(ws, fields, first, _options(list_key), unit)
    _write_guide(wb, first - 1, unit, *guide)
    wb.active = 0
    return save_deterministic(wb, path)


def template_unit(list_key: str) -> str:
    return "亿元" if list_key in ("provincial_major", "provincial_key") else "万元"


def register_title(list_key: str, year: int) -> str:
    return f"{year}年嘉峪关市{LISTS[list_key]}计划清单"


def write_templates(out_dir: Path, year: int = paths.SAMPLE_YEAR, month: int = 12) -> list[Path]:
    """Write one register template per list and one scheduling-table template; the guide cites the
    plan of ``year`` (jygproj.plan)."""
    from jygproj.plan import load_plan

    out_dir = Path(out_dir)
    guide = (load_plan(year).citation, year)
    written = []
    for key in REGISTER_LISTS:
        written.append(_template(out_dir / f"{year}年{LISTS[key]}清单（填报模板）.xlsx", LISTS[key],
                                 register_title(key, year), template_unit(key), register_fields(key),
                                 key, guide))
    written.append(_template(out_dir / f"{year}年项目建设进度调度表（填报模板）.xlsx", f"{month}月调度",
                             f"{year}年1-{month}月项目建设进度调度表", "万元", progress_fields(month),
                             None, guide))
    return written


# --- checking a filled-in template ----------------------------------------------------------------

def _range_values(wb, formula: str) -> tuple[str, ...] | None:
    """Options of a list validation: an inline "a,b" list or a range on another sheet."""
    f = formula.lstrip("=")
    if f.startswith('"'):
        return tuple(x.strip() for x in f.strip('"').split(","))
    if "!" not in f:
        return None
    sheet, ref = f.rsplit("!", 1)
    sheet = sheet.strip("'")
    if sheet not in wb.sheetnames:
        return None
    ws = wb[sheet]
    min_col, min_row, max_col, max_row = range_boundaries(ref.replace("$", ""))
    out = []
    for row in ws.iter_rows(min_row=min_row, max_row=max_row, min_col=min_col, max_col=max_col,
                            values_only=True):
        out += [str(v) for v in row if v is not None]
    return tuple(out)


def _header_text(ws, col: int, first_data: int) -> str | None:
    for r in range(first_data - 1, 2, -1):
        v = ws.cell(row=r, column=col).value
        if v not in (None, ""):
            return str(v)
    return None


def validate_against_template(path: Path) -> list[dict]:
    """Cells whose value breaks the sheet's own data validation, as schema.PROBLEMS records.

    List validations: the value must be one of the options. Decimal validations: a number (not
    text) not below the minimum. Blank cells pass (allow_blank).
    """
    path = Path(path)
    wb = load_workbook(path)  # not read-only: data validations are needed
    problems: list[dict] = []
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        for dv in ws.data_validations.dataValidation:
            options = _range_values(wb, dv.formula1 or "") if dv.type == "list" else None
            for cr in dv.sqref.ranges:
                min_col, min_row, max_col, max_row = cr.bounds
                for row in ws.iter_rows(min_row=min_row, max_row=max_row, min_col=min_col,
                                        max_col=max_col):
                    for cell in row:
                        value = cell.value
                        if value is None or (isinstance(value, str) and not value.strip()):
                            continue
                        problem = _check_cell(dv, options, value)
                        if problem is None:
                            continue
                        code, expected = problem
                        header = _header_text(ws, cell.column, min_row)
                        problems.append({
                            "severity": "error", "file": str(path), "sheet": ws.title,
                            "row": cell.row, "column": cell.column_letter, "header": header,
                            "value": str(value), "expected": expected, "code": code,
                            "message": (f"《{path.name}》工作表“{ws.title}”第{cell.row}行"
                                        f"{cell.column_letter}列（{header}）：“{value}”不在下拉选项内；"
                                        f"应为：{expected} [{code}]" if code == "value_not_in_list" else
                                        f"《{path.name}》工作表“{ws.title}”第{cell.row}行"
                                        f"{cell.column_letter}列（{header}）：“{value}”不是有效数字；"
                                        f"应为：{expected} [{code}]"),
                        })
    return problems


def _check_cell(dv, options, value) -> tuple[str, str] | None:
    if dv.type == "list" and options is not None:
        if str(value).strip() not in options:
            shown = "、".join(options[:12]) + ("等" if len(options) > 12 else "")
            return "value_not_in_list", shown
        return None
    if dv.type == "decimal":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return "amount_not_number", "不小于0的数字"
        try:
            minimum = float(dv.formula1) if dv.formula1 is not None else None
        except ValueError:
            minimum = None
        if minimum is not None and dv.operator in (None, "greaterThanOrEqual") and value < minimum:
            return "amount_not_number", f"不小于{minimum:g}的数字"
    return None


__all__ = ["write_templates", "validate_against_template", "register_fields", "progress_fields",
           "template_unit", "register_title", "unit_options", "GUIDE_SHEET"]
