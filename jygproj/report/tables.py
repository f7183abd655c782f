"""A report table (sheet name, title, frame, unit, notes) and the two shaping steps every table
shares: codes to Chinese labels, and the register row a project's figures came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

import polars as pl

from jygproj.schema import VALUE_CODE_LABELS


@dataclass
class Table:
    name: str  # sheet name
    title: str
    frame: pl.DataFrame
    unit: str | None = "万元"
    total_row: bool = False
    notes: tuple[str, ...] = ()
    total_ratios: Mapping[str, tuple[str, str]] = field(default_factory=dict)


def labelled(frame: pl.DataFrame, extra: Mapping[str, Mapping[str, str]] | None = None) -> pl.DataFrame:
    """Translate scope/period/kind/status codes to Chinese for display; ``extra`` adds the plan's own
    (requirement_id → the requirement in words, jygproj.plan.Plan.requirement_labels)."""
    maps = {**VALUE_CODE_LABELS, **(extra or {})}
    exprs = [pl.col(col).cast(pl.String).replace(mapping) for col, mapping in maps.items() if col in frame.columns]
    return frame.with_columns(exprs) if exprs else frame


def with_source(frame: pl.DataFrame, projects: pl.DataFrame) -> pl.DataFrame:
    """Append the project register's source (file, sheet, row) to a per-project table."""
    src = projects.select("project_id", "source_file", "source_sheet", "source_row").unique("project_id")
    return file_names(frame.join(src, on="project_id", how="left"))


#: Columns that hold a workbook's path: readers see the file's name, never a machine path.
FILE_COLUMNS = ("source_file", "figure_file", "plan_file", "used_file", "other_file")


def file_names(frame: pl.DataFrame) -> pl.DataFrame:
    """The workbook columns of a table as file names (《…》 in the data folder), not paths."""
    cols = [c for c in FILE_COLUMNS if c in frame.columns and frame.schema[c] == pl.String]
    return frame.with_columns(pl.col(c).str.replace(r"^.*[/\\]", "") for c in cols) if cols else frame


def codes_in_words(frame: pl.DataFrame, column: str, words: Mapping[str, str]) -> pl.DataFrame:
    """A column of codes joined by "+" or "、" (industrial+real_estate, pace_behind、start_late) in words."""
    if column not in frame.columns:
        return frame
    return frame.with_columns(pl.col(column).map_elements(
        lambda v: "、".join(words.get(x, x) for x in v.replace("+", "、").split("、")) if v else v,
        return_dtype=pl.String))
