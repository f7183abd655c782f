"""Strict loader for the hand-kept reference data in data/reference/*.yaml.

Numbers from the plan live as data, each with its unit and the clause it comes from (style page:
PolicyEngine). The loader refuses anything it does not understand rather than guessing: unknown
keys, duplicate keys, a number without a clause, a unit that does not fit the key. Every error
names the file, the line and the key.

Other reference files (warning rules, scenario levers, reserve steps…) use the same primitives:
:func:`read_strict` (duplicate-key-safe YAML with line numbers) and :func:`check_keys`.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from jygproj import paths
from jygproj.errors import JygprojError


class ReferenceDataError(JygprojError, ValueError):
    """A reference file breaks the rules; the message names file, line and key."""

    def __init__(self, file: Path | str, line: int | None, key: str, message: str, code: str):
        self.file, self.line, self.key = str(file), line, key
        where = f"{file}:{line}" if line else str(file)
        super().__init__(f"{where}: 键 {key!r}: {message}", code)


# --- strict YAML ---------------------------------------------------------------------------------

Lines = dict[tuple[str, ...], int]


def read_strict(path: Path) -> tuple[Any, Lines]:
    """Parse YAML refusing duplicate keys; return the data and the line of every key path.

    ``lines[("targets", "fai_growth")]`` is the 1-based line where that key is written.
    """
    text = Path(path).read_text(encoding="utf-8")
    try:
        root = yaml.compose(text, Loader=_COMPOSER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ReferenceDataError(
            path, mark.line + 1 if mark else None, "", f"YAML 语法错误：{exc}", "yaml_syntax"
        ) from exc
    lines: Lines = {}
    if root is None:
        return {}, lines
    scalars = yaml.SafeLoader("")  # one constructor of scalar values for the whole file
    try:
        return _construct(root, path, (), lines, scalars), lines
    finally:
        scalars.dispose()


#: libyaml's composer when PyYAML was built with it (the same nodes and line marks, ~15× faster on
#: the plan file); the pure-Python one otherwise.
_COMPOSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _construct(node: yaml.Node, path: Path, key_path: tuple[str, ...], lines: Lines, scalars: Any) -> Any:
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = _construct(key_node, path, key_path, lines, scalars)
            here = key_path + (str(key),)
            line = key_node.start_mark.line + 1
            if key in out:
                raise ReferenceDataError(
                    path,
                    line,
                    ".".join(here),
                    f"重复的键（首次出现在第 {lines[here]} 行）",
                    "duplicate_key",
                )
            lines[here] = line
            out[key] = _construct(value_node, path, here, lines, scalars)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(n, path, key_path + (str(i),), lines, scalars) for i, n in enumerate(node.value)]
    return scalars.construct_object(node, deep=True)


def check_keys(
    mapping: Any,
    *,
    file: Path,
    lines: Lines,
    key_path: tuple[str, ...],
    required: set[str],
    optional: set[str] = frozenset(),
) -> None:
    """Refuse a mapping with unknown or missing keys, naming file, line and key."""
    dotted = ".".join(key_path) or "(根)"
    if not isinstance(mapping, dict):
        raise ReferenceDataError(
            file, lines.get(key_path), dotted, f"应为映射（键: 值），实际为 {type(mapping).__name__}", "not_mapping"
        )
    for key in mapping:
        if key not in required and key not in optional:
            allowed = "、".join(sorted(required | set(optional)))
            raise ReferenceDataError(
                file, lines.get(key_path + (key,)), ".".join(key_path + (key,)),
                f"未知的键；允许的键：{allowed}", "unknown_key",
            )
    for key in sorted(required - set(mapping)):
        raise ReferenceDataError(
            file, lines.get(key_path), ".".join(key_path + (key,)), "缺少必填键", "missing_key"
        )


# --- the plan's targets ----------------------------------------------------------------------------

#: The unit a target's key promises, by its suffix. A key that ends otherwise is refused, so a
#: number can never sit in the file without saying what it counts.
UNIT_BY_SUFFIX: dict[str, str] = {
    "_yi": "亿元",
    "_count": "个",
    "_pct": "%",
    "_month": "月",
    "_quarter": "季度",
    "_day": "日",
}
CADENCES = {"weekly": "周调度", "monthly": "月调度"}
#: Sections of a plan file read by jygproj.plan (which validates them strictly).
PLAN_SECTIONS = ("amount_targets", "list_sizes", "requirements")


@dataclass(frozen=True)
class Target:
    key: str
    value: float
    unit: str
    clause: str
    description: str
    line: int

    def as_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if k != "line"}


@dataclass(frozen=True)
class NamedProjects:
    key: str
    names: tuple[str, ...]
    clause: str
    description: str


@dataclass(frozen=True)
class Cadence:
    key: str
    value: str  # "weekly" | "monthly"
    clause: str
    description: str


@dataclass(frozen=True)
class Targets:
    year: int
    document: str
    title: str
    file: str
    items: dict[str, Target] = field(default_factory=dict)
    named: dict[str, NamedProjects] = field(default_factory=dict)
    cadences: dict[str, Cadence] = field(default_factory=dict)
    note: str = ""  # meta.note: e.g. that the file is a test plan, not an official one
    sections: dict[str, Any] = field(default_factory=dict)  # amount_targets, list_sizes, requirements (jygproj.plan)
    lines: dict[tuple[str, ...], int] = field(default_factory=dict, repr=False)
    used: set[str] = field(default_factory=set, repr=False, compare=False)  # keys read (code-health test)

    def value(self, key: str) -> float:
        """A target in the plan's own unit (亿元, 个, %, …)."""
        self.used.add(key)
        return self.items[key].value

    def wan(self, key: str) -> float:
        """An amount target converted to 万元, the package's internal unit."""
        self.used.add(key)
        target = self.items[key]
        if target.unit != "亿元":
            raise ValueError(f"{key} is in {target.unit}, not an amount in 亿元")
        return round(target.value * 10_000, 6)

    def as_json(self) -> list[dict[str, Any]]:
        return [t.as_json() for t in self.items.values()]


def load_targets(year: int, path: Path | None = None) -> Targets:
    """Load and validate the plan's targets for a year (data/reference/targets_<year>.yaml)."""
    path = Path(path) if path else paths.targets_file(year)
    if not path.exists():
        raise ReferenceDataError(path, None, "", f"没有 {year} 年的目标文件", "missing_file")
    data, lines = read_strict(path)
    check_keys(data, file=path, lines=lines, key_path=(),
               required={"meta", "targets", "named_projects", "cadences"}, optional=set(PLAN_SECTIONS))
    meta = data["meta"]
    check_keys(meta, file=path, lines=lines, key_path=("meta",),
               required={"year", "document", "title", "published", "clauses"}, optional={"note"})
    clauses = meta["clauses"]  # the plan's own sections: a number's clause must be one of them
    if not isinstance(clauses, list) or not clauses or not all(isinstance(c, str) for c in clauses):
        raise ReferenceDataError(path, lines.get(("meta", "clauses")), "meta.clauses",
                                 "应为方案条款的列表，如 [一, 二(一), 二(二)]", "bad_clauses")
    clauses = frozenset(clauses)
    if meta["year"] != year:
        raise ReferenceDataError(path, lines.get(("meta", "year")), "meta.year",
                                 f"文件年份 {meta['year']} 与所求年份 {year} 不符", "wrong_year")
    items = {key: _target(path, lines, key, entry, clauses) for key, entry in data["targets"].items()}
    named = {}
    for key, entry in data["named_projects"].items():
        kp = ("named_projects", key)
        check_keys(entry, file=path, lines=lines, key_path=kp,
                   required={"names", "clause", "description"})
        _check_clause(path, lines, kp, entry["clause"], clauses)
        named[key] = NamedProjects(key, tuple(entry["names"]), entry["clause"], entry["description"])
    cadences = {}
    for key, entry in data["cadences"].items():
        kp = ("cadences", key)
        check_keys(entry, file=path, lines=lines, key_path=kp,
                   required={"value", "clause", "description"})
        _check_clause(path, lines, kp, entry["clause"], clauses)
        if entry["value"] not in CADENCES:
            raise ReferenceDataError(path, lines.get(kp + ("value",)), ".".join(kp + ("value",)),
                                     f"调度频次应为 {'/'.join(CADENCES)}，实际为 {entry['value']!r}",
                                     "bad_cadence")
        cadences[key] = Cadence(key, entry["value"], entry["clause"], entry["description"])
    return Targets(year, meta["document"], meta["title"], str(path), items, named, cadences,
                   note=str(meta.get("note") or ""), sections={k: data[k] for k in PLAN_SECTIONS if k in data},
                   lines=lines)


def _target(path: Path, lines: Lines, key: str, entry: Any, clauses: frozenset[str]) -> Target:
    kp = ("targets", key)
    dotted = ".".join(kp)
    line = lines.get(kp)
    if not isinstance(entry, dict) or "clause" not in entry:
        raise ReferenceDataError(path, line, dotted, "数字没有出处条款（clause）", "missing_clause")
    check_keys(entry, file=path, lines=lines, key_path=kp,
               required={"value", "unit", "clause", "description"})
    _check_clause(path, lines, kp, entry["clause"], clauses)
    value = entry["value"]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ReferenceDataError(path, lines.get(kp + ("value",)), dotted,
                                 f"应为数字，实际为 {value!r}", "value_not_number")
    expected = next((u for suffix, u in UNIT_BY_SUFFIX.items() if key.endswith(suffix)), None)
    if expected is None:
        raise ReferenceDataError(path, line, dotted,
                                 f"键名须以单位后缀结尾（{'、'.join(UNIT_BY_SUFFIX)}）", "key_without_unit")
    if entry["unit"] != expected:
        raise ReferenceDataError(path, lines.get(kp + ("unit",)), dotted,
                                 f"单位应为 {expected}，实际为 {entry['unit']!r}", "wrong_unit")
    return Target(key, float(value), entry["unit"], entry["clause"], entry["description"], line)


def _check_clause(path: Path, lines: Lines, kp: tuple[str, ...], clause: Any, clauses: frozenset[str]) -> None:
    if clause not in clauses:
        raise ReferenceDataError(path, lines.get(kp + ("clause",)), ".".join(kp),
                                 f"条款 {clause!r} 不在方案中（应为 {'、'.join(sorted(clauses))} 之一，见 meta.clauses）",
                                 "unknown_clause")


def targets_json(year: int) -> str:
    return json.dumps(load_targets(year).as_json(), ensure_ascii=False, indent=2)


# --- seasonal profile ------------------------------------------------------------------------------


def load_seasonal_profile(path: Path | None = None) -> dict[int, float]:
    """Monthly shares (fractions summing to 1) of a year's construction investment, month 1..12."""
    path = Path(path) if path else paths.REFERENCE / "seasonal_profile.yaml"
    data, lines = read_strict(path)
    check_keys(data, file=path, lines=lines, key_path=(), required={"source", "quality", "shares_pct"})
    shares = data["shares_pct"]
    months = sorted(shares)
    if months != list(range(1, 13)):
        raise ReferenceDataError(path, lines.get(("shares_pct",)), "shares_pct",
                                 f"应有 1–12 月各一项，实际为 {months}", "bad_months")
    total = sum(shares.values())
    if abs(total - 100) > 1e-9:
        raise ReferenceDataError(path, lines.get(("shares_pct",)), "shares_pct",
                                 f"各月占比之和应为 100，实际为 {total:g}", "shares_not_100")
    return {m: shares[m] / 100 for m in months}
