"""The embedded sample: a realistic, synthetic 2023 data set for Jiayuguan that reconciles exactly
with the plan 嘉政办发〔2023〕39号, written as the workbooks a user would receive (issue 4).

``generate(out_dir, seed, as_of)`` is deterministic: the same seed and as-of month give the same
bytes. Every file says 样例数据 in its name and title; nothing in it is an official figure.

Modules: catalogue (names, units, leaders), plan (lists reconciled with the plan), progress
(monthly curves and performance spread), baseline (FAI base), reserve (reserve pool), workbook
(office layouts), xlsx (openpyxl helpers, deterministic save), readme (data/sample README).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from jygproj.schema import LISTS

# The generators are imported by the functions that use them: the report kernels import
# jygproj.sample.xlsx (the shared looks of the reply forms, jygproj.followups.form), which runs this
# package's __init__ first, and never generate a sample (issue 18: ~10 ms a kernel).
if TYPE_CHECKING:
    from jygproj.sample.baseline import BaselineRow, FaiTruth
    from jygproj.sample.plan import Plan
    from jygproj.sample.progress import Trajectory
    from jygproj.sample.registration import Registration
    from jygproj.sample.replies import Story
    from jygproj.sample.reserve import ReserveProject

DEFAULT_SEED = 2023
DEFAULT_AS_OF = "2023-10"
REGISTER_LISTS = ("provincial_major", "provincial_key", "leader_package", "government",
                  "industrial", "real_estate")


@dataclass
class Sample:
    """Everything the generator decided, before it is written (tests and README read this)."""

    plan: Plan
    trajectories: dict[str, Trajectory]
    baseline: list[BaselineRow]  # 2021–2023 (each year with the prior year's comparable base)
    reserve: list[ReserveProject]
    as_of_month: int
    correction: tuple[int, dict[str, int]] | None  # (month, erroneous first figures) on industrial
    registration: dict[str, Registration] | None = None  # 入库 and the hidden statistical ratio
    fai: FaiTruth | None = None  # the city's FAI as generated (the truth a backtest is scored on)
    story: Story | None = None  # the follow-up story: projects that caught up after the Q2 letters


def parse_as_of(as_of: str) -> int:
    """"2023-10" → 10. The sample covers 2023 only; January is reported with February."""
    m = re.fullmatch(r"2023-(\d{2})", as_of or "")
    if not m or not 2 <= int(m[1]) <= 12:
        raise ValueError(f"as-of 应为 2023-02 至 2023-12 的月份，如 2023-10，实际为 {as_of!r}")
    return int(m[1])


def build_sample(targets, seed: int = DEFAULT_SEED, as_of: str = DEFAULT_AS_OF,
                 shares: dict[int, float] | None = None) -> Sample:
    """Decide every figure. ``targets``: jygproj.reference.Targets; ``shares``: the seasonal
    profile in % by month (data/reference/seasonal_profile.yaml), or the built-in copy."""
    from jygproj.sample.baseline import build_baseline, build_fai
    from jygproj.sample.plan import build_plan
    from jygproj.sample.progress import build_trajectories
    from jygproj.sample.registration import build_registration, listed_statistical_wan
    from jygproj.sample.replies import apply_story
    from jygproj.sample.reserve import build_reserve

    month = parse_as_of(as_of)
    plan = build_plan(targets, seed)
    trajs = build_trajectories(plan, seed, shares)
    registration = build_registration(plan, trajs, seed)
    reported = [sum(t.cum_wan[m] for t in trajs.values()) for m in range(13)]  # each project once
    fai = build_fai(listed_statistical_wan(plan, trajs, registration), reported, seed)
    baseline = build_baseline(fai, month)
    reserve = build_reserve(seed)
    correction = _correction(plan, trajs, month, seed)
    story = apply_story(plan, trajs, correction, month)  # after the FAI figures: the statistics do not move
    if story is not None:  # …but the scheduling tables (调度数) do
        fai.listed_reported_wan.update({m: sum(t.cum_wan[m] for t in trajs.values()) for m in fai.listed_reported_wan})
    return Sample(plan, trajs, baseline, reserve, month, correction, registration, fai, story)


def _correction(plan: Plan, trajs: dict[str, Trajectory], as_of_month: int, seed: int):
    """A first submission with three typing errors, resubmitted as （更正） (layout.md)."""
    month = as_of_month - 2
    if month < 2:
        return None
    rng = random.Random(seed * 13 + 5)
    candidates = [p for p in plan.on("industrial")
                  if trajs[p.pid].cum_wan[month] >= 1000 and trajs[p.pid].cum_wan[month - 1] > 0]
    picks = rng.sample(candidates, 3)
    wrong: dict[str, int] = {}
    true0 = trajs[picks[0].pid].cum_wan[month]
    # an extra zero typed; where that would exceed the total investment (which a loader rejects
    # outright), a wrong leading digit instead — both plausible enough to pass unnoticed
    wrong[picks[0].pid] = true0 * 10 if true0 * 10 <= picks[0].total_wan else \
        min(picks[0].total_wan, true0 + 10 ** (len(str(true0)) - 1))
    wrong[picks[1].pid] = trajs[picks[1].pid].cum_wan[month - 1]  # last month's figure left in
    digits = str(trajs[picks[2].pid].cum_wan[month])
    swapped = digits[0] + digits[2] + digits[1] + digits[3:] if digits[1] != digits[2] else digits + "0"
    wrong[picks[2].pid] = int(swapped)  # two digits swapped
    return month, wrong


def file_names(as_of_month: int) -> dict[str, str]:
    """Logical name → file name of every workbook the sample writes."""
    from jygproj.sample import workbook as wbk
    from jygproj.sample.progress import weekly_periods

    out = {f"register:{k}": f"2023年{LISTS[k]}清单（样例数据）.xlsx" for k in REGISTER_LISTS}
    for k in wbk.PROGRESS_LISTS:
        for m in range(2, as_of_month + 1):
            out[f"progress:{k}:{m}"] = f"2023年1-{m}月{LISTS[k]}调度表（样例数据）.xlsx"
    if as_of_month - 2 >= 2:
        m = as_of_month - 2
        out[f"correction:industrial:{m}"] = f"2023年1-{m}月{LISTS['industrial']}调度表（更正）（样例数据）.xlsx"
    for week, _, _ in weekly_periods(2023, as_of_month):
        out[f"weekly:government:{week}"] = f"2023年{LISTS['government']}周调度表第{week}周（样例数据）.xlsx"
    out["baseline"] = "嘉峪关市固定资产投资月度累计（样例数据）.xlsx"
    out["reserve"] = "嘉峪关市2023年项目储备库（样例数据）.xlsx"
    return out


def write_sample(sample: Sample, out_dir: Path, seed: int = DEFAULT_SEED) -> list[Path]:
    """Write every workbook and the README into ``out_dir``; returns the paths written."""
    from jygproj.sample import workbook as wbk
    from jygproj.sample.progress import weekly_periods
    from jygproj.sample.readme import readme_text
    from jygproj.sample.replies import write_replies

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    names = file_names(sample.as_of_month)
    rng = random.Random(seed * 17 + 9)
    written: list[Path] = []
    styles = wbk.register_styles()
    for k in REGISTER_LISTS:
        written.append(wbk.write_register(sample.plan, styles[k], out_dir / names[f"register:{k}"], rng,
                                          sample.registration))
    for k in wbk.PROGRESS_LISTS:
        for m in range(2, sample.as_of_month + 1):
            overrides = None
            if sample.correction and k == "industrial" and m == sample.correction[0]:
                overrides = sample.correction[1]
            written.append(wbk.write_progress(
                sample.plan, sample.trajectories, k, m, out_dir / names[f"progress:{k}:{m}"],
                wbk.reported_on(m, k), overrides=overrides, registration=sample.registration))
    if sample.correction:
        m = sample.correction[0]
        first = wbk.reported_on(m, "industrial")
        written.append(wbk.write_progress(
            sample.plan, sample.trajectories, "industrial", m,
            out_dir / names[f"correction:industrial:{m}"],
            first.replace(day=first.day + 6), correction=True, registration=sample.registration))
    for week, monday, sunday in weekly_periods(2023, sample.as_of_month):
        written.append(wbk.write_weekly(sample.plan, sample.trajectories, week, monday, sunday,
                                        out_dir / names[f"weekly:government:{week}"]))
    written.append(wbk.write_baseline(sample.baseline, out_dir / names["baseline"]))
    written.append(wbk.write_reserve(sample.reserve, out_dir / names["reserve"]))
    written += write_replies(sample, out_dir, seed)  # the units' replies to the Q2 letters (督办反馈/)
    readme = out_dir / "README.md"
    readme.write_text(readme_text(sample, seed, [p.relative_to(out_dir).as_posix() for p in written]),
                      encoding="utf-8")
    written.append(readme)
    return written


def reference_shares(fractions: dict[int, float]) -> dict[int, float]:
    """The reference profile (fractions) as % per month, rounded so float noise cannot change bytes."""
    return {m: round(v * 100, 6) for m, v in fractions.items()}


def generate(out_dir: Path, seed: int = DEFAULT_SEED, as_of: str = DEFAULT_AS_OF, targets=None,
             shares: dict[int, float] | None = None) -> list[Path]:
    """Build and write the sample (the `jygproj sample` command)."""
    from jygproj.reference import load_seasonal_profile, load_targets

    if targets is None:
        targets = load_targets(2023)
    if shares is None:
        shares = reference_shares(load_seasonal_profile())
    return write_sample(build_sample(targets, seed, as_of, shares), out_dir, seed)


__all__ = ["DEFAULT_SEED", "DEFAULT_AS_OF", "Sample", "build_sample", "write_sample", "generate",
           "file_names", "parse_as_of"]
