"""A quarterly review calculated by the command while its report's kernel starts (issue 18).

A report run alone has a kernel of its own, started first (jygproj.commands.quarterly): for about a
second it starts and imports the package, and the command's process waits for it with a core idle.
The command calculates the review in that second (the same package, on the same inputs: the one
function jygproj.quarterly.build_review) and hands it to the kernel in a file; the notebook's
``jygproj.open(…).quarterly(…)`` takes it instead of calculating it again (:func:`take`).

Only for exactly what it was made from: the file carries a key (:func:`key`), the sha256 of the data
folder's files and reference files (jygproj.workbench's kept key: path, size and sha256 of every
input), the review's parameters and the source of every module of the package; the kernel computes
the key again from what it opened and takes the review only when the two agree, else calculates it
itself. The kernel removes the file when it takes it: so the command knows, and the report's
manifest says (:func:`record`), whether the notebook's review was the handed one. An analyst's own
kernel never sees a file (the variable :data:`ENV` is set only in a report's kernel).

A province's workbook (a million cells, ~5 s of one core) is the longest part of its report: the
command starts writing it in a second process as soon as the review is calculated
(:class:`WorkbookAhead`, jygproj.report.review_files.start_workbook), while the kernel shows the
tables and writes the letters, instead of when the notebook reaches its last cell; the notebook's
write_outputs waits for it and moves it into the report (:func:`workbook_for`). It is the workbook of
the handed review, so only a notebook that took that review takes it.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import threading
import time
from pathlib import Path
from typing import Any

#: Set in a report's kernel (jygproj.runs.LentKernel.prepare): the file of the review handed to it.
ENV = "JYGPROJ_HANDED_REVIEW"


def key(kept_key: tuple, params: Any) -> str:
    """The key of a review: the inputs (jygproj.workbench._kept_key), its parameters (folder, year,
    quarter, as-of month, unit, headline) and the package's code."""
    from jygproj.forecast.memo import code_digest

    h = hashlib.sha256(repr((kept_key, tuple(params.__dict__.items()))).encode("utf-8"))
    h.update(code_digest())
    return h.hexdigest()


def write(path: Path, review_key: str, review: Any, workbook: bool = False) -> None:
    """The review and its key into ``path`` (atomically: jygproj.outputs.write_atomic); ``workbook``:
    this process is writing its workbook (:class:`WorkbookAhead` in :func:`workbook_folder`)."""
    from jygproj import outputs

    writer = os.getpid() if workbook else None
    outputs.write_atomic(path, pickle.dumps((review_key, review, writer), protocol=pickle.HIGHEST_PROTOCOL))


#: The review taken by this kernel whose workbook the command is writing: (review, folder, the
#: command's process id); see :func:`workbook_for`.
_TAKEN_WORKBOOK: list[tuple[Any, Path, int]] = []


def take(kept_key: tuple, params: Any) -> Any | None:
    """The review handed to this kernel for exactly these inputs and parameters (the file then
    removed), or None: no file, another key, or a file that cannot be read."""
    given = os.environ.get(ENV)
    if not given:
        return None
    path = Path(given)
    try:
        review_key, review, writer = pickle.loads(path.read_bytes())
    except Exception:  # noqa: BLE001 - no file, or a damaged one: the kernel calculates it itself
        return None
    if review_key != key(kept_key, params):
        return None
    path.unlink(missing_ok=True)
    _TAKEN_WORKBOOK[:] = [(review, workbook_folder(path), writer)] if writer else []
    return review


def record(path: Path, seconds: float) -> dict[str, Any]:
    """What a report's manifest says about the review handed to its kernel (and its workbook)."""
    taken = not path.exists()
    done = {"calculated_by": "the command, while the kernel started (jygproj.handover)",
            "seconds": round(seconds, 3),
            "taken_by_the_notebook": taken,
            "why": "same inputs (sha256 of every file), parameters and package code: the key agreed"
                   if taken else "the key did not agree: the notebook calculated the review itself"}
    folder = workbook_folder(path)
    if folder.exists():
        done["workbook"] = {"written_by": "a second process the command started once the review was calculated, "
                                          "while the notebook ran (jygproj.handover.WorkbookAhead)",
                            "taken_by_the_notebook": (folder / _TAKEN).exists()}
    return done


def workbook_folder(path: Path) -> Path:
    """Where the command writes the workbook of the review handed in ``path``, and its outcome (a
    leftover of a killed run, as the review's file: jygproj.outputs)."""
    return path.with_name(f"{path.name}-workbook")


_OUTCOME, _TAKEN = "outcome", "taken"  # the writer's outcome, beside the workbook; renamed once the kernel took it


class WorkbookAhead:
    """The command's side: the workbook being written by a second process (jygproj.export.Pending)
    in :func:`workbook_folder`; when that ends, its outcome is written beside it for the kernel
    (("ok", None) or ("error", the error)). :meth:`close` when the report is done: the folder goes."""

    def __init__(self, folder: Path, job: Any):
        self.folder, self._job = folder, job
        self._thread = threading.Thread(target=self._wait, name="jygproj-workbook-ahead", daemon=True)
        self._thread.start()

    def _wait(self) -> None:
        from jygproj import outputs

        try:
            self._job.result()
            outcome: tuple[str, Any] = ("ok", None)
        except BaseException as exc:  # noqa: BLE001 - handed to the kernel, which raises it in its cell
            outcome = ("error", exc)
        try:
            data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - an error that cannot be pickled: its words
            from jygproj.export import ExportError

            data = pickle.dumps(("error", ExportError(str(outcome[1]), "export_worker_failed")))
        outputs.write_atomic(self.folder / _OUTCOME, data)

    def close(self) -> None:
        """The writer stopped (a report that never reached its workbook does not wait for it), the folder removed."""
        self._job.stop()
        self._thread.join()
        shutil.rmtree(self.folder, ignore_errors=True)


class HandedWorkbook:
    """The kernel's side: :meth:`result` waits for the command's writer and moves the workbook to
    ``target`` (the interface of jygproj.export.Pending)."""

    def __init__(self, folder: Path, target: Path, writer: int):
        self.folder, self.target, self.writer = folder, Path(target), writer

    def result(self) -> Path:
        """The workbook moved to the target; the writer's error raised here."""
        from jygproj.export import ExportError

        outcome = self.folder / _OUTCOME
        while not outcome.exists():
            if not _alive(self.writer):
                raise ExportError(f"写入《{self.target.name}》的命令进程已退出，工作簿未写完", "export_worker_failed")
            time.sleep(0.02)
        status, error = pickle.loads(outcome.read_bytes())
        if status != "ok":
            raise error
        shutil.move(self.folder / self.target.name, self.target)
        os.replace(outcome, self.folder / _TAKEN)  # what the command's record reads (:func:`record`)
        return self.target


def workbook_for(review: Any, target: Path) -> HandedWorkbook | None:
    """The workbook of ``review`` that the command is writing, to be moved to ``target`` (named as
    the command named it: jygproj.report.review_files.workbook_name), or None: the review was not
    handed, or handed without its workbook (a small one is written by the kernel)."""
    if not _TAKEN_WORKBOOK or _TAKEN_WORKBOOK[0][0] is not review:
        return None
    _, folder, writer = _TAKEN_WORKBOOK.pop()
    return HandedWorkbook(folder, target, writer)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
