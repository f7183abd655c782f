"""A layout file for what inference cannot settle (issue 12, point 8): a small YAML kept beside the
workbooks, 版式.yaml, describing one office's form. Strictly validated (reference.read_strict: an
unknown or duplicate key, an unknown word, a column letter or a file that does not exist is an error
naming the line and key), used by every load of that folder, and said so by `check`.

    版式:
      - 文件: 2023年1-9月重点项目推进情况表.xlsx   # the workbook, by name, in this folder
        工作表: Sheet1                         # optional: every sheet of the file when left out
        类型: 调度表                           # 项目清单 | 调度表 | 储备项目库 | 固定资产投资基数 | 跳过
        清单: 政府投资项目
        调度期: 2023年1-9月                    # or 2023年第39周
        单位: 万元                             # 万元 | 亿元 | 元, for every amount column
        建设性质: 续建                         # for rows no 建设性质 column or section row names
        表头行: 3-4                            # Excel rows of the header
        列:                                    # Excel column → what it is (schema.HEADER_FIELD_LABELS)
          H: 1-X月累计完成投资
          K: 不读取

Every key but 文件 is optional: what is not written is inferred as without a layout file.
`jygproj check --explain` prints, for a refused sheet, the entry that would read it (draft_entry).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from jygproj import schema
from jygproj.io.headers import Column, Header, _columns
from jygproj.io.problems import Problem, ProblemLog
from jygproj.io.recognise import Period, list_from_text, periods_in_text, year_from_text
from jygproj.reference import ReferenceDataError, check_keys, read_strict

KINDS = {"项目清单": "register", "调度表": "progress", "储备项目库": "reserve", "固定资产投资基数": "baseline", "跳过": "skip"}
KIND_WORDS = {v: k for k, v in KINDS.items()}
UNITS = ("万元", "亿元", "元")
NATURE_WORDS = {v: k for k, v in schema.NATURES.items()}
#: Chinese name → field, for 列 (不读取: the column is read as nothing).
FIELD_BY_LABEL = {label: f for f, label in schema.HEADER_FIELD_LABELS.items()}
_ENTRY_KEYS = {"工作表", "类型", "清单", "调度期", "单位", "建设性质", "表头行", "列"}
#: A draft's placeholder: an entry still holding it is refused (never read as the example it shows).
FILL = "请填写"
_LETTERS = re.compile(r"^[A-Z]{1,3}$")


@dataclass
class LayoutEntry:
    """One entry of a layout file: what it says about a workbook (or one of its sheets)."""

    path: Path  # the layout file
    line: int  # the entry's line in it
    file: str
    sheet: str | None = None
    kind: str | None = None
    list_id: str | None = None
    period: Period | None = None
    unit: str | None = None
    nature: str | None = None
    header_rows: tuple[int, int] | None = None  # Excel rows, inclusive
    columns: dict[str, str] = field(default_factory=dict)  # Excel letter → field ("ignored" for 不读取)
    used: bool = False

    @property
    def label(self) -> str:
        return f"《{self.path.name}》第{self.line}行的条目"

    def header(self, raw) -> Header | None:
        """The header block the entry names, read as paths like any header."""
        first = self.header_rows[0] - 1 - raw.row_offset
        last = self.header_rows[1] - 1 - raw.row_offset
        if first < 0 or last >= len(raw.rows) or last < first:
            return None
        block = [raw.rows[k] for k in range(first, last + 1)]
        header = Header(first, last, _columns(block, first, raw.merges), None, first)
        for c in header.columns:
            c.hidden = c.index in raw.hidden_cols
        return header

    def apply_columns(self, header: Header, log: ProblemLog, raw) -> None:
        """Set the fields the entry gives; a letter with no header text gets a column of its own."""
        by_index = {c.index: c for c in header.columns}
        for letter, fld in self.columns.items():
            j = _column_index(letter) - raw.col_offset
            col = by_index.get(j)
            if col is None:
                col = Column(j, None, letter, path=(letter,))
                header.columns.append(col)
                by_index[j] = col
            col.field = fld
            if fld == "completed_ytd" and col.month is None and self.period is not None and not self.period.weekly:
                col.month = int(self.period.period[-2:])
        header.columns.sort(key=lambda c: c.index)


def _column_index(letter: str) -> int:
    n = 0
    for ch in letter:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def _err(path: Path, lines, key_path: tuple, message: str, code: str = "layout_invalid") -> ReferenceDataError:
    return ReferenceDataError(path, lines.get(key_path), ".".join(key_path), message, code)


def parse_layout(path: Path, workbooks: set[str] | None = None) -> list[LayoutEntry]:
    """The entries of a layout file; raises ReferenceDataError naming line and key. ``workbooks``:
    the file names of the folder (an entry naming another file is refused)."""
    data, lines = read_strict(path)
    check_keys(data, file=path, lines=lines, key_path=(), required={"版式"})
    items = data["版式"]
    if not isinstance(items, list):
        raise _err(path, lines, ("版式",), "应为条目列表（每条以“- 文件:”开头）")
    out = []
    for n, item in enumerate(items):
        kp = ("版式", str(n))
        check_keys(item, file=path, lines=lines, key_path=kp, required={"文件"}, optional=_ENTRY_KEYS)
        for key, value in list(item.items()) + [(f"列.{k}", v) for k, v in (item.get("列") or {}).items()
                                                if isinstance(item.get("列"), dict)]:
            if isinstance(value, str) and value.startswith(FILL):
                parts = tuple(key.split(".")) if key.startswith("列.") else (key,)
                raise _err(path, lines, kp + parts, f"尚未填写（{value}）")
        line = lines.get(kp + ("文件",), 0)
        file = str(item["文件"])
        if workbooks is not None and file not in workbooks:
            raise _err(path, lines, kp + ("文件",), f"本目录中没有工作簿“{file}”")
        entry = LayoutEntry(path, line, file, sheet=str(item["工作表"]) if "工作表" in item else None)
        if "类型" in item:
            if item["类型"] not in KINDS:
                raise _err(path, lines, kp + ("类型",), f"“{item['类型']}”不是可用的类型；可用：{'、'.join(KINDS)}")
            entry.kind = KINDS[item["类型"]]
        if "清单" in item:
            entry.list_id = list_from_text(str(item["清单"]))
            if entry.list_id is None:
                raise _err(path, lines, kp + ("清单",), f"“{item['清单']}”不是可识别的清单；可用：{'、'.join(schema.LISTS.values())}")
        if "调度期" in item:
            text = str(item["调度期"])
            year = year_from_text(text)
            found = periods_in_text(text, year) if year else []
            if len(found) != 1:
                raise _err(path, lines, kp + ("调度期",), f"“{text}”不是一个调度期；应写如“2023年1-9月”或“2023年第39周”")
            entry.period = found[0]
        if "单位" in item:
            if item["单位"] not in UNITS:
                raise _err(path, lines, kp + ("单位",), f"“{item['单位']}”不是可用的单位；可用：{'、'.join(UNITS)}")
            entry.unit = item["单位"]
        if "建设性质" in item:
            if item["建设性质"] not in NATURE_WORDS:
                raise _err(path, lines, kp + ("建设性质",), f"“{item['建设性质']}”不是可用的建设性质；可用：续建、新建、预备")
            entry.nature = NATURE_WORDS[item["建设性质"]]
        if "表头行" in item:
            entry.header_rows = _rows(path, lines, kp + ("表头行",), item["表头行"])
        if "列" in item:
            cols = item["列"]
            if not isinstance(cols, dict):
                raise _err(path, lines, kp + ("列",), "应为“列字母: 含义”的映射，如 H: 1-X月累计完成投资")
            for letter, label in cols.items():
                if not isinstance(letter, str) or not _LETTERS.match(letter):
                    raise _err(path, lines, kp + ("列", str(letter)), f"“{letter}”不是 Excel 列字母（如 A、H、AB）")
                if label not in FIELD_BY_LABEL:
                    raise _err(path, lines, kp + ("列", letter),
                               f"“{label}”不是可用的列含义；可用：{'、'.join(FIELD_BY_LABEL)}")
                entry.columns[letter] = FIELD_BY_LABEL[label]
        out.append(entry)
    return out


def _rows(path: Path, lines, kp: tuple, value) -> tuple[int, int]:
    m = re.fullmatch(r"\s*(\d+)\s*(?:[-~至到—]\s*(\d+))?\s*", str(value))
    if not m or int(m[1]) < 1 or (m[2] and int(m[2]) < int(m[1])):
        raise _err(path, lines, kp, f"“{value}”不是 Excel 行号或行号范围（如 3 或 3-4）")
    return int(m[1]), int(m[2] or m[1])


def layout_file(folder: Path) -> Path | None:
    """The folder's layout file (schema.LAYOUT_NAMES, the first found), None if it has none."""
    return next((folder / n for n in schema.LAYOUT_NAMES if (folder / n).is_file()), None)


def load_layouts(paths: list[Path]) -> tuple[dict[Path, list[LayoutEntry]], list[Problem]]:
    """Workbook path → the layout entries about it, from the layout file of each workbook's folder;
    an invalid layout file is an error (and nothing of it is used)."""
    by_dir: dict[Path, list[Path]] = {}
    for p in paths:
        by_dir.setdefault(Path(p).parent, []).append(Path(p))
    out: dict[Path, list[LayoutEntry]] = {}
    problems: list[Problem] = []
    for folder, files in by_dir.items():
        layout = layout_file(folder)
        if layout is None:
            continue
        names = {q.name for q in folder.iterdir() if q.is_file()}
        try:
            entries = parse_layout(layout, names)
        except ReferenceDataError as exc:
            log = ProblemLog(file=str(layout))
            text = str(exc).split(": ", 1)[-1].rsplit(" [", 1)[0]
            where = f"第{exc.line}行" if exc.line else ""
            log.add(exc.code if exc.code in ("layout_invalid",) else "layout_invalid",
                    f"版式文件{where}{text}，本版式文件未使用",
                    expected="按版式文件说明改正（键：文件、工作表、类型、清单、调度期、单位、建设性质、表头行、列）")
            problems.extend(log.items)
            continue
        for f in files:
            mine = [e for e in entries if e.file == f.name]
            if mine:
                out[f] = mine
    return out, problems


def entry_for(entries: list[LayoutEntry] | None, sheet: str) -> LayoutEntry | None:
    """The entry about a sheet: one naming it, else one naming no sheet (the whole file)."""
    if not entries:
        return None
    named = [e for e in entries if e.sheet == sheet]
    chosen = named[0] if named else next((e for e in entries if e.sheet is None), None)
    if chosen is not None:
        chosen.used = True
    return chosen


def unused_sheet_entries(entries: dict[Path, list[LayoutEntry]], sheets: dict[Path, set[str]]) -> list[Problem]:
    """An entry naming a sheet the workbook does not have is an error (a typo would go unseen)."""
    out = []
    for path, mine in entries.items():
        for e in mine:
            if e.sheet is not None and e.sheet not in sheets.get(path, set()):
                log = ProblemLog(file=str(e.path))
                log.add("layout_invalid", f"版式文件第{e.line}行：工作簿《{e.file}》中没有工作表“{e.sheet}”",
                        expected=f"工作表名之一：{'、'.join(sorted(sheets.get(path, set())))}")
                out.extend(log.items)
    return out


# --- the entry that would read a refused sheet -----------------------------------------------------


def draft_entry(ctx, report) -> dict:
    """The layout entry for a refused sheet, from what was inferred; what could not be, marked 请填写."""
    period = report.period
    year = ctx.year or 2023
    entry = {"文件": Path(ctx.file).name, "工作表": ctx.raw.name,
             "类型": KIND_WORDS.get(ctx.kind, f"{FILL}（项目清单/调度表/储备项目库/固定资产投资基数）")}
    entry["清单"] = schema.LISTS[ctx.list_id] if ctx.list_id else f"{FILL}（如 政府投资项目）"
    if ctx.kind == "progress":
        entry["调度期"] = (f"{period[:4]}年1-{int(period[5:])}月" if period and "W" not in period
                        else f"{FILL}（如 {year}年1-9月）")
    entry["单位"] = ctx.unit_line or (report.unit if report.unit in UNITS else f"{FILL}（万元/亿元）")
    if ctx.sheet_nature:
        entry["建设性质"] = schema.NATURES[ctx.sheet_nature]
    r0 = ctx.raw.row_offset
    first, last = r0 + ctx.header.first_row + 1, r0 + ctx.header.last_row + 1
    entry["表头行"] = str(first) if first == last else f"{first}-{last}"
    columns = {}
    for c in ctx.header.columns:
        letter = ctx.letter(c)
        if c.field in schema.HEADER_FIELD_LABELS and c.field not in ("funding_part", "part"):
            columns[letter] = schema.HEADER_FIELD_LABELS[c.field]
        else:
            columns[letter] = "不读取"
    entry["列"] = columns
    return entry


def draft_without_header(path: Path, raw, kind: str | None, title: str | None) -> dict:
    """The entry for a sheet whose header was not found: its rows and columns are for the analyst to give."""
    entry = {"文件": Path(path).name, "工作表": raw.name,
             "类型": KIND_WORDS.get(kind, f"{FILL}（项目清单/调度表/储备项目库/固定资产投资基数）")}
    list_id = list_from_text(title) or list_from_text(raw.name)
    entry["清单"] = schema.LISTS[list_id] if list_id else f"{FILL}（如 政府投资项目）"
    entry["表头行"] = f"{FILL}（如 3-4）"
    entry["列"] = {"B": f"{FILL}（如 项目名称）", "F": f"{FILL}（如 总投资）"}
    return entry


def render_entry(entry: dict) -> str:
    """The YAML text of a draft entry under 版式:, ready to save as 版式.yaml beside the workbook."""
    lines = ["版式:"]
    first = True
    for key, value in entry.items():
        lead = "  - " if first else "    "
        first = False
        if isinstance(value, dict):
            lines.append(f"{lead}{key}:")
            for k, v in value.items():
                lines.append(f"      {k}: {v}")
        else:
            lines.append(f"{lead}{key}: {value}")
    return "\n".join(lines)
