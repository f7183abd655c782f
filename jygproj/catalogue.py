"""The input catalogue: which files of a data folder are inputs, with their sha256, and which are
skipped and why. The one rule every command, notebook, the Parquet copy (jygproj.ingest), the
reserve pipeline, `jygproj check` and the quarterly review use — so the workbooks loaded, the
workbooks hashed and the workbooks listed in a report's 数据来源 are always the same files.

The rule (every file below the folder is either an input or named as skipped, with its reason):
- an input is a file directly in the folder whose suffix (case and trailing spaces ignored) is an
  Excel or WPS workbook (.xlsx .xlsm .xls .et .ett — WPS files are read so the user is told to
  save them as .xlsx);
- follow-up workbooks: the workbooks directly in the subfolder 督办反馈/ (:data:`FOLLOWUP_FOLDER`) —
  the units' reply forms and the analyst's closure record (jygproj.followups), read by their own
  reader (jygproj.io.followup_books), never by the scheduling loader;
- the folder's layout file (版式.yaml, jygproj.io.layout) is not an input workbook but is read with
  them: it is named as such and hashed (a changed layout file changes the data's hash);
- skipped: symbolic links (to a file or a folder: the file itself belongs in the folder), files in
  other subfolders (offices keep archived or edited copies there: 归档、旧版), Office and WPS lock files (~$…), hidden files (.…), backups and archives (.bak, .zip, …, a name ending in ~),
  and anything that is not a workbook (README.md, PDFs, …).

Files are keyed by their path relative to the folder (POSIX), never by bare name: an edited copy
of a workbook in a subfolder never lends its hash to the loaded file.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Iterable

import polars as pl

from jygproj.errors import JygprojError
from jygproj.schema import LAYOUT_NAMES, SAMPLE_WORD

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".et", ".ett")
#: The subfolder of a data folder holding the follow-up workbooks (reply forms, the closure record).
FOLLOWUP_FOLDER = "督办反馈"
#: SAMPLE_WORD (schema): the words every workbook of the embedded sample carries in its name
#: (jygproj.sample); a folder with such a workbook is sample data, and every output made from it says so.
ARCHIVE_SUFFIXES = (".bak", ".old", ".tmp", ".zip", ".rar", ".7z", ".gz", ".tar")

#: Why a file is not an input: code → Chinese reason.
SKIP_REASONS: dict[str, str] = {
    "link": "符号链接（快捷方式），不读取；请把工作簿本身放进数据目录",
    "layout_file": "版式文件：说明本目录工作簿的版式，读取工作簿时按其读取（内容计入数据的哈希）",
    "in_subfolder": "位于子目录中（常为归档或修改过的副本），不读取；如需读取请放在数据目录下一层",
    "lock_file": "Office/WPS 打开文件时生成的临时锁文件（~$），不是数据",
    "hidden": "隐藏文件，不读取",
    "backup": "备份或压缩文件，不读取",
    "not_workbook": "不是 Excel 工作簿，不读取",
}


class CatalogueError(JygprojError, ValueError):
    """A data folder that cannot be catalogued (missing, not a folder, no workbook)."""


@dataclass
class InputFile:
    path: Path  # absolute
    relative: str  # POSIX path relative to the folder: the key of the file everywhere
    bytes: int

    @cached_property
    def sha256(self) -> str:
        """Hashed when first asked (a load that needs no hash does not read the file twice)."""
        return sha256_file(self.path)


@dataclass(frozen=True)
class SkippedFile:
    relative: str
    code: str  # English code (SKIP_REASONS)

    @property
    def reason(self) -> str:
        return SKIP_REASONS[self.code]


@dataclass(frozen=True)
class Catalogue:
    folder: Path  # absolute
    inputs: tuple[InputFile, ...]
    skipped: tuple[SkippedFile, ...]
    followups: tuple[InputFile, ...] = ()  # the workbooks of 督办反馈/ (replies, closures)
    layout: InputFile | None = None  # the folder's 版式.yaml, read with the workbooks

    def layout_record(self) -> dict[str, Any] | None:
        """{"path", "sha256", "bytes"} of the layout file, None without one (for the Parquet copy's manifest)."""
        if self.layout is None:
            return None
        return {"path": self.layout.relative, "sha256": self.layout.sha256, "bytes": self.layout.bytes}

    @property
    def paths(self) -> list[Path]:
        """The input workbooks, sorted by relative path (the order they are loaded in)."""
        return [f.path for f in self.inputs]

    @property
    def is_sample(self) -> bool:
        """True when any input workbook's name says 样例数据 (the embedded sample, or a copy of it)."""
        return any(SAMPLE_WORD in f.path.name for f in self.inputs)

    def hashes(self) -> dict[str, dict[str, Any]]:
        """Relative path → {"sha256", "bytes"} of every input."""
        return {f.relative: {"sha256": f.sha256, "bytes": f.bytes} for f in self.inputs}

    def key_of(self, path: str | Path) -> str:
        """The catalogue key (relative path) of an input given by any spelling of its path; a file
        that is not an input of this catalogue is refused, naming it."""
        p = Path(path)
        if not p.is_absolute():
            p = self.folder / p
        try:
            rel = p.resolve().relative_to(self.folder).as_posix()
        except ValueError:
            rel = None
        if rel is None or rel not in self._by_key:  # (follow-up workbooks are not the loader's inputs)
            raise CatalogueError(f"文件 {path} 不是数据目录 {self.folder} 的输入工作簿（输入：{len(self.inputs)} 个）",
                                 "not_an_input")
        return rel

    def sha256_of(self, path: str | Path) -> str:
        return self._by_key[self.key_of(path)].sha256

    @property
    def _by_key(self) -> dict[str, InputFile]:
        return {f.relative: f for f in self.inputs}

    def skipped_frame(self) -> pl.DataFrame:
        """Every skipped file with its reason (Chinese) and code."""
        return pl.DataFrame([{"path": s.relative, "reason": s.reason, "code": s.code} for s in self.skipped],
                            schema={"path": pl.String, "reason": pl.String, "code": pl.String})

    def as_json(self) -> dict[str, Any]:
        return {"inputs": self.hashes(), "skipped": {s.relative: s.code for s in self.skipped},
                "followups": {f.relative: {"sha256": f.sha256, "bytes": f.bytes} for f in self.followups}}


def sha256_file(path: Path) -> str:
    """The sha256 of a file (hex), read in 1 MiB chunks: the one hash of the package."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def skip_code(relative: Path) -> str | None:
    """Why a file (path relative to the data folder) is not an input; None for an input."""
    name = relative.name
    suffix = Path(name.rstrip()).suffix.lower()
    if len(relative.parts) == 1 and name in LAYOUT_NAMES:
        return "layout_file"
    if any(part.startswith(".") for part in relative.parts):
        return "hidden"
    if name.startswith("~$"):
        return "lock_file"
    if suffix in ARCHIVE_SUFFIXES or name.endswith("~"):
        return "backup"
    if suffix not in WORKBOOK_SUFFIXES:
        return "not_workbook"
    if len(relative.parts) > 1 and not is_followup(relative):
        return "in_subfolder"
    return None


def is_followup(relative: Path) -> bool:
    """A file directly in the data folder's 督办反馈/ subfolder (a follow-up workbook when it is one)."""
    return len(relative.parts) == 2 and relative.parts[0] == FOLLOWUP_FOLDER


def catalogue(folder: str | Path, *, require_inputs: bool = True) -> Catalogue:
    """Catalogue a data folder: every file below it, an input or skipped with its reason."""
    folder = Path(folder)
    if not folder.is_dir():
        raise CatalogueError(f"数据目录不存在：{folder}", "data_dir_missing")
    folder = folder.resolve()
    inputs, skipped, followups = [], [], []
    layout = None
    # rglob does not descend into linked folders; a link (to a file or a folder) is named, not followed
    for p in sorted(q for q in folder.rglob("*") if q.is_symlink() or q.is_file()):
        rel = p.relative_to(folder)
        code = "link" if p.is_symlink() else skip_code(rel)
        if code is None:
            (followups if is_followup(rel) else inputs).append(InputFile(p, rel.as_posix(), p.stat().st_size))
        else:
            skipped.append(SkippedFile(rel.as_posix(), code))
            if code == "layout_file":
                layout = InputFile(p, rel.as_posix(), p.stat().st_size)
    if require_inputs and not inputs:
        raise CatalogueError(f"数据目录中没有 Excel 工作簿：{folder}", "no_workbooks")
    return Catalogue(folder, tuple(sorted(inputs, key=_relative)), tuple(skipped),
                     followups=tuple(sorted(followups, key=_relative)), layout=layout)


def _relative(f: InputFile) -> str:
    return f.relative


def file_records(files: Iterable[Path], display) -> list[dict[str, Any]]:
    """sha256 and size of each file, its path shown by ``display`` (for run manifests)."""
    out = []
    for f in files:
        f = Path(f).resolve()
        out.append({"path": display(f), "sha256": sha256_file(f), "bytes": f.stat().st_size})
    return out
