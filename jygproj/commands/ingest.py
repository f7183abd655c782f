"""`jygproj ingest DATA_DIR [--out DIR] [--force]`: the Parquet copy of the ledger (issue 8)."""

from __future__ import annotations

import time

from jygproj import paths
from jygproj.catalogue import catalogue
from jygproj.errors import JygprojError
from jygproj.ingest import default_out, ingest


def add_parser(sub) -> None:
    p = sub.add_parser(
        "ingest",
        help="把工作簿转为 Parquet 副本（输入变化时才重建） / Parquet copy of the ledger",
        description="读取数据目录中的全部工作簿，写出项目、清单、调度台账、基数、储备库的 Parquet 副本及 manifest.json"
                    "（记录每个输入工作簿的 SHA-256）。输入未变化时不重建；副本由本命令生成，请勿手工修改。",
    )
    p.add_argument("data_dir", help="数据目录（相对路径从当前目录算起），如 data/sample/2023")
    p.add_argument("--out", default=None,
                   help="副本目录（默认 data/parquet/<数据目录名>）")
    p.add_argument("--force", action="store_true", help="即使输入未变化也重建")
    p.set_defaults(func=run)


def run(args) -> int:
    start = time.perf_counter()
    try:
        cat = catalogue(paths.resolve(args.data_dir))
        result = ingest(cat, paths.resolve(args.out) if args.out else None, force=args.force)
    except JygprojError as exc:
        print(f"错误：{exc}")
        return 1
    m = result.manifest
    took = time.perf_counter() - start
    out = result.out_dir if args.out else f"{result.out_dir}（默认位置 {default_out(cat.folder).parent}）"
    if not result.rebuilt:
        print(f"未重建：{result.reason}。副本：{out}（{took:.1f} 秒）")
        return 0
    rows = "，".join(f"{name} {t['rows']:,} 行" for name, t in m.get("tables", {}).items())
    print(f"已重建（{result.reason}）：{len(m.get('inputs', {}))} 个工作簿 → {out}（{took:.1f} 秒）")
    print(f"  {rows}")
    for s in cat.skipped:
        print(f"  未读取：{s.relative}（{s.reason}）")
    for f in cat.followups:  # read by the quarterly review itself (jygproj.followups), not copied
        print(f"  督办反馈工作簿（季度考核时读取，不入副本）：{f.relative}")
    problems = m.get("problems", {})
    if problems.get("error"):
        print(f"  读取时发现 {problems['error']} 个错误、{problems.get('warning', 0)} 个警告（有错误的工作表未载入；"
              f"详见副本中的 problems 表，或运行 jygproj check {args.data_dir}）")
        return 1
    if problems.get("warning"):
        print(f"  读取时发现 {problems['warning']} 个警告（详见副本中的 problems 表）")
    return 0
