"""`jygproj reserve [--as-of YYYY-MM] [--data DIR] [--out DIR] [--json]`: the reserve pipeline report.

Runs notebooks/20_reserve_pipeline.ipynb with papermill into reports/<YYYY-MM>/ (or DIR):
the executed notebook (audit record), the offline HTML report, the formatted Excel workbook and
summary.json (funnel, gap to next year, blocking steps, tier moves, funding rounds). Defaults come
from notebooks/params/reserve_<YYYY-MM>.yaml when it exists; options override them. The report
directory is replaced atomically: a failed run leaves the previous report in place. Inputs with
errors are refused, naming each bad cell, unless --allow-errors (the report then lists first the
sheets left out: runs.publish_gate).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


from jygproj import paths
from jygproj.errors import JygprojError, UsageError
from jygproj.evaluation import evaluation

NOTEBOOK = paths.NOTEBOOKS / "20_reserve_pipeline.ipynb"
DEFAULT_REVIEW = "2023-11"
PARAM_KEYS = ("review_date", "target_growth", "data_dir", "out_dir", "fai_as_of", "projected_outturn_wan",
              "continuing_next_year_wan", "other_fai_next_year_wan", "push_speedup", "durations",
              "funding_deadlines", "previous_data_dir", "previous_review_date")


def add_parser(sub) -> None:
    p = sub.add_parser(
        "reserve",
        help="项目储备库分析与次年缺口（笔记本、离线 HTML、Excel、summary.json） / reserve pipeline report",
        description="运行储备项目库笔记本（二(六)），生成 reports/<月份>/ 下的已执行笔记本、离线 HTML 报告、"
                    "正式格式的 Excel 工作簿和 summary.json（漏斗、次年缺口、卡点手续、层级调整、资金申报匹配）。"
                    "默认参数取自 notebooks/params/reserve_<月份>.yaml。",
    )
    p.add_argument("--as-of", metavar="YYYY-MM", default=DEFAULT_REVIEW,
                   help="评审月份（手续状态截至该月月底），默认 %(default)s")
    p.add_argument("--data", metavar="DIR", help="数据目录（相对路径从当前目录算起；默认：内置样例 data/sample/<年度>）")
    p.add_argument("--out", metavar="DIR", help="报告目录（相对路径从当前目录算起；默认 reports/<月份>）")
    p.add_argument("--target-growth", type=float, metavar="RATE", help="次年投资增长目标，如 0.12")
    p.add_argument("--json", action="store_true", help="运行后把 summary.json 打印到标准输出")
    from jygproj.commands.quarterly import add_allow_errors

    add_allow_errors(p)
    p.set_defaults(func=run)


def _month(text: str) -> str:
    return evaluation(text).text


def parameters(args) -> dict[str, Any]:
    """The notebook's parameters: params/reserve_<month>.yaml, then defaults, then options."""
    month = _month(args.as_of)
    from jygproj import runs

    params = runs.read_parameters(paths.NOTEBOOK_PARAMS / f"reserve_{month}.yaml", PARAM_KEYS)
    params["review_date"] = month
    if args.data:
        params["data_dir"] = args.data
    if args.out:
        params["out_dir"] = args.out
    # one path rule (jygproj.paths.resolve): the notebook gets absolute paths, whatever its working folder
    params["data_dir"] = str(paths.data_folder(params.get("data_dir"), int(month[:4])))
    params["out_dir"] = str(paths.output_folder(params.get("out_dir"), month))
    if args.target_growth is not None:
        params["target_growth"] = args.target_growth
    return params


def run(args) -> int:
    from jygproj import runs
    from jygproj.catalogue import catalogue
    from jygproj.commands.quarterly import REFUSED_HINT, say_gate
    from jygproj.ingest import load_or_ingest
    from jygproj.report.formats import yi
    from jygproj.reserve.pipeline import KIND, REFERENCE_FILES

    try:
        params = parameters(args)
        cat = catalogue(params["data_dir"])
        let_through = runs.publish_gate(load_or_ingest(cat).problems, args.allow_errors)
        say_gate(let_through)
        inputs = [*cat.paths, paths.targets_file(int(params["review_date"][:4])),
                  *(paths.REFERENCE / f for f in REFERENCE_FILES)]
        what = f"{params['review_date'][:4]}年{int(params['review_date'][5:])}月储备项目规划报告"
        print(f"正在生成{what}……", file=sys.stderr if args.json else sys.stdout, flush=True)
        result = runs.run_notebook(NOTEBOOK, Path(params["out_dir"]), params, inputs=inputs,
                                   name=paths.output_name(params["review_date"], KIND))
    except runs.InputErrorsError as exc:
        print(f"错误：{exc}\n{REFUSED_HINT}", file=sys.stderr)
        return 1
    except runs.NotebookRunError as exc:
        print(f"错误：{exc.explain(what)}", file=sys.stderr)
        return 1
    except JygprojError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2 if isinstance(exc, UsageError) else 1
    summary_path = result.run_dir / "summary.json"
    if args.json:
        print(summary_path.read_text(encoding="utf-8"))
    else:
        data = json.loads(summary_path.read_text(encoding="utf-8"))
        gap = data["gap"]
        print(f"储备项目库报告已生成：{paths.display(result.run_dir)}（用时 {result.seconds:.1f} 秒）")
        print(f"  储备项目 {data['pool']['projects']} 个；各阶段："
              + "、".join(f"{s['stage_label']} {s['projects']}" for s in data["funnel"]))
        print(f"  {data['next_year']}年需新开工项目完成 {yi(gap['needed_new_start_wan'])}，"
              f"储备项目可完成 {yi(gap['reserve_next_year_wan'])}，"
              + (f"缺口 {yi(gap['shortfall_wan'])}" if gap["shortfall_wan"] > 0 else f"富余 {yi(gap['margin_wan'])}"))
        for p in sorted(Path(result.run_dir).iterdir()):
            print(f"  {p.name}")
    return 0
