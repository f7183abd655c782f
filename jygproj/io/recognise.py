"""What a sheet is, from its name and title line (issue 3, point 2: "recognition without
configuration"): its kind, its list, its year and period, its unit line, whether it is a correction."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from jygproj.io.cells import CellError, half_width, parse_date

#: List id → words that name it in a sheet name, title or 清单 cell; the first match wins, so the
#: more specific words come first.
LIST_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("provincial_major", ("省列重大项目", "省列重大", "省级重大项目", "省重大项目")),
    ("provincial_key", ("全省重点投资项目", "全省重点", "省重点投资项目", "省重点项目", "亿元以上")),
    ("leader_package", ("市级领导包抓项目", "领导包抓", "市级领导包抓", "包抓项目")),
    ("government", ("政府投资项目", "政府投资")),
    ("industrial", ("产业投资项目", "产业投资", "产业项目")),
    ("real_estate", ("房地产投资项目", "房地产开发项目", "房地产投资", "房地产")),
    ("reserve", ("储备项目", "项目储备", "储备库")),
)


def list_from_text(text: str | None) -> str | None:
    if not text:
        return None
    s = half_width(text).replace(" ", "")
    for list_id, words in LIST_WORDS:
        if any(w in s for w in words):
            return list_id
    return None


#: Title words of a scheduling table: what was done, as of a date (推进情况表（截至2023年9月底）).
_PROGRESS_WORDS = re.compile(r"调度|进度|推进情况|进展|完成情况|建设情况|执行情况|开复工|周报|月报|推进表|第\d+周|"
                             r"截[至止]\d{4}年\d{1,2}月|截[至止]\d{1,2}月")


def kind_from_text(sheet_name: str, title: str | None) -> str | None:
    """"register" | "progress" | "baseline" | "reserve" | None, from the sheet name and title."""
    for s in (title or "", sheet_name):
        s = half_width(s).replace(" ", "")
        if not s:
            continue
        if "固定资产投资" in s and ("基数" in s or "月度累计" in s or "累计" in s):
            return "baseline"
        if "储备" in s:
            return "reserve"
        if _PROGRESS_WORDS.search(s):
            return "progress"
        if "清单" in s or "计划表" in s or "计划" in s or "名单" in s or "一览表" in s or list_from_text(s):
            return "register"
    return None


#: Words naming a construction nature, in a 建设性质 cell, a section row, a sheet name or a title.
#: 在建 and 竣工投产/建成投产 are projects already under construction (续建); 开工类, 新开类 and 计划
#: 开工 the year's new starts; 前期类, 加快前期 and 谋划 the preparatory ones (issue 12, class 2; the
#: Gansu lists group 续建 / 计划新开工 / 预备, some counties 在建 / 新开 / 前期 / 竣工投产).
NATURE_WORDS = (
    ("continuing", ("续建", "在建", "竣工投产", "建成投产", "建成投用")),
    ("new", ("新建", "新开工", "计划新开工", "开工类", "新开类", "新开", "计划开工")),
    ("preparatory", ("预备", "前期", "储备", "谋划")),
)


def nature_from_text(text: str | None) -> str | None:
    """The first nature whose word the text holds (a 建设性质 cell, a section row's label)."""
    if not text:
        return None
    s = half_width(text).replace(" ", "")
    for nature, words in NATURE_WORDS:
        if any(w in s for w in words):
            return nature
    return None


#: Sheets that hold no project rows: instructions for the person filling in, a cover, a summary by
#: category or unit (issue 12, point 6). Recognised by name or title; skipped with a note.
INSTRUCTION_WORDS = re.compile(r"^(?:填报说明|填表说明|说明|编制说明|指标解释|使用说明|目录|封面)$")
SUMMARY_WORDS = re.compile(r"汇总")


def nature_of_text(text: str | None) -> str | None:
    """The construction nature a sheet name or title names, when it names exactly one (a sheet per
    nature: “续建项目”, “2023年计划新开工项目表”)."""
    if not text:
        return None
    s = half_width(text).replace(" ", "")
    found = {nature for nature, words in NATURE_WORDS if any(w in s for w in words)}
    return found.pop() if len(found) == 1 else None


@dataclass
class Period:
    period: str  # "2023-10" or "2023-W43"
    end: dt.date
    weekly: bool


def month_period(year: int, month: int) -> Period:
    return Period(f"{year}-{month:02d}", dt.date(year, month, calendar.monthrange(year, month)[1]), False)


def week_period(year: int, week: int) -> Period:
    return Period(f"{year}-W{week:02d}", dt.date.fromisocalendar(year, week, 7), True)


def year_from_text(*texts: str | None) -> int | None:
    for t in texts:
        if not t:
            continue
        m = re.search(r"(20\d{2})\s*年", half_width(t))
        if m:
            return int(m[1])
    for t in texts:  # a bare year, e.g. in a file name "2023_政府投资项目.xlsx"
        if not t:
            continue
        m = re.search(r"(?<!\d)(20\d{2})(?!\d)", half_width(t))
        if m:
            return int(m[1])
    return None


_CN_MONTH = r"[0-9]{1,2}|十[一二]?|[一二三四五六七八九]"
_DASH = r"[-~—–―～至到]"
#: Period wordings, in the order tried (issue 12, class 7): 1-9月 (any dash, 至/到, Chinese numerals,
#: 元月), 截至9月底 / 截至2023年9月30日, 前三季度 / 上半年, 前9个月, 2023年9月, 9月份.
_PERIOD_PATTERNS = (
    ("month", re.compile(rf"(?<![\d.])(?:1|一|元月?)\s*{_DASH}\s*({_CN_MONTH})\s*月")),
    ("cutoff", re.compile(rf"截[至止]?(?:到|至)?(?:\d{{4}}年)?({_CN_MONTH})月(?:(\d{{1,2}})日|底|末|份)?")),
    ("month", re.compile(rf"前({_CN_MONTH})个?月")),
    ("quarter", re.compile(r"前三季度|上半年|前两季度|前二季度|(?:第)?([一二三四])季度")),
    ("month", re.compile(r"\d{4}年(\d{1,2})月(?:份)?(?![\d日])")),
    ("month", re.compile(r"(?<![\d\-~.日])(\d{1,2})月(?:份)?(?:调度|进度|月报|报表|完成|$)")),
    ("month", re.compile(r"(?<![\d\-~.日])(\d{1,2})月份")),
)
_QUARTER_END = {"前三季度": 9, "上半年": 6, "前两季度": 6, "前二季度": 6}


def _month_of(text: str) -> int | None:
    from jygproj.io.cells import chinese_numeral

    n = int(text) if text.isdigit() else chinese_numeral(text)
    return n if n is not None and 1 <= n <= 12 else None


def periods_in_text(text: str | None, year: int | None) -> list[Period]:
    """Every period a text names, in the order of the patterns (duplicates removed). A cut-off date
    in the middle of a month (截至9月15日) names no month."""
    if not text or not year:
        return []
    s = half_width(text).replace(" ", "")
    out: list[Period] = []
    # 第39周: a week of the year; "9月第4周" is a week of the month, which names no ISO week
    m = re.search(r"(?<!月)第(\d{1,2})周", s)
    if m and 1 <= int(m[1]) <= 53:
        out.append(week_period(year, int(m[1])))
    for kind, pat in _PERIOD_PATTERNS:
        for m in pat.finditer(s):
            if kind == "quarter":
                month = _QUARTER_END.get(m[0]) or ({"一": 3, "二": 6, "三": 9, "四": 12}[m[1]] if m[1] else None)
            else:
                month = _month_of(m[1])
                if kind == "cutoff" and m[2] and month:
                    day = int(m[2])
                    if day < calendar.monthrange(year, month)[1] - 5:
                        continue  # a mid-month cut-off is no month's figure
            if month and all(p.period != month_period(year, month).period for p in out):
                out.append(month_period(year, month))
    return out


def period_from_text(text: str | None, year: int | None) -> Period | None:
    """"1-10月" → 2023-10; "1-2月" → 2023-02 (January and February are reported together);
    "第43周" → 2023-W43; "10月调度" → 2023-10; "前三季度" → 2023-09; "截至2023年9月30日" → 2023-09."""
    found = periods_in_text(text, year)
    return found[0] if found else None


#: "单位：万元", also "金额单位：亿元", "（单位：个、万元）" (a count's unit first, gx-cm's summaries).
_UNIT_LINE = re.compile(r"单位\s*[:：]?\s*(?:[个项家、,，/\s]{1,4})?(万元|亿元|元)")
_REPORTED = re.compile(r"填报(?:日期|时间)\s*[:：]?\s*([0-9０-９][^\s，,；;)）]*)")


def unit_from_cells(cells: list[str]) -> str | None:
    for c in cells:
        m = _UNIT_LINE.search(half_width(c))
        if m:
            return m[1]
    return None


def reported_from_cells(cells: list[str], year: int | None) -> dt.date | None:
    for c in cells:
        m = _REPORTED.search(half_width(c))
        if m:
            try:
                return parse_date(m[1], year)
            except CellError:
                return None
    return None


def is_correction(title: str | None, sheet_name: str) -> bool:
    """A corrected resubmission says so in its title or sheet name: （更正）/（修订）/更正版."""
    s = (title or "") + sheet_name
    return any(w in s for w in ("更正", "修正", "修订"))
