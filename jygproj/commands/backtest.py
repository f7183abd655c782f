"""`jygproj backtest [--data DIR] [--as-of YYYY-MM] [--json]`: how well the FAI forecast did on months
hidden from it (预测可信度, issue 14).

For every published month m of the baseline's years (2023 with the listed projects' scheduling
tables, earlier years from the city's own figures), the forecast made with the data up to m is
compared with the published cumulative growth of month m+1 and of November (the plan's "one month
early", 一). Prints a Chinese table, or with ``--json``:
``{"cases": [{"as_of", "month", "predicted_growth_pct", "actual_growth_pct", "p10_growth_pct",
"p90_growth_pct", …}], "mae_pp": …, …}``.

Not registered in jygproj/cli.py on this branch (branch speed owns it): add "backtest" to
``cli.COMMANDS`` to enable it.
"""

from __future__ import annotations

import json
from pathlib import Path

from jygproj.errors import JygprojError

HEADER = ("预测基准月", "预测月份", "提前月数", "预测累计增速(%)", "实际累计增速(%)", "误差(百分点)", "P10(%)", "P90(%)", "落入区间")


def add_parser(sub) -> None:
    p = sub.add_parser(
        "backtest",
        help="预测回测：用当时可得的数据预测下月和11月累计增速，与实际比较 / backtest the FAI forecast",
        description="对基数表中每个已公布的月份，只用截至该月的数据预测下一个月和11月的累计增速，与公布数比较，"
        "给出平均绝对误差（百分点）和P10–P90区间的覆盖率。Forecasts on months hidden from them.",
    )
    p.add_argument("--data", type=Path, default=None, help="数据目录（默认内置样例数据 data/sample/2023）")
    p.add_argument("--as-of", dest="as_of", default=None,
                   help="只用截至该月（YYYY-MM）的数据，如 2023-09（默认：基数表中最新公布的月份）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出（cases、mae_pp 等）")
    p.set_defaults(func=run)


def run(args) -> int:
    from jygproj import ledger, paths
    from jygproj.forecast import backtest, cut
    from jygproj.forecast.settings import load_forecast_settings
    from jygproj.io import load_dataset
    from jygproj.reference import ReferenceDataError, load_seasonal_profile
    from jygproj.scenario.files import default_as_of

    data = args.data or paths.SAMPLE_2023
    if not Path(data).is_dir():
        print(f"用法错误 [data_not_found]: 数据目录不存在：{data}")
        return 2
    try:
        profile = load_seasonal_profile()
        settings = load_forecast_settings()
        ds = load_dataset(Path(data))
        as_of = args.as_of or default_as_of(ds.baseline)
        period = ledger.parse_period(as_of)
    except ReferenceDataError as exc:
        print(f"错误 [{exc.code}]: {exc}")
        return 1
    except ValueError as exc:
        print(f"用法错误 [bad_as_of]: {exc}")
        return 2
    errors = ds.problems.filter(ds.problems["severity"] == "error").height if ds.problems.height else 0
    base, prog = cut(ds.baseline, ds.progress, period.year, period.month)
    try:
        cases = backtest.run(ds.projects, ds.memberships, prog, base, profile=profile, settings=settings.model,
                             draws=settings.draws // 2, seed=settings.seed,
                             default_sigma=settings.default_model_sigma)
    except JygprojError as exc:
        print(f"错误: {exc}")
        return 1
    out = backtest.summary(cases) | {"as_of": as_of, "input_errors": errors,
                                     "registration_known": "registered" in prog.columns or "registered" in ds.projects.columns}
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    if errors:
        print(f"注意：输入数据有 {errors} 处错误，相关行未读入（运行 jygproj check 查看），回测结果可能受影响。")
    if not out["registration_known"]:
        print("注意：调度表未提供是否入库信息，清单项目按首次填报即入库计算，统计数与调度数无法逐项目区分。")
    print(f"预测可信度（回测，截至{as_of}，共{len(cases)}个预测）")
    print("  ".join(HEADER))
    for c in cases:
        print("  ".join((f"{c.year}年{c.as_of_month}月", f"{c.month}月", str(c.horizon), f"{c.predicted_growth_pct:.2f}",
                         f"{c.actual_growth_pct:.2f}", f"{c.error_pp:+.2f}", f"{c.p10_growth_pct:.2f}",
                         f"{c.p90_growth_pct:.2f}", "是" if c.covered else "否")))
    print(f"平均绝对误差：全部 {out['mae_pp']} 个百分点；下月 {out['mae_pp_next_month']}；11月 {out['mae_pp_target_month']}；"
          f"对照（沿用当月累计增速）{out['hold_mae_pp']}。P10–P90 覆盖率 {out['coverage_p10_p90']:.0%}。")
    return 0
