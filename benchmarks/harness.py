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
#: A case that runs longer than this (setup included) is stopped and reported as an error.
TIMEOUT_S = 1800


@dataclass(frozen=True)
class Ratio:
    """A comparison with another case of the same run: ``other``'s median ÷ this case's median
    (how many times faster this case is), or this ÷ other when ``inverse`` (how many times slower).
    ``goal_min`` / ``goal_max`` is the issue's goal for that ratio."""

    label: str
    other: str
    inverse: bool = False
    goal_min: float | None = None
    goal_max: float | None = None


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
    goal_mib: float | None = None  # a memory goal (peak RSS), when the issue sets one
    ratios: tuple[Ratio, ...] = ()
    #: called with (setup's value, last run's value) after timing, not timed; returns text for the note
    check: Callable[[Any, Any], str] | None = None


def discover() -> dict[str, tuple[str, Case]]:
    found: dict[str, tuple[str, Case]] = {}
    for path in sorted(HERE.glob("bench_*.py")):
        module = importlib.import_module(f"benchmarks.{path.stem}")
        for case in module.cases():
            found[case.name] = (path.stem, case)
    return found


def _peak_mib() -> float:
    """Peak resident memory of this process and of any child it waited for (papermill's kernel)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(max(own, kids) / 1024, 1)


def run_in_this_process(module: str, name: str, repeat: int | None) -> dict:
    case = {c.name: c for c in importlib.import_module(f"benchmarks.{module}").cases()}[name]
    start = time.perf_counter()
    arg = case.setup()
    setup_s = time.perf_counter() - start
    times = []
    value = None
    for _ in range(repeat or case.repeat):
        start = time.perf_counter()
        value = case.run(arg)
        times.append(time.perf_counter() - start)
    note = case.note
    if case.check is not None:
        checked = case.check(arg, value)
        note = f"{note}; {checked}" if note and checked else (checked or note)
    return {
        "name": name,
        "module": module,
        "median_s": statistics.median(times),
        "min_s": min(times),
        "max_s": max(times),
        "runs": len(times),
        "setup_s": round(setup_s, 2),
        "peak_mib": _peak_mib(),
        "goal_s": case.goal_s,
        "goal_mib": case.goal_mib,
        "note": note,
        "ratios": [r.__dict__ for r in case.ratios],
        **case.extra,
    }


def machine() -> dict:
    mem_kib = 0
    try:
        mem_kib = int(next(l for l in open("/proc/meminfo") if l.startswith("MemTotal")).split()[1])
    except (OSError, StopIteration):
        pass
    cpu = platform.processor() or platform.machine()
    try:
        cpu = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kib / 1024 / 1024, 1),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
    }


def run_all(pattern: str = "", repeat: int | None = None) -> list[dict]:
    results = []
    for name, (module, _case) in discover().items():
        if pattern and pattern not in name:
            continue
        cmd = [sys.executable, "-m", "benchmarks.one", module, name] + ([str(repeat)] if repeat else [])
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, cwd=HERE.parent, timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            results.append({"name": name, "module": module, "error": [f"timeout after {TIMEOUT_S} s"]})
        else:
            if done.returncode != 0:
                results.append({"name": name, "module": module, "error": done.stderr.strip().splitlines()[-1:]})
            else:
                results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(_line(results[-1]), flush=True)
    add_ratios(results)
    for r in results:
        for q in r.get("ratios", []):
            if q.get("value") is not None:
                print(f"  {r['name']}: {q['label']} = {q['value']:.1f}× {_ratio_goal(q)}", flush=True)
    return results


def add_ratios(results: list[dict]) -> None:
    """Fill each ratio's value from the other case's median (None when it did not run)."""
    by_name = {r["name"]: r for r in results if "error" not in r}
    for r in results:
        for q in r.get("ratios", []):
            other = by_name.get(q["other"])
            if other is None or "error" in r:
                q["value"] = None
                continue
            q["value"] = (r["median_s"] / other["median_s"]) if q["inverse"] else (other["median_s"] / r["median_s"])
            q["met"] = _met_ratio(q)


def _met_ratio(q: dict) -> bool | None:
    if q.get("value") is None or (q.get("goal_min") is None and q.get("goal_max") is None):
        return None
    return (q["goal_min"] is None or q["value"] >= q["goal_min"]) and (q["goal_max"] is None or q["value"] <= q["goal_max"])


def _ratio_goal(q: dict) -> str:
    if q.get("goal_min") is not None:
        return f"(goal ≥ {q['goal_min']:g}×: {'met' if q.get('met') else 'NOT met'})"
    if q.get("goal_max") is not None:
        return f"(goal ≤ {q['goal_max']:g}×: {'met' if q.get('met') else 'NOT met'})"
    return ""


def met(r: dict) -> bool | None:
    """Whether a case met its time and memory goals (None when it has none)."""
    if "error" in r or (not r.get("goal_s") and not r.get("goal_mib")):
        return None
    ok = True
    if r.get("goal_s"):
        ok &= r["median_s"] <= r["goal_s"]
    if r.get("goal_mib"):
        ok &= r["peak_mib"] <= r["goal_mib"]
    return ok


def _line(r: dict) -> str:
    if "error" in r:
        return f"{r['name']:<60} ERROR {r['error']}"
    goal = f"(goal {r['goal_s']:g} s: {'met' if met(r) else 'NOT met'})" if r.get("goal_s") else ""
    return (f"{r['name']:<60} median {r['median_s']:.4f} s  min {r['min_s']:.4f}  max {r['max_s']:.4f}"
            f"  peak {r['peak_mib']} MiB {goal}")


def _goal_text(r: dict) -> str:
    parts = []
    if r.get("goal_s"):
        parts.append(f"≤ {r['goal_s']:g} s")
    if r.get("goal_mib"):
        parts.append(f"≤ {r['goal_mib'] / 1024:g} GiB")
    verdict = met(r)
    return " ".join(parts) + ("" if verdict is None else (" ✓" if verdict else " ✗"))


def write_results(results: list[dict], out_dir: Path = HERE) -> None:
    payload = {"when": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "machine": machine(), "results": results}
    (out_dir / "results.json").write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    m = payload["machine"]
    lines = [
        "# Benchmark results",
        "",
        f"Run {payload['when']} on {m['cores']} cores ({m['processor']}), {m['memory_gib']} GiB, Python "
        f"{m['python']} ({m['platform']}); load average at start {m.get('load_average_at_start')}. "
        "Median of several runs, each case in its own process; peak memory is that process's peak "
        "resident set (or its child's, for papermill). Setup (data generation, loading before a "
        "calculation) is not timed; its seconds are in results.json. Made by `python -m benchmarks` "
        "(`make bench`); see benchmarks/README.md.",
        "",
        "| case | median (s) | min (s) | max (s) | runs | peak memory (MiB) | goal | note |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in results:
        if "error" in r:
            lines.append(f"| {r['name']} | error | | | | | | {r['error']} |")
            continue
        lines.append(f"| {r['name']} | {r['median_s']:.4f} | {r['min_s']:.4f} | {r['max_s']:.4f} | "
                     f"{r['runs']} | {r['peak_mib']} | {_goal_text(r)} | {r.get('note', '')} |")
    ratio_rows = [(r, q) for r in results for q in r.get("ratios", []) if q.get("value") is not None]
    if ratio_rows:
        lines += ["", "## Ratios", "", "| case | compared with | ratio | goal |", "|---|---|---:|---|"]
        for r, q in ratio_rows:
            goal = ""
            if q.get("goal_min") is not None:
                goal = f"≥ {q['goal_min']:g}× " + ("✓" if q.get("met") else "✗")
            elif q.get("goal_max") is not None:
                goal = f"≤ {q['goal_max']:g}× " + ("✓" if q.get("met") else "✗")
            lines.append(f"| {r['name']} | {q['label']} | {q['value']:.1f}× | {goal} |")
    generation = WORK / "generation.json"
    if generation.is_file():
        gen = json.loads(generation.read_text())
        payload["generation"] = gen
        (out_dir / "results.json").write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        lines += ["", "## Generating the inputs (once, cached in benchmarks/_work/)", "",
                  "| data set | seconds | details |", "|---|---:|---|"]
        for key, v in gen.items():
            details = ", ".join(f"{k} {v2:,}" if isinstance(v2, int) else f"{k} {v2}"
                                for k, v2 in v.items() if k != "seconds")
            lines.append(f"| {key} | {v['seconds']:g} | {details} |")
    (out_dir / "RESULTS.md").write_text("\n".join(lines) + "\n")
