"""Repo-anchored paths: the only place that knows where things live."""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path
from typing import Iterable

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
REFERENCE = DATA / "reference"
SAMPLE = DATA / "sample"
#: The year of the embedded sample data (data/sample/<year>): the default when no year is given.
SAMPLE_YEAR = 2023
SAMPLE_2023 = SAMPLE / str(SAMPLE_YEAR)
NOTEBOOKS = ROOT / "notebooks"
NOTEBOOK_PARAMS = NOTEBOOKS / "params"
REPORTS = ROOT / "reports"
BENCHMARKS = ROOT / "benchmarks"

#: Name of the Jupyter kernel installed by scripts/setup.sh (the project's venv).
KERNEL_NAME = "jygproj"


#: Environment variable naming a folder of plan files (targets_<year>.yaml) read instead of
#: data/reference/ — for a test plan or a draft; unset, the plans are those of data/reference/.
PLANS_ENV = "JYGPROJ_PLANS"


def targets_file(year: int) -> Path:
    """The plan of one year, e.g. data/reference/targets_2023.yaml (or in the folder $JYGPROJ_PLANS)."""
    folder = os.environ.get(PLANS_ENV)
    return (resolve(folder) if folder else REFERENCE) / f"targets_{year}.yaml"


def sample_dir(year: int) -> Path:
    """The embedded sample data of a year (data/sample/<year>): the default data folder."""
    return SAMPLE / str(year)


def is_sample(folder: str | Path | None) -> bool:
    """Whether a data folder is (inside) the embedded sample data/sample/: outputs made from it are marked."""
    if not folder:
        return True
    here = resolve(folder)
    return here == SAMPLE or SAMPLE in here.parents


def resolve(path: str | Path) -> Path:
    """The one rule for a path a user gives (command option, parameter file, notebook parameter,
    jygproj.open): ``~`` expanded; absolute as given; relative from the current folder — the same
    in every command and in the notebook API. There is no fallback to the repository: a relative
    path that is not there is not silently replaced by the sample. (An empty parameter means the
    default: the embedded sample, reports/<run>; see the callers.)"""
    return Path(os.path.abspath(Path(path).expanduser()))


def data_folder(given: str | Path | None, year: int) -> Path:
    """The data folder a user means: the embedded sample of ``year`` when none is given ("" or None),
    else the folder by :func:`resolve`."""
    return sample_dir(year) if not given else resolve(given)


def output_folder(given: str | Path | None, default_name: str) -> Path:
    """The output folder a user means: reports/<default_name> when none is given, else by :func:`resolve`."""
    return REPORTS / default_name if not given else resolve(given)


def display(path: str | Path, *, for_readers: bool = False) -> str:
    """A path for a record or a message: relative to the repository when inside it, else absolute —
    or, ``for_readers`` (a report), just its name: no machine path in what readers see."""
    p = Path(os.path.abspath(path))
    try:
        return p.relative_to(ROOT).as_posix()
    except ValueError:
        return p.name if for_readers else str(p)


# --- names a user types (scenario, unit, run) as file names ---------------------------------------

#: Characters Windows refuses in a file name (and "/" everywhere); control characters go too (below).
_BAD_CHARS = re.compile(r'[<>:"/\\|?*]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
#: Bytes a file name may take: Linux and macOS allow 255 per name (a Chinese character is 3 bytes in
#: UTF-8); the rest is left for a suffix such as "_2" or ".docx.tmp".
NAME_MAX_BYTES = 200
UNNAMED = "未命名"


def safe_name(name: str, suffix: str = "", max_bytes: int = NAME_MAX_BYTES) -> str:
    """A name a user typed (a scenario, a responsible unit, a run) as one file name: the one rule.

    The result is a single name inside whatever folder it is joined to, never a path: ``/`` ``\\``
    ``<>:"|?*``, control and invisible format characters (NUL, escapes, right-to-left marks) become
    ``_``; leading dots and spaces (``..``, hidden files) and trailing dots and spaces (Windows drops
    them) are removed; a Windows device name (CON, NUL, COM1…, with any extension) gets a leading
    ``_``; the name is cut to ``max_bytes`` of UTF-8 with ``suffix``; nothing left gives 未命名.
    Two names may clean to the same file name: :func:`unique_names` numbers them."""
    text = unicodedata.normalize("NFC", str(name))
    text = "".join("_" if unicodedata.category(ch)[0] == "C" or ch in "\u2028\u2029" else ch for ch in text)
    text = _BAD_CHARS.sub("_", text).strip().lstrip(". ").rstrip(". ")
    budget = max_bytes - len(suffix.encode("utf-8"))
    text = text.encode("utf-8")[:max(budget, 1)].decode("utf-8", "ignore")  # never half a character
    text = text.rstrip(". ") or UNNAMED
    if text.split(".")[0].strip().upper() in _RESERVED:
        text = "_" + text
    return text + suffix


def unique_names(names: Iterable[str], suffix: str = "") -> dict[str, str]:
    """Each name → its :func:`safe_name`, numbered _2, _3… in the given order when an earlier name
    already cleaned to the same file name (compared without case, as Windows and macOS do)."""
    used: set[str] = set()
    out: dict[str, str] = {}
    for name in names:
        if name in out:
            continue
        candidate, n = safe_name(name, suffix), 1
        while candidate.lower() in used:
            n += 1
            candidate = safe_name(f"{name}_{n}", suffix)
            if candidate.lower() in used:  # cut to the byte limit: number after the cut
                candidate = safe_name(name, f"_{n}{suffix}")
        used.add(candidate.lower())
        out[name] = candidate
    return out


def inside(folder: str | Path, name: str, suffix: str = "") -> Path:
    """``folder / safe_name(name, suffix)``, checked to be directly inside ``folder``."""
    folder = Path(folder)
    path = folder / safe_name(name, suffix)
    if Path(os.path.abspath(path)).parent != Path(os.path.abspath(folder)):
        raise ValueError(f"{name!r} is not a file name inside {folder}")  # safe_name makes this unreachable
    return path
