"""Monthly cumulative completion per project, with a realistic spread of performance.

One trajectory per project (a project on several lists reports the same figures everywhere).
Planned pace follows the seasonal profile (data/reference/seasonal_profile.yaml: little work
December–February, most April–October) from the planned start month, or the provincial quarterly
plan where 二(二) gives one. Actual progress departs from the pace by a category drawn per project:
most on pace, some 10–30 points behind, some worse, a few ahead, a few new projects not started.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
from dataclasses import dataclass, field

from jygproj.sample.plan import CONTINUING, NEW, PREPARATORY, Plan, Project

#: Default monthly shares (%), the same as data/reference/seasonal_profile.yaml; the command passes
#: the reference file's values, this copy only keeps the generator usable without it.
DEFAULT_SHARES = {1: 1.0, 2: 1.5, 3: 4.0, 4: 8.0, 5: 11.0, 6: 13.0, 7: 13.0, 8: 13.0, 9: 12.0,
                  10: 11.0, 11: 8.0, 12: 4.5}

#: Category weights: share of started-or-due projects in each performance band.
CATEGORIES = (("on_pace", 0.58), ("behind", 0.20), ("worse", 0.08), ("ahead", 0.08),
              ("not_started", 0.06))

ISSUES = {
    "land": ("项目用地手续尚未办结，农用地转用正在省自然资源厅审查", "土地征收补偿未完成，部分地块未交付",
             "用地预审与选址意见尚未取得"),
    "funds": ("项目资本金到位不足，银行贷款尚未审批", "专项债券资金尚未拨付到位，施工单位垫资困难",
              "中央预算内资金尚未下达，配套资金缺口较大"),
    "approval": ("环评批复尚未取得，正在补充专家意见", "施工图审查尚未完成，施工许可未办理",
                 "可研批复延迟，初步设计正在修改"),
    "energy": ("能耗指标尚未落实，节能审查未通过", "用能权指标缺口较大，正在申请省级统筹"),
    "weather": ("受低温大风天气影响，室外作业暂停", "冬季施工期短，混凝土浇筑受气温限制"),
    "equipment": ("主要设备到货延迟，安装进度滞后", "进口设备清关周期长，调试推迟"),
    "design": ("设计方案调整，工程量变更待审定", "招标流标一次，正在重新组织招标"),
}

STAGES = {
    "building": ("完成施工图设计及招标", "基础土方开挖及桩基施工", "主体结构施工", "主体结构封顶，砌体施工",
                 "内外装饰装修及安装工程施工", "室外配套施工，准备竣工验收"),
    "linear": ("完成初步设计及施工招标", "管沟（路基）土方施工", "完成管网（道路）{k}公里", "附属工程施工",
               "完成主体工程量约{p}%", "收尾及交工验收准备"),
    "plant": ("场地平整及临建", "设备基础施工", "厂房钢结构安装", "主要设备安装", "单机调试",
              "联动试车、准备试生产"),
    "energy": ("场平及桩基施工", "支架安装完成约{p}%", "组件安装完成约{p}%", "升压站及集电线路施工",
               "分批并网调试", "全容量并网"),
    "generic": ("前期准备", "开工建设", "完成工程量约{p}%", "完成工程量约{p}%", "完成工程量约{p}%",
                "收尾"),
}
_STAGE_BY_SECTOR = {
    "教育": "building", "卫生健康": "building", "民政": "building", "公安": "building",
    "体育": "building", "房地产": "building", "住房保障": "building", "商贸": "building",
    "文化旅游": "building", "数据中心": "building", "装备制造": "building", "民航": "building",
    "交通": "linear", "城市建设": "linear", "水利": "linear", "园区基础设施": "linear",
    "水务": "linear", "电力": "linear", "钢铁": "plant", "有色金属": "plant", "化工": "plant",
    "锂电池材料": "plant", "建材": "plant", "农产品加工": "plant", "冷链物流": "plant",
    "光伏": "energy", "新能源": "energy",
}


@dataclass
class Trajectory:
    pid: str
    category: str
    cum_wan: list[int]  # index 0..12: cumulative completed at the end of month m (index 0 = 0)
    plan_cum_wan: list[int]  # planned cumulative (序时进度) at the end of month m
    start: dt.date | None  # actual start (new) or resumption date (continuing)
    issue_kinds: tuple[str, ...] = ()
    issue_texts: tuple[str, ...] = ()
    details: dict[str, int] = field(default_factory=dict)

    def started_by(self, day: dt.date) -> bool:
        return self.start is not None and self.start <= day


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _planned_months(p: Project, shares: dict[int, float]) -> list[float]:
    """Planned amount per month (index 1..12) adding up to the annual plan."""
    out = [0.0] * 13
    start_m = 1
    if p.nature == NEW and p.planned_start.startswith("2023"):
        start_m = int(p.planned_start[5:7])
    if p.quarters_wan:
        for q, amount in enumerate(p.quarters_wan):
            months = [m for m in range(3 * q + 1, 3 * q + 4) if m >= start_m] or [3 * q + 3]
            wsum = sum(shares[m] for m in months)
            for m in months:
                out[m] += amount * shares[m] / wsum
        return out
    months = [m for m in range(start_m, 13)]
    wsum = sum(shares[m] for m in months)
    for m in months:
        out[m] = p.annual_wan * shares[m] / wsum
    return out


def _draw_category(rng: random.Random, p: Project) -> str:
    if p.nature == PREPARATORY:
        return "preparatory"
    roll, acc = rng.random(), 0.0
    for name, weight in CATEGORIES:
        acc += weight
        if roll < acc:
            break
    if name == "not_started" and p.nature != NEW:
        name = "worse"
    # the named provincial major projects are the plan's show-pieces: none is left unstarted
    if name == "not_started" and "provincial_major" in p.lists:
        name = "behind"
    return name


def _issues_for(rng: random.Random, p: Project, category: str) -> tuple[str, ...]:
    if category in ("on_pace", "ahead"):
        return ()
    kinds = ["land", "funds", "approval", "equipment", "design"]
    if p.sector in ("钢铁", "有色金属", "化工", "锂电池材料", "数据中心", "建材"):
        kinds += ["energy", "energy"]
    if category in ("preparatory", "not_started"):
        kinds = ["approval", "land", "funds", "design"]
    n = 2 if category in ("worse", "not_started") and rng.random() < 0.5 else 1
    return tuple(rng.sample(kinds, n))


def build_trajectories(plan: Plan, seed: int,
                       shares: dict[int, float] | None = None) -> dict[str, Trajectory]:
    """Cumulative completion per project for all twelve months of 2023."""
    shares = shares or DEFAULT_SHARES
    rng = random.Random(seed * 7 + 1)
    out: dict[str, Trajectory] = {}
    pace_oct = sum(shares[m] for m in range(1, 11)) / 100
    for p in plan.projects:
        category = _draw_category(rng, p)
        planned = _planned_months(p, shares)
        plan_cum = [0] * 13
        acc = 0.0
        for m in range(1, 13):
            acc += planned[m]
            plan_cum[m] = int(round(acc))
        kinds = _issues_for(rng, p, category)
        texts = tuple(rng.choice(ISSUES[k]) for k in kinds)
        if category in ("preparatory", "not_started") or p.annual_wan <= 0:
            out[p.pid] = Trajectory(p.pid, category, [0] * 13, plan_cum, None, kinds, texts)
            continue
        gap = {"on_pace": rng.uniform(-5, 5), "behind": rng.uniform(10, 30),
               "worse": rng.uniform(35, 60), "ahead": -rng.uniform(6, 18)}[category]
        perf = max(0.05, 1 - gap / 100 / pace_oct)
        delay = 0
        if p.nature == NEW:
            delay = {"on_pace": 0, "ahead": 0, "behind": rng.choice((0, 1, 1)),
                     "worse": rng.choice((1, 2, 2, 3))}[category]
            start_m = int(p.planned_start[5:7]) if p.planned_start.startswith("2023") else 4
            start_m = min(12, start_m + delay)
            if category == "ahead" and start_m > 3 and rng.random() < 0.5:
                start_m -= 1  # started a month early
            start = dt.date(2023, start_m, rng.randint(3, 26))
        else:
            late = category in ("worse",) and rng.random() < 0.5
            start = dt.date(2023, 3 if not late else 4, rng.randint(1, 25)) if rng.random() < 0.7 \
                or late else dt.date(2023, 2, rng.randint(15, 27))
        cum = [0] * 13
        total = 0.0
        for m in range(1, 13):
            src = m - delay
            step = planned[src] if src >= 1 else 0.0
            if month_end(2023, m) < start:
                # before the (re)start: nothing done; the planned amount is not caught up
                continue
            total += step * perf * rng.uniform(0.8, 1.2)
            cum[m] = int(round(total))
        # keep cumulative values within the project's total investment
        cap = max(0, p.total_wan)
        cum = [min(c, cap) for c in cum]
        out[p.pid] = Trajectory(p.pid, category, cum, plan_cum, start, kinds, texts,
                                {"delay": delay})
    return out


def image_progress(p: Project, traj: Trajectory, month: int) -> str:
    """形象进度 text for a project at the end of ``month``."""
    if traj.category == "preparatory":
        return "开展前期工作，" + ("可研编制中" if traj.pid[-1] in "02468" else "办理用地及规划手续")
    if not traj.started_by(month_end(2023, month)):
        if p.nature == CONTINUING:
            return "冬季停工，计划3月复工"
        if traj.category == "not_started":
            return "尚未开工，" + ("正在办理施工许可" if traj.pid[-1] in "13579" else "正在开展招投标")
        return "前期手续办理中，计划" + (p.planned_start[5:7].lstrip("0") + "月开工"
                                        if p.planned_start else "年内开工")
    annual = max(1, p.annual_wan)
    share = traj.cum_wan[month] / annual
    # physical stage: continuing projects are past their groundwork (started before 2023); a new
    # project's first year carries it to the middle stages, further only when far ahead
    stage = 0.3 + 0.55 * share if p.nature == CONTINUING else 0.75 * share
    kind = _STAGE_BY_SECTOR.get(p.sector, "generic")
    stages = STAGES[kind]
    idx = min(len(stages) - 1, int(stage * len(stages)))
    text = stages[idx].format(p=max(5, min(99, int(round(share * 100 / 5)) * 5)),
                              k=max(1, int(share * 12)))
    if p.nature == CONTINUING and month <= 4 and traj.start:
        text = f"{traj.start.month}月{traj.start.day}日已复工，" + text
    return text


def issues_text(traj: Trajectory, month: int, p: Project | None = None) -> str:
    """存在问题 for the report of ``month``; early months mention the weather. A new project not
    yet due to start reports nothing unless it is the one that will not start."""
    if (p is not None and p.nature == NEW and traj.category != "not_started"
            and not traj.started_by(month_end(2023, month))
            and p.planned_start > f"2023-{month:02d}"):
        return ""
    texts = list(traj.issue_texts)
    if month <= 3 and traj.category != "preparatory" and traj.pid[-1] in "0369":
        texts.insert(0, ISSUES["weather"][0])
    if not texts:
        return "无" if traj.pid[-1] in "12" else ""
    return "；".join(texts)


def weekly_periods(year: int, month: int, n: int = 3) -> list[tuple[int, dt.date, dt.date]]:
    """The last ``n`` ISO weeks of a month: (week number, Monday, Sunday), the last one holding
    the month's last day (October 2023: weeks 42, 43, 44)."""
    last = month_end(year, month)
    monday = last - dt.timedelta(days=last.weekday())
    weeks = []
    for k in range(n - 1, -1, -1):
        mon = monday - dt.timedelta(weeks=k)
        weeks.append((mon.isocalendar()[1], mon, mon + dt.timedelta(days=6)))
    return weeks


def cum_at(traj: Trajectory, day: dt.date) -> int:
    """Cumulative completion on a given day of 2023, linear within the month."""
    m = day.month
    prev = traj.cum_wan[m - 1]
    frac = day.day / calendar.monthrange(day.year, m)[1]
    return int(round(prev + (traj.cum_wan[m] - prev) * frac))
