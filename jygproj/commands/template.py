"""`jygproj template DIR [--year Y] [--month M]`: blank input workbooks for the offices."""

from __future__ import annotations

from pathlib import Path


def add_parser(sub) -> None:
    p = sub.add_parser(
        "template",
        help="生成各清单和调度表的空白填报模板 / write blank input templates",
        description="按官方版式生成空白填报模板：每个清单一个工作簿、调度表一个工作簿；含下拉列表（建设性质、清单、"
        "责任单位、是否开工）、金额格式、锁定表头和“填报说明”工作表。",
    )
    p.add_argument("dir", type=Path, help="输出目录")
    p.add_argument("--year", type=int, default=None, help="年度（默认：内置样例的年度）；填报说明引用该年度的方案")
    p.add_argument("--month", type=int, default=12, help="调度表的截止月份 X（“1-X月完成投资”，默认 12）")
    p.set_defaults(func=run)


def run(args) -> int:
    from jygproj.templates import write_templates

    if not 2 <= args.month <= 12:
        print(f"用法错误 [bad_month]: 月份应为 2-12（1-2月合并填报），实际为 {args.month}")
        return 2
    from jygproj import paths
    from jygproj.errors import JygprojError

    try:
        written = write_templates(args.dir, year=args.year or paths.SAMPLE_YEAR, month=args.month)
    except JygprojError as exc:  # no plan for that year: the guide cannot cite one
        print(f"错误：{exc}")
        return 1
    print(f"已生成 {len(written)} 个填报模板到 {args.dir}")
    for path in written:
        print(f"  {path.name}")
    return 0
