"""What a load gives — the Dataset, its SheetReports and SheetReadings — apart from the reader that
makes them, so reading the Parquet copy (jygproj.ingest.load_ingested) and unpickling a handed review
import neither fastexcel nor the header rules (issue 18: ~27 ms of the city run's command and of its kernel's first cell)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from jygproj import schema
from jygproj.io.problems import ERROR


@dataclass
class SheetReport:
    """What `jygproj check` says about one sheet."""

    path: str
    sheet: str
    kind: str | None
    list: str | None
    unit: str | None
    period: str | None
    rows: dict[str, int] = field(default_factory=lambda: {"read": 0, "loaded": 0, "structure": 0, "rejected": 0})
    by_nature: dict[str, dict] = field(default_factory=dict)
    errors: int = 0
    warnings: int = 0
    completed_column: str | None = None  # letter of the 1-X月完成投资 column (scheduling tables)
    completed_header: str | None = None  # its header text

    def as_json(self) -> dict:
        return {
            "sheet": self.sheet,
            "kind": self.kind,
            "list": self.list,
            "unit": self.unit,
            "period": self.period,
            "rows": dict(self.rows),
            "by_nature": self.by_nature,
        }


@dataclass
class SheetReading:
    """How a sheet was read, for `check --explain`: every line in Chinese, ready to print."""

    layout: str | None = None  # "《版式.yaml》第2条" when a layout file settled it
    skipped: str | None = None  # why the whole sheet was skipped (汇总表, 填报说明)
    header_rows: tuple[int, int] | None = None  # Excel rows of the header
    columns: list[tuple[str, str, str]] = field(default_factory=list)  # (letter, header path, reading)
    picks: list[str] = field(default_factory=list)  # which column was taken when several could be
    unit: str | None = None  # where the unit came from
    period: str | None = None  # the period and where it came from
    nature: str | None = None  # where the construction nature comes from
    rows: list[tuple[int, int, str]] = field(default_factory=list)  # (first, last Excel row, reason)
    draft: dict | None = None  # the layout entry that would read a refused sheet (layout.draft_entry)


@dataclass
class Dataset:
    projects: pl.DataFrame
    memberships: pl.DataFrame
    progress: pl.DataFrame
    baseline: pl.DataFrame
    reserve: pl.DataFrame
    reserve_steps: pl.DataFrame
    problems: pl.DataFrame
    sheets: list[SheetReport] = field(default_factory=list)
    #: (file, sheet) → how the sheet was read (header paths, unit, period, nature, rows skipped), for
    #: `check --explain`; empty for a Dataset read back from its Parquet copy
    readings: dict[tuple[str, str], SheetReading] = field(default_factory=dict)

    @property
    def has_errors(self) -> bool:
        return bool((self.problems["severity"] == ERROR).any()) if self.problems.height else False

    def sheet_table(self) -> pl.DataFrame:
        """One row per sheet read: what it was taken for and where every row went (read = loaded +
        structure + rejected), with its error and warning counts — the analyst's first look."""
        return pl.DataFrame(
            [
                {
                    "source_file": Path(s.path).name,
                    "source_sheet": s.sheet,
                    "sheet_kind": schema.SHEET_KINDS.get(s.kind or "", "未识别"),
                    "list": schema.LISTS.get(s.list or "", "—"),
                    "unit": s.unit or "—",
                    "period": s.period or "—",
                    **{f"rows_{k}": v for k, v in s.rows.items()},
                    "errors": s.errors,
                    "warnings": s.warnings,
                }
                for s in self.sheets
            ],
            schema={"source_file": pl.String, "source_sheet": pl.String, "sheet_kind": pl.String,
                    "list": pl.String, "unit": pl.String, "period": pl.String, "rows_read": pl.Int64,
                    "rows_loaded": pl.Int64, "rows_structure": pl.Int64, "rows_rejected": pl.Int64,
                    "errors": pl.Int64, "warnings": pl.Int64},
        )
