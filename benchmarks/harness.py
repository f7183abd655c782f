"""The benchmark harness: cases, timing in subprocesses, results files.

Every case runs in its own worker process (benchmarks/one.py): ``setup()`` once, then one timed
``run`` per request. Cases linked by a :class:`Ratio` are run interleaved, A B A B …, each worker
alive through the whole comparison, so a change in the machine's load falls on both sides of a
ratio alike (this machine's 2 cores are shared). Each run records its wall time, its CPU seconds
(user + system, of every thread and of every child process it waited for: papermill's kernel, a
command's process, the processes a command left running: adopt_orphans) and the 1-minute load average when it started.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import platform
import resource
import select
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, TextIO

HERE = Path(__file__).resolve().parent
WORK = HERE / "_work"  # generated inputs (ignored by git), reused between runs
#: A case whose setup or one run takes longer than this is stopped and reported as an error.
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


@dataclass(frozen=True)
class Measured:
    """What ``run`` returns when the interval to time lies inside it (a page's first paint once the
    server is up, say): that interval's wall and CPU seconds, and the value ``check`` gets."""

    wall_s: float
    cpu_s: float | None = None
    value: Any = None


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


def own_peak_kib() -> int:
    """This process's own peak resident set, KiB (Linux's VmHWM). Not getrusage's ru_maxrss: Linux
    carries into it the resident set of the process that started this one (subprocess starts a child by
    vfork, then exec), so every case run from this harness reported at least the harness's own ~115
    MiB (a 0.003 s case "peaked" at 114.8 MiB)."""
    with contextlib.suppress(OSError, StopIteration, ValueError):
        with open("/proc/self/status", encoding="ascii") as status:
            return int(next(line for line in status if line.startswith("VmHWM:")).split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _peak_mib() -> float:
    """Peak resident memory of this process (its own) and of any child it waited for (papermill's
    kernel: as getrusage counts a child, with the resident set of the process that started it)."""
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(max(own_peak_kib(), kids) / 1024, 1)


def cpu_seconds() -> float:
    """User + system CPU of this process (all threads) and of the children it has waited for."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def load_1min() -> float | None:
    return round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None


def adopt_orphans() -> None:
    """Make this process the one that orphaned descendants of its runs are handed to (Linux's child
    subreaper), instead of init: a report kernel leaves its chart-drawing process to end on its own
    (jygproj.charts._Drawer), and a process's CPU counts in RUSAGE_CHILDREN only once it is waited
    for, so without this the drawers' CPU was left out of the runs' (about 5 CPU-s of --all-units)."""
    import ctypes

    pr_set_child_subreaper = 36
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_child_subreaper, 1, 0, 0, 0)


def _children() -> set[int]:
    kids: set[int] = set()
    for task in Path(f"/proc/{os.getpid()}/task").glob("*"):
        with contextlib.suppress(OSError, ValueError):
            kids.update(int(pid) for pid in (task / "children").read_text().split())
    return kids


_ADOPTED_SINCE: list[set[int]] = []  # the children before a command ran: those after it are its orphans


def reap_orphans(timeout_s: float = 10.0) -> None:
    """Wait for the orphans a command left (see adopt_orphans), so their CPU counts in the run's;
    called after the run's wall time is taken (a user does not wait for them)."""
    if not _ADOPTED_SINCE:
        return
    before = _ADOPTED_SINCE.pop()
    deadline = time.monotonic() + timeout_s
    while (pending := _children() - before) and time.monotonic() < deadline:
        for pid in pending:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
        time.sleep(0.01)


def run_command(argv: list[str], ok: tuple[int, ...] = (0,), cwd: Path | None = None,
                env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """A command end to end, as a user runs it (its process and children count in the run's CPU,
    the processes it left running too: reap_orphans); raises with the end of its output when it
    exits with a status not in ``ok``. ``env``: variables set for the command besides this
    process's own."""
    _ADOPTED_SINCE[:] = [_children()]
    done = subprocess.run(argv, capture_output=True, text=True, cwd=cwd or HERE.parent,
                          env={**os.environ, **env} if env else None)
    if done.returncode not in ok:
        raise RuntimeError(f"{' '.join(map(str, argv[:4]))} … exited {done.returncode}: "
                           f"{done.stdout[-600:]} {done.stderr[-600:]}")
    return done


class Worker:
    """One case in this process: ``setup`` on creation, ``run_once`` per timed run, ``finish`` for
    the result (median, min, max of wall and CPU seconds, the load seen, peak memory, check)."""

    def __init__(self, module: str, name: str, repeat: int | None = None):
        self.module, self.name = module, name
        self.case = {c.name: c for c in importlib.import_module(f"benchmarks.{module}").cases()}[name]
        self.repeat = repeat or self.case.repeat
        adopt_orphans()
        start = time.perf_counter()
        self.arg = self.case.setup()
        self.setup_s = time.perf_counter() - start
        self.walls: list[float] = []
        self.cpus: list[float] = []
        self.loads: list[float] = []
        self.starts: list[float] = []  # wall-clock time of each run's start: the interleaving, as it happened
        self.value = None

    def run_once(self) -> dict:
        load = load_1min()
        self.starts.append(time.time())
        cpu, start = cpu_seconds(), time.perf_counter()
        value = self.case.run(self.arg)
        wall = time.perf_counter() - start
        reap_orphans()
        cpu = cpu_seconds() - cpu
        if isinstance(value, Measured):
            wall, cpu, value = value.wall_s, value.cpu_s if value.cpu_s is not None else cpu, value.value
        self.walls.append(wall)
        self.cpus.append(cpu)
        if load is not None:
            self.loads.append(load)
        self.value = value
        return {"wall_s": wall, "cpu_s": cpu, "load_1min": load}

    def finish(self) -> dict:
        case, note = self.case, self.case.note
        if case.check is not None:
            checked = case.check(self.arg, self.value)
            note = f"{note}; {checked}" if note and checked else (checked or note)
        return {
            "name": self.name,
            "module": self.module,
            "median_s": statistics.median(self.walls),
            "min_s": min(self.walls),
            "max_s": max(self.walls),
            "cpu_median_s": statistics.median(self.cpus),
            "runs": len(self.walls),
            "wall_s": [round(x, 4) for x in self.walls],
            "cpu_s": [round(x, 4) for x in self.cpus],
            "load_1min": [min(self.loads), max(self.loads)] if self.loads else None,
            "started": [round(x, 3) for x in self.starts],
            "setup_s": round(self.setup_s, 2),
            "peak_mib": _peak_mib(),
            "goal_s": case.goal_s,
            "goal_mib": case.goal_mib,
            "note": note,
            "ratios": [r.__dict__ for r in case.ratios],
            **case.extra,
        }


def run_in_this_process(module: str, name: str, repeat: int | None) -> dict:
    worker = Worker(module, name, repeat)
    for _ in range(worker.repeat):
        worker.run_once()
    return worker.finish()


def serve(module: str, name: str, repeat: int | None, channel: TextIO) -> None:
    """benchmarks/one.py --serve: set up, then answer ``run`` and ``finish`` lines from stdin on
    ``channel`` (the process's stdout as it was; prints of the case go to stderr)."""
    def say(obj: dict) -> None:
        channel.write(json.dumps(obj, ensure_ascii=False) + "\n")
        channel.flush()

    try:
        worker = Worker(module, name, repeat)
        say({"ready": True, "repeat": worker.repeat, "setup_s": round(worker.setup_s, 2)})
        for line in sys.stdin:
            if line.strip() == "run":
                say(worker.run_once())
            elif line.strip() == "finish":
                say({"result": worker.finish()})
                return
    except Exception as exc:  # the harness reports it against the case and goes on
        say({"error": f"{type(exc).__name__}: {exc}"[-600:]})
        raise


def groups(selected: list[tuple[str, str, Case]]) -> list[list[tuple[str, str, Case]]]:
    """The selected cases, those linked by a ratio (directly or through others) in one group,
    kept in the order they were found; a case without ratios is a group of its own."""
    names = [name for name, _, _ in selected]
    root = {n: n for n in names}

    def find(n: str) -> str:
        while root[n] != n:
            n = root[n]
        return n

    for name, _, case in selected:
        for q in case.ratios:
            if q.other in root:
                root[find(q.other)] = find(name)
    out: dict[str, list] = {}
    for item in selected:
        out.setdefault(find(item[0]), []).append(item)
    return list(out.values())


class _Remote:
    """A worker process (benchmarks/one.py --serve) seen from the harness."""

    def __init__(self, module: str, name: str, repeat: int | None):
        self.module, self.name = module, name
        self.log = tempfile.TemporaryFile(mode="w+", encoding="utf-8")
        cmd = [sys.executable, "-m", "benchmarks.one", "--serve", module, name] + ([str(repeat)] if repeat else [])
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, text=True,
                                     cwd=HERE.parent)
        self.error: list[str] | None = None
        self.repeat = 0
        ready = self.ask(None)
        if ready is not None:
            self.repeat = ready["repeat"]

    def ask(self, line: str | None) -> dict | None:
        if self.error is not None:
            return None
        try:
            if line is not None:
                self.proc.stdin.write(line + "\n")
                self.proc.stdin.flush()
            if not select.select([self.proc.stdout], [], [], TIMEOUT_S)[0]:
                raise TimeoutError(f"timeout after {TIMEOUT_S} s")
            text = self.proc.stdout.readline()
            if not text:
                raise RuntimeError("worker ended")
            answer = json.loads(text)
        except (OSError, RuntimeError, TimeoutError, ValueError) as exc:
            answer = {"error": str(exc)}
        if "error" in answer:
            self.log.seek(0)
            tail = [ln for ln in self.log.read().strip().splitlines()[-1:]]
            self.error = [answer["error"]] + [ln for ln in tail if ln not in answer["error"]]
            self.close()
            return None
        return answer

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.log.close()


def run_group(group: list[tuple[str, str, Case]], repeat: int | None) -> list[dict]:
    """Set every case of the group up, then run them in rounds, A B C A B C …, each case as many
    times as its ``repeat`` (so a case with fewer runs drops out of the later rounds)."""
    remotes = [_Remote(module, name, repeat) for name, module, _ in group]
    for i in range(max(r.repeat for r in remotes)):
        for r in remotes:
            if i < r.repeat:
                r.ask("run")
    results = []
    for r in remotes:
        answer = r.ask("finish")
        if answer is None:
            results.append({"name": r.name, "module": r.module, "error": r.error})
        else:
            results.append(dict(answer["result"], interleaved_with=[o.name for o in remotes if o is not r]))
            r.close()
    return results


def run_all(pattern: str = "", repeat: int | None = None) -> list[dict]:
    selected = [(name, module, case) for name, (module, case) in discover().items() if not pattern or pattern in name]
    results = []
    for group in groups(selected):
        for result in run_group(group, repeat):
            results.append(result)
            print(_line(result), flush=True)
    add_ratios(results)
    for r in results:
        for q in r.get("ratios", []):
            if q.get("value") is not None:
                print(f"  {r['name']}: {q['label']} = {q['value']:.1f}× (CPU {q['cpu_value']:.1f}×) {_ratio_goal(q)}",
                      flush=True)
    return results


def add_ratios(results: list[dict]) -> None:
    """Fill each ratio's value from the other case's median (None when it did not run), and the
    same ratio of CPU seconds."""
    by_name = {r["name"]: r for r in results if "error" not in r}
    for r in results:
        for q in r.get("ratios", []):
            other = by_name.get(q["other"])
            if other is None or "error" in r:
                q["value"] = q["cpu_value"] = None
                continue
            q["value"] = _ratio(r["median_s"], other["median_s"], q["inverse"])
            q["cpu_value"] = _ratio(r.get("cpu_median_s"), other.get("cpu_median_s"), q["inverse"])
            q["met"] = _met_ratio(q)


def _ratio(mine: float | None, other: float | None, inverse: bool) -> float | None:
    if not mine or not other:
        return None
    return mine / other if inverse else other / mine


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
            f"  CPU {r['cpu_median_s']:.4f} s  load {_load_text(r)}  peak {r['peak_mib']} MiB {goal}")


def _load_text(r: dict) -> str:
    low_high = r.get("load_1min")
    if not low_high:
        return ""
    return f"{low_high[0]:.2f}" if low_high[0] == low_high[1] else f"{low_high[0]:.2f}–{low_high[1]:.2f}"


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
        "Median of several runs, each case in its own process; CPU is user + system seconds of the "
        "run's threads and of the processes it waited for (papermill's kernel, a command, what a command left running: a kernel's chart-drawing process), median "
        "of the runs; load is the 1-minute load average at the runs' starts (lowest–highest). Cases "
        "compared by a ratio ran interleaved (A B A B …) in one run, so the ratios, not the seconds, "
        "are what carries from one machine to another. Peak memory is that process's own peak resident "
        "set (Linux's VmHWM), or a child's it waited for (papermill's kernel) as getrusage counts it, with "
        "the resident set of the process that started the child. Setup (data generation, loading before a calculation) "
        "is not timed; its seconds are in results.json. Made by `python -m benchmarks` (`make "
        "bench`); see benchmarks/README.md.",
        "",
        "| case | median (s) | min (s) | max (s) | CPU (s) | runs | load | peak memory (MiB) | goal | note |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in results:
        if "error" in r:
            lines.append(f"| {r['name']} | error | | | | | | | | {r['error']} |")
            continue
        lines.append(f"| {r['name']} | {r['median_s']:.4f} | {r['min_s']:.4f} | {r['max_s']:.4f} | "
                     f"{r['cpu_median_s']:.4f} | {r['runs']} | {_load_text(r)} | {r['peak_mib']} | "
                     f"{_goal_text(r)} | {r.get('note', '')} |")
    ratio_rows = [(r, q) for r in results for q in r.get("ratios", []) if q.get("value") is not None]
    if ratio_rows:
        lines += ["", "## Ratios", "", "Of the medians of interleaved runs: wall time, and CPU seconds beside it.", "",
                  "| case | compared with | ratio | CPU ratio | goal |", "|---|---|---:|---:|---|"]
        for r, q in ratio_rows:
            goal = ""
            if q.get("goal_min") is not None:
                goal = f"≥ {q['goal_min']:g}× " + ("✓" if q.get("met") else "✗")
            elif q.get("goal_max") is not None:
                goal = f"≤ {q['goal_max']:g}× " + ("✓" if q.get("met") else "✗")
            cpu = f"{q['cpu_value']:.1f}×" if q.get("cpu_value") is not None else ""
            lines.append(f"| {r['name']} | {q['label']} | {q['value']:.1f}× | {cpu} | {goal} |")
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
