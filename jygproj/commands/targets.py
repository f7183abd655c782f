"""`jygproj targets YEAR [--json]`: the plan's targets with unit and clause."""

from __future__ import annotations

import json

from jygproj.errors import JygprojError
from jygproj.schema import QUARTER_LABELS


def add_parser(sub) -> None:
    p = sub.add_parser(
        "targets",
        help="列出方案目标（每个数字带单位和条款） / list the plan's targets",
        description="列出某年度方案的全部目标数字，含单位与出处条款。Amounts stay in 亿元 as the plan states them.",
    )
    p.add_argument("year", type=int, help="年度，如 2023")
    p.add_argument("--json", action="store_true", help="以 JSON 输出（key, value, unit, clause, description）")
    p.set_defaults(func=run)


def run(args) -> int:
    from jygproj.plan import load_plan

    try:
        plan = load_plan(args.year)  # the whole plan: targets, and the sections that refer to them
    except JygprojError as exc:
        print(f"错误：{exc}")
        return 1
    targets = plan.targets
    if args.json:
        print(json.dumps(targets.as_json(), ensure_ascii=False, indent=2))
        return 0
    if plan.note:
        print(plan.note)
    print(f"{targets.title}（{targets.document}）— {len(targets.items)} 项目标")
    for t in targets.items.values():
        value = f"{t.value:g}"
        print(f"  {t.clause:<7} {t.key:<48} {value:>8} {t.unit:<3} {t.description}")
    for n in targets.named.values():
        print(f"  {n.clause:<7} {n.description}：{'、'.join(n.names)}")
    w = plan.words
    print(f"增长目标：{w.pct}，{w.early}（{w.span}累计）完成；考核要求 {len(plan.requirements)} 项：")
    for r in plan.requirements:
        per = f"（{QUARTER_LABELS[r.quarter]}计划新开工{r.planned_count}个）" if r.quarter else ""
        print(f"  {r.clause:<7} {r.label}{per}" + (f"（{r.note}）" if r.note else ""))
    return 0
