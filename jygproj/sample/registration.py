"""Statistical registration (入库) of the sample's projects, and how much of what a project reports
the statistics bureau counts (调度数 vs 统计数, domain page).

Synthetic, and labelled so in the README. The bureau counts a project only once it is registered
(“先入库，后有数”, NBS 固定资产投资统计报表制度), and then its year-to-date completion in full (“一次性全额
补报”, an Anhui 入库制度; sources in the sample README). What a project reports (调度数) is more than the bureau counts
for it: scheduling tables include spending outside the statistical scope and optimistic figures — in
Jiayuguan the provincial lists reported 99–102% of their annual plans by September 2023 while the
city's whole FAI was about the lists' planned amount (the sample README's sources). Each project gets a hidden
``stat_ratio``: the share of its reported completion that the statistics count once it is registered.
Neither the ratios nor the registration rule are written into any workbook; the forecast has to
estimate them from the city's published FAI and the 是否入库/入库时间 columns.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from jygproj.sample.plan import CONTINUING, PREPARATORY, Plan
from jygproj.sample.progress import Trajectory

#: Months from a (new) start to registration and their weights; None: not registered this year.
#: Practice: documents due by the 10th of the month after the start (铜川市王益区统计局, in forecast_model.yaml), often late.
REGISTRATION_LAG_MONTHS = ((0, 0.30), (1, 0.35), (2, 0.17), (3, 0.08), (None, 0.10))
#: Range of the share of a project's reported completion that the statistics count (uniform).
STAT_RATIO_RANGE = (0.45, 0.85)


@dataclass(frozen=True)
class Registration:
    pid: str
    registered_on: dt.date | None  # 入库时间; None: not registered (by the end of 2023)
    stat_ratio: float  # hidden: 统计数 / 调度数 of this project once registered

    def registered_by(self, day: dt.date) -> bool:
        return self.registered_on is not None and self.registered_on <= day

    def counted_from_month(self, year: int = 2023) -> int | None:
        """First month of ``year`` whose statistics include the project (13: not this year)."""
        if self.registered_on is None:
            return None
        if self.registered_on.year < year:
            return 1
        return self.registered_on.month if self.registered_on.year == year else 13


def _add_months(year: int, month: int, k: int) -> tuple[int, int]:
    n = year * 12 + month - 1 + k
    return n // 12, n % 12 + 1


def _lag(rng: random.Random) -> int | None:
    roll, acc = rng.random(), 0.0
    for lag, weight in REGISTRATION_LAG_MONTHS:
        acc += weight
        if roll < acc:
            return lag
    return None


def build_registration(plan: Plan, trajs: dict[str, Trajectory], seed: int) -> dict[str, Registration]:
    """Registration date and hidden statistical ratio per project (its own random stream, so the
    plan and the trajectories are those of the sample before registration existed)."""
    rng = random.Random(seed * 19 + 3)
    out: dict[str, Registration] = {}
    for p in plan.projects:
        t = trajs[p.pid]
        ratio = round(rng.uniform(*STAT_RATIO_RANGE), 2)
        lag = _lag(rng)
        day = rng.randint(5, 25)
        if lag is None and "provincial_major" in p.lists:
            # the ten projects the plan names (二(一)) are real: the sample does not make one of them
            # an unregistered project (as it leaves none of them unstarted)
            lag = 1
        registered_on = None
        if p.nature == CONTINUING and p.planned_start:
            # registered after its original start, usually long before 2023; a late-2022 start with a
            # long lag is registered in early 2023
            y, m = _add_months(int(p.planned_start[:4]), int(p.planned_start[5:7]), 1 + (lag or 0))
            registered_on = dt.date(y, m, day)
        elif p.nature != PREPARATORY and t.start is not None and lag is not None:
            y, m = _add_months(t.start.year, t.start.month, lag)
            registered_on = max(dt.date(y, m, day), t.start) if y == 2023 else None
        out[p.pid] = Registration(p.pid, registered_on, ratio)
    return out


def listed_statistical_wan(plan: Plan, trajs: dict[str, Trajectory],
                           registration: dict[str, Registration]) -> list[float]:
    """Index 0..12: the statistics' FAI from the listed projects at the end of each month of 2023:
    stat_ratio × the reported year-to-date completion of every project registered by that month."""
    out = [0.0] * 13
    for p in plan.projects:
        reg = registration[p.pid]
        first = reg.counted_from_month()
        if first is None:
            continue
        cum = trajs[p.pid].cum_wan
        for m in range(max(first, 1), 13):
            out[m] += reg.stat_ratio * cum[m]
    return out
