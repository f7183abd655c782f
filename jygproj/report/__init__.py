"""The report layer: turns calculation results into what readers see — tables with Chinese headers,
sentences with figures, chart data, HTML for the notebook and files for the run directory.

Nothing here calculates: every figure comes from a calculation module (completion, starts,
growth, alerts, ranking, factors, supervision, reserve…); this package only selects, labels,
formats and writes. One formatter per kind of figure (:mod:`jygproj.report.formats`), one HTML
table renderer (:mod:`jygproj.report.html`), labels from :mod:`jygproj.schema`.
"""

#: The quarterly review's name in file names (jygproj.paths.output_name); here, not in review_files,
#: so the command names a report's files without importing the report writers (issue 18).
REVIEW_KIND = "季度考核"
