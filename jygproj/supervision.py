"""Supervision 严格督导奖惩 (三(三)): who gets a reminder letter, on which of the plan's triggers, with
which facts; who qualifies for priority support.

三(三): "对重视程度不高、项目推进落实慢、未完成年度目标的，发送提醒函督促加快进度；对项目谋划实、
推进实施快、工作质量高、超额完成年度目标的，在财政资金安排，申报中央预算内投资、地方政府专项债券等
政策性资金时优先予以支持".

A letter goes to a responsible unit (责任单位) only on one of the plan's three triggers; the
thresholds and the materiality floor are the commission's settings in data/reference/alert_rules.yaml
(section ``letters``, 参考), loaded by :func:`load_letter_rules`:

- **项目推进落实慢** (slow_progress): a project whose worst warning is red, behind its 序时进度 by at
  least the floor; or a quarter of a list whose quarterly targets the plan sets (二(二)、二(三)), the
  unit's projects' own quarterly targets on that list completed below the rate, short by the floor.
- **未完成年度目标** (annual_target): once the year is over, the unit's projects below the rate of their
  annual plans, short by the floor.
- **重视程度不高** (low_attention): at least N of the unit's projects with the latest scheduling report
  missing (漏报), or a red warning of a rule the file names for it (开工两个月以上未入库).

Every fact is worded with its figures (万元 and 亿元) from the monthly figures of the evaluation
month (never a weekly one) and carries the cells it comes from (file, sheet, row). The letters are laid
out by :mod:`jygproj.letters`; their 工作要求 come from the unit's own categorised problems
(:func:`jygproj.factors.requests`).

**Priority support 优先支持** (参考: during the year the pace stands in for 超额完成年度目标): a unit all
of whose projects with an annual plan are on pace on every list they sit on, whose completion exceeds
its planned-to-date, with no letter. Its totals are those of the 分责任单位完成 table (each project
once, the same plan and figures), so the two tables agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from jygproj import paths, schema
from jygproj.alerts import period_label, worst_level_per_project
from jygproj.completion import CITY, ENTERPRISE
from jygproj.ledger import LIST_PRECEDENCE, memoised
from jygproj.reference import ReferenceDataError, check_keys, read_strict
from jygproj.report.formats import money
from jygproj.schema import QUARTER_LABELS

NO_UNIT = "（未明确责任单位）"
MISSED_COLUMNS = {"responsible_unit": pl.String, "list": pl.String, "quarter": pl.String,
                  "planned_wan": pl.Float64, "completed_wan": pl.Float64, "projects": pl.UInt32,
                  "project_ids": pl.String}
#: The columns of reminder_facts (the follow-up ledger 督办台账 keys on responsible_unit, project_id,
#: kind / rule_id and list; the cells behind each figure are figure_* and plan_*).
FACT_COLUMNS: dict[str, pl.DataType] = {
    "responsible_unit": pl.String, "trigger": pl.String, "kind": pl.String, "project_id": pl.String,
    "list": pl.String, "rule_id": pl.String, "period": pl.String, "plan_wan": pl.Float64,
    "completed_wan": pl.Float64, "gap_wan": pl.Float64, "fact": pl.String, "project_ids": pl.String,
    "figure_file": pl.String, "figure_sheet": pl.String, "figure_row": pl.Int32,
    "plan_file": pl.String, "plan_sheet": pl.String, "plan_row": pl.Int32,
}
TRIGGERS = ("slow_progress", "annual_target", "low_attention")


@dataclass(frozen=True)
class LetterRules:
    """The letter triggers of 三(三) with the commission's thresholds (alert_rules.yaml, letters)."""

    file: str
    clause: str
    source: str
    min_gap_wan: float
    labels: dict[str, str]  # trigger -> 项目推进落实慢 …
    warning_level: str
    quarter_rate_below_pct: float
    annual_rate_below_pct: float
    min_missing_reports: int
    slow_rules: tuple[str, ...] = ()  # warning rules whose red is 项目推进落实慢
    attention_rules: tuple[str, ...] = ()  # warning rules whose red is 重视程度不高


def load_letter_rules(path: Path | None = None) -> LetterRules:
    """The ``letters`` section of data/reference/alert_rules.yaml; unknown or missing keys refused."""
    path = Path(path) if path else paths.REFERENCE / "alert_rules.yaml"
    data, lines = read_strict(path)
    if "letters" not in data:
        raise ReferenceDataError(path, None, "letters", "缺少提醒函规则（letters）", "missing_key")
    e = data["letters"]
    kp = ("letters",)
    check_keys(e, file=path, lines=lines, key_path=kp,
               required={"clause", "source", "min_gap_wan", "slow_progress", "annual_target", "low_attention"})
    check_keys(e["slow_progress"], file=path, lines=lines, key_path=kp + ("slow_progress",),
               required={"label", "rules", "warning_level", "quarter_rate_below_pct"})
    check_keys(e["annual_target"], file=path, lines=lines, key_path=kp + ("annual_target",),
               required={"label", "rate_below_pct"})
    check_keys(e["low_attention"], file=path, lines=lines, key_path=kp + ("low_attention",),
               required={"label", "min_missing_reports", "rules"})
    known = set(data.get("rules") or {})
    for trigger in ("slow_progress", "low_attention"):
        bad = [r for r in e[trigger]["rules"] if r not in known]
        if bad:
            raise ReferenceDataError(path, lines.get(kp + (trigger, "rules")), f"letters.{trigger}.rules",
                                     f"未知的预警规则 {bad!r}；规则：{'、'.join(known)}", "unknown_rule")
    level = e["slow_progress"]["warning_level"]
    if level not in schema.ALERT_LEVELS:
        raise ReferenceDataError(path, lines.get(kp + ("slow_progress", "warning_level")),
                                 "letters.slow_progress.warning_level",
                                 f"预警等级应为 {'/'.join(schema.ALERT_LEVELS)}，实际为 {level!r}", "unknown_level")
    for key in (("min_gap_wan",), ("slow_progress", "quarter_rate_below_pct"), ("annual_target", "rate_below_pct"),
                ("low_attention", "min_missing_reports")):
        node = e
        for k in key:
            node = node[k]
        if isinstance(node, bool) or not isinstance(node, (int, float)) or node < 0:
            raise ReferenceDataError(path, lines.get(kp + key), ".".join(kp + key), f"应为非负数，实际为 {node!r}",
                                     "value_not_number")
    return LetterRules(str(path), str(e["clause"]), str(e["source"]), float(e["min_gap_wan"]),
                       {t: str(e[t]["label"]) for t in TRIGGERS}, level,
                       float(e["slow_progress"]["quarter_rate_below_pct"]),
                       float(e["annual_target"]["rate_below_pct"]), int(e["low_attention"]["min_missing_reports"]),
                       tuple(e["slow_progress"]["rules"]), tuple(e["low_attention"]["rules"]))


def _quarter_zh(q) -> str:
    text = str(q).strip()
    if text.isdigit() and int(text) in QUARTER_LABELS:
        return QUARTER_LABELS[int(text)]
    if len(text) >= 2 and text[-2] in "Qq" and text[-1].isdigit():  # "2023Q3"
        return f"{text[:-2]}年{QUARTER_LABELS.get(int(text[-1]), text)}" if text[:-2] else QUARTER_LABELS[int(text[-1])]
    return text


def normalise_missed(missed_targets: pl.DataFrame | None) -> pl.DataFrame:
    """Missed quarterly targets with a ``responsible_unit`` column (``unit`` accepted) and the quarter as text."""
    if missed_targets is None or missed_targets.is_empty():
        return pl.DataFrame(schema=MISSED_COLUMNS)
    frame = missed_targets.rename({"unit": "responsible_unit"}) if "unit" in missed_targets.columns \
        else missed_targets
    frame = frame.with_columns(*(pl.lit(None, t).alias(c) for c, t in MISSED_COLUMNS.items()
                                 if c not in frame.columns))
    return frame.select([pl.col(c).cast(t) for c, t in MISSED_COLUMNS.items()]).with_columns(
        pl.col("responsible_unit").fill_null(NO_UNIT))


def missed_quarter_targets(by_unit: pl.DataFrame, quarter: int, *, lists: tuple[str, ...] | None = None,
                           rate_below_pct: float = 100.0, min_gap_wan: float = 0.0,
                           members: pl.DataFrame | None = None) -> pl.DataFrame:
    """The review quarter's targets a unit did not complete: responsible_unit, list, quarter,
    planned_wan, completed_wan, projects, project_ids — from completion by responsible unit
    (completion.completion with by="responsible_unit") on the lists whose quarterly targets the plan
    sets (``lists``: the unit's projects' own quarterly targets on them, 二(二)、二(三)), all natures,
    below ``rate_below_pct`` of the plan and short by at least ``min_gap_wan`` (the letters'
    materiality floor). ``members`` (project_id, list, responsible_unit) names the projects behind
    each sum (project_ids), so every figure of the fact leads back to its rows."""
    q = by_unit.filter((pl.col("period") == f"Q{quarter}") & pl.col("nature").is_null() & pl.col("closed")
                       & ~pl.col("list").is_in([CITY, ENTERPRISE])
                       & (pl.col("plan_wan") > 0)
                       & (pl.col("completed_wan").fill_null(0) < pl.col("plan_wan") * rate_below_pct / 100)
                       & (pl.col("plan_wan") - pl.col("completed_wan").fill_null(0) >= min_gap_wan)
                       & (pl.col("list").is_in(list(lists)) if lists is not None else pl.lit(True)))
    out = q.select("responsible_unit", "list", pl.lit(str(quarter)).alias("quarter"),
                   pl.col("plan_wan").alias("planned_wan"), pl.col("completed_wan").fill_null(0.0),
                   pl.col("projects").cast(pl.UInt32))
    if members is None:
        return out.with_columns(pl.lit(None, pl.String).alias("project_ids"))
    # the same members for every quarter's review: their project ids listed once
    ids = memoised("member_ids", (members,), None, lambda: (
        members.select("project_id", pl.col("list").cast(pl.String), "responsible_unit").unique()
        .sort("project_id").group_by("responsible_unit", "list")
        .agg(pl.col("project_id").str.join("、").alias("project_ids"))))
    return out.join(ids, on=["responsible_unit", "list"], how="left", maintain_order="left", nulls_equal=True)


def _red_projects(alerts: pl.DataFrame, projects: pl.DataFrame, level: str = "red") -> pl.DataFrame:
    worst = worst_level_per_project(alerts).filter(pl.col("level") == level)
    return worst.join(_names(projects), on="project_id", how="left") \
        .with_columns(pl.col("responsible_unit").fill_null(NO_UNIT), pl.col("name").fill_null(pl.col("project_id")))


def _lists_zh(codes: str | None) -> str:
    return "、".join(schema.LISTS.get(c, c) for c in (codes or "").split("、") if c)


def reminder_facts(alerts: pl.DataFrame, projects: pl.DataFrame, missed_targets: pl.DataFrame | None = None,
                   positions: pl.DataFrame | None = None, level_labels: dict[str, str] | None = None, *,
                   rules: LetterRules | None = None, rule_names: dict[str, str] | None = None,
                   annual: pl.DataFrame | None = None, missing_reports: pl.DataFrame | None = None,
                   year_over: bool = False) -> pl.DataFrame:
    """The facts each unit's letter states, one per red project, missed quarterly target, missed
    annual plan or set of missing reports — only on the plan's triggers, above the floor (module
    docstring). Columns: :data:`FACT_COLUMNS` (trigger: slow_progress | annual_target | low_attention;
    kind: red_project | missed_target | missed_annual | missing_reports | attention_warning).

    ``positions`` (jygproj.alerts.positions) gives each red project's plan, figure and pace on the
    list of its worst warning, and the cells they come from; ``rule_names`` (rule id → name) words the
    warning. ``annual``: completion by unit, YTD, city scope (the 分责任单位完成 rows), judged when
    ``year_over``. ``missing_reports``: responsible_unit, project_id, name, period of each missing
    scheduling report (漏报) of the latest period due.
    """
    rules = rules or load_letter_rules()
    labels = level_labels or schema.ALERT_LEVELS
    names = rule_names or {}
    floor = rules.min_gap_wan
    rank = {name: i for i, name in enumerate(LIST_PRECEDENCE)}
    rows: list[dict] = []
    slow = alerts.filter(pl.col("rule_id").is_in(list(rules.slow_rules))) if rules.slow_rules else alerts
    red = _red_projects(slow, projects, rules.warning_level)
    red_alerts = slow.filter(pl.col("project_id").is_in(red["project_id"].implode())
                             & (pl.col("level") == rules.warning_level))
    by_project: dict[str, list[dict]] = {}
    for a in red_alerts.with_columns(pl.col("list").cast(pl.String)).sort(
            ["project_id", "rule_id"]).iter_rows(named=True):
        by_project.setdefault(a["project_id"], []).append(a)
    figures: dict[tuple[str, str], dict] = {}
    if positions is not None:
        for r in positions.filter(pl.col("project_id").is_in(red["project_id"].implode())).iter_rows(named=True):
            figures[(r["project_id"], str(r["list"]))] = r
    for p in red.sort(["responsible_unit", "project_id"]).iter_rows(named=True):
        mine = sorted(by_project.get(p["project_id"], []), key=lambda a: rank.get(a["list"], len(rank)))
        if not mine:
            continue
        first = mine[0]
        pos = figures.get((p["project_id"], first["list"]))
        plan = pos["annual_plan_wan"] if pos else None
        done = pos["completed_ytd_wan"] if pos else None
        due = pos["planned_to_date_wan"] if pos else None
        gap = (due or 0.0) - (done or 0.0) if due is not None else None
        if gap is None or gap < floor:
            continue  # immaterial (or no plan to measure it against): no letter for it
        lists = _lists_zh(first.get("lists") or first["list"])
        warned = "；".join(f"{names.get(a['rule_id'], a['rule_id'])}：{a['reason']}" for a in mine)
        figs = (f"{pos['plan_label']}{money(plan)}，截至{period_label(pos['period'])}累计完成{money(done)}"
                f"，完成率{done / plan * 100:.1f}%" if done is not None and pos["period"] and plan
                else f"{pos['plan_label']}{money(plan)}，本年未报送完成投资")
        fact = (f"{p['name']}（{lists}）：{labels[rules.warning_level]}（本市预警规则，参考）。{figs}。"
                f"{warned}。")
        rows.append({"responsible_unit": p["responsible_unit"], "trigger": "slow_progress", "kind": "red_project",
                     "project_id": p["project_id"], "list": first["list"], "rule_id": first["rule_id"],
                     "period": pos["period"], "plan_wan": plan, "completed_wan": done, "gap_wan": gap, "fact": fact,
                     "project_ids": p["project_id"], "figure_file": pos["figure_file"],
                     "figure_sheet": pos["figure_sheet"], "figure_row": pos["figure_row"],
                     "plan_file": pos["plan_file"], "plan_sheet": pos["plan_sheet"], "plan_row": pos["plan_row"]})
    for m in normalise_missed(missed_targets).sort(["responsible_unit", "list", "quarter"]).iter_rows(named=True):
        plan, done = m["planned_wan"] or 0.0, m["completed_wan"] or 0.0
        if plan - done < floor:
            continue
        lst = schema.LISTS.get(m["list"], m["list"] or "")
        rate = f"，完成率{done / plan * 100:.1f}%" if plan else ""
        count = f"{m['projects']}个项目" if m["projects"] else "项目"
        rows.append({"responsible_unit": m["responsible_unit"], "trigger": "slow_progress", "kind": "missed_target",
                     "project_id": None, "list": m["list"], "rule_id": None, "period": f"Q{m['quarter']}",
                     "plan_wan": plan, "completed_wan": done, "gap_wan": plan - done, "project_ids": m["project_ids"],
                     "fact": f"{lst}中你单位负责的{count}，{_quarter_zh(m['quarter'])}目标（清单所列分季度目标之和）"
                             f"{money(plan)}，实际完成{money(done)}{rate}，差{money(plan - done)}。"})
    if year_over and annual is not None:
        for a in annual.sort("responsible_unit").iter_rows(named=True):
            plan, done = a["annual_plan_wan"] or 0.0, a["completed_wan"] or 0.0
            if not plan or done >= plan * rules.annual_rate_below_pct / 100 or plan - done < floor:
                continue
            rows.append({"responsible_unit": a["responsible_unit"] or NO_UNIT, "trigger": "annual_target",
                         "kind": "missed_annual", "project_id": None, "list": CITY, "rule_id": None,
                         "period": "Year", "plan_wan": plan, "completed_wan": done, "gap_wan": plan - done,
                         "fact": f"你单位负责的{a['projects']}个项目年度计划投资{money(plan)}，全年完成"
                                 f"{money(done)}，完成率{done / plan * 100:.1f}%，差{money(plan - done)}，未完成年度目标。"})
    attention = alerts.filter(pl.col("rule_id").is_in(list(rules.attention_rules))
                              & (pl.col("level") == rules.warning_level)).join(
        _names(projects), on="project_id", how="left").with_columns(
        pl.col("responsible_unit").fill_null(NO_UNIT), pl.col("name").fill_null(pl.col("project_id")))
    for (unit, rule_id), grp in attention.sort("project_id").group_by(["responsible_unit", "rule_id"],
                                                                      maintain_order=True):
        reasons = "；".join(f"{n}：{r}" for n, r in zip(grp["name"], grp["reason"]))
        rows.append({"responsible_unit": unit, "trigger": "low_attention", "kind": "attention_warning",
                     "project_id": None, "list": None, "rule_id": rule_id, "period": None,
                     "project_ids": "、".join(grp["project_id"].to_list()),
                     "fact": f"{names.get(rule_id, rule_id)}（{labels[rules.warning_level]}，本市预警规则，参考）的项目"
                             f"{grp.height}个：{reasons}。"})
    if missing_reports is not None and missing_reports.height:
        for (unit,), grp in missing_reports.group_by(["responsible_unit"], maintain_order=True):
            if grp["project_id"].n_unique() < rules.min_missing_reports:
                continue
            period = grp["period"][0]
            names_ = "、".join(dict.fromkeys(grp["name"].fill_null(grp["project_id"]).to_list()))
            rows.append({"responsible_unit": unit or NO_UNIT, "trigger": "low_attention", "kind": "missing_reports",
                         "project_id": None, "list": None, "rule_id": None, "period": period,
                         "project_ids": "、".join(grp["project_id"].unique(maintain_order=True).to_list()),
                         "fact": f"{grp['project_id'].n_unique()}个项目{period_label(period)}调度信息未按时报送：{names_}。"})
    return pl.DataFrame(rows, schema=FACT_COLUMNS)


def reminder_units(facts: pl.DataFrame, rules: LetterRules | None = None) -> pl.DataFrame:
    """Units that get a reminder letter (those with at least one fact, :func:`reminder_facts`):
    responsible_unit, red_projects, missed_targets, triggers (the plan's words, "、"-joined),
    reasons (Chinese). Most red projects first."""
    rules = rules or load_letter_rules()
    if facts.is_empty():
        return pl.DataFrame(schema={"responsible_unit": pl.String, "red_projects": pl.UInt32,
                                    "missed_targets": pl.UInt32, "triggers": pl.String, "reasons": pl.String})
    units = facts.group_by("responsible_unit", maintain_order=True).agg(
        (pl.col("kind") == "red_project").sum().cast(pl.UInt32).alias("red_projects"),
        pl.col("kind").is_in(["missed_target", "missed_annual"]).sum().cast(pl.UInt32).alias("missed_targets"),
        pl.col("trigger").unique(maintain_order=True).alias("_t"),
        pl.col("kind").is_in(["missing_reports", "attention_warning"]).any().alias("_missing"))
    # plain lists: a membership test on a polars Series is a query of its own
    triggers = ["、".join(rules.labels[t] for t in TRIGGERS if t in ts) for ts in units["_t"].to_list()]
    reasons = ["；".join(x for x in (f"红色预警项目{r}个" if r else "", f"未完成方案目标{m}项" if m else "",
                                      "调度信息漏报或开工未入库" if miss else "") if x)
               for r, m, miss in zip(units["red_projects"], units["missed_targets"], units["_missing"])]
    return units.with_columns(pl.Series("triggers", triggers, dtype=pl.String),
                              pl.Series("reasons", reasons, dtype=pl.String)).drop("_t", "_missing").sort(
        ["red_projects", "missed_targets", "responsible_unit"], descending=[True, True, False])


def priority_support_units(unit_ytd: pl.DataFrame, positions: pl.DataFrame, alerts: pl.DataFrame | None = None,
                           facts: pl.DataFrame | None = None) -> pl.DataFrame:
    """Every responsible unit with the figures of the priority-support test and whether it qualifies
    (参考: during the year the pace stands in for 三(三)'s 超额完成年度目标).

    ``unit_ytd``: completion by responsible unit, YTD, city scope (the 分责任单位完成 rows: each project
    once, its plan and figures), so projects, plans and completions here are that table's.
    ``positions`` (jygproj.alerts.positions) says which projects are on pace on every list they sit
    on (completed >= 序时 planned-to-date). ``facts``: the letters' facts (a unit with a letter does
    not qualify). Columns: responsible_unit, projects, projects_with_plan, projects_on_pace,
    annual_plan_wan, planned_to_date_wan, completed_ytd_wan, pace_ratio, annual_pct, red_projects,
    letter_facts, qualifies, basis (Chinese). Qualifying units first, then by pace_ratio.
    """
    on_pace = (positions.filter(pl.col("annual_plan_wan") > 0)
               .group_by("project_id").agg(pl.col("responsible_unit").first().fill_null(NO_UNIT),
                                           (pl.col("completed_ytd_wan").fill_null(0) >= pl.col("planned_to_date_wan"))
                                           .all().alias("_on_pace"))
               .group_by("responsible_unit").agg(pl.len().cast(pl.UInt32).alias("projects_with_plan"),
                                                 pl.col("_on_pace").sum().cast(pl.UInt32).alias("projects_on_pace")))
    register = positions.select("project_id", "name", "responsible_unit").unique("project_id", keep="first")
    red = (_red_projects(alerts, register) if alerts is not None else
           pl.DataFrame(schema={"responsible_unit": pl.String})).group_by("responsible_unit") \
        .agg(pl.len().cast(pl.UInt32).alias("red_projects"))
    lettered = (facts if facts is not None else pl.DataFrame(schema={"responsible_unit": pl.String})) \
        .group_by("responsible_unit").agg(pl.len().cast(pl.UInt32).alias("letter_facts"))
    units = (
        unit_ytd.select(pl.col("responsible_unit").fill_null(NO_UNIT), pl.col("projects").cast(pl.UInt32),
                        "annual_plan_wan", pl.col("plan_wan").alias("planned_to_date_wan"),
                        pl.col("completed_wan").fill_null(0.0).alias("completed_ytd_wan"))
        .join(on_pace, on="responsible_unit", how="left")
        .join(red, on="responsible_unit", how="left")
        .join(lettered, on="responsible_unit", how="left")
        .with_columns(
            *(pl.col(c).fill_null(0).cast(pl.UInt32) for c in
              ("projects_with_plan", "projects_on_pace", "red_projects", "letter_facts")),
            pl.when(pl.col("planned_to_date_wan") > 0)
            .then(pl.col("completed_ytd_wan") / pl.col("planned_to_date_wan")).alias("pace_ratio"),
            pl.when(pl.col("annual_plan_wan") > 0)
            .then(pl.col("completed_ytd_wan") / pl.col("annual_plan_wan") * 100).alias("annual_pct"),
        )
    )
    qualifies = ((pl.col("projects_with_plan") > 0) & (pl.col("projects_on_pace") == pl.col("projects_with_plan"))
                 & (pl.col("completed_ytd_wan") > pl.col("planned_to_date_wan"))
                 & (pl.col("letter_facts") == 0) & (pl.col("red_projects") == 0))
    units = units.with_columns(qualifies.alias("qualifies"))
    basis = []
    for r in units.iter_rows(named=True):
        parts = [f"{r['projects_on_pace']}/{r['projects_with_plan']}个有年度计划的项目达到序时进度",
                 f"累计完成{money(r['completed_ytd_wan'])}，为序时计划的{(r['pace_ratio'] or 0) * 100:.1f}%",
                 f"年度计划完成率{(r['annual_pct'] or 0):.1f}%"]
        if r["red_projects"]:
            parts.append(f"红色预警项目{r['red_projects']}个")
        if r["letter_facts"]:
            parts.append("有提醒函事项")
        basis.append("；".join(parts))
    return units.with_columns(pl.Series("basis", basis, dtype=pl.String)).select(
        "responsible_unit", "projects", "projects_with_plan", "projects_on_pace", "annual_plan_wan",
        "planned_to_date_wan", "completed_ytd_wan", "pace_ratio", "annual_pct", "red_projects", "letter_facts",
        "qualifies", "basis",
    ).sort(["qualifies", "pace_ratio", "responsible_unit"], descending=[True, True, False], nulls_last=True)


def missing_reports(alerts: pl.DataFrame, projects: pl.DataFrame, rules) -> pl.DataFrame:
    """The missing scheduling reports (漏报) among the warnings, for the 重视程度不高 trigger:
    responsible_unit, project_id, name, period (the latest period found missing per unit)."""
    ids = [r.id for r in rules.rules.values() if r.kind == "report_timeliness"]
    levels = {r.params["missing_level"] for r in rules.rules.values() if r.kind == "report_timeliness"}
    hits = alerts.filter(pl.col("rule_id").is_in(ids) & pl.col("level").cast(pl.String).is_in(list(levels))
                         & pl.col("reason").str.contains("未报送"))
    out = hits.join(_names(projects), on="project_id", how="left") \
        .with_columns(pl.col("responsible_unit").fill_null(NO_UNIT))
    return (out.filter(pl.col("period") == pl.col("period").max().over("responsible_unit"))
            .select("responsible_unit", "project_id", "name", "period").sort("responsible_unit", "project_id"))


def _names(projects: pl.DataFrame) -> pl.DataFrame:
    """project_id, name, responsible_unit: what the letters name a project by (once per projects frame)."""
    return memoised("project_names", (projects,), None,
                    lambda: projects.select("project_id", "name", "responsible_unit"))
