"""The quarterly HTML report in headless Chromium with the network cut off: every chart draws."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from jygproj import cli, paths

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def html(tmp_path_factory) -> Path:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip("chromium not installed (scripts/setup.sh --browser)")
    if not paths.SAMPLE_2023.is_dir():
        pytest.skip("data/sample/2023 missing (make sample)")
    base = tmp_path_factory.mktemp("offline")
    data = shutil.copytree(paths.SAMPLE_2023, base / "sample")  # a snapshot: the sample may be regenerated meanwhile
    out = base / "2023Q3"
    assert cli.main(["quarterly", "2023Q3", "--data", str(data), "--out", str(out)]) == 0
    return out / "2023Q3_季度考核.html"


def test_report_renders_every_chart_offline(html):
    from playwright.sync_api import sync_playwright

    requested: list[str] = []

    def route(r):
        url = r.request.url
        if url.startswith(("file://", "data:")):
            r.continue_()
        else:  # the intranet has no internet: anything else is refused
            requested.append(url)
            r.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM,
                                    args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.route("**/*", route)
            page.goto(html.as_uri(), wait_until="load")
            charts = page.eval_on_selector_all(
                "div.jyg-chart > svg",
                "els => els.map(e => { const r = e.getBoundingClientRect();"
                " return {w: r.width, h: r.height, text: e.textContent, marks: e.querySelectorAll('path').length}; })",
            )
            body = page.inner_text("body")
        finally:
            browser.close()

    assert requested == []  # nothing tried to reach the network
    assert len(charts) == 5  # cumulative growth vs 12%, completion, S-curve, 12% tracker, warnings by unit
    for chart in charts:
        assert chart["w"] > 200 and chart["h"] > 150
        assert chart["marks"] > 5
    texts = [c["text"] for c in charts]
    assert "累计增速" in texts[0] and "目标：累计增长12%" in texts[0]
    assert "三季度" in texts[1] and "全省重点投资项目" in texts[1]
    assert "计划累计" in texts[2] and "10月" in texts[2]
    assert "实际累计" in texts[3] and "增速口径" in texts[3]
    assert "红色预警" in texts[4]
    assert "嘉峪关市推动项目落地" in body and "数据来源" in body
    assert "import " not in body  # code hidden
