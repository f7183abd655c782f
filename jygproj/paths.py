"""Repo-anchored paths: the only place that knows where things live."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
REFERENCE = DATA / "reference"
SAMPLE = DATA / "sample"
SAMPLE_2023 = SAMPLE / "2023"
NOTEBOOKS = ROOT / "notebooks"
NOTEBOOK_PARAMS = NOTEBOOKS / "params"
REPORTS = ROOT / "reports"
BENCHMARKS = ROOT / "benchmarks"

#: Name of the Jupyter kernel installed by scripts/setup.sh (the project's venv).
KERNEL_NAME = "jygproj"


def targets_file(year: int) -> Path:
    """The plan's targets for one year, e.g. data/reference/targets_2023.yaml."""
    return REFERENCE / f"targets_{year}.yaml"
