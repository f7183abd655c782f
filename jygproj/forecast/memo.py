"""What the forecast made, kept on disk by the content of everything it was made from, so a second
run on the same data (a report made again, a unit's report after the city's, the benchmark's user
running the quarter again) reads it back instead of making it again: the backtest's cases and the
whole forecast with its Monte Carlo (1.5 s wall, 2.8 s CPU on both cores for a province's 20,000
projects, as of 2023-10 on a quiet machine).

The key (:func:`key`) is the sha256 of: each frame's schema and every row's hash (polars' row hash,
stable within one polars version, which is part of the key; categoricals by their text); every
argument's repr (floats in full); the versions of numpy and polars; the source of every module of the
package (:func:`code_digest`). Any change in the data, the settings or the code is a new key;
nothing is ever read back for other inputs. Files are written atomically (jygproj.outputs) into
data/parquet/.memo/<kind>/ (git-ignored, beside the Parquet copies) — or the folder
$JYGPROJ_FORECAST_MEMO names ("0" or "": none, everything is made each time); the newest
:data:`KEEP` of each kind are kept. A file that cannot be read back is made again.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import hashlib
import os
from pathlib import Path
from typing import Any, Callable, TypeVar

import numpy as np
import polars as pl

T = TypeVar("T")

ENV = "JYGPROJ_FORECAST_MEMO"
KEEP = 16

def folder() -> Path | None:
    given = os.environ.get(ENV)
    if given is not None:
        return Path(given) if given not in ("", "0") else None
    from jygproj import paths

    return paths.DATA / "parquet" / ".memo"


#: id → (frame, digest) within :func:`one_call`, else None
_DIGESTS: contextvars.ContextVar[dict[int, tuple[pl.DataFrame, bytes]] | None] = contextvars.ContextVar(
    "jygproj_forecast_digests", default=None)


def one_call() -> contextlib.AbstractContextManager[None]:
    """Within the block (one forecast: its own key and its backtest's hash the same ledger and
    registers), each frame is hashed once, matched by identity — the block holds the frames, so an
    id is not reused meanwhile. Outside it nothing is kept."""
    from jygproj.ledger import outermost_memo

    return outermost_memo(_DIGESTS)


def _frame_digest(frame: pl.DataFrame) -> bytes:
    seen = _DIGESTS.get()
    if seen is not None and id(frame) in seen and seen[id(frame)][0] is frame:
        return seen[id(frame)][1]
    digest = _digest(frame)
    if seen is not None:
        seen[id(frame)] = (frame, digest)
    return digest


def _digest(frame: pl.DataFrame) -> bytes:
    frame = frame.with_columns(pl.col(pl.Categorical).cast(pl.String))
    h = hashlib.sha256(repr(list(frame.schema.items())).encode("utf-8"))
    h.update(frame.height.to_bytes(8, "little"))
    h.update(frame.hash_rows(seed=0).to_numpy().tobytes())
    return h.digest()


@functools.cache
def code_digest() -> bytes:
    """Every module of the package, not a list of those the forecast is thought to use: a list would
    have to be kept in step with the imports, and a module left off it would let an old result be
    read back after a change (~200 files, read once a process)."""
    import jygproj

    root = Path(jygproj.__file__).parent
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return h.digest()


def key(kind: str, frames: tuple[pl.DataFrame, ...], arguments: dict[str, Any]) -> str:
    h = hashlib.sha256(kind.encode())
    for f in frames:
        h.update(_frame_digest(f))
    for name, value in sorted(arguments.items()):
        if isinstance(value, np.ndarray):
            value = (value.dtype.str, value.shape, value.tobytes().hex())
        elif isinstance(value, dict):
            value = sorted(value.items())
        h.update(f"{name}={value!r};".encode("utf-8"))
    h.update(f"numpy {np.__version__} polars {pl.__version__}".encode())
    h.update(code_digest())
    return h.hexdigest()[:40]


def remembered(kind: str, frames: tuple[pl.DataFrame, ...], arguments: dict[str, Any], make: Callable[[], T],
               dump: Callable[[T], bytes], load: Callable[[bytes], T]) -> T:
    """``make()``, or what it made before for the same ``frames``, ``arguments`` and code."""
    base = folder()
    if base is None:
        return make()
    try:
        k = key(kind, frames, arguments)
    except (pl.exceptions.PolarsError, TypeError, ValueError, OSError):  # a column polars cannot hash
        return make()
    path = base / kind / f"{k}.bin"
    try:
        blob = path.read_bytes()
    except OSError:
        blob = None
    if blob is not None and blob.startswith(k.encode() + b"\n"):
        try:
            return load(blob[len(k) + 1:])
        except Exception:  # noqa: BLE001 - a damaged or outdated file: made again below
            pass
    value = make()
    _store(path, k.encode() + b"\n" + dump(value))
    return value


def _store(path: Path, blob: bytes) -> None:
    from jygproj import outputs

    try:
        outputs.write_atomic(path, blob)
        kept = sorted(path.parent.glob("*.bin"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in kept[KEEP:]:
            old.unlink(missing_ok=True)
    except OSError:  # a read-only checkout: made each time
        pass
