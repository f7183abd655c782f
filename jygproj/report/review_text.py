"""The quarterly review's words and headline figures: ``summary.json``, the 核心指标 table and the
narrative sentences. Figures come from :class:`jygproj.quarterly.Results`; nothing is computed here
but rounding for JSON."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import polars as pl

from jygproj import completion, paths
from jygproj.ledger import made_once
from jygproj.report import followup_report
from jygproj.report.formats import number, pct, yi
from jygproj.schema import (LISTS, NATURES, PERIOD_LABELS, QUARTER_LABELS, READING_NAMES, READING_SOURCES,
                            WAN_PER_YI)

if TYPE_CHECKING:
    from jygproj.quarterly import Results


def growth_json(g: dict[str, Any]) -> dict[str, Any]:
    """The 12% tracker's headline figures, both readings (万元, %, month numbers), and the forecast's."""
    def reading(r: str) -> dict[str, Any]:
        return {
            "goal_wan": number(g[f"{r}_goal_wan"]),
            "margin_wan": number(g[f"{r}_margin_wan"]),
            "met_early": g[f"{r}_met_early"],
            "projected_met_month": g[f"{r}_met_month"],
            "extra_total_wan": number(g[f"{r}_extra_total_wan"]),
            "needed_per_month_wan": {str(k): number(v) for k, v in g[f"{r}_needed_per_month_wan"].items()},
            "goal_growth_pct": number(g[f"{r}_goal_growth_pct"]),
            "needed_rest_wan": number(g[f"{r}_needed_rest_wan"]),
            "needed_rest_yoy_pct": number(g[f"{r}_needed_rest_yoy_pct"]),
            "probability": None if fc is None else number(fc["probability"][r], 4),
        }
    fc = g.get("forecast")
    return {
        "as_of_month": g["as_of_month"],
        "target_month": g["target_month"],
        "target_growth_pct": g["target_growth_pct"],
        "ytd_cum_wan": number(g["ytd_cum_wan"]),
        "ytd_prior_cum_wan": number(g["ytd_prior_cum_wan"]),
        "ytd_growth_pct": number(g["ytd_growth_pct"]),
        "prior_year_total_wan": number(g["prior_year_total_wan"]),
        "projected_target_month_cum_wan": number(g["projected_target_month_cum_wan"]),
        "projected_target_month_growth_pct": number(g["projected_target_month_growth_pct"]),
        "projected_year_growth_pct": number(g["projected_year_growth_pct"]),
        "projection": g.get("projection"),
        "headline": g["headline"],
        "headline_met_month": g["headline_met_month"],
        "rest_months": g["rest_months"],
        "projected_rest_wan": number(g["projected_rest_wan"]),
        "projected_rest_yoy_pct": number(g["projected_rest_yoy_pct"]),
        "level": reading("level"),
        "rate": reading("rate"),
        "forecast": forecast_json(fc),
    }


def forecast_json(fc: dict[str, Any] | None) -> dict[str, Any] | None:
    """The forecast's figures for summary.json (jygproj.quarterly.forecast_summary), rounded."""
    if fc is None:
        return None
    rec = {k: (number(v, 4) if isinstance(v, float) else v) for k, v in fc["reconciliation"].items()}
    bt = {k: (number(v, 3) if isinstance(v, float) else v) for k, v in fc["backtest"].items()}
    return {
        "target_month": fc["target_month"],
        **{k: number(fc[k]) for k in ("cum_wan", "p10_cum_wan", "p50_cum_wan", "p90_cum_wan")},
        # growth to 4 places: the sentences print one place from these figures, and 11.5456 rounded
        # to 11.55 first would print 11.6% (double rounding)
        **{k: number(fc[k], 4) for k in ("growth_pct", "p10_growth_pct", "p50_growth_pct", "p90_growth_pct")},
        "probability": {k: number(v, 4) for k, v in fc["probability"].items()},
        "draws": fc["draws"], "model_sigma": number(fc["model_sigma"], 4), "mode": fc["mode"],
        "shape_source": fc["shape_source"], "shape_years": fc["shape_years"],
        "registration_known": fc["registration_known"], "flags": fc["flags"],
        "reconciliation": rec, "backtest": bt,
    }


def summary(r: "Results") -> dict[str, Any]:
    """summary.json: the run, completion by list and period, requirements, starts, growth, warnings,
    ranking, factors, letters, loader problems and the plan's targets."""
    p, f = r.params, r.frames
    completion_out: dict[str, dict[str, dict[str, Any]]] = {}
    for row in f["completion"].filter(pl.col("nature").is_null()).iter_rows(named=True):
        completion_out.setdefault(row["list"], {})[row["period"]] = {
            "projects": row["projects"],
            "annual_plan_wan": number(row["annual_plan_wan"]),
            "plan_wan": number(row["plan_wan"]),
            "completed_wan": number(row["completed_wan"]),
            "rate_pct": number(row["rate_pct"]),
            "annual_rate_pct": number(row["annual_rate_pct"]),
            "target_wan": number(row["target_wan"]),
            "target_rate_pct": number(row["target_rate_pct"]),
        }
    checks = f["target_checks"]

    def plain(row: dict) -> dict:
        return {k: (number(v) if isinstance(v, float) else v.isoformat() if isinstance(v, dt.date) else v)
                for k, v in row.items()}

    items = [plain({"list": row["list"], "period": row["period"], "requirement": row["requirement"],
                    "clause": row["clause"], "threshold": row["threshold"], "value": row["value_pct"],
                    "met": row["met"], "final": row["final"], "strive": row["strive"],
                    "requirement_id": row["requirement_id"], "nature": row["nature"], "note": row["note"]})
             for row in f["requirement_items"].iter_rows(named=True)]
    practice = [plain({"kind": "pace", "requirement_id": row["requirement_id"], "list": row["list"],
                       "nature": row["nature"], "period": row["period"], "value": row["value_pct"],
                       "reference": row["reference_pct"], "on_pace": row["on_pace"],
                       "basis": row["pace_basis"], "source": "序时进度（参考，不作为考核要求）"})
                for row in f["practice_pace"].iter_rows(named=True)]
    practice += [{"kind": "setting", **row} for row in f["practice_settings"].iter_rows(named=True)]
    left_out = r.left_out if r.left_out is not None else pl.DataFrame()
    weekly = f["latest_weekly"]
    folder = paths.data_folder(p.data_dir, p.year)
    return {
        "run": {"name": p.run_name, "year": p.year, "quarter": p.quarter,
                "as_of": p.as_of, "evaluated_on": p.as_of_date.isoformat(),
                "unit": p.unit, "headline": p.headline,
                "data_dir": paths.display(folder), "sample_data": r.sample_data},
        "completion": completion_out,
        "completion_annual_plan_wan": number(completion.city_annual_plan_wan(f["completion"]) or 0.0),
        # the plan's requirements only (one object per list and period); practice settings apart, not counted
        "requirements": {**completion.requirement_counts(f["requirement_items"]), "items": items,
                         "practice": practice},
        "starts": [plain(row) for row in f["start_requirements"].iter_rows(named=True)],
        "growth": growth_json(r.growth),
        "support_units": r.support_units,
        "units": unit_rows(r),
        "sensitivity": sensitivity_json(f.get("sensitivity")),
        "warnings": {"projects_by_level": r.level_counts, "alerts": f["alerts"].height,
                     "movements": r.movement_counts, "rules_not_evaluated": r.rule_notes},
        "ranking": {"top_projects": f["top"].height,
                    "recommended": [{"project_id": row["project_id"], "name": row["name"], "list": str(row["list"]),
                                     "level": row["level"]} for row in f["top"].iter_rows(named=True)]},
        "factors": {row["category_code"]: row["projects"] for row in f["factor_totals"].iter_rows(named=True)},
        "letters": len(r.letter_units),
        "followups": followup_report.summary(r),
        "letter_triggers": r.letter_triggers,
        "problems": r.problem_counts,
        "inputs": {"errors": r.problem_counts.get("errors", 0),
                   "left_out": [plain(row) for row in left_out.iter_rows(named=True)]},
        "latest_weekly": {"periods": sorted(weekly["period"].unique().to_list()), "projects": weekly["project_id"].n_unique(),
                          "note": "周调度数，仅供参考，不计入月度统计"},
        "cross_list_conflicts": f["cross_list"].height,
        "plan_targets": [] if checks is None else [
            {"list": row["list"], "nature": row["nature"], "period": row["period"], "kind": row["kind"],
             "key": row["key"], "clause": row["clause"], "target_wan": number(row["target_wan"]),
             "completed_wan": number(row["completed_wan"]), "rate_pct": number(row["rate_pct"]),
             "pace_rate_pct": number(row["pace_rate_pct"]), "final": row["final"], "met": row["met"]}
            for row in checks.iter_rows(named=True)],
    }


def unit_rows(r: "Results") -> list[dict[str, Any]]:
    """Each responsible unit's year to date (each project once), slowest against the pace first, with
    its projects' warning levels and whether it is due a reminder letter (三(三))."""
    warn = {row["responsible_unit"]: row for row in r.frames["warnings_by_unit"].iter_rows(named=True)}
    out = []
    for row in completion.slowest_first(r.frames["unit_ytd"]).iter_rows(named=True):
        w = warn.get(row["responsible_unit"], {})
        out.append({"unit": row["responsible_unit"], "projects": row["projects"],
                    **{k: number(row[k]) for k in ("annual_plan_wan", "plan_wan", "completed_wan", "rate_pct",
                                                   "annual_rate_pct")},
                    **{level: int(w.get(f"{level}_count") or 0) for level in ("red", "yellow", "blue")},
                    "letter": row["responsible_unit"] in r.letter_units})
    return out


def sensitivity_json(frame: pl.DataFrame | None) -> dict[str, Any] | None:
    """The projects that would change the outcome most (jygproj.quarterly.sensitivity_frame), 万元:
    what each adds to the target month and how the target month's FAI moves at the low and high
    multiplier. None when nothing is projected."""
    if frame is None:
        return None
    first = frame.row(0, named=True)
    return {"low_multiplier": first["low_multiplier"], "high_multiplier": first["high_multiplier"],
            "projects": [{"project_id": row["project_id"], "name": row["name"], "list": row["list"],
                          "unit": row["responsible_unit"], "base_wan": number(row["base_wan"]),
                          "low_delta_wan": number(row["low_delta_wan"]),
                          "high_delta_wan": number(row["high_delta_wan"]),
                          "swing_wan": number(row["swing_wan"])}
                         for row in frame.iter_rows(named=True)]}


def target_month_actual(g: dict[str, Any]) -> bool:
    """True once the target month (一 "one month early") is published: its figures are actuals."""
    return g["as_of_month"] >= g["target_month"]


def headline_figures(s: dict[str, Any], r: "Results") -> pl.DataFrame:
    """The summary's headline figures as a table: indicator, value, unit, note."""
    p, w = r.params, r.plan.words
    q = f"Q{p.quarter}"
    city = s["completion"].get(completion.CITY, {})
    g = s["growth"]
    # from the target month on its figure is an actual (published figures), not a projection
    actual = target_month_actual(g)
    met = "达成月份（实际）" if actual else "预计达成月份"
    met_note = "空白：年内未达成" if actual else "空白：按当前进度年内无法达成"
    annual_rate = None if not city.get("YTD") else number(r.city_annual_rate_pct)
    rows = [
        (f"{PERIOD_LABELS[q]}完成投资", (city.get(q) or {}).get("completed_wan"), "万元", "清单项目，每个项目只计一次"),
        (f"{PERIOD_LABELS[q]}计划投资", (city.get(q) or {}).get("plan_wan"), "万元", "清单季度计划或按季节曲线分解（参考）"),
        (f"{PERIOD_LABELS[q]}完成率", (city.get(q) or {}).get("rate_pct"), "%", "完成÷计划"),
        (f"1-{p.as_of_month}月累计完成投资", (city.get("YTD") or {}).get("completed_wan"), "万元", "清单项目"),
        ("序时完成率", (city.get("YTD") or {}).get("rate_pct"), "%", "累计完成÷序时计划（参考）"),
        ("年度计划完成率", annual_rate, "%", "累计完成÷年度计划"),
        (f"全市固定资产投资1-{g['as_of_month']}月累计", g["ytd_cum_wan"], "万元", "统计基数表（全市）"),
        (f"全市固定资产投资1-{g['as_of_month']}月累计增速", g["ytd_growth_pct"], "%", "可比口径"),
        *growth_rows(g, w, p.headline, met, met_note),
        ("方案要求已到期", s["requirements"]["checked"], "项", "方案规定的要求（不含力争）中期末已到的"),
        ("其中未达到", s["requirements"]["failed"], "项", "只计方案的要求；序时进度等参考设定不计"),
        ("红色预警项目", s["warnings"]["projects_by_level"].get("red"), "个", "按项目最高等级"),
        ("黄色预警项目", s["warnings"]["projects_by_level"].get("yellow"), "个", "按项目最高等级"),
        ("蓝色预警项目", s["warnings"]["projects_by_level"].get("blue"), "个", "按项目最高等级"),
        ("提醒函", s["letters"], "份", "三(三)：重视程度不高、项目推进落实慢、未完成年度目标"),
        ("优先支持单位", len(s["support_units"]), "个", "三(三)（年内以序时进度代替，参考）"),
    ]
    return pl.DataFrame([{"indicator": a, "value": None if b is None else float(b), "unit": c, "note": d}
                         for a, b, c, d in rows],
                        schema={"indicator": pl.String, "value": pl.Float64, "unit": pl.String, "note": pl.String})


def growth_rows(g: dict[str, Any], w, headline: str, met: str, met_note: str) -> list[tuple]:
    """The 核心指标 rows of the growth goal: both readings (headline first), the forecast's band and
    the backtest error."""
    fc = g.get("forecast")
    actual = target_month_actual(g)
    rows = []
    for key in readings_order(headline):
        r, name = g[key], READING_NAMES[key]
        rows.append((f"{name}目标（{w.span}累计）", r["goal_wan"], "万元",
                     f"上年全年×{w.factor}" if key == "level" else f"上年{w.span}×{w.factor}"))
        if not actual:
            rows += [(f"{name}所需{rest_span(g)}投资", r["needed_rest_wan"], "万元", "目标减1-X月实际"),
                     (f"{name}所需{rest_span(g)}投资同比", r["needed_rest_yoy_pct"], "%", "对上年同期（可比口径）")]
            if fc is not None:
                rows.append((f"{name}达到概率", r["probability"] * 100 if r["probability"] is not None else None,
                             "%", f"蒙特卡洛{fc['draws']}次"))
        rows.append((f"{name}{met}", r["projected_met_month"], "月", met_note))
    if fc is not None and not actual:
        rows += [(f"预测{w.span}累计", fc["cum_wan"], "万元", "投资预测模型"),
                 (f"预测{w.span}累计增速", fc["growth_pct"], "%", "可比口径"),
                 (f"预测{w.span}累计增速下限", fc["p10_growth_pct"], "%", "80%把握区间下限"),
                 (f"预测{w.span}累计增速上限", fc["p90_growth_pct"], "%", "80%把握区间上限")]
    if fc is not None and fc["backtest"].get("mae_pp_next_month") is not None:
        rows.append(("回测：下月累计增速平均绝对误差", fc["backtest"]["mae_pp_next_month"], "百分点",
                     f"回测{fc['backtest']['cases']}次"))
    return rows


def met_month_text(month: int | None, target_month: int, early: str, actual: bool = False) -> str:
    """When a reading is (or is expected to be) met, against the plan's target month; ``early`` is the
    plan's words for it (提前一个月)."""
    if actual:
        if month is None:
            return "年内未达成"
        return f"{month}月达成" + (f"，已{early}完成" if month <= target_month else f"，未能{early}完成")
    if month is None:
        return "按当前进度预计年内无法达成"
    return f"预计{month}月达成" + (f"，可实现{early}完成" if month <= target_month else f"，不能{early}完成")


def narrative(s: dict[str, Any], r: "Results") -> dict[str, str]:
    """The review's sentences with figures (Markdown): headline, growth, warnings."""
    p = r.params
    q = f"Q{p.quarter}"
    city = s["completion"].get(completion.CITY, {})
    cq, ytd = city.get(q, {}), city.get("YTD", {})
    g = s["growth"]
    counts = s["warnings"]["projects_by_level"]
    who = p.unit or "全市"
    return {
        "headline": (
            f"**{who}**清单项目{PERIOD_LABELS[q]}完成投资 {yi(cq.get('completed_wan'))}，为季度计划的 "
            f"{pct(cq.get('rate_pct'))}；1-{p.as_of_month}月累计完成 {yi(ytd.get('completed_wan'))}，"
            f"为序时计划的 {pct(ytd.get('rate_pct'))}。"
        ),
        "growth": growth_sentence(g, r.plan.words, p.headline),
        **forecast_sentences(g, r.plan.words),
        # the plan's own words, the same in every report on the inputs: made once (issue 18)
        **made_once(r.memo, ("plan_sentences", None), (r.plan,), lambda: plan_sentences(r.plan)),
        **followup_report.sentences(r),
        "requirements": requirements_sentence(s),
        "input_errors": left_out_text(r.left_out),
        "warnings": (
            "按项目最高等级计，" + "、".join(f"{r.level_labels[k]} {counts.get(k, 0)} 个"
                                         for k in ("red", "yellow", "blue")) + "。"
        ),
    }


def rest_span(g: dict[str, Any]) -> str:
    """The months left to the target month in words: 11月, or 10-11月."""
    months = g["rest_months"]
    return f"{months[0]}月" if len(months) == 1 else f"{months[0]}-{months[-1]}月"


def readings_order(headline: str) -> list[str]:
    """The headline reading first, the other beside it."""
    return [headline] + [k for k in READING_NAMES if k != headline]


def growth_sentence(g: dict[str, Any], w, headline: str) -> str:
    """Both readings side by side: what each needs at the target month (亿元), what the months left
    must add (亿元 and year on year), and the forecast's chance of it; or, once the target month is
    published, what the published figures say."""
    actual = target_month_actual(g)
    source = f"（{READING_SOURCES[headline]}）" if headline in READING_SOURCES else ""
    intro = (f"全市1-{g['as_of_month']}月固定资产投资累计 {yi(g['ytd_cum_wan'])}，累计增速 {pct(g['ytd_growth_pct'])}。"
             f"本报告以{READING_NAMES[headline]}为主口径{source}，两种口径并列：")
    parts = []
    for key in readings_order(headline):
        r = g[key]
        words = (f"{w.span}累计增速≥{w.pct}" if key == "rate" else f"{w.span}累计≥上年全年×{w.factor}")
        head = f"**{READING_NAMES[key]}**（{words}，即{w.span}累计 {yi(r['goal_wan'])}）"
        if actual:
            parts.append(f"{head}按已公布数据{met_month_text(r['projected_met_month'], g['target_month'], w.early, True)}")
            continue
        need = (f"{rest_span(g)}须完成 {yi(r['needed_rest_wan'])}、比上年同期{_change(r['needed_rest_yoy_pct'])}"
                if r["needed_rest_wan"] is not None else "")
        chance = "" if r.get("probability") is None else f"，按预测达到的概率 {r['probability']:.0%}"
        parts.append(f"{head}{need}{chance}")
    return intro + "；".join(parts) + "。"


def _change(x: float | None) -> str:
    return "—" if x is None else (f"增长 {x:.1f}%" if x >= 0 else f"下降 {-x:.1f}%")


def forecast_sentences(g: dict[str, Any], w) -> dict[str, str]:
    """The forecast in words: forecast (the target month with P10–P90 and the months left),
    credibility (the backtest's error, in percentage points of cumulative growth), forecast_notes
    (what the data did not say, months outside the history, the reconciliation gap). Empty as of
    December."""
    fc = g.get("forecast")
    if fc is None:
        return {}
    t, bt, rec = fc["target_month"], fc["backtest"], fc["reconciliation"]
    out = {}
    if not target_month_actual(g):
        out["forecast"] = (
            f"预测：{rest_span(g)}完成 {yi(g['projected_rest_wan'])}（比上年同期{_change(g['projected_rest_yoy_pct'])}），"
            f"{w.span}累计 {yi(fc['cum_wan'])}、累计增速 {pct(fc['growth_pct'])}；"
            f"80%的可能在 {pct(fc['p10_growth_pct'])} 至 {pct(fc['p90_growth_pct'])} 之间"
            f"（{yi(fc['p10_cum_wan'])} 至 {yi(fc['p90_cum_wan'])}，{fc['draws']:,} 次模拟）。")
    if bt.get("mae_pp") is not None:
        out["credibility"] = (
            f"预测可信度：用当时可得的数据回测 {bt['cases']} 次（往年各月及本年已公布月份），预测下月累计增速的平均绝对误差 "
            f"{bt['mae_pp_next_month']:.2f} 个百分点"
            + (f"、预测{t}月 {bt['mae_pp_target_month']:.2f} 个百分点" if bt.get("mae_pp_target_month") is not None else "")
            + (f"（其中本年按清单项目和清单外投资分别预测的下月误差 {bt['mae_pp_next_month_by_mode']['split']:.2f} 个百分点）"
               if (bt.get("mae_pp_next_month_by_mode") or {}).get("split") is not None else "")
            + f"，80%把握区间覆盖了 {bt['coverage_p10_p90']:.0%} 的实际值"
            + (f"（对照：沿用当月累计增速的误差 {bt['hold_mae_pp']:.2f} 个百分点）" if bt.get("hold_mae_pp") is not None else "")
            + "。")
    notes = []
    if not fc["registration_known"]:
        notes.append("调度表和项目清单未提供“是否入库”信息：本年新开工项目是否已入统按一般入库时滞推算，"
                     "统计数与调度数无法逐项目核对，预测误差可能偏大")
    if rec.get("listed_exceeds_city"):
        notes.append(f"清单项目调度数 {yi(rec['reported_wan'])} 超出全市统计数 {yi(rec['city_wan'])} "
                     f"{yi(rec['gap_wan'])}（见调度数与统计数对账表），预测按测算的入统率 {rec['rho']:.2f} 折算，未把清单外投资记为零")
    notes += fc["flags"]
    if notes:
        out["forecast_notes"] = "**预测提示**：" + "；".join(notes) + "。"
    return out


def plan_sentences(plan) -> dict[str, str]:
    """What the plan asks, in words, from the plan file alone (the notebook's narrative has no number
    of its own): plan (the document and the goal; a test plan's warning first), plan_targets (the
    amount targets by quarter, completion requirements), plan_starts (planned starts, start and
    resumption requirements), plan_growth (the two readings of the goal)."""
    w = plan.words
    t = plan.amount_targets
    quarterly = []
    for (lst, nature), rows in t.filter(pl.col("period").str.starts_with("Q")).group_by(
            ["list", "nature"], maintain_order=True):
        amounts = "/".join(f"{v / WAN_PER_YI:g}" for v in rows.sort("period")["target_wan"])
        quarterly.append(f"{LISTS[lst]}{NATURES.get(nature, '') if nature else ''}{amounts}亿元")
    completion_reqs = [r.label for r in plan.requirements_of("quarter_completion", "annual_completion")]
    start_reqs = [r.label for r in plan.requirements_of("start", "resume")]
    planned = "、".join(f"{QUARTER_LABELS[q]}{n}个" for q, n in (plan.planned_starts().get("provincial_key") or {}).items())
    return {
        "plan": ((f"**{plan.note}**" if plan.note else "")
                 + f"依据{plan.citation}：{plan.year}年全市固定资产投资增长{w.pct}，力争{w.early}（{w.span}累计）完成。"),
        "plan_targets": (f"对照方案的季度目标（{'；'.join(quarterly)}）、确保目标与力争目标，以及“"
                    + "”“".join(dict.fromkeys(completion_reqs)) + "”的要求。"),
        "plan_starts": ((f"全省重点投资项目计划新开工：{planned}；" if planned else "")
                   + "考核要求：" + "；".join(dict.fromkeys(start_reqs)) + "。"),
        "plan_growth": (f"“力争{w.early}完成{w.pct}增长”有两种理解，本报告同时计算：**总量口径**——{w.span}累计达到上年全年"
                   f"（可比口径）的{w.factor}倍；**增速口径**——{w.span}累计增速不低于{w.pct}。"),
    }


def requirements_sentence(s: dict[str, Any]) -> str:
    """What the plan's requirements give, counted apart from the practice settings."""
    c = s["requirements"]
    return (f"方案规定的考核要求中，期末已到的 {c['checked']} 项：达到 {c['met']} 项、未达到 {c['failed']} 项；"
            f"尚未到期 {c['open']} 项。“力争”目标单列、不计为未达到；序时进度、预警阈值、提醒函阈值等为本市设定的参考，"
            "不作为方案要求，见“参考设定”表。")


def left_out_text(left_out: pl.DataFrame | None, *, markdown: bool = True) -> str:
    """The first-screen box of a report built on inputs with errors (--allow-errors): each sheet left
    out and what it holds (rows, 万元); plain lines for a terminal when not ``markdown``. Empty when
    nothing was left out."""
    if left_out is None or left_out.is_empty():
        return ""
    head = "注意：本报告所用输入有错误，以下工作表未载入（或部分未载入），相关数字不完整。请更正后重新生成。"
    lines = [f"> **{head}**", ">"] if markdown else [head]
    for row in left_out.iter_rows(named=True):
        what = "，".join(x for x in (
            LISTS.get(row["list"] or "", "") , row["period"] or "",
            f"未载入 {row['rows_left_out']} 行" if row["rows_left_out"] is not None else "工作簿无法读取",
            f"1-X月累计完成投资合计 {yi(row['completed_wan'])}（{row['completed_wan']:,.1f}万元）"
            if row["completed_wan"] is not None else "",
            f"年度计划投资合计 {yi(row['annual_plan_wan'])}" if row["annual_plan_wan"] else "") if x)
        sheet = f"工作表“{row['sheet']}”" if row["sheet"] else ""
        lines.append(f"{'> - ' if markdown else '- '}《{row['file']}》{sheet}：{what}。错误：{row['first_error'] or ''}")
    return "\n".join(lines)


def answer(s: dict[str, Any], r: "Results") -> dict[str, Any]:
    """The first screen (issue 15): per reading, whether the goal is reached a month early and by how
    much (亿元), what the months left need (亿元, year on year) and the forecast's chance; then the
    units and projects furthest behind their 序时计划 (亿元) and the projects by warning level. Words
    and figures only (html.answer_html lays them out)."""
    g, w, f = s["growth"], r.plan.words, r.frames
    actual = target_month_actual(g)
    fc = g.get("forecast")
    readings = []
    for key in readings_order(r.params.headline):
        x = g[key]
        words = f"{w.span}累计增速≥{w.pct}" if key == "rate" else f"{w.span}累计≥上年全年×{w.factor}"
        margin = x["margin_wan"]
        ok = margin is not None and margin >= 0
        if actual:
            verdict = met_month_text(x["projected_met_month"], g["target_month"], w.early, True)
            lines = [f"{w.span}累计 {yi(g['projected_target_month_cum_wan'])}，目标 {yi(x['goal_wan'])}，"
                     + (f"超出 {yi(margin)}" if ok else f"差 {yi(-margin)}")]
        else:
            verdict = f"按预测{'能' if ok else '不能'}{w.early}实现"
            lines = [f"预测{w.span}累计 {yi(g['projected_target_month_cum_wan'])}，目标 {yi(x['goal_wan'])}，"
                     + (f"超出 {yi(margin)}" if ok else f"差 {yi(-margin)}"),
                     f"{rest_span(g)}需完成 {yi(x['needed_rest_wan'])}，比上年同期{_change(x['needed_rest_yoy_pct'])}"
                     f"（预测 {yi(g['projected_rest_wan'])}，{_change(g['projected_rest_yoy_pct'])}）"]
            if x.get("probability") is not None:
                lines.append(f"达到的概率 {x['probability']:.0%}")
        readings.append({"name": READING_NAMES[key], "rule": words, "verdict": verdict, "ok": ok,
                         "headline": key == r.params.headline, "lines": lines})
    note = ""
    if fc is not None and fc["backtest"].get("mae_pp_next_month") is not None:
        note = (f"依据：1-{g['as_of_month']}月累计 {yi(g['ytd_cum_wan'])}、增速 {pct(g['ytd_growth_pct'])}；"
                f"预测误差（回测{fc['backtest']['cases']}次）：下月累计增速平均差 {fc['backtest']['mae_pp_next_month']:.2f} 个百分点。")
    units = [f"{u['responsible_unit']}：落后序时计划 {yi(u['behind_wan'])}（序时完成率 {pct(u['rate_pct'])}）"
             for u in f["units_behind"].iter_rows(named=True)]
    projects = [f"{p['name']}（{p['responsible_unit'] or '未填责任单位'}）：落后 {yi(p['behind_wan'])}"
                f"（序时完成率 {pct(p['rate_pct'])}）" for p in f["projects_behind"].iter_rows(named=True)]
    counts = s["warnings"]["projects_by_level"]
    # a unit's report lists the unit itself there: not "the units furthest behind" over one name
    units_head = f"{r.params.unit}落后序时计划" if r.params.unit else "落后序时计划最多的责任单位"
    return {"readings": readings, "note": note, "units_head": units_head, "units": units, "projects": projects,
            "levels": [(k, r.level_labels[k], counts.get(k, 0)) for k in ("red", "yellow", "blue")],
            "letters": s["letters"]}
