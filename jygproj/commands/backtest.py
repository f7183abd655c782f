"""`jygproj backtest [--data DIR] [--as-of YYYY-MM] [--json]`: how well the FAI forecast did on months
hidden from it (预测可信度, issue 14).

Through the front door (jygproj.open: the data folder, its year's plan, one evaluation date): for
every published month m of the baseline's years up to the as-of month (the current year with the
listed projects' scheduling tables as they stood on m's evaluation date, earlier years from the
city's own figures), the forecast made with the data up to m is compared with the published
cumulative growth of month m+1 and of the plan's target month (jygproj.plan). Prints a Chinese
table, or with ``--json`` exactly ``{"cases": [{"as_of", "month", "predicted_growth_pct",
"actual_growth_pct", "p10_growth_pct", "p90_growth_pct"}, …], "mae_pp": …}`` (cumulative growth of
the month predicted, %; mae_pp: mean absolute error over every case, percentage points).
"""

from __future__ import annotations

import json

from jygproj.errors import JygprojError

HEADER = ("预测基准月", "预测月份", "提前月数", "预测累计增速(%)", "实际累计增速(%)", "误差(百分点)", "下限(%)", "上限(%)", "落入80%把握区间")
JSON_CASE_KEYS = ("as_of", "month", "predicted_growth_pct", "actual_growth_pct", "p10_growth_pct", "p90_growth_pct")


def add_parser(sub) -> None:
    p = sub.add_parser(
        "backtest",
        help="预测回测：用当时可得的数据预测下月和目标月累计增速，与实际比较 / backtest the FAI forecast",
        description="对基数表中每个已公布的月份，只用截至该月（按当时的评估日）可得的数据预测下一个月和方案目标月的累计增速，"
        "与公布数比较，给出平均绝对误差（百分点）和80%把握区间的覆盖率。Forecasts on months hidden from them.",
    )
    p.add_argument("--data", default=None, help="数据目录（相对路径从当前目录算起；默认：内置样例 data/sample/<年度>）")
    p.add_argument("--as-of", dest="as_of", default=None,
                   help="只用截至该月（YYYY-MM）的数据，如 2023-09（默认：基数表中最新公布的月份）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出：cases（as_of、month、预测与实际累计增速、P10、P90）与 mae_pp")
    p.set_defaults(func=run)


def json_shape(cases) -> dict:
    """The issue's JSON: cases with exactly JSON_CASE_KEYS, and mae_pp."""
    from jygproj.forecast import backtest

    out = backtest.summary(cases)
    return {"cases": [{k: c[k] for k in JSON_CASE_KEYS} for c in out["cases"]], "mae_pp": out["mae_pp"]}


def run(args) -> int:
    import jygproj
    from jygproj.errors import UsageError

    try:
        wb = jygproj.open(args.data, as_of=args.as_of)
        fc = wb.forecast()
    except UsageError as exc:
        print(f"用法错误：{exc}")
        return 2
    except JygprojError as exc:
        print(f"错误：{exc}")
        return 1
    if args.json:
        print(json.dumps(json_shape(fc.cases), ensure_ascii=False, indent=2))
        return 0
    problems = wb.problems
    errors = problems.filter(problems["severity"] == "error").height if problems.height else 0
    if errors:
        print(f"注意：输入数据有 {errors} 处错误，相关行未读入（运行 jygproj check 查看），回测结果可能受影响。")
    if not fc.registration_known:
        print("注意：调度表和项目清单未提供是否入库信息，本年新开工项目的入库按一般入库时滞推算，统计数与调度数无法逐项目区分。")
    out = fc.backtest_summary()
    print(f"预测可信度（回测，数据截至{wb.evaluation.year}年{wb.evaluation.month}月，共{len(fc.cases)}个预测）")
    print("  ".join(HEADER))
    for c in fc.cases:
        print("  ".join((f"{c.year}年{c.as_of_month}月", f"{c.month}月", str(c.horizon), f"{c.predicted_growth_pct:.2f}",
                         f"{c.actual_growth_pct:.2f}", f"{c.error_pp:+.2f}", f"{c.p10_growth_pct:.2f}",
                         f"{c.p90_growth_pct:.2f}", "是" if c.covered else "否")))
    target = f"；{wb.plan.words.month} {out['mae_pp_target_month']}" if out["mae_pp_target_month"] is not None else ""
    print(f"平均绝对误差（百分点）：全部 {out['mae_pp']}；下月 {out['mae_pp_next_month']}{target}；"
          f"对照（沿用当月累计增速）{out['hold_mae_pp']}。P10–P90 覆盖率 {out['coverage_p10_p90']:.0%}。")
    return 0
