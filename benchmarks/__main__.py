"""`python -m benchmarks [PATTERN] [--repeat N]`: run the benchmarks, write results.json and RESULTS.md."""

import argparse

from benchmarks.harness import run_all, write_results

parser = argparse.ArgumentParser(prog="python -m benchmarks", description="jygproj 性能基准 / benchmarks")
parser.add_argument("pattern", nargs="?", default="", help="only cases whose name contains this text")
parser.add_argument("--repeat", type=int, help="runs per case (default: each case's own)")
args = parser.parse_args()
results = run_all(args.pattern, args.repeat)
if not args.pattern:
    write_results(results)
