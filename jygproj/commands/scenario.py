"""`jygproj scenario [--levers FILE] [--set name=value ...] [--json]`: the what-if engine from the
command line, printing the headline figures of each scenario (issue 6)."""

from __future__ import annotations

import json
from pathlib import Path

from jygproj.errors import JygprojError
from jygproj.report.formats import yi
from jygproj.schema import READING_NAMES
from jygproj.scenario.files import (BASELINE_NAME, Scenario, compare, load_planner, load_scenarios,
                                    scenario_levers, write_summary)
from jygproj.commands.table import text_table
from jygproj.scenario.levers import apply_changes, parse_set, project_ids


def add_parser(sub) -> None:
    p = sub.add_parser(
        "scenario",
        help="情景推演：方案增长目标能否按期（提前）实现 / what-if scenario headline figures",
        description="按杠杆（清单进度倍数、新开工推迟、开工概率、指定项目加快/推迟/剔除、储备项目提前开工、"
        "清单外投资增速、口径）推演全年固定资产投资，输出达到方案增长目标的月份、目标月末差额（亿元）和概率。"
        "杠杆说明见 data/reference/scenario_levers.yaml。",
    )
    p.add_argument("--data", default=None, help="数据目录（相对路径从当前目录算起；默认：内置样例 data/sample/<年度>）")
    p.add_argument("--as-of", dest="as_of", default=None, help="推演基准月 YYYY-MM（默认：基数表最新月份）")
    p.add_argument("--levers", type=Path, default=None, help="情景文件（YAML，见 notebooks/params/scenario_*.yaml）")
    p.add_argument("--scenario", default=None, help="只运行情景文件中的这一个情景（按名称）")
    p.add_argument("--set", dest="sets", action="append", default=[], metavar="NAME=VALUE",
                   help="在情景之上再改一个杠杆，可重复：pace_by_list.产业投资项目=1.2（或 industrial）、"
                   "headline=总量口径、exclude=<项目代码或名称>、accelerate.<代码或名称>=1.3、reserve_pull.<代码>=11:5000")
    p.add_argument("--draws", type=int, default=None,
                   help="蒙特卡洛抽样次数（默认：预测模型的抽样次数，与季度报告相同；0 为不抽样）")
    p.add_argument("--seed", type=int, default=None, help="随机种子（默认：预测模型的种子；同一种子结果相同）")
    p.add_argument("--out", type=Path, default=None, help="把情景摘要（JSON/CSV）写入此目录")
    p.add_argument("--json", action="store_true", help="以 JSON 输出各情景的主要数字")
    from jygproj.commands.quarterly import add_allow_errors

    add_allow_errors(p)
    p.set_defaults(func=run)


def run(args) -> int:
    if args.draws is not None and args.draws < 0:
        print("错误 [bad_draws]: --draws 不能为负数")
        return 2
    from jygproj import runs
    from jygproj.commands.quarterly import REFUSED_HINT
    from jygproj.report.review_text import left_out_text

    try:
        planner, dataset = load_planner(args.data, as_of=args.as_of, draws=args.draws or None, seed=args.seed)
        # the publish gate (issue 13): inputs with errors are refused unless --allow-errors
        runs.publish_gate(dataset.problems, args.allow_errors)
    except runs.InputErrorsError as exc:
        print(f"错误：{exc}\n{REFUSED_HINT}")
        return 1
    except JygprojError as exc:
        print(f"错误：{exc}")
        return 1
    left_out = runs.left_out_sheets(dataset)
    try:
        scenarios = load_scenarios(args.levers) if args.levers else [Scenario(BASELINE_NAME)]
        if args.scenario:
            if args.scenario not in {s.name for s in scenarios}:
                print(f"错误 [unknown_scenario]: 情景文件中没有 {args.scenario!r}（有：{'、'.join(s.name for s in scenarios)}）")
                return 2
        # codes or the user's words: 产业投资项目 for industrial, a project's name for its code
        extra = project_ids(parse_set(args.sets, planner.specs), planner.model.names_by_id())
        results = []
        for s in scenarios:
            if args.scenario and s.name != args.scenario:
                continue
            levers = apply_changes(scenario_levers(scenarios, s.name, planner.specs), extra, planner.specs,
                                   where="--set")
            name = s.name if not extra else f"{s.name}（命令行调整）"
            results.append(planner.run(levers, name, monte_carlo=args.draws != 0))
    except JygprojError as exc:  # a lever, scenario file or reference file that cannot be used
        print(f"错误：{exc}")
        return 2
    if args.out:
        write_summary(args.out, results)
    if args.json:
        print(json.dumps({"data_problems": int(dataset.problems.height),
                          "left_out_sheets": left_out.to_dicts(),
                          "scenarios": [r.headline() for r in results]}, ensure_ascii=False, indent=2, default=str))
        return 0
    if left_out.height:  # first, before any figure: what the figures are missing
        print(left_out_text(left_out, markdown=False))
        print()
    m = planner.model
    words = planner.words
    default = planner.baseline.headline
    print(f"情景推演（{m.year}年1-{m.as_of_month}月实际，{m.as_of_month + 1}-12月推演；目标增速 {words.pct}，"
          f"{words.span}达成）")
    if not m.levers_apply:
        print("注意：已公布月份不足，预测按全市自身近期强度推算，清单项目类杠杆暂不起作用。")
    if not m.result.registration_known:
        print("注意：调度表和项目清单未提供是否入库信息，本年新开工项目的入库按一般入库时滞推算。")
    for r in results:
        keys = [r.levers.headline] + [k for k in ("rate", "level") if k != r.levers.headline]
        print(f"\n【{r.name}】")
        if r.levers.headline != default:  # never silent: the scenario leads with another reading
            print(f"  注意：本情景改用{READING_NAMES[r.levers.headline]}为主口径（默认{READING_NAMES[default]}），两种口径均列示")
        for i, key in enumerate(keys):
            h = r.outcome.readings[key]
            met = f"{h.met_month}月" if h.met_month else "年内未达到"
            prob = (f"；{words.month}末达到的概率 {r.mc.probability[key]:.0%}（{r.mc.draws} 次抽样，种子 {r.mc.seed}）"
                    if r.mc is not None else "")
            print(f"  {'主口径' if i == 0 else '参考口径'} {h.label}：达到月份 {met}；{words.month}末"
                  f"{'超出' if h.margin_wan >= 0 else '差'} {yi(abs(h.margin_wan))}{prob}")
            if h.extra_per_month_wan > 0:
                print(f"    剩余每月需追加投资：{yi(h.extra_per_month_wan)}")
        for row in r.diff.iter_rows(named=True):
            print(f"  调整：{row['杠杆']} {row['对象']} {row['基准值']} → {row['情景值']} {row['备注']}".rstrip())
    if args.levers:  # scenarios side by side, the baseline first
        table = compare(results if any(r.name == BASELINE_NAME for r in results)
                        else [planner.run(planner.baseline, BASELINE_NAME, monte_carlo=args.draws != 0,
                                          with_tornado=False), *results])
        print()
        print(text_table(table.columns, table.rows()))
    return 0
