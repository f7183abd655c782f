"""jygproj: analytics and planning workbench for 嘉政办发〔2023〕39号
(嘉峪关市推动项目落地“大提速”工作方案).

Money inside the package is in 万元 (float); the plan speaks 亿元 (1 亿元 = 10,000 万元).
"""

__version__ = "0.1.0"
