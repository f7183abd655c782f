"""Factor guarantees 要素保障 (二(七)): which factors hold projects back, from the 存在问题 texts.

Keyword rules live in data/reference/issue_categories.yaml (see its header for the matching
procedure). The result is long: one row per project, list and category hit, so a text naming land
and funds counts once under each; summaries count distinct projects and list them by name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from jygproj import ledger, paths
from jygproj.reference import ReferenceDataError, check_keys, read_strict

#: Clause boundaries in a 存在问题 text: Chinese and ASCII punctuation, numbering like 1. or （1）.
_CLAUSE_SPLIT = re.compile(r"[，,；;。！!？?\n\r、]+|[（(]?\d+[）).、]")


@dataclass(frozen=True)
class Category:
    key: str
    code: str
    label: str
    keywords: tuple[str, ...]
    except_phrases: tuple[str, ...] = ()
    partners: tuple[str, ...] = ()  # the departments a unit with this problem works with (二(七))
    action: str = ""  # what a reminder letter asks for this problem (工作要求)


@dataclass(frozen=True)
class IssueCategories:
    file: str
    categories: dict[str, Category]
    other: Category
    no_problem: frozenset[str]
    resolved_markers: tuple[str, ...]

    def all(self) -> list[Category]:
        return [*self.categories.values(), self.other]


def load_categories(path: Path | None = None) -> IssueCategories:
    """Load the categories (data/reference/issue_categories.yaml); refuses duplicate/unknown keys,
    empty keyword lists and codes used twice."""
    path = Path(path) if path else paths.REFERENCE / "issue_categories.yaml"
    data, lines = read_strict(path)
    check_keys(data, file=path, lines=lines, key_path=(),
               required={"meta", "no_problem", "resolved_markers", "categories", "other"})
    check_keys(data["meta"], file=path, lines=lines, key_path=("meta",), required={"title", "clause", "description"})
    cats: dict[str, Category] = {}
    codes: dict[str, str] = {}
    for key, entry in data["categories"].items():
        kp = ("categories", key)
        check_keys(entry, file=path, lines=lines, key_path=kp, required={"code", "label", "keywords", "action"},
                   optional={"except_phrases", "partners"})
        words = entry["keywords"]
        if not isinstance(words, list) or not words or not all(isinstance(w, str) and w for w in words):
            raise ReferenceDataError(path, lines.get(kp + ("keywords",)), ".".join(kp + ("keywords",)),
                                     "关键词应为非空的文字列表", "bad_keywords")
        code = str(entry["code"])
        if code in codes:
            raise ReferenceDataError(path, lines.get(kp + ("code",)), ".".join(kp + ("code",)),
                                     f"编码 {code} 已用于 {codes[code]}", "duplicate_code")
        codes[code] = key
        cats[key] = Category(key, code, str(entry["label"]), tuple(words), tuple(entry.get("except_phrases", [])),
                             tuple(str(x) for x in entry.get("partners", [])), str(entry["action"]))
    check_keys(data["other"], file=path, lines=lines, key_path=("other",), required={"code", "label"})
    other = Category("other", str(data["other"]["code"]), str(data["other"]["label"]), ())
    if other.code in codes:
        raise ReferenceDataError(path, lines.get(("other", "code")), "other.code",
                                 f"编码 {other.code} 已用于 {codes[other.code]}", "duplicate_code")
    return IssueCategories(str(path), cats, other, frozenset(str(x) for x in data["no_problem"]),
                           tuple(data["resolved_markers"]))


def classify_text(text: str | None, cats: IssueCategories) -> list[tuple[str, list[str]]]:
    """Categories a 存在问题 text hits, in file order, each with the keywords found.

    [] for an empty text or a placeholder (无, 暂无 …); [("other", [])] for a real text no rule
    recognises. Example: "土地报批未完成，资金未到位" -> [("land", ["土地", "土地报批"]), ("funds", ["资金"])].
    """
    if text is None:
        return []
    stripped = text.strip()
    if not stripped or stripped in cats.no_problem:
        return []
    clauses = [c.strip() for c in _CLAUSE_SPLIT.split(stripped) if c and c.strip()]
    live = [c for c in clauses if not any(m in c for m in cats.resolved_markers)]
    if not live:
        return []  # every clause reports a settled matter (e.g. 资金已到位)
    hits: list[tuple[str, list[str]]] = []
    for cat in cats.categories.values():
        found: list[str] = []
        for clause in live:
            for phrase in cat.except_phrases:
                clause = clause.replace(phrase, "　")  # a full-width space never matches a keyword
            found += [w for w in cat.keywords if w in clause and w not in found]
        if found:
            hits.append((cat.key, found))
    if not hits and any(c not in cats.no_problem for c in live):
        hits.append(("other", []))
    return hits


def current_issues(progress: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """The 存在问题 of each project's latest report per list, as known on ``as_of`` (raw ledger in).

    Columns: project_id, list, period, issues (null and empty texts dropped).
    """
    snap = ledger.snapshot(progress, as_of).filter(
        pl.col("period_end").is_null() | (pl.col("period_end") <= as_of))
    return (
        snap.sort(["project_id", "list", "period_end", "period"], nulls_last=False)
        .filter(ledger.last_of(["project_id", "list"]))  # the latest report of each (project, list)
        .select("project_id", "list", "period", "issues")
        .filter(pl.col("issues").is_not_null() & (pl.col("issues").str.strip_chars() != ""))
        .sort(["project_id", "list"])
    )


def classify(issues: pl.DataFrame, cats: IssueCategories) -> pl.DataFrame:
    """One row per input row and category hit; other input columns (project_id, list, period…) kept.

    Adds: category (key), category_code, category_label, matched ("、"-joined keywords).
    Rows whose text is a placeholder or fully resolved produce no row.
    """
    by_key = {c.key: c for c in cats.all()}
    out: list[dict] = []
    seen: dict[str | None, list[tuple[str, list[str]]]] = {}  # the same text is often reported again
    for row in issues.iter_rows(named=True):
        text = row["issues"]
        hits = seen.get(text)
        if hits is None:
            hits = seen[text] = classify_text(text, cats)
        for key, words in hits:
            cat = by_key[key]
            out.append({**row, "category": key, "category_code": cat.code, "category_label": cat.label,
                        "matched": "、".join(words)})
    extra = {"category": pl.String, "category_code": pl.String, "category_label": pl.String, "matched": pl.String}
    if not out:
        return pl.DataFrame(schema={**issues.schema, **extra})
    return pl.DataFrame(out, schema={**issues.schema, **extra})


def summarise(classified: pl.DataFrame, projects: pl.DataFrame,
              by: tuple[str, ...] = ("responsible_unit", "list")) -> pl.DataFrame:
    """Projects held back per category, grouped by ``by`` (columns of projects or of the input).

    A project counts once per group and category even if reported on several periods. Columns:
    *by, category_code, category_label, projects (count), project_names ("、"-joined), project_ids.
    Sorted by group, then most projects first.
    """
    register = projects.select("project_id", "name", *[c for c in ("responsible_unit", "lead_unit", "leader", "owner")
                                                      if c in projects.columns and c not in classified.columns])
    joined = classified.join(register, on="project_id", how="left")
    keys = [*by, "category_code", "category_label"]
    return (
        joined.unique(subset=[*by, "category", "project_id"])
        .sort("project_id")
        .group_by(keys)
        .agg(pl.len().alias("projects"),
             pl.col("name").fill_null(pl.col("project_id")).str.join("、").alias("project_names"),
             pl.col("project_id").str.join("、").alias("project_ids"))
        .sort([*by, "projects", "category_code"], descending=[False] * len(by) + [True, False], nulls_last=True)
    )


def category_totals(classified: pl.DataFrame) -> pl.DataFrame:
    """Projects held back per category, city-wide (a project once per category): category_code,
    category_label, projects; most projects first."""
    return (classified.unique(["project_id", "category"]).group_by("category_code", "category_label")
            .agg(pl.len().alias("projects")).sort("projects", "category_code", descending=[True, False]))


#: The 工作要求 a letter makes on its triggers (三(三); the red-project letter's 时间表、路线图、责任人 is
#: the practice alert_rules.yaml cites).
_STEPS = "逐个项目分析进度滞后原因，制定整改措施，明确时间表、路线图和责任人"
_PACE = "按照目标任务倒排工期、挂图作战（二(三)），加大施工力量投入，加快形成实物工作量"
_REPORTS = "严格落实项目调度制度（二(八)），按时、准确报送项目形象进度和投资完成情况"
_REGISTRATION = "对已开工未入库的项目，按统计部门要求尽快报送入库材料，做到应统尽统"


def requests(unit: str, classified: pl.DataFrame, names: dict[str, str], cats: IssueCategories, *,
             kinds: set[str]) -> list[str]:
    """The 工作要求 of one unit's reminder letter, from its own categorised problems (issue 13).

    ``classified``: :func:`classify` rows of the projects the letter names (their latest 存在问题);
    ``names``: project_id → name; ``kinds``: the kinds of the letter's facts (supervision). One
    request per problem category the unit's projects report, naming them, with the category's action
    and the departments it works with (never the unit itself); then the steps the triggers call for.
    Nothing is asked that the unit's own facts and problems do not give a reason for."""
    return _requests(unit, classified.sort("project_id").select("project_id", "category").rows(), names, cats,
                     kinds)


def requests_of_units(units: dict[str, tuple[set[str], set[str]]], classified: pl.DataFrame, names: dict[str, str],
                      cats: IssueCategories) -> dict[str, list[str]]:
    """:func:`requests` of several units at once: ``units`` maps each unit to the project ids its
    letter names and the kinds of its facts; the problems are sorted and read once (a province writes
    a thousand letters)."""
    by_project: dict[str, list[tuple[str, str]]] = {}
    for row in classified.sort("project_id").select("project_id", "category").rows():
        by_project.setdefault(row[0], []).append(row)
    # a unit's rows in project_id order (the order of the sorted frame, each project's rows as there)
    return {unit: _requests(unit, [r for i in sorted(ids) for r in by_project.get(i, ())], names, cats, kinds)
            for unit, (ids, kinds) in units.items()}


def _requests(unit: str, rows: list[tuple[str, str]], names: dict[str, str], cats: IssueCategories,
              kinds: set[str]) -> list[str]:
    """:func:`requests` from the (project_id, category) rows of the unit's problems, by project_id."""
    out: list[str] = []
    slow = bool(kinds & {"red_project", "missed_target", "missed_annual"})
    if slow:
        out.append(f"高度重视项目建设工作，{_STEPS}。")
    by_cat: dict[str, list[str]] = {}
    for project_id, category in rows:
        by_cat.setdefault(category, [])
        name = names.get(project_id, project_id)
        if name not in by_cat[category]:
            by_cat[category].append(name)
    for cat in cats.categories.values():
        projects = by_cat.get(cat.key)
        if not projects or not cat.action:
            continue
        partners = [p for p in cat.partners if p != unit]
        ask = f"主动对接{'、'.join(partners)}，" if partners else ""
        out.append(f"{'、'.join(projects)}反映{cat.label}方面的问题：{ask}{cat.action}。")
    if slow:
        out.append(f"{_PACE}。")
    if "missing_reports" in kinds:
        out.append(f"{_REPORTS}。")
    if "attention_warning" in kinds:
        out.append(f"{_REGISTRATION}。")
    return out
