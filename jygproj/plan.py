"""The plan of a year as one object: every calculation, requirement, deadline, label and sentence
takes its numbers from here, and here from data/reference/targets_<year>.yaml (jygproj.reference).

    plan = load_plan(2023)
    plan.goal                      # 12% growth, reached by November (one month early, 一)
    plan.amount_targets            # the plan's amount targets by list, nature, period (completion)
    plan.requirements              # the plan's requirements, declared in the file (completion, starts)
    plan.words.span                # "1-11月" — wording derived from the plan's numbers

Nothing about a year is written in code: "one month early" is November only because the 2023 plan
says so (fai_growth_months_early_month). Next year is one file: targets_2024.yaml (README).
Requirements are data (each with lists, nature, period, threshold, deadline and clause), so which
requirements the plan really sets is changed in the file, not in the code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import polars as pl

from jygproj import paths
from jygproj.growth import Goal
from jygproj.ledger import month_end, quarter_end
from jygproj.reference import ReferenceDataError, Targets, check_keys, load_targets
from jygproj.schema import LISTS, NATURES, QUARTER_LABELS, WAN_PER_YI

#: The lists and scopes a plan entry may name (schema.LISTS plus the enterprise total of 二(五)).
SCOPES = (*LISTS, "enterprise")
PERIODS = ("Q1", "Q2", "Q3", "Q4", "Year")
KINDS = ("target", "stretch")
CHECKS = ("target_completion", "annual_completion", "start", "resume")
MONTHS_IN_YEAR = 12  # the FAI goal is the calendar year's (一 工作目标)

AMOUNT_TARGETS: dict[str, pl.DataType] = {
    "list": pl.String,
    "nature": pl.String,  # null = all natures of the list
    "period": pl.String,  # Q1..Q4 or Year
    "kind": pl.String,  # "target" (确保) or "stretch" (力争)
    "target_wan": pl.Float64,
    "key": pl.String,  # the key in data/reference/targets_<year>.yaml
    "clause": pl.String,
}


@dataclass(frozen=True)
class Requirement:
    """One requirement of the plan, as its file declares it (see the file's comments)."""

    id: str
    check: str  # target_completion | annual_completion | start | resume
    lists: tuple[str, ...]
    clause: str
    label: str  # in words, the plan's numbers filled in
    threshold_pct: float  # the rate required (target_completion without a threshold: 100, the target itself)
    threshold_key: str | None  # the plan file's key of the rate (None: the amount target itself)
    nature: str | None = None
    deadline: dt.date | None = None  # start / resume / annual_completion
    deadline_month: int | None = None
    quarter: int | None = None  # start checks per planned-start quarter
    planned_count: int | None = None  # the plan's own count of planned starts in that quarter
    due_by_plan: bool = False
    note: str = ""
    periods: tuple[str, ...] = ()  # target_completion: the periods of the plan's amount targets judged
    strive: bool = False  # 力争: shown, never counted as failed, never a deadline
    period: str | None = None  # start / resume: Q1..Q4 (a quarter's), Year (12月底) or YYYY-MM (by that month's end)


@dataclass(frozen=True)
class ListSize:
    list: str
    nature: str | None
    scope: str  # "list" | "observation"
    count: int
    count_key: str
    total_wan: float | None
    total_key: str | None
    clause: str


@dataclass(frozen=True)
class Words:
    """Wording derived from the plan's numbers (Chinese), for reports, charts and the planner."""

    goal: Goal

    @property
    def pct(self) -> str:  # "12%"
        return f"{self.goal.growth_pct:g}%"

    @property
    def factor(self) -> str:  # "1.12"
        return f"{1 + self.goal.growth_pct / 100:.2f}"

    @property
    def level_pct(self) -> str:  # "112%"
        return f"{100 + self.goal.growth_pct:g}%"

    @property
    def span(self) -> str:  # "1-11月"
        return f"1-{self.goal.target_month}月"

    @property
    def month(self) -> str:  # "11月"
        return f"{self.goal.target_month}月"

    @property
    def early(self) -> str:  # "提前一个月", "提前两个月"
        n = self.goal.months_early
        return f"提前{'两' if n == 2 else chinese_number(n)}个月"

    @cached_property
    def column_labels(self) -> dict[str, str]:
        """Column headers that name the plan's numbers (on top of schema's neutral ones)."""
        return {"rate_line_wan": f"增长{self.pct}线（万元）", "base_wan": f"至{self.month}新增投资（万元）",
                "low_margin_yi": f"低情景{self.month}末差额（亿元）", "high_margin_yi": f"高情景{self.month}末差额（亿元）"}

    @cached_property
    def reading_labels(self) -> dict[str, str]:
        """The two readings of the goal (domain page), e.g. 总量口径：1-11月累计达到上年全年的112%."""
        return {"level": f"总量口径：{self.span}累计达到上年全年的{self.level_pct}",
                "rate": f"增速口径：{self.span}累计增速达到{self.pct}"}

    @cached_property
    def reading_short(self) -> dict[str, str]:
        """The readings in the planner's words: 总量口径（1-11月累计≥上年全年×1.12）."""
        return {"level": f"总量口径（{self.span}累计≥上年全年×{self.factor}）",
                "rate": f"增速口径（{self.span}累计增速≥{self.pct}）"}


def chinese_number(n: int) -> str:
    """1..99 in Chinese numerals (一, 十一, 二十三) for wording such as 提前一个月."""
    digits = "零一二三四五六七八九"
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    return (("" if tens == 1 else digits[tens]) + "十" if tens else "") + (digits[ones] if ones else "")


@dataclass
class Plan:
    """The plan of one year (see the module docstring)."""

    targets: Targets
    goal: Goal
    amount_targets: pl.DataFrame  # AMOUNT_TARGETS, in 万元
    requirements: tuple[Requirement, ...]
    list_sizes: tuple[ListSize, ...]
    files: tuple[Path, ...] = field(default_factory=tuple)

    @property
    def year(self) -> int:
        return self.targets.year

    @property
    def document(self) -> str:
        return self.targets.document

    @property
    def title(self) -> str:
        return self.targets.title

    @property
    def citation(self) -> str:
        """《嘉峪关市推动项目落地“大提速”工作方案》（嘉政办发〔2023〕39号）."""
        return f"《{self.title}》（{self.document}）"

    @property
    def note(self) -> str:
        """Set on a test plan: the report says so first."""
        return self.targets.note

    @cached_property
    def words(self) -> Words:
        return Words(self.goal)

    def value(self, key: str) -> float:
        return self.targets.value(key)

    def requirements_of(self, *checks: str) -> list[Requirement]:
        return [r for r in self.requirements if r.check in checks]

    @property
    def requirement_labels(self) -> dict[str, str]:
        """requirement_id → label in words (the first entry's, where an id serves several lists)."""
        out: dict[str, str] = {}
        for r in self.requirements:
            out.setdefault(r.id, r.label)
        return out

    def planned_starts(self, list_key: str = "provincial_key") -> dict[str, dict[int, int]]:
        """The plan's planned new starts by quarter, {"provincial_key": {2: 10, …}} (二(二))."""
        counts = {r.quarter: r.planned_count for r in self.requirements
                  if r.check == "start" and r.lists == (list_key,) and r.quarter is not None}
        return {list_key: counts} if counts else {}

    def list_sizes_frame(self) -> pl.DataFrame:
        """The plan's list sizes: list, nature, scope, plan_count, plan_total_wan, key, clause."""
        return pl.DataFrame(
            [{"list": s.list, "nature": s.nature, "scope": s.scope, "plan_count": s.count,
              "plan_total_wan": s.total_wan, "key": s.count_key, "clause": s.clause} for s in self.list_sizes],
            schema={"list": pl.String, "nature": pl.String, "scope": pl.String, "plan_count": pl.Int64,
                    "plan_total_wan": pl.Float64, "key": pl.String, "clause": pl.String})

    def unused_keys(self) -> list[str]:
        """The entries of the plan file no calculation has read (the code-health test)."""
        return sorted(set(self.targets.items) - self.targets.used)


# --- building the plan from its file -----------------------------------------------------------------


def load_plan(year: int, path: Path | None = None) -> Plan:
    """The plan of ``year`` from data/reference/targets_<year>.yaml (or ``path``). A file that fails to
    load raises ReferenceDataError naming file, line and key — never a silent default. Read once per
    version of the file (a slider move of the planner does not re-read it)."""
    file = Path(path) if path else paths.targets_file(year)
    try:
        stamp = file.stat().st_mtime_ns
    except OSError:  # no such file: load_targets names it
        stamp = None
    return _load_plan(year, str(file), stamp)


@lru_cache(maxsize=16)
def _load_plan(year: int, file: str, stamp: int | None) -> Plan:
    return plan_from_targets(load_targets(year, Path(file)))


def plan_from_targets(targets: Targets) -> Plan:
    file = Path(targets.file)
    for section in ("amount_targets", "list_sizes", "requirements"):
        if section not in targets.sections:
            raise ReferenceDataError(file, None, section, "方案文件缺少此部分（见 targets_2023.yaml 的写法）",
                                     "missing_key")
    goal = Goal(growth_pct=targets.value("fai_growth_pct"),
                months_early=int(targets.value("fai_growth_months_early_month")), year=targets.year)
    if not 1 <= goal.target_month <= 11:
        raise ReferenceDataError(file, targets.items["fai_growth_months_early_month"].line,
                                 "targets.fai_growth_months_early_month", "提前月数应为 1–10", "bad_months_early")
    return Plan(targets, goal, _amount_targets(targets), tuple(_requirements(targets)), tuple(_list_sizes(targets)),
                files=(file,))


def _ref(targets: Targets, kp: tuple[str, ...], key: Any, unit: str | None = None) -> str:
    """A reference from a section to a target key: it must exist (and be in ``unit``)."""
    file = Path(targets.file)
    if key not in targets.items:
        raise ReferenceDataError(file, targets.lines.get(kp), ".".join(kp),
                                 f"引用的目标 {key!r} 不在 targets 中", "unknown_target")
    if unit and targets.items[key].unit != unit:
        raise ReferenceDataError(file, targets.lines.get(kp), ".".join(kp),
                                 f"引用的目标 {key} 单位应为 {unit}，实际为 {targets.items[key].unit}", "wrong_unit")
    return key


def _choice(targets: Targets, kp: tuple[str, ...], value: Any, allowed, what: str) -> Any:
    if value not in allowed:
        raise ReferenceDataError(Path(targets.file), targets.lines.get(kp), ".".join(kp),
                                 f"{what}应为 {'/'.join(str(a) for a in allowed)} 之一，实际为 {value!r}", "bad_value")
    return value


def _entries(targets: Targets, section: str):
    entries = targets.sections[section]
    if not isinstance(entries, list):
        raise ReferenceDataError(Path(targets.file), targets.lines.get((section,)), section, "应为列表", "not_list")
    return [((section, str(i)), e) for i, e in enumerate(entries)]


def _amount_targets(targets: Targets) -> pl.DataFrame:
    rows = []
    for kp, e in _entries(targets, "amount_targets"):
        check_keys(e, file=Path(targets.file), lines=targets.lines, key_path=kp,
                   required={"key", "list", "nature", "period", "kind"})
        key = _ref(targets, kp + ("key",), e["key"], "亿元")
        rows.append(dict(list=_choice(targets, kp + ("list",), e["list"], SCOPES, "清单"),
                         nature=_choice(targets, kp + ("nature",), e["nature"], (*NATURES, None), "建设性质"),
                         period=_choice(targets, kp + ("period",), e["period"], PERIODS, "期间"),
                         kind=_choice(targets, kp + ("kind",), e["kind"], KINDS, "目标类型"),
                         target_wan=targets.wan(key), key=key, clause=targets.items[key].clause))
    return pl.DataFrame(rows, schema=AMOUNT_TARGETS)


def _list_sizes(targets: Targets) -> list[ListSize]:
    out = []
    for kp, e in _entries(targets, "list_sizes"):
        check_keys(e, file=Path(targets.file), lines=targets.lines, key_path=kp,
                   required={"list", "nature", "count"}, optional={"total", "scope"})
        count = _ref(targets, kp + ("count",), e["count"], "个")
        total = _ref(targets, kp + ("total",), e["total"], "亿元") if e.get("total") else None
        out.append(ListSize(_choice(targets, kp + ("list",), e["list"], SCOPES, "清单"),
                            _choice(targets, kp + ("nature",), e["nature"], (*NATURES, None), "建设性质"),
                            _choice(targets, kp + ("scope",), e.get("scope", "list"), ("list", "observation"), "范围"),
                            int(targets.value(count)), count, targets.wan(total) if total else None, total,
                            targets.items[count].clause))
    return out


_REQUIRED = {"id", "check", "lists", "clause", "label"}
_OPTIONAL = {"threshold", "nature", "deadline_quarter", "deadline_month", "per_quarter", "due_by_plan", "note",
             "periods", "strive"}


def _requirements(targets: Targets) -> list[Requirement]:
    year, out = targets.year, []
    file = Path(targets.file)
    amounts = _amount_targets(targets).filter(pl.col("kind") == "target")
    for kp, e in _entries(targets, "requirements"):
        check_keys(e, file=file, lines=targets.lines, key_path=kp, required=_REQUIRED, optional=_OPTIONAL)
        check = _choice(targets, kp + ("check",), e["check"], CHECKS, "检查方式")
        lists = tuple(_choice(targets, kp + ("lists",), x, SCOPES, "清单") for x in e["lists"])
        nature = _choice(targets, kp + ("nature",), e.get("nature"), (*NATURES, None), "建设性质")
        if e.get("threshold"):
            threshold_key = _ref(targets, kp + ("threshold",), e["threshold"], "%")
            threshold = targets.value(threshold_key)
        elif check == "target_completion":  # the amount target itself is the requirement
            threshold_key, threshold = None, 100.0
        else:
            raise ReferenceDataError(file, targets.lines.get(kp), ".".join(kp), "此类要求须给出 threshold", "missing_key")
        periods: tuple[str, ...] = ()
        if check == "target_completion":
            periods = tuple(_choice(targets, kp + ("periods",), x, PERIODS, "期间") for x in (e.get("periods") or []))
            if not periods:
                raise ReferenceDataError(file, targets.lines.get(kp), ".".join(kp),
                                         "目标完成要求须给出 periods（如 [Q1, Q2, Q3, Q4] 或 [Year]）", "missing_key")
            for lst in lists:
                for period in periods:
                    hit = amounts.filter((pl.col("list") == lst) & pl.col("nature").eq_missing(nature)
                                         & (pl.col("period") == period))
                    if hit.is_empty():
                        raise ReferenceDataError(
                            file, targets.lines.get(kp + ("periods",), targets.lines.get(kp)), ".".join(kp),
                            f"方案目标中没有 {lst}/{nature or '全部'}/{period} 的投资目标（amount_targets）",
                            "unknown_target")
        deadline, month, text = None, None, ""
        period = None
        if e.get("deadline_quarter"):
            q = int(targets.value(_ref(targets, kp + ("deadline_quarter",), e["deadline_quarter"], "季度")))
            deadline, month, text, period = quarter_end(year, q), q * 3, QUARTER_LABELS[q], f"Q{q}"
        elif e.get("deadline_month"):
            m = int(targets.value(_ref(targets, kp + ("deadline_month",), e["deadline_month"], "月")))
            deadline, month, text = month_end(year, m), m, f"{m}月底"
            period = "Year" if m == MONTHS_IN_YEAR else f"{year}-{m:02d}"
        elif check in ("start", "resume") and not e.get("per_quarter"):
            raise ReferenceDataError(file, targets.lines.get(kp), ".".join(kp),
                                     "开工、复工要求须给出 deadline_quarter、deadline_month 或 per_quarter", "missing_key")
        common = dict(id=str(e["id"]), check=check, lists=lists, clause=str(e["clause"]),
                      threshold_pct=threshold, threshold_key=threshold_key, nature=nature,
                      due_by_plan=bool(e.get("due_by_plan", False)), note=str(e.get("note") or ""),
                      periods=periods, strive=bool(e.get("strive", False)))
        label = str(e["label"]).replace("{threshold}", f"{threshold:g}%")
        if "{target}" in label:
            year_target = amounts.filter(pl.col("list").is_in(list(lists)) & pl.col("nature").eq_missing(nature)
                                         & (pl.col("period") == "Year"))
            if year_target.is_empty():
                raise ReferenceDataError(file, targets.lines.get(kp + ("label",)), ".".join(kp + ("label",)),
                                         "措辞中的 {target} 需要该清单的年度投资目标", "unknown_target")
            label = label.replace("{target}", f"{year_target['target_wan'].sum() / WAN_PER_YI:g}亿元")
        if e.get("per_quarter"):
            pattern = str(e["per_quarter"])
            for q in range(1, 5):
                key = pattern.replace("{q}", str(q))
                if key in targets.items:
                    out.append(Requirement(**common, label=label, deadline=quarter_end(year, q),
                                           deadline_month=q * 3, quarter=q, period=f"Q{q}",
                                           planned_count=int(targets.value(key))))
        else:
            out.append(Requirement(**common, label=label.replace("{deadline}", text), deadline=deadline,
                                   deadline_month=month, period=period))
    return out
