"""Chart builders: aggregated data, Chinese text and zh-CN formats in the SVG, PNG with a CJK font."""

from __future__ import annotations

import re

import polars as pl
import pytest

from jygproj import charts


def _completion():
    return pl.DataFrame({
        "list": ["provincial_key", "provincial_key", "provincial_key", "government"],
        "quarter": [3, 3, 1, 3],
        "planned_wan": [50_000.0, 32_000.0, 13_000.0, 10_000.0],
        "completed_wan": [60_000.0, 30_000.0, 14_000.0, 8_000.0],
    })


def test_completion_chart_aggregates_before_plotting():
    spec = charts.completion_chart(_completion()).to_dict()
    rows = next(iter(spec["datasets"].values()))
    # provincial_key Q3: 5.0 + 3.2 = 8.2 亿 planned, 6.0 + 3.0 = 9.0 亿 completed -> one row each
    key_q3 = {r["口径"]: r["亿元"] for r in rows if r["清单"] == "全省重点投资项目" and r["季度"] == "三季度"}
    assert key_q3 == {"计划": pytest.approx(8.2), "完成": pytest.approx(9.0)}
    assert len(rows) == 6  # (key Q1, key Q3, gov Q3) x (计划, 完成)


def test_completion_chart_names_a_quarter_under_way_and_draws_no_bar_for_one_not_begun():
    # a quarter under way compares the months so far with the whole quarter's plan: named so, as the
    # tables name it, on two lines; a quarter not begun has its plan and no completion bar
    frame = pl.DataFrame({
        "list": ["government"] * 3, "quarter": [2, 3, 4],
        "planned_wan": [10_000.0, 12_000.0, 9_000.0], "completed_wan": [9_000.0, 5_000.0, None],
        "quarter_label": ["二季度", "三季度（截至8月，未结束）", "四季度（未开始）"],
        "planned_name": ["计划", "方案目标", "方案目标"]})
    chart = charts.completion_chart(frame, label_col="quarter_label", planned_name_col="planned_name")
    spec = chart.to_dict()
    rows = next(iter(spec["datasets"].values()))
    under_way = "三季度（截至8月，未结束）"
    assert {(r["季度"], r["口径"]) for r in rows} == {
        ("二季度", "计划"), ("二季度", "完成"), (under_way, "计划"), (under_way, "完成"), ("四季度（未开始）", "计划")}
    assert spec["spec"]["encoding"]["x"]["sort"] == ["二季度", "三季度（截至8月，未结束）", "四季度（未开始）"]
    # the plan's own target and a list's plan are named apart in the legend (the target first)
    assert {(r["季度"], r["图例"]) for r in rows if r["口径"] == "计划"} == {
        ("二季度", "计划"), (under_way, "方案目标"), ("四季度（未开始）", "方案目标")}
    assert spec["spec"]["encoding"]["color"]["scale"]["domain"] == ["方案目标", "计划", "完成"]
    svg = charts.to_svg(chart)
    assert "三季度" in svg and "（截至8月，未结束）" in svg and "（未开始）" in svg


def test_warnings_chart_says_when_it_shows_only_the_units_with_most():
    # a province's 1,247 units: the chart shows 20 and its title says so, and of how many
    frame = pl.DataFrame({"responsible_unit": [f"单位{i:02d}" for i in range(25)], "level": ["red"] * 25})
    assert charts.warnings_chart(frame).title == "各责任单位预警项目数（预警项目最多的20个，共25个单位有预警项目）"
    assert charts.warnings_chart(frame.head(20)).title == "各责任单位预警项目数"


def test_svg_has_chinese_text_and_zh_month_labels():
    svg = charts.to_svg(charts.completion_chart(_completion()))
    assert svg.startswith("<svg") and "全省重点投资项目" in svg and "三季度" in svg
    growth = pl.DataFrame({"month": [2, 3, 2, 3], "series": ["实际累计", "实际累计", "总量口径路径", "总量口径路径"],
                           "cum_wan": [10_000.0, 25_000.0, 12_000.0, 28_000.0]})
    svg = charts.to_svg(charts.growth_chart(growth, dashed=("总量口径路径",), year=2023))
    assert "3月" in svg and "实际累计" in svg and "http" not in svg.replace("http://www.w3.org", "")


def test_zh_cn_number_format_uses_locale():
    # 12,345.6 亿元 on an axis: zh-CN d3-format groups thousands with a comma
    growth = pl.DataFrame({"month": [1, 12], "series": ["实际累计"] * 2, "cum_wan": [0.0, 123_456_000.0]})
    svg = charts.to_svg(charts.growth_chart(growth, year=2023))
    assert "12,000" in svg


def test_warnings_chart_counts_per_unit_and_level():
    alerts = pl.DataFrame({"responsible_unit": ["市工信局", "市工信局", "市住建局"],
                           "level": ["red", "yellow", "red"]})
    spec = charts.warnings_chart(alerts).to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert sorted((r["责任单位"], r["预警等级"], r["项目数"]) for r in rows) == [
        ("市住建局", "红色预警", 1), ("市工信局", "红色预警", 1), ("市工信局", "黄色预警", 1)]
    assert "红色预警" in charts.to_svg(charts.warnings_chart(alerts))


def test_number_and_month_labels_have_no_limit_and_names_keep_theirs():
    """Number and month axis labels are drawn without Vega's label limit (nothing to cut short: the
    limit only cost measuring each label again, issue 18); a unit's long name on the warnings chart's
    name axis is still cut short at the default 180 px, as before."""
    spec = charts.warnings_chart(pl.DataFrame({"responsible_unit": ["市工信局"], "level": ["red"]})).to_dict()
    assert spec["config"]["axisQuantitative"] == {"labelLimit": 0} == spec["config"]["axisTemporal"]
    assert "labelLimit" not in spec["config"]["axis"] and "axisNominal" not in spec["config"]
    long_name = "嘉峪关市某某某某某某某某某某某某某某某某某某某某某某某管委会"
    svg = charts.to_svg(charts.warnings_chart(pl.DataFrame({"responsible_unit": [long_name], "level": ["red"]})))
    shown = re.findall(r"<text[^>]*>([^<]*)</text>", svg)  # the drawn texts (the SVG's labels for screen readers keep the whole name)
    assert long_name not in shown and any(t.startswith(long_name[:8]) and t.endswith("…") for t in shown)


def test_missing_column_is_named():
    with pytest.raises(charts.ChartError, match="quarter"):
        charts.completion_chart(pl.DataFrame({"list": ["government"]}))


def test_png_is_written_with_cjk_font(tmp_path):
    if not charts.cjk_fonts():
        pytest.skip("no CJK font installed (scripts/setup.sh installs fonts-wqy-microhei)")
    path = charts.save_png(charts.completion_chart(_completion()), tmp_path / "c.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 5_000


def test_png_is_converted_from_the_svg_already_drawn(tmp_path, monkeypatch):
    """save_png after show/to_svg runs Vega once (issue 18): the PNG is the shown SVG's pixels,
    byte for byte what vegalite_to_png draws, and a changed chart is drawn anew."""
    if not charts.cjk_fonts():
        pytest.skip("no CJK font installed (scripts/setup.sh installs fonts-wqy-microhei)")
    import vl_convert as vlc

    chart = charts.completion_chart(_completion())
    expected = vlc.vegalite_to_png(chart.to_dict(), scale=2.0, format_locale=charts.FORMAT_LOCALE,
                                   time_format_locale=charts.TIME_FORMAT_LOCALE, allowed_base_urls=[])
    drawn = []
    real = vlc.vegalite_to_svg
    monkeypatch.setattr(vlc, "vegalite_to_svg", lambda spec, **kw: drawn.append(1) or real(spec, **kw))
    monkeypatch.setattr(vlc, "vegalite_to_png", lambda *a, **kw: pytest.fail("Vega run again for the PNG"))
    monkeypatch.setattr(charts, "_SVGS", {})
    svg = charts.to_svg(chart)
    path = charts.save_png(chart, tmp_path / "c.png")
    assert drawn == [1] and path.read_bytes() == expected
    assert "一季度" in svg
    charts.save_png(chart.properties(title="另一个标题"), tmp_path / "d.png")
    assert drawn == [1, 1]


def test_charts_drawn_ahead_are_the_charts_drawn_when_shown(tmp_path, monkeypatch):
    """draw_ahead draws in a thread (issue 18): to_svg and save_png then give the very SVG and PNG a
    chart drawn on the spot gives, and wait for the drawing rather than draw again."""
    if not charts.cjk_fonts():
        pytest.skip("no CJK font installed (scripts/setup.sh installs fonts-wqy-microhei)")
    import vl_convert as vlc

    growth = pl.DataFrame({"month": [2, 3, 4], "series": ["实际累计"] * 3, "cum_wan": [1.0e4, 2.5e4, 4.0e4]})
    made = [charts.completion_chart(_completion()), charts.growth_chart(growth, year=2023)]
    expected_svg = [vlc.vegalite_to_svg(c.to_dict(), format_locale=charts.FORMAT_LOCALE,
                                        time_format_locale=charts.TIME_FORMAT_LOCALE, allowed_base_urls=[])
                    for c in made]
    expected_png = [vlc.svg_to_png(s, scale=2.0) for s in expected_svg]
    for store in ("_SVGS", "_PNGS", "_AHEAD", "_AHEAD_SPECS"):
        monkeypatch.setattr(charts, store, {})
    charts.draw_ahead(made, png=True)
    for svg, png in charts._AHEAD.values():  # (the thread done: what follows must not draw again)
        svg.result(), png.result()
    monkeypatch.setattr(charts, "_draw", lambda spec: pytest.fail("drawn again when shown"))
    monkeypatch.setattr(charts, "_to_png", lambda svg, scale: pytest.fail("converted again when saved"))
    assert [charts.to_svg(c) for c in made] == expected_svg
    assert [charts.save_png(c, tmp_path / f"{i}.png").read_bytes() for i, c in enumerate(made)] == expected_png


def test_a_chart_drawn_ahead_that_fails_raises_where_it_is_shown(monkeypatch):
    import vl_convert as vlc

    for store in ("_SVGS", "_AHEAD", "_AHEAD_SPECS"):
        monkeypatch.setattr(charts, store, {})
    monkeypatch.setattr(vlc, "vegalite_to_svg", lambda spec, **kw: (_ for _ in ()).throw(ValueError("坏图")))
    chart = charts.completion_chart(_completion())
    charts.draw_ahead([chart])
    with pytest.raises(ValueError, match="坏图"):
        charts.to_svg(chart)


def test_a_spec_shape_is_validated_once_and_a_bad_one_is_refused():
    import altair as alt

    one = charts._shape(charts.completion_chart(_completion()).to_dict(validate=False))
    other = charts._shape(charts.completion_chart(_completion().with_columns(pl.col("planned_wan") * 2))
                          .to_dict(validate=False))
    assert one == other  # the same chart with other figures: one shape
    bad = alt.Chart(pl.DataFrame({"a": [1]})).mark_bar().encode(x="a:Q")
    bad.mark = "barre"  # not a mark Vega-Lite knows
    with pytest.raises(Exception):
        charts._spec(bad)


def test_units_charts_with_their_own_sort_lists_and_ticks_are_one_shape():
    """A unit's warnings chart sorts its bars by its own units and ticks at its own counts: still the
    shape of the city's (issue 18); a list the schema refuses whatever its length is still refused."""
    import altair as alt

    def warnings(units: list[str], levels: list[str]) -> str:
        frame = pl.DataFrame({"responsible_unit": units, "level": levels})
        return charts._shape(charts.warnings_chart(frame).to_dict(validate=False))

    city = warnings(["市住建局", "市住建局", "市工信局", "市文旅局"] * 3, ["red", "yellow", "blue", "red"] * 3)
    assert warnings(["市文旅局"], ["red"]) == city
    assert charts._general({"sort": ["b", "a"], "x": {"sort": [3, 1, 2]}}) == {"sort": [""], "x": {"sort": [0]}}
    assert charts._general({"sort": ["a", 1], "domain": ["a", "b"]}) == {"sort": ["a", 1], "domain": ["a", "b"]}
    bad = alt.Chart(pl.DataFrame({"a": [1]})).mark_bar().encode(x=alt.X("a:Q", sort=["a", 1]))  # mixed: refused
    with pytest.raises(Exception):
        charts._spec(bad)


def test_a_builder_given_a_wrong_part_is_refused_when_drawn():
    """Built without altair's check of each part (issue 18), a chart with a wrong one is refused by
    the check of its whole spec."""
    with pytest.raises(Exception):
        charts._spec(charts.warnings_chart(pl.DataFrame({"responsible_unit": ["甲"], "level": ["red"]}),
                                           width="很宽"))


def test_charts_drawn_by_the_drawing_process_are_the_charts_drawn_here(tmp_path, monkeypatch):
    """warm_up's drawing process (issue 18: vl-convert holds the GIL, so the charts are drawn on the
    other core in a process of their own) gives the very SVG and PNG drawn here; a chart it cannot
    draw raises its error where it is shown; and when it has ended, charts are drawn here."""
    if not charts.cjk_fonts():
        pytest.skip("no CJK font installed (scripts/setup.sh installs fonts-wqy-microhei)")
    import vl_convert as vlc

    for store in ("_SVGS", "_PNGS", "_AHEAD", "_AHEAD_SPECS"):
        monkeypatch.setattr(charts, store, {})
    monkeypatch.setattr(charts, "_DRAWER", [])
    drawer = charts._Drawer.start()
    assert drawer is not None and charts._DRAWER == [drawer]
    try:
        growth = pl.DataFrame({"month": [2, 3, 4], "series": ["实际累计"] * 3, "cum_wan": [1.0e4, 2.5e4, 4.0e4]})
        made = [charts.completion_chart(_completion()), charts.growth_chart(growth, year=2023)]
        charts.draw_ahead(made, png=True)
        monkeypatch.setattr(charts, "_draw", lambda spec: pytest.fail("drawn here, not by the process"))
        monkeypatch.setattr(charts, "_to_png", lambda svg, scale: pytest.fail("converted here"))
        svgs = [charts.to_svg(c) for c in made]
        pngs = [charts.save_png(c, tmp_path / f"{i}.png").read_bytes() for i, c in enumerate(made)]
        monkeypatch.undo()
        kw = dict(format_locale=charts.FORMAT_LOCALE, time_format_locale=charts.TIME_FORMAT_LOCALE, allowed_base_urls=[])
        assert svgs == [vlc.vegalite_to_svg(c.to_dict(), **kw) for c in made]
        assert pngs == [vlc.svg_to_png(s, scale=2.0) for s in svgs]
        with pytest.raises(ValueError):
            drawer.submit("svg", {"mark": "barre", "data": {"values": [{"a": 1}]}}).result(timeout=30)
    finally:
        drawer.close()
    assert drawer.gone and drawer.proc.returncode is not None
    gone = drawer.submit("svg", {"mark": "bar"})
    assert charts._ahead_result(gone, lambda: "drawn here") == "drawn here"


def test_kernels_share_the_commands_drawing_process(monkeypatch):
    """--all-units (issue 18): the command's one drawing process (jygproj.drawer) serves every kernel
    that is pointed to it, the same drawings as a kernel's own, each client on a connection of its
    own; once the command ends it, what was asked is drawn where it was asked."""
    import contextlib

    import vl_convert as vlc

    from jygproj import drawer as shared

    kw = dict(format_locale=charts.FORMAT_LOCALE, time_format_locale=charts.TIME_FORMAT_LOCALE, allowed_base_urls=[])
    spec = charts.completion_chart(_completion()).to_dict()
    with contextlib.ExitStack() as stack:
        env = shared.start(stack)
        assert set(env) == {shared.ENV}
        monkeypatch.setenv(shared.ENV, env[shared.ENV])
        clients = []
        for _ in range(2):  # two kernels
            monkeypatch.setattr(charts, "_DRAWER", [])
            clients.append(charts._Drawer.start())
        assert all(c is not None and c.proc is None for c in clients)
        asked = [c.submit("svg", spec) for c in clients]
        assert [f.result(timeout=60) for f in asked] == [vlc.vegalite_to_svg(spec, **kw)] * 2
        with pytest.raises(ValueError):
            clients[0].submit("svg", {"mark": "barre", "data": {"values": [{"a": 1}]}}).result(timeout=30)
    gone = clients[1].submit("svg", spec)  # the command has ended it
    assert charts._ahead_result(gone, lambda: "drawn here") == "drawn here"
    monkeypatch.setattr(charts, "_DRAWER", [])
    monkeypatch.setenv(shared.ENV, env[shared.ENV])  # nothing listens there any more: a kernel's own
    own = charts._Drawer.start()
    try:
        assert own is not None and own.proc is not None
    finally:
        own.close()
