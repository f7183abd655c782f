"""Reading official workbooks (项目清单, 调度表, 固定资产投资基数, 储备项目库) into the canonical tables.

    from jygproj.io import load_workbooks, load_dataset, latest_progress
    ds = load_dataset(Path("data/sample/2023"))
    ds.projects, ds.memberships, ds.progress, ds.baseline, ds.reserve, ds.reserve_steps, ds.problems

Every problem is collected (never raised) with file, sheet, Excel row, column letter, header, value,
an English code and a Chinese message; a sheet with errors loads nothing, warnings do not stop it.
"""

# Each name is imported from its module on first use (PEP 562), so that importing a light submodule
# (jygproj.io.loaded for the Parquet copy, problems, followup_books) does not load the whole Excel
# reader — fastexcel, defusedxml and the header rules (issue 18: ~27 ms of the city run's command and
# again in its kernel).
_HOMES = {
    "Dataset": "jygproj.io.loaded",
    "SheetReport": "jygproj.io.loaded",
    "Problem": "jygproj.io.problems",
    "latest_progress": "jygproj.io.dataset",
    "load_dataset": "jygproj.io.dataset",
    "load_workbooks": "jygproj.io.dataset",
    "normalise_name": "jygproj.io.names",
    "project_id": "jygproj.io.names",
}


def __getattr__(name: str):
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOMES))


__all__ = [
    "Dataset",
    "Problem",
    "SheetReport",
    "latest_progress",
    "load_dataset",
    "load_workbooks",
    "normalise_name",
    "project_id",
]
