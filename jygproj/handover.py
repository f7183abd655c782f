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
"""

from __future__ import annotations

import hashlib
import os
import pickle
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


def write(path: Path, review_key: str, review: Any) -> None:
    """The review and its key into ``path`` (atomically: jygproj.outputs.write_atomic)."""
    from jygproj import outputs

    outputs.write_atomic(path, pickle.dumps((review_key, review), protocol=pickle.HIGHEST_PROTOCOL))


def take(kept_key: tuple, params: Any) -> Any | None:
    """The review handed to this kernel for exactly these inputs and parameters (the file then
    removed), or None: no file, another key, or a file that cannot be read."""
    given = os.environ.get(ENV)
    if not given:
        return None
    path = Path(given)
    try:
        review_key, review = pickle.loads(path.read_bytes())
    except Exception:  # noqa: BLE001 - no file, or a damaged one: the kernel calculates it itself
        return None
    if review_key != key(kept_key, params):
        return None
    path.unlink(missing_ok=True)
    return review


def record(path: Path, seconds: float) -> dict[str, Any]:
    """What a report's manifest says about the review handed to its kernel."""
    taken = not path.exists()
    return {"calculated_by": "the command, while the kernel started (jygproj.handover)",
            "seconds": round(seconds, 3),
            "taken_by_the_notebook": taken,
            "why": "same inputs (sha256 of every file), parameters and package code: the key agreed"
                   if taken else "the key did not agree: the notebook calculated the review itself"}
