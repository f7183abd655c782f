"""Concurrent runs are safe and killed runs are cleaned up after (issue 17: two `ingest` runs on one
folder shared a temporary folder — 2 of 8 trials printed tracebacks, one left a copy without
baseline.parquet that broke the next reader; two `quarterly` runs on a new data folder failed 1
time in 4; killed runs left .staging-* and .old-* folders that no later run removed).

10 `jygproj ingest` and 4 `jygproj quarterly` processes started at once on one new data folder:
each succeeds or refuses cleanly (exit 1, a Chinese message, no traceback), the Parquet copy is
whole (every table, its manifest's row counts, the frames of the workbooks) and so is the report.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from jygproj import catalogue, cli, ingest, outputs, paths, runs
from jygproj.io import load_dataset

pytestmark = pytest.mark.slow


def _start(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "jygproj", *args], cwd=paths.ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _finish(procs: list[subprocess.Popen], timeout: float = 600) -> list[tuple[int, str]]:
    done = []
    for p in procs:
        out, err = p.communicate(timeout=timeout)
        done.append((p.returncode, out + err))
    return done


def _succeeded_or_refused_cleanly(done: list[tuple[int, str]]) -> None:
    for rc, text in done:
        assert "Traceback" not in text, text[-2000:]
        assert rc == 0 or (rc == 1 and "错误" in text), (rc, text[-2000:])


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".staging-" in p.name or ".old-" in p.name
                  or p.name.endswith((".partial", ".old")))


def _copy_is_whole(copy: Path, data: Path) -> None:
    manifest = json.loads((copy / ingest.MANIFEST).read_text(encoding="utf-8"))
    assert set(manifest["tables"]) == set(ingest.TABLES)
    back = ingest.load_ingested(copy)
    fresh = load_dataset(data)
    for table, entry in manifest["tables"].items():
        assert (copy / entry["file"]).is_file(), table
        assert getattr(back, table).height == entry["rows"] == getattr(fresh, table).height, table
    assert manifest["inputs"] == catalogue.catalogue(data).hashes()


@pytest.fixture
def new_folder(tmp_path):
    data = tmp_path / "收到" / "2023"
    shutil.copytree(paths.SAMPLE_2023, data)
    yield data
    shutil.rmtree(ingest.default_out(data), ignore_errors=True)  # the quarterly runs' default copy


def test_ten_ingest_runs_at_once_on_a_new_folder(new_folder, tmp_path):
    copy = tmp_path / "副本"
    done = _finish([_start("ingest", str(new_folder), "--out", str(copy)) for _ in range(10)])
    _succeeded_or_refused_cleanly(done)
    assert [rc for rc, _ in done] == [0] * 10
    # one run made the copy; the nine that waited for it kept it
    assert sum("已重建" in text for _, text in done) == 1
    assert sum("未重建" in text for _, text in done) == 9
    _copy_is_whole(copy, new_folder)
    assert _leftovers(tmp_path) == []


def test_four_quarterly_runs_at_once_on_a_new_folder(new_folder, tmp_path):
    out = tmp_path / "报告" / "2023Q3"
    done = _finish([_start("quarterly", "2023Q3", "--data", str(new_folder), "--out", str(out)) for _ in range(4)])
    _succeeded_or_refused_cleanly(done)
    assert [rc for rc, _ in done] == [0] * 4
    _copy_is_whole(ingest.default_out(new_folder), new_folder)
    manifest = json.loads((out / runs.MANIFEST_NAME).read_text(encoding="utf-8"))
    for entry in manifest["outputs"]:  # the report is one run's, whole
        if entry["path"] != runs.MANIFEST_NAME:
            assert catalogue.sha256_file(out / entry["path"]) == entry["sha256"], entry["path"]
    assert _leftovers(out.parent) == [] and _leftovers(ingest.default_out(new_folder).parent) == []


def test_a_run_that_waits_too_long_refuses_cleanly(new_folder, tmp_path, monkeypatch, capsys):
    copy = tmp_path / "副本"
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time; from jygproj import outputs\n"
                               f"with outputs.lock({str(copy)!r}):\n    print('held', flush=True); time.sleep(60)"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        monkeypatch.setattr(outputs, "LOCK_WAIT_S", 0.5)
        assert cli.main(["ingest", str(new_folder), "--out", str(copy)]) == 1
        said = capsys.readouterr().out
        assert "另一个运行正在写入" in said and "[output_busy]" in said
        assert not copy.exists()
    finally:
        holder.kill()
        holder.wait()


# --- leftovers of killed runs ---------------------------------------------------------------------


def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def _notebook(path: Path, sleep_s: float) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "import time\nfrom jygproj import runs\n(runs.output_dir('unused') / 'started.txt').write_text('1')\n"
        f"time.sleep({sleep_s})")]
    nb.metadata["kernelspec"] = {"name": "jygproj", "display_name": "jygproj", "language": "python"}
    nbformat.write(nb, path)
    return path


def test_what_a_killed_report_run_left_is_removed_by_the_next_run(tmp_path):
    out = tmp_path / "reports" / "2023Q3"
    fast = _notebook(tmp_path / "fast.ipynb", 0)
    runs.run_notebook(fast, out, {})
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    slow = _notebook(tmp_path / "slow.ipynb", 60)
    killed = subprocess.Popen([sys.executable, "-c", "from pathlib import Path; from jygproj import runs\n"
                               f"runs.run_notebook(Path({str(slow)!r}), Path({str(out)!r}), {{}})"])
    deadline = time.monotonic() + 120
    while not list(out.parent.glob(".2023Q3.staging-*/started.txt")):  # its kernel is running
        assert time.monotonic() < deadline and killed.poll() is None
        time.sleep(0.2)
    import psutil
    kernels = psutil.Process(killed.pid).children(recursive=True)
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    psutil.wait_procs(kernels, timeout=15)  # the kernel notices its parent is gone and ends
    for k in kernels:
        if k.is_running():
            k.kill()
    (staging,) = out.parent.glob(".2023Q3.staging-*")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # the report a reader sees: whole
    alive = outputs.staging_dir(out)  # a run still going (this process) keeps its staging folder

    result = runs.run_notebook(fast, out, {})
    assert (result.run_dir / "started.txt").is_file() and not staging.exists() and alive.exists()
    assert _leftovers(out.parent) == [alive.name]


_SWAP_KILLED = """
import os, shutil, signal, sys
from pathlib import Path
from jygproj import outputs

target, at = Path(sys.argv[1]), sys.argv[2]
staging = outputs.staging_dir(target)
(staging / "version.txt").write_text("新")
calls, real_replace, real_rmtree = [0], os.replace, shutil.rmtree

def replace(a, b):
    calls[0] += 1
    if str(calls[0]) == at:
        os.kill(os.getpid(), signal.SIGKILL)
    return real_replace(a, b)

def rmtree(path, **kw):
    if at == "rmtree":
        os.kill(os.getpid(), signal.SIGKILL)
    return real_rmtree(path, **kw)

os.replace, shutil.rmtree = replace, rmtree
outputs.swap_in(staging, target, keep=("units",))
"""


@pytest.mark.parametrize("at", ["1", "2", "3", "rmtree"])
def test_a_swap_killed_at_any_point_leaves_a_whole_report_after_recovery(tmp_path, at):
    """SIGKILL before each rename of the swap (lend the units, previous report aside, new one in)
    and before the previous one is removed: recovery gives a whole report, old or new, with its units."""
    target = tmp_path / "2023Q3"
    (target / "units" / "市住建局").mkdir(parents=True)
    (target / "units" / "市住建局" / "summary.json").write_text("{}")
    (target / "version.txt").write_text("旧")
    done = subprocess.run([sys.executable, "-c", _SWAP_KILLED, str(target), at], cwd=paths.ROOT)
    assert done.returncode == -signal.SIGKILL
    outputs.recover(target, keep=("units",))
    assert (target / "version.txt").read_text() == ("新" if at == "rmtree" else "旧")
    assert (target / "units" / "市住建局" / "summary.json").read_text() == "{}"
    assert _leftovers(tmp_path) == []


def test_what_a_killed_ingest_left_is_removed_by_the_next_one(new_folder, tmp_path):
    copy = tmp_path / "副本"
    dead = _dead_pid()
    left = [tmp_path / f".副本.staging-{dead}-abcd1234", tmp_path / f".副本.old-{dead}-{time.time_ns()}",
            tmp_path / "副本.partial", tmp_path / "副本.old"]  # the last two: earlier versions' names
    for d in left:
        (d / "progress.parquet").parent.mkdir(parents=True)
        (d / "progress.parquet").write_bytes(b"half")
    assert cli.main(["ingest", str(new_folder), "--out", str(copy)]) == 0
    assert not any(d.exists() for d in left)
    _copy_is_whole(copy, new_folder)


def test_an_earlier_versions_staging_folder_goes_once_a_day_old(tmp_path):
    stale, fresh = tmp_path / ".2023Q3.staging-k3j_x9a2", tmp_path / ".2023Q3.staging-p0q1r2s3"
    for d in (stale, fresh):
        d.mkdir()
    day_ago = time.time() - outputs.OLD_STAGING_AGE_S - 60
    os.utime(stale, (day_ago, day_ago))
    assert outputs.recover(tmp_path / "2023Q3") == [stale]
    assert fresh.exists()


def test_a_killed_atomic_write_leaves_no_temporary_file_for_long(tmp_path):
    left = tmp_path / f".summary.json.tmp-{_dead_pid()}-x1y2"
    left.write_text("{")
    outputs.write_atomic(tmp_path / "summary.json", "{}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["summary.json"]
