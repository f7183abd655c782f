"""The report's displays: tables shown one after another are one output, with the same text."""

from __future__ import annotations

import polars as pl

from jygproj.report import html


def _displayed(monkeypatch, parts) -> list:
    import IPython.display

    shown: list = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, **kw: shown.append(obj))
    html.show_outputs(parts)
    return shown


def test_tables_next_to_each_other_are_one_output_and_an_empty_one_stays_a_sentence(monkeypatch):
    from IPython.display import HTML, Markdown

    one = html.frame_output(pl.DataFrame({"a": [1]}), "甲表", unit="万元")
    two = html.frame_output(pl.DataFrame({"a": [2]}), "乙表")
    empty = html.frame_output(pl.DataFrame({"a": []}, schema={"a": pl.Int64}), "丙表")
    assert empty == ("markdown", "**丙表**：无。")
    shown = _displayed(monkeypatch, [one, two, empty, ("markdown", "*（本节无数据）*"), one])
    assert [type(o) for o in shown] == [HTML, Markdown, HTML]
    assert shown[0].data == one[1] + two[1]  # the tables as each was shown alone, one after the other
    assert shown[1].data == "**丙表**：无。\n\n*（本节无数据）*"
    assert shown[2].data == one[1]
    assert "甲表（单位：万元）" in one[1] and "乙表" in two[1]


def test_show_frame_displays_what_frame_output_gives(monkeypatch):
    import IPython.display

    shown: list = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, **kw: shown.append(obj))
    frame = pl.DataFrame({"value": [1.5], "unit": ["亿元"]})
    html.show_frame(frame, "核心指标", unit=None)
    assert [o.data for o in shown] == [html.frame_output(frame, "核心指标", unit=None)[1]]
