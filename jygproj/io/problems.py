"""Problem records found while reading workbooks: every one is collected, none stops the reader.

A problem names the file, sheet, Excel row (1-based), column letter, header text, the value found and
what was expected, with an English ``code`` and a Chinese ``message``. Errors stop their sheet from
loading; warnings do not (issue 3, point 4).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

import polars as pl

from jygproj import schema

ERROR = "error"
WARNING = "warning"

#: Every code the loaders emit, with its severity and a short Chinese title (for docs and tests).
CODES: dict[str, tuple[str, str]] = {
    # file level
    "file_missing": (ERROR, "文件不存在"),
    "file_too_large": (ERROR, "文件过大"),
    "wps_et_format": (ERROR, "WPS .et 格式"),
    "encrypted": (ERROR, "工作簿已加密"),
    "html_disguised": (ERROR, "网页格式冒充 Excel"),
    "not_excel": (ERROR, "不是 Excel 工作簿"),
    "zip_bomb": (ERROR, "解压后体积异常"),
    "unsafe_xml": (ERROR, "工作簿含不安全的 XML"),
    "workbook_too_large": (ERROR, "工作簿超过读取上限"),
    "amount_absurd": (ERROR, "金额不可能"),
    "cell_error_value": (ERROR, "单元格为 Excel 错误值"),
    "formula_without_value": (ERROR, "公式没有计算结果"),
    "cell_too_long": (ERROR, "单元格文字过长"),
    "cell_control_chars": (WARNING, "单元格含控制字符"),
    "period_future": (WARNING, "调度期在将来"),
    "period_impossible": (ERROR, "调度期不可能"),
    "duplicate_file": (WARNING, "重复的文件"),
    "instruction_sheet_with_data": (WARNING, "说明表含数据"),
    "merged_cell_filled": (WARNING, "合并单元格按每行读取"),
    "unreadable": (ERROR, "工作簿无法读取"),
    "workbook_empty": (ERROR, "工作簿为空"),
    "internal_error": (ERROR, "程序错误，工作表未载入"),
    # sheet level
    "sheet_empty": (WARNING, "空工作表"),
    "sheet_hidden": (WARNING, "隐藏工作表未读取"),
    "sheet_not_recognised": (WARNING, "无法识别工作表"),
    "sheet_no_data": (ERROR, "工作表没有数据行"),
    "header_not_found": (ERROR, "找不到表头"),
    "column_missing": (ERROR, "缺少必需列"),
    "column_duplicate": (WARNING, "重复列"),
    "column_unknown": (WARNING, "未识别的列"),
    "list_unknown": (ERROR, "无法确定所属清单"),
    "period_unknown": (ERROR, "无法确定调度期"),
    "period_conflict": (ERROR, "调度期不一致"),
    "unit_missing": (WARNING, "未注明单位"),
    "unit_conflict": (WARNING, "单位行与表头单位不一致"),
    "row_numbers_uncertain": (WARNING, "行号可能不准"),
    "code_missing": (WARNING, "缺少项目代码"),
    "nature_missing": (WARNING, "缺少建设性质"),
    # row / cell level
    "amount_not_number": (ERROR, "金额不是数字"),
    "amount_negative": (ERROR, "金额为负数"),
    "percent_not_number": (ERROR, "百分比不是数字"),
    "date_not_understood": (ERROR, "日期无法识别"),
    "started_not_understood": (ERROR, "开工情况无法识别"),
    "nature_not_understood": (ERROR, "建设性质无法识别"),
    "nature_conflict": (WARNING, "建设性质与分组行不一致"),
    "list_not_understood": (ERROR, "清单名称无法识别"),
    "month_not_understood": (ERROR, "月份无法识别"),
    "name_missing": (ERROR, "缺少项目名称"),
    "code_format": (WARNING, "项目代码格式不符"),
    "duplicate_project": (ERROR, "同一工作表内项目重复"),
    "duplicate_month": (ERROR, "月份重复"),
    "total_mismatch": (ERROR, "合计与明细之和不符"),
    "total_counts_hidden": (ERROR, "合计含隐藏行"),
    "header_repeated_differs": (ERROR, "表中第二个表头与第一个不同"),
    # issue 12: real office workbooks
    "layout_invalid": (ERROR, "版式文件有误"),
    "sheet_skipped": (WARNING, "汇总表未作为明细读取"),
    "column_ambiguous": (ERROR, "多列可作为同一字段"),
    "column_pick": (WARNING, "多列可作为同一字段，按规则选取"),
    "hidden_columns": (WARNING, "隐藏列"),
    "hidden_rows": (WARNING, "隐藏行未载入"),
    "shape_not_checked": (WARNING, "未检查隐藏行和合并单元格"),
    "section_nature_unknown": (ERROR, "分组行的建设性质无法识别"),
    "nature_conflict_sheet": (ERROR, "分组行与工作表的建设性质不一致"),
    "merged_amounts_summed": (WARNING, "同一项目分行填写的金额已相加"),
    "cumulative_scopes_disagree": (WARNING, "截至上年底与本年累计之和不等于开工以来累计"),
    "registered_not_understood": (ERROR, "入库情况无法识别"),
    "row_not_project": (ERROR, "无序号无金额的行不像项目"),
    "section_count_mismatch": (WARNING, "分组行项目数与明细不符"),
    "quarters_mismatch": (WARNING, "分季度计划之和与年度计划不符"),
    "completed_above_total": (ERROR, "累计完成投资超过总投资"),
    "annual_above_total": (WARNING, "年度计划投资超过总投资"),
    "start_before_approval": (ERROR, "开工时间早于项目赋码年份"),
    "cumulative_falling": (ERROR, "累计完成投资比上期减少"),
    # across lists (checked in the review, jygproj.ledger.cross_list_conflicts: one figure is used)
    "cross_list_conflict": (WARNING, "同一项目同一月份在两个清单上报送的累计完成投资不一致"),
    "step_not_understood": (WARNING, "前期手续状态无法识别"),
    "name_several_codes": (WARNING, "同名项目对应多个代码"),
    # follow-up workbooks 督办反馈/ (jygproj.io.followup_books) and the ledger's matching (jygproj.followups)
    "followup_not_recognised": (ERROR, "无法识别的督办工作簿"),
    "item_id_missing": (ERROR, "缺少督办编号"),
    "followup_duplicate_item": (WARNING, "督办编号在同一表内重复"),
    "reply_row_blank": (WARNING, "督办事项未填写整改情况"),
    "reply_date_missing": (ERROR, "反馈表缺少填报日期"),
    "progress_not_understood": (WARNING, "整改进展不在下拉选项内"),
    "closure_date_missing": (ERROR, "销号记录缺少销号日期"),
    "closure_reason_missing": (ERROR, "销号记录缺少书面理由"),
    "reply_unknown_item": (ERROR, "反馈的督办编号不在台账中"),
    "reply_unit_mismatch": (WARNING, "反馈单位与责任单位不一致"),
    "closure_unknown_item": (ERROR, "销号的督办编号不在台账中"),
    "closure_before_item": (ERROR, "销号日期早于事项提出日期"),
    "closure_already_closed": (WARNING, "督办事项已销号"),
}


@dataclass(frozen=True)
class Problem:
    severity: str
    file: str
    sheet: str | None
    row: int | None
    column: str | None
    header: str | None
    value: str | None
    expected: str | None
    code: str
    message: str

    def as_json(self) -> dict:
        """The shape `jygproj check --json` prints (issue 3, point 6)."""
        d = asdict(self)
        return {k: d[k] for k in ("sheet", "row", "column", "header", "value", "code", "message")}


def where(file: str, sheet: str | None, row: int | None, column: str | None, header: str | None) -> str:
    """Chinese location text: 《file》工作表“sheet”第12行E列（总投资）."""
    parts = [f"《{Path(file).name}》"]
    if sheet is not None:
        parts.append(f"工作表“{sheet}”")
    if row is not None:
        parts.append(f"第{row}行")
    if column is not None:
        parts.append(f"{column}列")
    if header:
        parts.append(f"（{header}）")
    return "".join(parts)


@dataclass
class ProblemLog:
    """Collects problems for one file and sheet; ``add`` builds the Chinese message."""

    file: str
    sheet: str | None = None
    items: list[Problem] = field(default_factory=list)

    def add(
        self,
        code: str,
        text: str,
        *,
        row: int | None = None,
        column: str | None = None,
        header: str | None = None,
        value: object = None,
        expected: str | None = None,
        severity: str | None = None,
        sheet: str | None = None,
    ) -> Problem:
        sev = severity or CODES[code][0]
        sh = sheet if sheet is not None else self.sheet
        val = None if value is None else str(value)
        msg = f"{where(self.file, sh, row, column, header)}：{text}"
        if val is not None and "“" + val + "”" not in text:
            msg += f"（读到“{val}”）"
        if expected:
            msg += f"；应为：{expected}"
        msg += f" [{code}]"
        p = Problem(sev, self.file, sh, row, column, header, val, expected, code, msg)
        self.items.append(p)
        return p

    @property
    def has_errors(self) -> bool:
        return any(p.severity == ERROR for p in self.items)


def problems_frame(items: list[Problem]) -> pl.DataFrame:
    """Problems as a schema.PROBLEMS frame, in the order found."""
    if not items:
        return schema.empty(schema.PROBLEMS)
    rows = [asdict(p) for p in items]
    return schema.conform(pl.DataFrame(rows, infer_schema_length=None), schema.PROBLEMS)
