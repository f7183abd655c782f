"""The benchmark harness: cases, timing in a subprocess, results files."""

from __future__ import annotations

import importlib
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
WORK = HERE / "_work"  # generated inputs (ignored by git), reused between runs


@dataclass
class Case:
    """One benchmark: ``setup()`` once (not timed) returns the argument of ``run(arg)`` (timed)."""

    name: str
    run: Callable[[Any], Any]
    setup: Callable[[], Any] = lambda: None
    repeat: int = 5
    goal_s: float | None = None  # the goal, shown beside the figure
    note: str = ""
    extra: dict = field(default_factory=dict)


def discover() -> dict[str, tuple[str, Case]]:
    found: dict[str, tuple[str, Case]] = {}
    for path in sorted(HERE.glob("bench_*.py")):
        module = importlib.import_module(f"benchmarks.{path.stem}")
        for case in module.cases():
            found[case.name] = (path.stem, case)
    return found


def run_in_this_process(module: str, name: str, repeat: int | None) -> dict:
    case = {c.name: c for c in importlib.import_module(f"benchmarks.{module}").cases()}[name]
    arg = case.setup()
    times = []
    for _ in range(repeat or case.repeat):
        start = time.perf_counter()
        case.run(arg)
        times.append(time.perf_counter() - start)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "name": name,
        "median_s": statistics.median(times),
        "min_s": min(times),
        "max_s": max(times),
        "runs": len(times),
        "peak_mib": round(peak_kib / 1024, 1),
        "goal_s": case.goal_s,
        "note": case.note,
        **case.extra,
    }


def machine() -> dict:
    mem_kib = 0
    try:
        mem_kib = int(next(l for l in open("/proc/meminfo") if l.startswith("MemTotal")).split()[1])
    except (OSError, StopIteration):
        pass
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kib / 1024 / 1024, 1),
    }


def run_all(pattern: str = "", repeat: int | None = None) -> list[dict]:
    results = []
    for name, (module, _case) in discover().items():
        if pattern and pattern not in name:
            continue
        cmd = [sys.executable, "-m", "benchmarks.one", module, name] + ([str(repeat)] if repeat else [])
        done = subprocess.run(cmd, capture_output=True, text=True, cwd=HERE.parent)
        if done.returncode != 0:
            results.append({"name": name, "error": done.stderr.strip().splitlines()[-1:]})
        else:
            results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(_line(results[-1]), flush=True)
    return results


def _line(r: dict) -> str:
    if "error" in r:
        return f"{r['name']:<44} ERROR {r['error']}"
    goal = f"(goal {r['goal_s']:g} s)" if r.get("goal_s") else ""
    return (f"{r['name']:<44} median {r['median_s']:.4f} s  min {r['min_s']:.4f}  max {r['max_s']:.4f}"
            f"  peak {r['peak_mib']} MiB {goal}")


def write_results(results: list[dict], out_dir: Path = HERE) -> None:
    payload = {"when": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "machine": machine(), "results": results}
    (out_dir / "results.json").write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    m = payload["machine"]
    lines = [
        "# Benchmark results",
        "",
        f"Run {payload['when']} on {m['cores']} cores, {m['memory_gib']} GiB, Python {m['python']} "
        f"({m['platform']}). Median of several runs, each case in its own process.",
        "",
        "| case | median (s) | min (s) | max (s) | runs | peak memory (MiB) | goal (s) | note |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        if "error" in r:
            lines.append(f"| {r['name']} | error | | | | | | {r['error']} |")
            continue
        goal = f"{r['goal_s']:g}" if r.get("goal_s") else ""
        lines.append(f"| {r['name']} | {r['median_s']:.4f} | {r['min_s']:.4f} | {r['max_s']:.4f} | "
                     f"{r['runs']} | {r['peak_mib']} | {goal} | {r.get('note', '')} |")
    (out_dir / "RESULTS.md").write_text("\n".join(lines) + "\n")
