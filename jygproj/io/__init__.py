"""Reading official workbooks (项目清单, 调度表, 固定资产投资基数, 储备项目库) into the canonical tables.

    from jygproj.io import load_workbooks, load_dataset, latest_progress
    ds = load_dataset(Path("data/sample/2023"))
    ds.projects, ds.memberships, ds.progress, ds.baseline, ds.reserve, ds.reserve_steps, ds.problems

Every problem is collected (never raised) with file, sheet, Excel row, column letter, header, value,
an English code and a Chinese message; a sheet with errors loads nothing, warnings do not stop it.
"""

from jygproj.io.dataset import Dataset, latest_progress, load_dataset, load_workbooks
from jygproj.io.names import normalise_name, project_id
from jygproj.io.problems import Problem
from jygproj.io.sheets import SheetReport

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
