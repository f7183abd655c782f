"""The sample's follow-up story (issue 16): what the units did after the second-quarter letters.

Two steps, both deterministic for a seed:

1. :func:`apply_story` (before the workbooks are written) picks three industrial projects far
   behind the pace in July (red) and lets their units catch up from August on: one to about 20
   points behind the pace by October (yellow: 好转, still followed), one back on pace (its warning
   cleared: closed by the data), one to about 18 points behind (yellow; the analyst closes it after
   a site visit). The statistics bureau's FAI figures were drawn before, so they do not move.
2. :func:`write_replies` (after the workbooks are written) recomputes the second-quarter review from
   the written folder — the same calculation the tool makes — and fills in the reply form sent with
   each Q2 letter (jygproj.followups.form), as the units would: most on time, one late, one never,
   one promising a start by the end of September that did not come; the first story unit sends a
   second, updated reply in October. It also writes the analyst's closure record.

Files go to the data folder's 督办反馈/ subfolder (jygproj.catalogue.FOLLOWUP_FOLDER).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

from jygproj.sample.plan import Plan
from jygproj.sample.progress import Trajectory
from jygproj.sample.xlsx import SHORT_MARK

#: Points behind the pace at the end of October each story project catches up to (alert bands:
#: yellow above 10, red above 30, blue above 5 — data/reference/alert_rules.yaml).
STORY_GAPS_PP = {"improved": 20.0, "recovered": 0.0, "analyst_closed": 18.0}
#: Red in July, with a point of margin (the warning's red band starts above 30 points).
RED_IN_JULY_PP = 31.0
#: The performance category of a story project (jygproj.sample.progress.CATEGORIES draws the others).
CAUGHT_UP = "caught_up"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = ("建华", "志强", "海燕", "国庆", "文斌", "晓东", "玉兰", "永刚", "丽娟", "学军", "春梅", "振宇")
TITLES = ("副局长", "副主任", "科长", "项目办主任", "副总经理")


@dataclass(frozen=True)
class Story:
    """Sample project ids (Project.pid) of the three story projects."""

    improved: str
    recovered: str
    analyst_closed: str


def _gap_pp(t: Trajectory, annual: int, month: int) -> float:
    return (t.plan_cum_wan[month] - t.cum_wan[month]) / annual * 100


def apply_story(plan: Plan, trajs: dict[str, Trajectory], correction: tuple[int, dict[str, int]] | None,
                as_of_month: int) -> Story | None:
    """Pick the story projects and rewrite their August–December figures (in place). None when the
    sample stops before October (the story needs the third-quarter review) or no project fits."""
    if as_of_month < 10:
        return None
    typo = set(correction[1]) if correction else set()
    candidates = sorted((p for p in plan.projects if p.lists == ["industrial"] and p.annual_wan > 0
                         and p.pid not in typo and trajs[p.pid].category == "worse"
                         and trajs[p.pid].cum_wan[7] > 0 and _gap_pp(trajs[p.pid], p.annual_wan, 7) > RED_IN_JULY_PP),
                        key=lambda p: p.pid)
    picked: list = []
    for p in candidates:  # different units where the sample has them
        if p.responsible not in {q.responsible for q in picked}:
            picked.append(p)
    picked = (picked + [p for p in candidates if p not in picked])[:3]
    if len(picked) < 3:
        return None
    for role, p in zip(STORY_GAPS_PP, picked):
        _catch_up(trajs[p.pid], p.annual_wan, p.total_wan, STORY_GAPS_PP[role])
    return Story(*(p.pid for p in picked))


def _catch_up(t: Trajectory, annual: int, total: int, gap_pp: float) -> None:
    """From August, reach ``gap_pp`` points behind the pace by October, then keep the plan's pace."""
    target = max(t.cum_wan[7], t.plan_cum_wan[10] - gap_pp / 100 * annual)
    step = target - t.cum_wan[7]
    cum = list(t.cum_wan)
    cum[8] = t.cum_wan[7] + step * 0.35
    cum[9] = t.cum_wan[7] + step * 0.70
    cum[10] = target
    for m in (11, 12):
        cum[m] = cum[m - 1] + (t.plan_cum_wan[m] - t.plan_cum_wan[m - 1])
    t.cum_wan[8:] = [int(round(min(c, total))) for c in cum[8:]]
    t.category = CAUGHT_UP
    t.details["story_gap_pp"] = int(gap_pp)


# --- the replies --------------------------------------------------------------------------------

def _person(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)}{rng.choice(GIVEN)}（{rng.choice(TITLES)}）"


MEASURES_RED = (
    "成立项目推进专班，倒排工期，增加施工班组，实行两班倒作业，每周调度一次进度",
    "协调建设单位加大资金投入，督促施工单位增加机械设备和作业人员，加快形成实物工作量",
    "逐项梳理制约因素，协调解决要素保障问题，按周报送形象进度和投资完成情况",
)
MEASURES_LIST = (
    "对清单内滞后项目逐个约谈建设单位，倒排四季度工期，督促按月完成计划投资",
    "建立清单项目周调度台账，对未达序时进度的项目逐个分析原因，明确整改时限",
)


def _answers(items, story_pids: dict[str, str], role: str, trajs, pid_of, rng: random.Random):
    from jygproj.followups.form import Answer

    out = {}
    person = _person(rng)  # the unit's own lead for the rectification
    for r in items:
        pid = pid_of(r["project_id"])
        traj = trajs.get(pid) if pid else None
        reason = ("主要原因：" + "；".join(traj.issue_texts) + "。") if traj is not None and traj.issue_texts else ""
        story = story_pids.get(pid)
        if r["kind"] != "red_project":
            out[r["item_id"]] = Answer(rng.choice(MEASURES_LIST), person, dt.date(2023, 12, 31), "正在整改",
                                       "力争四季度补齐前三季度缺口。")
        elif story == "recovered":
            out[r["item_id"]] = Answer("主要设备已订货，督促供货商8月底前到货，9月完成安装调试", person,
                                       dt.date(2023, 10, 31), "正在整改", reason + "设备到货后投资将集中形成。")
        elif story == "improved":
            out[r["item_id"]] = Answer("成立项目推进专班，协调落实项目资本金，增加施工班组加快主体施工", person,
                                       dt.date(2023, 12, 31), "正在整改", reason + "预计四季度追回大部分进度。")
        elif story == "analyst_closed":
            out[r["item_id"]] = Answer("调整施工组织，主要设备安装与土建交叉作业，10月底前完成主体设备安装", person,
                                       dt.date(2023, 11, 30), "正在整改", reason)
        elif role == "broken" and traj is not None and traj.cum_wan[7] == 0:
            out[r["item_id"]] = Answer("已完成施工招标，施工单位已进场开展准备，确保9月底前开工建设", person,
                                       dt.date(2023, 9, 30), "正在整改", reason + "前期手续已基本办结。")
        elif role == "broken" and traj is not None and traj.category == "worse":
            out[r["item_id"]] = Answer("倒排工期，增加施工班组和机械设备，确保9月底前追回滞后的投资进度", person,
                                       dt.date(2023, 9, 30), "正在整改", reason)
        else:
            out[r["item_id"]] = Answer(rng.choice(MEASURES_RED), person, dt.date(2023, 12, 31), "正在整改", reason)
    return out


def write_replies(sample, out_dir: Path, seed: int) -> list[Path]:
    """Fill in the reply forms of the second-quarter letters as the units did and write the analyst's
    closure record, into ``out_dir``/督办反馈/. Nothing when the sample stops before the Q2 review."""
    from jygproj import ledger, letters, quarterly
    from jygproj.catalogue import FOLLOWUP_FOLDER, catalogue
    from jygproj.evaluation import default_as_of
    from jygproj.followups import form
    from jygproj.followups.wiring import for_review
    from jygproj.io import load_workbooks
    from jygproj.io.names import normalise_name
    from jygproj.plan import load_plan
    from jygproj.report.formats import date_zh

    if sample.as_of_month < 7:
        return []
    cat = catalogue(out_dir)
    inputs = quarterly.inputs_from(cat, load_workbooks(cat.paths), load_plan(2023))
    params = quarterly.ReviewParams(2023, 2, str(out_dir), default_as_of(2023, 2))
    with ledger.reuse_results():
        results = quarterly.calculate(inputs, params)
        fu = for_review(inputs, params, results)
    issued = params.as_of_date
    deadline = issued + dt.timedelta(days=fu.settings.reply_days)
    units = sorted(results.letter_units)
    by_code = {p.code: p.pid for p in sample.plan.projects if p.code}
    by_name = {"N:" + normalise_name(p.name): p.pid for p in sample.plan.projects}

    def pid_of(project_id: str | None) -> str | None:
        return by_code.get(project_id) or by_name.get(project_id) if project_id else None

    story = sample.story
    story_pids = {} if story is None else {story.improved: "improved", story.recovered: "recovered",
                                           story.analyst_closed: "analyst_closed"}
    items = {u: list(fu.form_items(u).sort("item_id").iter_rows(named=True)) for u in units}
    story_units = {u for u in units for r in items[u] if pid_of(r["project_id"]) in story_pids}
    others = [u for u in units if u not in story_units]
    red = [u for u in others if any(r["kind"] == "red_project" for r in items[u])]
    # the broken promise first: it needs a red project that stays behind (not started by July, else
    # one drawn to fall further behind), which few units have — under 三(三)'s letters none is unstarted
    def stays_behind(u: str, test) -> bool:
        return any(r["kind"] == "red_project" and (t := sample.trajectories.get(pid_of(r["project_id"]) or ""))
                   is not None and test(t) for r in items[u])

    broken = next((u for u in red if stays_behind(u, lambda t: t.cum_wan[7] == 0)),
                  next((u for u in red if stays_behind(u, lambda t: t.category == "worse")), None))
    red = [u for u in red if u != broken]
    others = [u for u in others if u != broken]
    missing = min(reversed(red or others), key=lambda u: len(items[u])) if others else None
    late = next((u for u in red if u != missing), None)
    rng = random.Random(seed * 31 + 16)
    folder = Path(out_dir) / FOLLOWUP_FOLDER
    label = "2023年第二季度考核"
    written = []
    for unit in units:
        if unit == missing:
            continue
        role = "late" if unit == late else "broken" if unit == broken else "on_time"
        day = dt.date(2023, 9, 8) if role == "late" else issued + dt.timedelta(days=rng.randint(5, 14))
        answers = _answers(items[unit], story_pids, role, sample.trajectories, pid_of, rng)
        rows = [form.FormItem(r["item_id"], r["name"], r["problem"] or "", r["opened_on"]) for r in items[unit]]
        written.append(form.write_reply_form(
            folder / f"2023年二季度提醒函整改反馈表_{unit}{SHORT_MARK}.xlsx", unit, rows, letter_title=letters.TITLE,
            review_label=label, issued_on=issued, deadline=deadline, plan_name=inputs.plan.citation,
            answers=answers, replied_on=day, atomic=False))
        update = [r for r in items[unit] if story_pids.get(pid_of(r["project_id"])) == "improved"]
        if update:  # a second reply on the improved project: what was done since August
            r = update[0]
            first = answers[r["item_id"]]
            again = form.Answer("专班驻场推进，8-9月新增施工班组3个，项目资本金已全部到位，主体工程加快施工",
                                first.responsible_person, dt.date(2023, 12, 31), "正在整改",
                                "截至9月底进度明显加快，预计年底前追回序时进度。")
            written.append(form.write_reply_form(
                folder / f"2023年二季度提醒函整改反馈表_{unit}（补充）{SHORT_MARK}.xlsx", unit,
                [form.FormItem(r["item_id"], r["name"], r["problem"] or "", r["opened_on"])], letter_title=letters.TITLE,
                review_label=label, issued_on=issued, deadline=deadline, plan_name=inputs.plan.citation,
                answers={r["item_id"]: again}, replied_on=dt.date(2023, 10, 16), atomic=False))
    closed = [r for u in units for r in items[u] if story_pids.get(pid_of(r["project_id"])) == "analyst_closed"]
    if closed:
        r = closed[0]
        written.append(form.write_closure_record(folder / f"督办销号记录{SHORT_MARK}.xlsx", [{
            "item_id": r["item_id"], "responsible_unit": r["responsible_unit"], "problem": r["name"],
            "closed_on": dt.date(2023, 10, 25), "closed_by": "李明（投资科）",
            "reason": f"经{date_zh(dt.date(2023, 10, 23))}现场核实，主要设备已安装调试完毕，进度滞后的原因已消除，"
                      "剩余投资按合同于年底前结算，同意销号，转入日常调度。"}], atomic=False))
    return written


def readme_lines(sample, files: list[str]) -> list[str]:
    """The sample README's paragraph on the follow-up story (empty when the sample has none)."""
    from jygproj.catalogue import FOLLOWUP_FOLDER

    replies = [f for f in files if f.startswith(f"{FOLLOWUP_FOLDER}/") and "整改反馈表" in f]
    if sample.story is None or not replies:
        return []
    names = {p.pid: f"{p.name}（{p.responsible}）" for p in sample.plan.projects}
    s = sample.story
    return [
        "",
        f"## 督办反馈（{FOLLOWUP_FOLDER}/：二季度提醒函的整改反馈，样例）",
        "",
        f"- {len(replies)} 份《整改落实情况反馈表》：由程序按二季度考核（2023年8月10日评估）的督办台账生成反馈表，"
        "再按下述情形代各单位填写；多数单位按期反馈，一个单位逾期反馈，一个单位未反馈，一个单位承诺9月底前开工而未开工，"
        "一个单位10月对好转的项目补充反馈一次。",
        f"- 追赶进度的项目（8月起）：{names[s.improved]} 10月落后序时约20个百分点（红色→黄色，好转，仍在督办）；"
        f"{names[s.recovered]} 10月达到序时进度（预警解除，按数据销号）；{names[s.analyst_closed]} 10月落后约18个百分点"
        "（黄色），分析人员10月25日现场核实后书面销号（《督办销号记录》）。",
        "- 这些项目8月以后的调度数相应提高；统计部门的固定资产投资数（基数表）在此之前生成，未随之变化（统计滞后）。",
    ]
