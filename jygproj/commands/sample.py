"""`jygproj sample DIR [--seed N] [--as-of YYYY-MM]`: write the embedded 2023 sample data set."""

from __future__ import annotations

from pathlib import Path

from jygproj.reference import ReferenceDataError


def add_parser(sub) -> None:
    p = sub.add_parser(
        "sample",
        help="生成2023年样例数据工作簿（样例数据，非官方数据） / write the sample workbooks",
        description="按嘉政办发〔2023〕39号的数字生成与方案完全一致的样例清单、调度表、投资基数和储备库工作簿。"
        "同一种子、同一截止月份生成的文件逐字节相同。Deterministic: same seed, same bytes.",
    )
    p.add_argument("dir", type=Path, help="输出目录，如 data/sample/2023")
    p.add_argument("--seed", type=int, default=None, help="随机种子（默认 2023）")
    p.add_argument("--as-of", dest="as_of", default=None,
                   help="调度截止月份 YYYY-MM（默认 2023-10，即截至10月底）")
    p.set_defaults(func=run)


def run(args) -> int:
    from jygproj.sample import DEFAULT_AS_OF, DEFAULT_SEED, generate, parse_as_of

    seed = DEFAULT_SEED if args.seed is None else args.seed
    as_of = args.as_of or DEFAULT_AS_OF
    try:
        parse_as_of(as_of)
    except ValueError as exc:
        print(f"用法错误 [bad_as_of]: {exc}")
        return 2
    try:
        written = generate(args.dir, seed=seed, as_of=as_of)
    except ReferenceDataError as exc:
        print(f"错误：{exc}")
        return 1
    print(f"已生成 {len(written)} 个文件（样例数据，非官方数据）到 {args.dir}")
    for path in written:
        print(f"  {path.name}")
    return 0
