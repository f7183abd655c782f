"""Reserve reference data: steps, owners, durations, project types, tiers, funding rounds.

Read from data/reference/reserve_steps.yaml with the strict loader (duplicate and unknown keys are
refused, errors name file, line and key). The calculations never read files: they take the
:class:`ReserveReference` this module returns as a parameter.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jygproj import paths, schema
from jygproj.reference import ReferenceDataError, check_keys, read_strict

DEFAULT_FILE = "reserve_steps.yaml"


@dataclass(frozen=True)
class StepRef:
    key: str
    label: str
    owner: str
    typical_months: float
    phase: int
    lead_months: float = 0.0  # preparation before a not-started step can be applied for
    parallel: bool = False
    owner_by_domain: dict[str, str] = field(default_factory=dict)
    owner_by_channel: dict[str, str] = field(default_factory=dict)
    note: str = ""


@dataclass(frozen=True)
class ProjectType:
    name: str
    description: str
    required: tuple[str, ...]
    conditional: tuple[str, ...]
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Tier:
    key: str
    label: str
    max_months_to_ready: float | None  # None = no upper bound


@dataclass(frozen=True)
class FundingRound:
    key: str
    label: str
    channels: tuple[str, ...]
    deadline: dt.date
    domains: tuple[str, ...]  # empty = any domain
    min_total_investment_wan: float
    steps_done: tuple[str, ...]
    rule: str


@dataclass(frozen=True)
class ReserveReference:
    file: str
    source: str
    quality: str
    steps: dict[str, StepRef]  # in the usual order of schema.RESERVE_STEPS
    types: dict[str, ProjectType]
    default_type: ProjectType
    stages: dict[str, str]
    tiers: tuple[Tier, ...]  # nearest first
    rounds: dict[str, FundingRound]

    def resolve_type(self, name: str | None) -> tuple[ProjectType, bool]:
        """The project type for a sheet's 项目类型 text (name or alias, compared without brackets,
        spaces and a trailing 类, so 政府投资（审批） finds 政府投资审批类); (default, False) if none."""
        text = _norm(name)
        for ptype in self.types.values():
            if text and text in {_norm(a) for a in (ptype.name, *ptype.aliases)}:
                return ptype, True
        return self.default_type, False

    def durations(self) -> dict[str, float]:
        return {k: s.typical_months for k, s in self.steps.items()}


def _norm(text: str | None) -> str:
    out = re.sub(r"[\s()（）【】\[\]]", "", text or "")
    return out[:-1] if out.endswith("类") else out


def load_reserve_reference(path: Path | None = None) -> ReserveReference:
    """Load and validate data/reference/reserve_steps.yaml (or ``path``)."""
    path = Path(path) if path else paths.REFERENCE / DEFAULT_FILE
    if not path.exists():
        raise ReferenceDataError(path, None, "", "储备库参考文件不存在", "missing_file")
    data, lines = read_strict(path)
    check_keys(data, file=path, lines=lines, key_path=(),
               required={"meta", "steps", "project_types", "default_type", "stages", "tiers",
                         "funding_rounds"})
    meta = data["meta"]
    check_keys(meta, file=path, lines=lines, key_path=("meta",), required={"clause", "source", "quality"})

    steps_in = data["steps"]
    check_keys(steps_in, file=path, lines=lines, key_path=("steps",), required=set(schema.RESERVE_STEPS))
    steps: dict[str, StepRef] = {}
    for key in schema.RESERVE_STEPS:  # keep the usual order whatever the file's order
        entry = steps_in[key]
        kp = ("steps", key)
        check_keys(entry, file=path, lines=lines, key_path=kp,
                   required={"label", "owner", "typical_months", "phase"},
                   optional={"lead_months", "parallel", "owner_by_domain", "owner_by_channel", "note"})
        if entry["label"] != schema.RESERVE_STEPS[key]:
            raise ReferenceDataError(path, lines.get(kp + ("label",)), ".".join(kp + ("label",)),
                                     f"名称应为 {schema.RESERVE_STEPS[key]!r}，实际为 {entry['label']!r}",
                                     "wrong_label")
        months = entry["typical_months"]
        if isinstance(months, bool) or not isinstance(months, (int, float)) or months < 0:
            raise ReferenceDataError(path, lines.get(kp + ("typical_months",)), ".".join(kp),
                                     f"办理月数应为非负数字，实际为 {months!r}", "bad_duration")
        steps[key] = StepRef(
            key=key, label=entry["label"], owner=entry["owner"], typical_months=float(months),
            phase=int(entry["phase"]), lead_months=float(entry.get("lead_months", 0)), parallel=bool(entry.get("parallel", False)),
            owner_by_domain=dict(entry.get("owner_by_domain") or {}),
            owner_by_channel=dict(entry.get("owner_by_channel") or {}),
            note=entry.get("note", ""),
        )

    def ptype(name: str, entry: Any, kp: tuple[str, ...]) -> ProjectType:
        check_keys(entry, file=path, lines=lines, key_path=kp,
                   required={"description", "required", "conditional"}, optional={"aliases"})
        for group in ("required", "conditional"):
            for step in entry[group]:
                if step not in schema.RESERVE_STEPS:
                    raise ReferenceDataError(path, lines.get(kp + (group,)), ".".join(kp + (group,)),
                                             f"未知手续 {step!r}（应为 {'、'.join(schema.RESERVE_STEPS)} 之一）",
                                             "unknown_step")
        both = set(entry["required"]) & set(entry["conditional"])
        if both:
            raise ReferenceDataError(path, lines.get(kp), ".".join(kp),
                                     f"手续 {sorted(both)} 同时列为必需与条件必需", "step_twice")
        return ProjectType(name, entry["description"], tuple(entry["required"]),
                           tuple(entry["conditional"]), tuple(entry.get("aliases") or ()))

    types = {name: ptype(name, e, ("project_types", name)) for name, e in data["project_types"].items()}
    seen: dict[str, str] = {}
    for t in types.values():
        for alias in (t.name, *t.aliases):
            if alias in seen and seen[alias] != t.name:
                raise ReferenceDataError(path, lines.get(("project_types", t.name)), f"project_types.{t.name}",
                                         f"别名 {alias!r} 已属于类型 {seen[alias]!r}", "alias_twice")
            seen[alias] = t.name
    default_type = ptype("默认类型", data["default_type"], ("default_type",))

    check_keys(data["stages"], file=path, lines=lines, key_path=("stages",), required=set(schema.RESERVE_STAGES))
    tiers = []
    for i, entry in enumerate(data["tiers"]):
        check_keys(entry, file=path, lines=lines, key_path=("tiers", str(i)),
                   required={"key", "label", "max_months_to_ready"})
        tiers.append(Tier(entry["key"], entry["label"], entry["max_months_to_ready"]))
    if [t.key for t in tiers] != list(schema.RESERVE_TIERS):
        raise ReferenceDataError(path, lines.get(("tiers",)), "tiers",
                                 f"层级应依次为 {list(schema.RESERVE_TIERS)}", "bad_tiers")

    rounds = {}
    for key, entry in data["funding_rounds"].items():
        kp = ("funding_rounds", key)
        check_keys(entry, file=path, lines=lines, key_path=kp,
                   required={"label", "channels", "deadline", "domains", "min_total_investment_wan",
                             "steps_done", "rule"})
        if not isinstance(entry["deadline"], dt.date):
            raise ReferenceDataError(path, lines.get(kp + ("deadline",)), ".".join(kp + ("deadline",)),
                                     f"截止日期应为 YYYY-MM-DD，实际为 {entry['deadline']!r}", "bad_date")
        for step in entry["steps_done"]:
            if step not in schema.RESERVE_STEPS:
                raise ReferenceDataError(path, lines.get(kp + ("steps_done",)), ".".join(kp + ("steps_done",)),
                                         f"未知手续 {step!r}", "unknown_step")
        rounds[key] = FundingRound(key, entry["label"], tuple(entry["channels"]), entry["deadline"],
                                   tuple(entry["domains"] or ()), float(entry["min_total_investment_wan"]),
                                   tuple(entry["steps_done"]), entry["rule"])
    return ReserveReference(str(path), meta["source"], meta["quality"], steps, types, default_type,
                            dict(data["stages"]), tuple(tiers), rounds)


@dataclass(frozen=True)
class Assumption:
    key: str
    value: float
    unit: str
    description: str
    source: str
    quality: str


GAP_ASSUMPTIONS = ("continuing_intensity", "other_fai_growth", "push_speedup", "start_lag_months")


def load_gap_assumptions(path: Path | None = None, *, plan) -> dict[str, Assumption]:
    """The gap's default assumptions (data/reference/reserve_gap.yaml), each with source and quality,
    and next year's growth target: the plan's own (jygproj.plan.Plan, 一 工作目标) until the next plan
    sets one."""
    path = Path(path) if path else paths.REFERENCE / "reserve_gap.yaml"
    data, lines = read_strict(path)
    check_keys(data, file=path, lines=lines, key_path=(), required=set(GAP_ASSUMPTIONS))
    out = {}
    for key in GAP_ASSUMPTIONS:
        entry = data[key]
        check_keys(entry, file=path, lines=lines, key_path=(key,),
                   required={"value", "unit", "description", "source", "quality"})
        value = entry["value"]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ReferenceDataError(path, lines.get((key, "value")), key, f"应为数字，实际为 {value!r}",
                                     "value_not_number")
        out[key] = Assumption(key, float(value), entry["unit"], entry["description"], entry["source"],
                              entry["quality"])
    out["target_growth"] = Assumption(
        "target_growth", plan.goal.growth_pct / 100, "比例", "次年固定资产投资增长目标（沿用本年方案目标）",
        f"{plan.document} 一 工作目标（本年目标{plan.words.pct}，沿用为次年目标；次年目标下达时以参数 target_growth 替换）",
        "中")
    return out
