"""Supervision 严格督导奖惩 (三(三)): who gets a reminder letter, who qualifies for priority support.

三(三): "对重视程度不高、项目推进落实慢、未完成年度目标的，发送提醒函督促加快进度；对项目谋划实、
推进实施快、工作质量高、超额完成年度目标的，在财政资金安排，申报中央预算内投资、地方政府专项债券等
政策性资金时优先予以支持".

Rules used here (a reading of that clause; the quarterly review applies it every quarter):

- **Reminder letter 提醒函**: a responsible unit (责任单位) with at least one project whose worst
  warning is red, or with at least one missed quarterly target (the missed-target rows come from the
  completion calculation: responsible_unit, list, quarter, planned_wan, completed_wan).
- **Priority support 优先支持**: a unit all of whose projects with an annual plan are on pace
  (1-X月 completed >= 序时进度 planned-to-date on every list they sit on), whose total completion
  exceeds its total planned-to-date (超额: strictly more), with no missed quarterly target and no red
  warning. At the end of December the pace is the whole annual plan, so the test becomes 超额完成年度目标
  exactly as 三(三) says; during the year the time-elapsed pace stands in for the annual target.

The letters themselves are laid out by :mod:`jygproj.letters`; this module only decides and words the
facts, with figures in 万元 and 亿元.
"""

from __future__ import annotations

import polars as pl

from jygproj import schema
from jygproj.alerts import period_label, worst_level_per_project
from jygproj.completion import CITY, ENTERPRISE
from jygproj.ledger import LIST_PRECEDENCE
from jygproj.report.formats import money
from jygproj.schema import QUARTER_LABELS

NO_UNIT = "（未明确责任单位）"
MISSED_COLUMNS = {"responsible_unit": pl.String, "list": pl.String, "quarter": pl.String,
                  "planned_wan": pl.Float64, "completed_wan": pl.Float64}


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
    return frame.select([pl.col(c).cast(t) for c, t in MISSED_COLUMNS.items()]).with_columns(
        pl.col("responsible_unit").fill_null(NO_UNIT))


def _red_projects(alerts: pl.DataFrame, projects: pl.DataFrame) -> pl.DataFrame:
    worst = worst_level_per_project(alerts).filter(pl.col("level") == "red")
    return worst.join(projects.select("project_id", "name", "responsible_unit"), on="project_id", how="left") \
        .with_columns(pl.col("responsible_unit").fill_null(NO_UNIT), pl.col("name").fill_null(pl.col("project_id")))


def reminder_units(alerts: pl.DataFrame, projects: pl.DataFrame,
                   missed_targets: pl.DataFrame | None = None) -> pl.DataFrame:
    """Units that get a reminder letter: red projects or missed quarterly targets.

    Columns: responsible_unit, red_projects, missed_targets, reasons (Chinese). Sorted by red
    projects, then missed targets, most first.
    """
    red = _red_projects(alerts, projects).group_by("responsible_unit").agg(pl.len().alias("red_projects"))
    missed = normalise_missed(missed_targets).group_by("responsible_unit").agg(pl.len().alias("missed_targets"))
    units = red.join(missed, on="responsible_unit", how="full", coalesce=True).with_columns(
        pl.col("red_projects").fill_null(0).cast(pl.UInt32), pl.col("missed_targets").fill_null(0).cast(pl.UInt32))
    reasons = [
        "；".join(x for x in (f"红色预警项目{r}个" if r else "", f"未完成季度投资目标{m}项" if m else "") if x)
        for r, m in zip(units["red_projects"], units["missed_targets"])
    ]
    return units.with_columns(pl.Series("reasons", reasons, dtype=pl.String)).sort(
        ["red_projects", "missed_targets", "responsible_unit"], descending=[True, True, False])


def reminder_facts(alerts: pl.DataFrame, projects: pl.DataFrame, missed_targets: pl.DataFrame | None = None,
                   positions: pl.DataFrame | None = None, level_labels: dict[str, str] | None = None,
                   pace_rule_ids: tuple[str, ...] = ("pace_behind",)) -> pl.DataFrame:
    """The facts each unit's letter states, one sentence per red project or missed target.

    ``positions`` (jygproj.alerts.positions) adds each project's annual plan, completion and rate
    (万元 and 亿元); a red pace warning (``pace_rule_ids``) is then stated with those figures as
    "序时进度 P%，落后 Q 个百分点" rather than repeating its reason text. ``level_labels``
    (AlertRules.levels' labels) gives the configured level words.
    Columns: responsible_unit, kind ("red_project" | "missed_target"), project_id, list, fact.
    """
    labels = level_labels or schema.ALERT_LEVELS
    red = _red_projects(alerts, projects)
    rank = {name: i for i, name in enumerate(LIST_PRECEDENCE)}
    rows: list[dict] = []
    figures: dict[tuple[str, str], dict] = {}
    lists_of: dict[str, list[str]] = {}
    red_alerts = alerts.filter(pl.col("project_id").is_in(red["project_id"].implode()) & (pl.col("level") == "red")) \
        .with_columns(pl.col("list").cast(pl.String).replace_strict(rank, default=len(rank), return_dtype=pl.Int32)
                      .alias("_rank")).sort(["project_id", "_rank", "rule_id"])
    if positions is not None:
        # only the red projects' figures are stated (a province has tens of thousands of positions)
        mine_pos = positions.filter(pl.col("project_id").is_in(red["project_id"].implode()))
        for r in mine_pos.iter_rows(named=True):
            figures[(r["project_id"], str(r["list"]))] = r
            lists_of.setdefault(r["project_id"], []).append(str(r["list"]))
    # one pass over the alerts in plain Python, not polars filters per project (a province has
    # thousands of red projects); the alerts keep the order of the sort above
    by_project: dict[str, list[dict]] = {}
    for a in red_alerts.select("project_id", "list", "rule_id", "reason").iter_rows(named=True):
        by_project.setdefault(a["project_id"], []).append(a)
    for p in red.sort(["responsible_unit", "project_id"]).iter_rows(named=True):
        mine = by_project[p["project_id"]]
        lists = "、".join(dict.fromkeys(schema.LISTS[str(a["list"])] for a in mine))
        pace = [a for a in mine if a["rule_id"] is not None and a["rule_id"] in pace_rule_ids]
        mine_lists = [str(a["list"]) for a in (pace or mine)]
        own = sorted(lists_of.get(p["project_id"], []), key=lambda x: rank.get(x, len(rank)))
        pos = figures.get((p["project_id"], next((x for x in mine_lists if (p["project_id"], x) in figures),
                                                 own[0] if own else "")))
        others = list(dict.fromkeys(a["reason"] for a in mine
                                    if a["rule_id"] is not None and a["rule_id"] not in pace_rule_ids))
        if pos is None or not pos["annual_plan_wan"]:
            fact = f"{p['name']}（{lists}）：{labels['red']}，{'；'.join(dict.fromkeys(a['reason'] for a in mine))}。"
        else:
            plan, done, period = pos["annual_plan_wan"], pos["completed_ytd_wan"], pos["period"]
            if done is not None and period:
                figs = f"年度计划投资{money(plan)}，截至{period_label(period)}累计完成{money(done)}，完成率{done / plan * 100:.1f}%"
                if pace and pos["pace_pct"] is not None:
                    figs += f"，序时进度{pos['pace_pct']:.1f}%，落后{pos['behind_pp']:.1f}个百分点"
            else:
                figs = f"年度计划投资{money(plan)}，本年未报送完成投资"
            fact = f"{p['name']}（{lists}）：{labels['red']}。{figs}" + "".join(f"；{x}" for x in others) + "。"
        rows.append({"responsible_unit": p["responsible_unit"], "kind": "red_project", "project_id": p["project_id"],
                     "list": str(mine[0]["list"]) if mine else None, "fact": fact})
    for m in normalise_missed(missed_targets).sort(["responsible_unit", "list", "quarter"]).iter_rows(named=True):
        plan, done = m["planned_wan"] or 0.0, m["completed_wan"] or 0.0
        rate = f"，完成率{done / plan * 100:.1f}%" if plan else ""
        lst = schema.LISTS.get(m["list"], m["list"] or "")
        rows.append({"responsible_unit": m["responsible_unit"], "kind": "missed_target", "project_id": None,
                     "list": m["list"],
                     "fact": f"{lst}{_quarter_zh(m['quarter'])}计划完成投资{money(plan)}，实际完成{money(done)}"
                             f"{rate}，差{money(plan - done)}，未完成季度投资目标。"})
    return pl.DataFrame(rows, schema={"responsible_unit": pl.String, "kind": pl.String, "project_id": pl.String,
                                      "list": pl.String, "fact": pl.String})


def priority_support_units(positions: pl.DataFrame, alerts: pl.DataFrame | None = None,
                           missed_targets: pl.DataFrame | None = None) -> pl.DataFrame:
    """Every responsible unit with the figures of the priority-support test and whether it qualifies.

    ``positions`` is :func:`jygproj.alerts.positions` (one row per project and list). Totals count
    each project once, from the list earliest in jygproj.ledger.LIST_PRECEDENCE. Projects without an
    annual plan are left out; a project with a plan but no report is not on pace.
    Columns: responsible_unit, projects, projects_on_pace, annual_plan_wan, planned_to_date_wan,
    completed_ytd_wan, pace_ratio, annual_pct, red_projects, missed_targets, qualifies, basis (Chinese).
    Qualifying units first, then by pace_ratio.
    """
    rank = {name: i for i, name in enumerate(LIST_PRECEDENCE)}
    planned = positions.filter(pl.col("annual_plan_wan") > 0).with_columns(
        pl.col("responsible_unit").fill_null(NO_UNIT),
        (pl.col("completed_ytd_wan").fill_null(0) >= pl.col("planned_to_date_wan")).alias("_on_pace"),
        pl.col("list").cast(pl.String).replace_strict(rank, return_dtype=pl.Int32).alias("_rank"),
    )
    per_project = (
        planned.sort(["project_id", "_rank"])
        .group_by("project_id", maintain_order=True)
        .agg(pl.col("responsible_unit", "annual_plan_wan", "planned_to_date_wan").first(),
             pl.col("completed_ytd_wan").first().fill_null(0.0),
             pl.col("_on_pace").all())  # on pace on every list it sits on
    )
    register = positions.select("project_id", "name", "responsible_unit").unique("project_id", keep="first")
    red = (_red_projects(alerts, register) if alerts is not None else
           pl.DataFrame(schema={"responsible_unit": pl.String})).group_by("responsible_unit") \
        .agg(pl.len().alias("red_projects"))
    missed = normalise_missed(missed_targets).group_by("responsible_unit").agg(pl.len().alias("missed_targets"))
    units = (
        per_project.group_by("responsible_unit")
        .agg(pl.len().alias("projects"), pl.col("_on_pace").sum().alias("projects_on_pace"),
             pl.col("annual_plan_wan", "planned_to_date_wan", "completed_ytd_wan").sum())
        .join(red, on="responsible_unit", how="left")
        .join(missed, on="responsible_unit", how="left")
        .with_columns(
            pl.col("red_projects").fill_null(0).cast(pl.UInt32),
            pl.col("missed_targets").fill_null(0).cast(pl.UInt32),
            pl.col("projects").cast(pl.UInt32), pl.col("projects_on_pace").cast(pl.UInt32),
            pl.when(pl.col("planned_to_date_wan") > 0)
            .then(pl.col("completed_ytd_wan") / pl.col("planned_to_date_wan")).alias("pace_ratio"),
            (pl.col("completed_ytd_wan") / pl.col("annual_plan_wan") * 100).alias("annual_pct"),
        )
    )
    qualifies = ((pl.col("projects_on_pace") == pl.col("projects"))
                 & (pl.col("completed_ytd_wan") > pl.col("planned_to_date_wan"))
                 & (pl.col("missed_targets") == 0) & (pl.col("red_projects") == 0))
    units = units.with_columns(qualifies.alias("qualifies"))
    basis = []
    for r in units.iter_rows(named=True):
        parts = [f"{r['projects_on_pace']}/{r['projects']}个项目达到序时进度",
                 f"累计完成{money(r['completed_ytd_wan'])}，为序时计划的{(r['pace_ratio'] or 0) * 100:.1f}%",
                 f"年度计划完成率{r['annual_pct']:.1f}%"]
        if r["red_projects"]:
            parts.append(f"红色预警项目{r['red_projects']}个")
        if r["missed_targets"]:
            parts.append(f"未完成季度目标{r['missed_targets']}项")
        basis.append("；".join(parts))
    return units.with_columns(pl.Series("basis", basis, dtype=pl.String)).select(
        "responsible_unit", "projects", "projects_on_pace", "annual_plan_wan", "planned_to_date_wan",
        "completed_ytd_wan", "pace_ratio", "annual_pct", "red_projects", "missed_targets", "qualifies", "basis",
    ).sort(["qualifies", "pace_ratio", "responsible_unit"], descending=[True, True, False], nulls_last=True)


def missed_quarter_targets(by_unit: pl.DataFrame, quarter: int) -> pl.DataFrame:
    """The review quarter's list plans a unit did not complete (三(三)): responsible_unit, list,
    quarter, planned_wan, completed_wan — from completion by responsible unit (completion.completion
    with by="responsible_unit"), all natures, each list (a unit's project on two lists counts on each,
    as each list is assessed on its own)."""
    q = by_unit.filter((pl.col("period") == f"Q{quarter}") & pl.col("nature").is_null() & pl.col("closed")
                       & ~pl.col("list").is_in([CITY, ENTERPRISE])
                       & (pl.col("plan_wan") > 0) & (pl.col("completed_wan").fill_null(0) < pl.col("plan_wan")))
    return q.select("responsible_unit", "list", pl.lit(str(quarter)).alias("quarter"),
                    pl.col("plan_wan").alias("planned_wan"), pl.col("completed_wan").fill_null(0.0))
