"""Repo-anchored paths: the only place that knows where things live."""

from __future__ import annotations

import os
from pathlib import Path

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
