"""Benchmarks for jygproj: `python -m benchmarks [PATTERN] [--repeat N]` (or `make bench`).

Each `benchmarks/bench_*.py` module defines ``cases() -> list[Case]``. Every case runs in a fresh
subprocess (so peak memory is its own), several times; the harness reports the median with min and
max, and the machine it ran on, into benchmarks/results.json and benchmarks/RESULTS.md.
"""
