"""How every output is written: one file mode, atomically, one run at a time per target, and what a
killed run left behind removed by the next one (issue 17: concurrent runs, leftovers, letters 0600).

- **One file mode.** Every output file gets the mode a plain new file gets here (0o666 less the
  umask: 0644 under the usual umask 022), folders 0o777 less the umask, whether written directly or
  through a temporary file (``tempfile`` makes those 0600 and 0700, private to their owner).
- **Atomic files.** :func:`write_atomic` writes a temporary file beside the target and renames it
  over the target: a reader never sees half a file; a failed or interrupted write leaves the
  previous file.
- **Atomic folders.** A report or the Parquet copy is built in its own staging folder beside the
  target (:func:`staging_dir`: ``.NAME.staging-PID-…``, one per run, so two runs never share one)
  and swapped in by :func:`swap_in` with two renames under :func:`lock` on the target: concurrent
  runs take turns, and the previous folder comes back if the second rename fails.
- **Leftovers.** A run killed halfway leaves its staging folder (or the previous folder, renamed
  ``.NAME.old-PID-…``, or a ``.NAME.tmp-PID-…`` file); the next run on the same target puts it right
  (:func:`recover`: a previous folder whose swap never finished is put back, the rest removed), as
  long as the process that left it has ended.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable, Iterator, Sequence

from jygproj import paths
from jygproj.errors import JygprojError

#: How long a run waits for another run writing the same target before it refuses (a city report
#: takes about 10 s, the province's Parquet copy under a minute; the wait covers the slowest).
LOCK_WAIT_S = 900.0
#: Names of leftovers: the target's name, the kind, the process id of the run that made it.
_LEFTOVER = re.compile(r"^\.(?P<name>.+)\.(?P<kind>staging|old|tmp)-(?P<pid>\d+)-[^/]*$")
#: Staging folders of earlier versions (no process id in the name): removed once a day old, since
#: no run lasts that long (a notebook is stopped after 30 minutes).
_OLD_STAGING = re.compile(r"^\..+\.staging-[a-z0-9_]{8}$")
OLD_STAGING_AGE_S = 86_400
_UMASK_LOCK = threading.Lock()


class OutputBusyError(JygprojError, RuntimeError):
    """Another run held the target longer than :data:`LOCK_WAIT_S`."""

    code = "output_busy"


def _umask() -> int:
    try:  # Linux shows it without changing it
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    with _UMASK_LOCK:  # elsewhere it can only be read by setting it
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def file_mode() -> int:
    """The mode of every output file: what a plain new file gets here (0644 under umask 022)."""
    return 0o666 & ~_umask()


def dir_mode() -> int:
    """The mode of every output folder (0755 under umask 022)."""
    return 0o777 & ~_umask()


def write_atomic(path: str | Path, content: bytes | str | Callable[[Path], object]) -> Path:
    """Write ``content`` (bytes, text as UTF-8, or a function writing the file at the path it is
    given, such as ``workbook.save``) to ``path`` through a temporary file beside it, with
    :func:`file_mode`; returns ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _sweep(path.parent)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.tmp-{os.getpid()}-", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        if callable(content):
            content(tmp)
        else:
            tmp.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        os.chmod(tmp, file_mode())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


@contextlib.contextmanager
def lock(target: str | Path, wait_s: float | None = None) -> Iterator[None]:
    """Hold the lock of ``target`` (a file ``.NAME.lock`` beside it; the operating system releases it
    when the process ends, however it ends). Reentrant within a thread; another process or thread
    waits up to ``wait_s`` (default :data:`LOCK_WAIT_S`), then :class:`OutputBusyError`."""
    from filelock import FileLock, Timeout

    target = Path(os.path.abspath(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    wait = LOCK_WAIT_S if wait_s is None else wait_s
    held = FileLock(target.parent / f".{target.name}.lock", is_singleton=True)
    try:
        held.acquire(timeout=wait)
    except Timeout:
        raise OutputBusyError(f"另一个运行正在写入 {paths.display(target)}，等待 {wait:.0f} 秒仍未结束；"
                              "请等它结束后再运行") from None
    try:
        yield
    finally:
        held.release()


def _gone(pid: int, made: float) -> bool:
    """Whether the process that made a leftover (at time ``made``) has ended."""
    import psutil

    if pid == os.getpid():
        return False
    try:
        proc = psutil.Process(pid)
        # a process started after the leftover was last touched is another one with a reused id
        return proc.status() == psutil.STATUS_ZOMBIE or proc.create_time() > made + 1
    except psutil.NoSuchProcess:
        return True
    except psutil.Error:  # not ours to inspect: leave it
        return False


#: How often one process looks again for killed writes' temporary files in a folder it writes in
#: (write_atomic): a province run writes 2,500 letters and forms into one folder, and listing the
#: folder before each of them made the writing quadratic.
SWEEP_EVERY_S = 60.0
_SWEPT: dict[str, float] = {}  # folder → when this process last swept it (time.monotonic)


def _sweep(folder: Path) -> None:
    """Remove the temporary files killed writes left in ``folder`` (of any target): the first time
    this process writes there, then at most once every SWEEP_EVERY_S."""
    key, now = os.path.abspath(folder), time.monotonic()
    if now - _SWEPT.get(key, -SWEEP_EVERY_S) < SWEEP_EVERY_S:
        return
    for entry, _ in _dead_leftovers(folder, None, ("tmp",)):
        _remove(entry)
    _SWEPT[key] = time.monotonic()


def _dead_leftovers(folder: Path, name: str | None, kinds: Sequence[str]) -> list[tuple[Path, str]]:
    """What runs now ended left beside ``folder/name`` (any target's, when ``name`` is None; of the
    given kinds), oldest first; staging folders of earlier versions (no process id) count once a day old."""
    found = []
    if not folder.is_dir():
        return found
    for entry in folder.iterdir():
        m = _LEFTOVER.match(entry.name)
        legacy = m is None and "staging" in kinds and name is not None and entry.name.startswith(f".{name}.") \
            and _OLD_STAGING.match(entry.name)
        if not legacy and (m is None or (name is not None and m["name"] != name) or m["kind"] not in kinds):
            continue
        try:
            made = entry.lstat().st_mtime
        except FileNotFoundError:
            continue
        if (time.time() - made > OLD_STAGING_AGE_S) if legacy else _gone(int(m["pid"]), made):
            found.append((made, entry, "staging" if legacy else m["kind"]))
    return [(entry, kind) for _, entry, kind in sorted(found)]


def _remove(entry: Path) -> None:
    if entry.is_dir() and not entry.is_symlink():
        shutil.rmtree(entry, ignore_errors=True)
    else:
        entry.unlink(missing_ok=True)


def recover(target: str | Path, keep: Sequence[str] = ()) -> list[Path]:
    """Put right what runs killed halfway left beside ``target`` (under its lock); returns what was
    removed. A run killed between the two renames of :func:`swap_in` left no target and the previous
    folder as ``.NAME.old-…``: it is put back. Entries lent to a new folder (``keep``) that never
    appeared go back to the target. The rest (staging folders, previous folders of finished swaps)
    is removed; leftovers of runs still going are kept."""
    target = Path(os.path.abspath(target))
    removed: list[Path] = []
    with lock(target):
        left = _dead_leftovers(target.parent, target.name, ("staging", "old"))
        olds = [entry for entry, kind in left if kind == "old"]
        if olds and not target.exists():
            os.replace(olds[-1], target)  # the newest previous folder: what readers saw last
            left = [(e, k) for e, k in left if e != olds[-1]]
        for entry, kind in left:
            if kind == "staging" and target.is_dir():
                for lent in keep:
                    if (entry / lent).exists() and not (target / lent).exists():
                        os.replace(entry / lent, target / lent)
            _remove(entry)
            removed.append(entry)
    return removed


def staging_dir(target: str | Path, keep: Sequence[str] = ()) -> Path:
    """A new, empty staging folder for this run beside ``target`` (``.NAME.staging-PID-…``, mode
    :func:`dir_mode`), after :func:`recover` has put right what killed runs left there."""
    target = Path(os.path.abspath(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    recover(target, keep)
    return staging_dir_in(target.parent, target)


def staging_dir_in(folder: Path, target: str | Path) -> Path:
    """A new, empty staging folder for ``target`` inside ``folder`` (a folder of staging folders on
    the target's filesystem, whose owner has put right the target's leftovers: :func:`recover`)."""
    staging = Path(tempfile.mkdtemp(prefix=f".{Path(target).name}.staging-{os.getpid()}-", dir=folder))
    staging.chmod(dir_mode())
    return staging


def swap_in(staging: Path, target: Path, keep: Sequence[str] = ()) -> None:
    """Replace ``target`` by ``staging`` under the target's lock: two renames, the previous folder
    restored if the second fails. ``keep``: entries of the previous folder carried over into the
    new one first (e.g. ``units`` below a city report), so the new one is whole when it appears."""
    staging, target = Path(staging), Path(target)
    with lock(target):
        if not target.exists():
            os.replace(staging, target)
            return
        moved = []
        old = target.with_name(f".{target.name}.old-{os.getpid()}-{time.time_ns()}")
        try:
            for entry in keep:
                if (target / entry).exists() and not (staging / entry).exists():
                    os.replace(target / entry, staging / entry)
                    moved.append(entry)
            os.replace(target, old)
            try:
                os.replace(staging, target)
            except BaseException:
                os.replace(old, target)
                raise
        except BaseException:
            for entry in moved:  # give the previous folder back what was lent to the new one
                if (staging / entry).exists():
                    os.replace(staging / entry, target / entry)
            raise
    shutil.rmtree(old, ignore_errors=True)


__all__ = ["LOCK_WAIT_S", "OutputBusyError", "file_mode", "dir_mode", "write_atomic", "lock", "recover",
           "staging_dir", "staging_dir_in", "swap_in"]
