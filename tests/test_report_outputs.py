"""The report's displays: what a cell shows one after another is one output, with the same text."""

from __future__ import annotations

import polars as pl

from jygproj.report import html


def _displayed(monkeypatch, show, *args) -> list:
    import IPython.display

    shown: list = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, **kw: shown.append(obj))
    show(*args)
    return shown


def test_tables_next_to_each_other_are_one_output(monkeypatch):
    from IPython.display import HTML

    one = html.frame_html(pl.DataFrame({"a": [1]}), "甲表", unit="万元")
    two = html.frame_html(pl.DataFrame({"a": [2]}), "乙表")
    empty = html.frame_html(pl.DataFrame({"a": []}, schema={"a": pl.Int64}), "丙<表>")
    # an empty table: the words Markdown's **丙<表>**：无。 gave, as HTML beside the others
    assert empty == "<p><strong>丙&lt;表&gt;</strong>：无。</p>"
    shown = _displayed(monkeypatch, html.show_html, one + two + empty)
    assert [type(o) for o in shown] == [HTML]
    assert shown[0].data == one + two + empty  # each as it was shown alone, one after the other
    assert "甲表（单位：万元）" in one and "乙表<" in two


def test_show_frame_displays_what_frame_html_gives(monkeypatch):
    frame = pl.DataFrame({"value": [1.5], "unit": ["亿元"]})
    shown = _displayed(monkeypatch, html.show_frame, frame, "核心指标")
    assert [o.data for o in shown] == [html.frame_html(frame, "核心指标")]


def test_a_review_shows_a_chart_and_its_tables_as_one_output(monkeypatch):
    from jygproj import charts, workbench
    from jygproj.report import review_charts, review_files

    review = workbench.open(None, year=2023, as_of="2023-10").quarterly(3)
    chart = review_charts.charts_for(review)["s_curve"]
    shown = _displayed(monkeypatch, review_files.show, review, chart, "completion_nature", "no_such_table")
    assert len(shown) == 1
    assert shown[0].data.startswith(charts.chart_html(chart))
    assert review.tables["completion_nature"].title in shown[0].data
    assert shown[0].data.endswith("<p><em>（本节无数据）</em></p>")
