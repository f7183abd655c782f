"""Scenario levers: their specifications (data/reference/scenario_levers.yaml) and values.

A :class:`Levers` value holds every lever of one scenario. Each lever multiplies (or shifts) a part of
the FAI forecast (jygproj.forecast; jygproj.projection says how), and its default changes nothing:
``Levers()`` is the forecast the quarterly report shows. The defaults equal those written in the
reference file (a test keeps the two together).

A scenario is stored as a *diff* against a base: a nested mapping such as
``{"pace_by_list": {"provincial_major": 1.2}, "exclude": ["2301-…"]}``, applied with
:func:`apply_changes`, which checks every value against the specification's kind and range.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from jygproj.errors import JygprojError
from jygproj import paths, schema
from jygproj.growth import DEFAULT_HEADLINE
from jygproj.reference import ReferenceDataError, check_keys, read_strict

LEVERS_FILE = paths.REFERENCE / "scenario_levers.yaml"

KINDS = {"number", "integer", "choice", "per_list", "per_project", "project_set", "reserve_pull"}

#: Lists whose pace multiplier is a lever (the reserve pool has no pace: its projects have not started).
PACE_LISTS = tuple(k for k in schema.LISTS if k != "reserve")


class LeverError(JygprojError, ValueError):
    """A lever value outside its kind or range; the message is Chinese with an English code."""

    def __init__(self, lever: str, found: Any, expected: str, code: str, where: str = ""):
        self.lever, self.found, self.expected = lever, found, expected
        prefix = f"{where}: " if where else ""
        super().__init__(f"{prefix}杠杆 {lever!r} 的值 {found!r} 不符合要求：应为 {expected}", code)


@dataclass(frozen=True)
class LeverSpec:
    name: str
    kind: str
    label: str
    unit: str
    default: Any
    source: str
    description: str = ""
    min: float | None = None
    max: float | None = None
    step: float | None = None
    choices: tuple[str, ...] = ()
    hypothetical: bool = False
    start_month_min: int = 1
    start_month_max: int = 12


@dataclass(frozen=True)
class Param:
    """A fixed model parameter (not a slider): value, unit and source."""

    name: str
    value: float
    unit: str
    source: str


@dataclass(frozen=True)
class LeverSpecs:
    levers: dict[str, LeverSpec]
    tornado: dict[str, Param]
    file: str

    def __getitem__(self, name: str) -> LeverSpec:
        return self.levers[name]

    def param(self, section: str, name: str) -> float:
        return getattr(self, section)[name].value


_LEVER_KEYS = {"kind", "label", "unit", "default", "source"}
_LEVER_OPTIONAL = {"description", "min", "max", "step", "choices", "hypothetical",
                   "start_month_min", "start_month_max"}
_PARAM_SECTIONS = {
    "tornado": {"low_multiplier", "high_multiplier", "top_n"},
}


def load_lever_specs(path: Path | None = None) -> LeverSpecs:
    """Read the levers file strictly (unknown or missing keys are refused, naming file, line, key)."""
    path = Path(path) if path else LEVERS_FILE
    data, lines = read_strict(path)
    check_keys(data, file=path, lines=lines, key_path=(),
               required={"meta", "levers", *_PARAM_SECTIONS})
    check_keys(data["meta"], file=path, lines=lines, key_path=("meta",), required={"title", "note"})
    expected = {f.name for f in fields(Levers)}
    check_keys(data["levers"], file=path, lines=lines, key_path=("levers",), required=expected)
    specs = {}
    for name, entry in data["levers"].items():
        kp = ("levers", name)
        check_keys(entry, file=path, lines=lines, key_path=kp, required=_LEVER_KEYS,
                   optional=_LEVER_OPTIONAL)
        if entry["kind"] not in KINDS:
            raise ReferenceDataError(path, lines.get(kp + ("kind",)), ".".join(kp + ("kind",)),
                                     f"未知的杠杆类型 {entry['kind']!r}（应为 {'、'.join(sorted(KINDS))}）",
                                     "unknown_lever_kind")
        spec = LeverSpec(name=name, **{k: (tuple(v) if k == "choices" else v) for k, v in entry.items()})
        specs[name] = spec
    sections = {}
    for section, names in _PARAM_SECTIONS.items():
        check_keys(data[section], file=path, lines=lines, key_path=(section,), required=names)
        out = {}
        for name, entry in data[section].items():
            kp = (section, name)
            check_keys(entry, file=path, lines=lines, key_path=kp, required={"value", "unit", "source"})
            value = entry["value"]
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ReferenceDataError(path, lines.get(kp + ("value",)), ".".join(kp),
                                         f"应为数字，实际为 {value!r}", "value_not_number")
            out[name] = Param(name, float(value), entry["unit"], entry["source"])
        sections[section] = out
    return LeverSpecs(specs, sections["tornado"], str(path))


@dataclass
class Levers:
    """Every lever of one scenario. The defaults are the baseline (see module docstring)."""

    pace_by_list: dict[str, float] = field(default_factory=dict)  # list -> multiplier (missing = 1)
    new_start_delay_months: int = 0
    start_probability: float = 1.0  # × the forecast's measured start hazards
    other_change_pct: float = 0.0  # other FAI's run rate, % above (below) the forecast's
    headline: str = DEFAULT_HEADLINE  # "level" | "rate" (jygproj.growth: the rate reading, by source)
    accelerate: dict[str, float] = field(default_factory=dict)  # project_id -> multiplier
    defer: dict[str, int] = field(default_factory=dict)  # project_id -> months paused
    exclude: list[str] = field(default_factory=list)  # project_ids stopped from next month
    reserve_pull: dict[str, dict[str, float]] = field(default_factory=dict)
    # reserve project_id -> {"start_month": int, "first_year_wan": float}; hypothetical (假设)

    def pace(self, list_name: str) -> float:
        return float(self.pace_by_list.get(list_name, 1.0))

    def copy(self) -> "Levers":
        return copy.deepcopy(self)

    def to_dict(self) -> dict[str, Any]:
        """Plain, YAML-safe nested mapping of every lever."""
        return {f.name: copy.deepcopy(getattr(self, f.name)) for f in fields(self)}


def defaults_from_specs(specs: LeverSpecs) -> Levers:
    """The baseline levers as the reference file writes them (equal to ``Levers()``)."""
    # A per-project lever's default is the value of a project not named, not a change.
    return apply_changes(Levers(), {n: s.default for n, s in specs.levers.items() if s.kind != "per_project"},
                         specs)


def _number(name: str, value: Any, spec: LeverSpec, where: str, integer: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise LeverError(name, value, "整数" if integer else "数字", "lever_not_number", where)
    if integer and int(value) != value:
        raise LeverError(name, value, "整数", "lever_not_integer", where)
    lo, hi = spec.min, spec.max
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise LeverError(name, value, f"{lo:g}–{hi:g} {spec.unit}", "lever_out_of_range", where)
    return int(value) if integer else float(value)


def apply_changes(base: Levers, changes: dict[str, Any] | None, specs: LeverSpecs,
                  where: str = "") -> Levers:
    """A new Levers: ``base`` with ``changes`` (nested mapping, as in a scenario file) applied.

    Per-list and per-project mappings merge into the base's (so a scenario stacks on another);
    ``exclude`` adds to the base's set. The base is never modified.
    """
    out = base.copy()
    for name, value in (changes or {}).items():
        name = lever_name(name, specs)
        if name not in specs.levers:
            allowed = "、".join(specs.levers)
            raise LeverError(name, value, f"已知杠杆之一（{allowed}）", "unknown_lever", where)
        spec = specs.levers[name]
        kind = spec.kind
        if kind == "number":
            if value is None and spec.default is None:
                setattr(out, name, None)
            else:
                setattr(out, name, _number(name, value, spec, where))
        elif kind == "integer":
            setattr(out, name, _number(name, value, spec, where, integer=True))
        elif kind == "choice":
            value = schema.code_of(value, READING_CHOICES) or value if name == "headline" else value
            if value not in spec.choices:
                raise LeverError(name, value, "、".join(spec.choices), "lever_bad_choice", where)
            setattr(out, name, value)
        elif kind == "per_list":
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                value = {k: value for k in PACE_LISTS}  # one number: every list (the file's default)
            if not isinstance(value, dict):
                raise LeverError(name, value, "清单→倍数 的映射", "lever_not_mapping", where)
            merged = dict(out.pace_by_list)
            for given, v in value.items():
                list_name = schema.code_of(given, schema.LISTS) or given  # 产业投资项目 = industrial
                if list_name not in PACE_LISTS:
                    raise LeverError(f"{name}.{given}", v, "、".join(schema.LISTS[k] for k in PACE_LISTS),
                                     "unknown_list", where)
                merged[list_name] = _number(f"{name}.{list_name}", v, spec, where)
            out.pace_by_list = {k: v for k, v in merged.items() if v != 1.0}
        elif kind == "per_project":
            if not isinstance(value, dict):
                raise LeverError(name, value, "项目代码→数值 的映射", "lever_not_mapping", where)
            merged = dict(getattr(out, name))
            integer = spec.unit == "月"
            for pid, v in value.items():
                merged[str(pid)] = _number(f"{name}.{pid}", v, spec, where, integer=integer)
            setattr(out, name, {k: v for k, v in merged.items() if v != spec.default})
        elif kind == "project_set":
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, (list, tuple, set)):
                raise LeverError(name, value, "项目代码列表", "lever_not_list", where)
            out.exclude = sorted(set(out.exclude) | {str(v) for v in value})
        elif kind == "reserve_pull":
            if not isinstance(value, dict):
                raise LeverError(name, value, "储备项目代码→{start_month, first_year_wan}", "lever_not_mapping", where)
            merged = dict(out.reserve_pull)
            for pid, entry in value.items():
                key = f"{name}.{pid}"
                if not isinstance(entry, dict) or set(entry) != {"start_month", "first_year_wan"}:
                    raise LeverError(key, entry, "{start_month: 月份, first_year_wan: 万元}", "lever_bad_reserve", where)
                month = entry["start_month"]
                if isinstance(month, bool) or not isinstance(month, int) or not (
                        spec.start_month_min <= month <= spec.start_month_max):
                    raise LeverError(key + ".start_month", month,
                                     f"{spec.start_month_min}–{spec.start_month_max} 的整数月份",
                                     "lever_bad_month", where)
                amount = _number(key + ".first_year_wan", entry["first_year_wan"], spec, where)
                merged[str(pid)] = {"start_month": month, "first_year_wan": amount}
            out.reserve_pull = merged
    return out


def changes_between(base: Levers, levers: Levers) -> dict[str, Any]:
    """The nested diff that turns ``base`` into ``levers`` (what a scenario file stores)."""
    out: dict[str, Any] = {}
    for f in fields(Levers):
        a, b = getattr(base, f.name), getattr(levers, f.name)
        if a == b:
            continue
        if f.name == "pace_by_list":
            keys = set(a) | set(b)
            out[f.name] = {k: levers.pace(k) for k in sorted(keys) if base.pace(k) != levers.pace(k)}
        elif f.name in ("accelerate", "defer"):
            out[f.name] = {k: v for k, v in b.items() if a.get(k) != v}
        elif f.name == "exclude":
            out[f.name] = sorted(set(b) - set(a))
        elif f.name == "reserve_pull":
            out[f.name] = {k: v for k, v in b.items() if a.get(k) != v}
        else:
            out[f.name] = b
    return out


#: The headline lever's choices in words (a user may type 增速口径 for rate).
READING_CHOICES = schema.READING_NAMES


def lever_name(given: str, specs: LeverSpecs) -> str:
    """A lever by its name or its Chinese label (分清单推进倍数 = pace_by_list)."""
    return schema.code_of(given, {n: s.label for n, s in specs.levers.items()}) or given


def project_ids(changes: dict[str, Any], names_by_id: dict[str, str]) -> dict[str, Any]:
    """Project levers (accelerate, defer, exclude, reserve_pull) by project name as well as by code:
    a name that is one project's is replaced by its code; anything else is left for the engine."""
    by_name: dict[str, list[str]] = {}
    for pid, name in names_by_id.items():
        by_name.setdefault(str(name), []).append(pid)

    def code(key: str) -> str:
        ids = by_name.get(str(key).strip(), [])
        return ids[0] if len(ids) == 1 and key not in names_by_id else key

    out = dict(changes)
    for lever in ("accelerate", "defer", "reserve_pull"):
        if isinstance(out.get(lever), dict):
            out[lever] = {code(k): v for k, v in out[lever].items()}
    if isinstance(out.get("exclude"), list):
        out["exclude"] = [code(k) for k in out["exclude"]]
    return out


def parse_set(items: list[str], specs: LeverSpecs) -> dict[str, Any]:
    """``--set`` strings into a nested change mapping.

    Forms: ``headline=rate``, ``start_probability=0.8``, ``pace_by_list.industrial=1.2``,
    ``accelerate.<project_id>=1.3``, ``defer.<project_id>=2``, ``exclude=<project_id>``,
    ``reserve_pull.<project_id>=<start_month>:<first_year_wan>``.
    """
    changes: dict[str, Any] = {}
    for item in items:
        if "=" not in item:
            raise LeverError(item, item, "名称=值（如 pace_by_list.industrial=1.2）", "bad_set_syntax")
        key, raw = item.split("=", 1)
        name, _, sub = key.strip().partition(".")
        name = lever_name(name, specs)
        if name not in specs.levers:
            raise LeverError(name, raw, f"已知杠杆之一（{'、'.join(specs.levers)}）", "unknown_lever")
        kind = specs.levers[name].kind
        if kind == "project_set":
            changes.setdefault(name, []).extend(p.strip() for p in raw.split(",") if p.strip())
        elif kind == "reserve_pull":
            month, _, amount = raw.partition(":")
            if not sub or not amount:
                raise LeverError(key, raw, "reserve_pull.<代码>=<开工月>:<首年投资万元>", "bad_set_syntax")
            changes.setdefault(name, {})[sub] = {"start_month": int(month), "first_year_wan": float(amount)}
        elif kind in ("per_list", "per_project"):
            if not sub:
                raise LeverError(key, raw, f"{name}.<清单或项目代码>=值", "bad_set_syntax")
            changes.setdefault(name, {})[sub] = yaml.safe_load(raw)
        else:
            changes[name] = yaml.safe_load(raw)
    return changes


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def diff_table(base: Levers, levers: Levers, specs: LeverSpecs,
               names: dict[str, str] | None = None, readings: dict[str, str] | None = None) -> pl.DataFrame:
    """The scenario as a table of changed levers (Chinese), one row per changed value. ``readings``:
    the two readings of the goal in words (jygproj.plan.Words.reading_short), for the headline lever.

    Columns: 杠杆, 对象, 基准值, 情景值, 单位, 备注 (假设 for hypothetical levers such as reserve pulls).
    """
    names = names or {}
    rows = []
    diff = changes_between(base, levers)
    for name, value in diff.items():
        spec = specs.levers[name]
        note = "假设" if spec.hypothetical else ""
        if name == "pace_by_list":
            for k, v in value.items():
                rows.append((spec.label, schema.LISTS[k], _fmt(base.pace(k)), _fmt(v), spec.unit, note))
        elif name in ("accelerate", "defer"):
            for pid, v in value.items():
                rows.append((spec.label, names.get(pid, pid), _fmt(getattr(base, name).get(pid, spec.default)),
                             _fmt(v), spec.unit, note))
        elif name == "exclude":
            for pid in value:
                rows.append((spec.label, names.get(pid, pid), "保留", "剔除", spec.unit, note))
        elif name == "reserve_pull":
            for pid, v in value.items():
                rows.append((spec.label, names.get(pid, pid), "不开工",
                             f"{v['start_month']}月开工，首年投资{v['first_year_wan']:g}", spec.unit, "假设"))
        elif name == "headline":  # never silent: the row says the scenario leads with another reading
            words = readings or {}
            rows.append((spec.label, "", words.get(base.headline, base.headline), words.get(value, value), spec.unit,
                         "改变主口径（两种口径均列示）"))
        else:
            rows.append((spec.label, "", _fmt(getattr(base, name)), _fmt(value), spec.unit, note))
    return pl.DataFrame(rows, schema=["杠杆", "对象", "基准值", "情景值", "单位", "备注"], orient="row")
