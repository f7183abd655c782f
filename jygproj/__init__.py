"""jygproj: analytics and planning workbench for 嘉政办发〔2023〕39号
(嘉峪关市推动项目落地“大提速”工作方案).

Money inside the package is in 万元 (float); the plan speaks 亿元 (1 亿元 = 10,000 万元).
"""

__version__ = "0.1.0"


def open(data=None, *, year=None, as_of=None):  # noqa: A001 - the front door reads like opening a file
    """Open a data folder for analysis: ``jygproj.open()`` is the embedded sample; a relative folder is
    taken from the current folder. Returns a :class:`jygproj.workbench.Workbench` (canonical tables,
    ``.completion()``, ``.quarterly()``, ``.reserve()``, ``.planner()``)."""
    from jygproj.workbench import open as open_workbench

    return open_workbench(data, year=year, as_of=as_of)
