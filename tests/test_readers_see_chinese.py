"""Readers see Chinese only (issue 15): one sample quarterly run (``jygproj quarterly 2023Q3`` on a
copy of the embedded sample, as a user runs it), then every output a reader opens is scanned.

What is scanned
- the HTML report as Chromium shows it (network cut off): the page's visible text, every ``alt`` and
  ``title`` attribute and the text of every chart (SVG ``<text>``);
- every cell of every sheet of every Excel workbook written (the report workbook, the reply forms
  整改反馈表, the closure template), the sheet names and the print headers/footers; a boolean cell
  counts as English (Excel shows TRUE/FALSE);
- every Word letter 提醒函: paragraphs, table cells, section headers and footers, and the document's
  properties (author, title, subject, keywords, comments, last modified by);
- the string values with Chinese in them in ``summary.json`` (its keys are for programs);
- the command's stdout (the output folder the user gave may be echoed) and stderr.

What counts as English (``english_words``)
- every code word of :mod:`jygproj.schema` — the keys of its label maps (list, nature, level, period,
  status, rule and column codes: ``industrial``, ``continuing``, ``pace_behind``, ``rate_pct`` …) —
  as whole words;
- any other run of two or more Latin letters (``[A-Za-z]{2,}``) or a word with an underscore, and
  an ISO week such as ``2023-W44``; a percentile such as ``P10`` (readers see 80%把握区间); except the ALLOWED words readers use (Excel, Word, WPS, HTML,
  PDF), a file's suffix after its dot (``.xlsx``, ``.docx``) and the words of the input's own
  project names and units (``300MW储能电站`` is the project's name, not ours);
- SHA-256 checksums (64 hex digits, the 数据来源 table's 文件校验值) are removed before scanning.

What counts as a machine path (``machine_paths``): the run's temporary folder, the repository's
folder, or anything shaped like an absolute path (``/x/y``, ``C:\\``, ``~/``).

Plus the print test (A4 through Chromium's PDF: at most 40 pages; no table wider than the page) and
the first-screen test (1440×900: the verdict of both readings, the gap and November's need in 亿元,
units and projects behind and the warning counts, all above the fold, figures equal to summary.json).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from jygproj import paths, schema

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CHROMIUM = "/usr/bin/chromium"
ALLOWED = {"Excel", "Word", "WPS", "HTML", "PDF"}
SUFFIXES = r"\.(?:xlsx|xlsm|xls|et|ett|docx|png|pdf|html|json)\b"
MAX_PAGES = 40


def schema_codes() -> set[str]:
    """The keys of every label map in jygproj.schema (codes readers must never see)."""
    codes: set[str] = set()

    def walk(d: dict) -> None:
        for k, v in d.items():
            if isinstance(k, str) and re.fullmatch(r"[a-z][a-z0-9_+]*", k) and len(k) >= 3:
                codes.add(k)
            if isinstance(v, dict):
                walk(v)
    for name in dir(schema):
        value = getattr(schema, name)
        if name.isupper() and isinstance(value, dict):
            walk(value)
    return codes


CODES = schema_codes()
_CODE_RE = re.compile(r"(?<![A-Za-z0-9_])(" + "|".join(sorted(map(re.escape, CODES), key=len, reverse=True)) + r")(?![A-Za-z0-9_])")
_WORD_RE = re.compile(r"[A-Za-z0-9]+(?:_[A-Za-z0-9]+)+|[A-Za-z0-9]*[A-Za-z]{2,}[A-Za-z0-9]*|\d{4}-W\d{1,2}|(?<![A-Za-z0-9])P\d{1,2}(?!\d)")
_HASH_RE = re.compile(r"\b[0-9a-f]{64}\b")


def english_words(text: str, own_words: set[str]) -> list[str]:
    """The English a reader would meet in ``text`` (see the module docstring)."""
    text = _HASH_RE.sub("", re.sub(SUFFIXES, "", text))
    found = [m.group(1) for m in _CODE_RE.finditer(text)]
    found += [w for w in _WORD_RE.findall(text) if w not in ALLOWED and w not in own_words]
    return found


def machine_paths(text: str, folders: list[str]) -> list[str]:
    found = [f for f in folders if f in text]
    found += re.findall(r"(?<![\w.:/])/(?:[\w.\-]+/)+[\w.\-]*|[A-Za-z]:\\\\?[\w.\-]+|~/[\w.\-]+", text)
    return found


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> dict:
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium not installed (scripts/setup.sh --browser)")
    base = tmp_path_factory.mktemp("readers")
    data = shutil.copytree(paths.SAMPLE_2023, base / "sample")
    out = base / "2023Q3"
    proc = subprocess.run([sys.executable, "-m", "jygproj", "quarterly", "2023Q3", "--data", str(data), "--out", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    import jygproj

    wb = jygproj.open(str(data), year=2023, as_of="2023-10")
    words = set()
    for col in ("name", "responsible_unit"):
        for v in wb.projects[col].drop_nulls().to_list():
            words.update(_WORD_RE.findall(v))
    return {"out": out, "stdout": proc.stdout, "stderr": proc.stderr, "own_words": words,
            "folders": [str(base), str(paths.ROOT)], "html": out / "2023Q3_季度考核.html"}


def _report(findings: dict[str, list[str]]) -> str:
    return "\n".join(f"{where}: {sorted(set(words))[:20]}" for where, words in findings.items() if words)


def _scan(texts: dict[str, str], run: dict) -> tuple[dict, dict]:
    english = {k: english_words(t, run["own_words"]) for k, t in texts.items()}
    machine = {k: machine_paths(t, run["folders"]) for k, t in texts.items()}
    return english, machine


@pytest.fixture(scope="module")
def page_texts(run) -> dict[str, str]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort())
            page.goto(run["html"].as_uri(), wait_until="load")
            return {
                "HTML text": page.inner_text("body"),
                "HTML alt/title": "\n".join(page.eval_on_selector_all(
                    "[alt],[title]", "els => els.map(e => (e.getAttribute('alt') || '') + ' ' + (e.getAttribute('title') || ''))")),
                "HTML charts": "\n".join(page.eval_on_selector_all("svg text", "els => els.map(e => e.textContent)")),
            }
        finally:
            browser.close()


def test_html_report_is_chinese_only(run, page_texts):
    english, machine = _scan(page_texts, run)
    assert not any(english.values()), _report(english)
    assert not any(machine.values()), _report(machine)
    assert "样例数据" in page_texts["HTML text"]  # made from the sample: says so


def _workbooks(run) -> dict[str, str]:
    import openpyxl

    texts, booleans = {}, {}
    for path in sorted(run["out"].rglob("*.xlsx")):
        wb = openpyxl.load_workbook(path)
        parts, flags = [], []
        for ws in wb.worksheets:
            parts.append(ws.title)
            for hf in (ws.oddHeader, ws.oddFooter, ws.evenHeader, ws.evenFooter):
                parts += [x.text or "" for x in (hf.left, hf.center, hf.right)]
            for row in ws.iter_rows(values_only=True):
                for v in row:
                    if isinstance(v, bool):
                        flags.append(f"{ws.title}: {v}")
                    elif isinstance(v, str):
                        parts.append(v)
        texts[path.name] = "\n".join(parts)
        booleans[path.name] = flags
    return {"texts": texts, "booleans": booleans}


def test_excel_text_is_chinese_only(run):
    english, machine = _scan(_workbooks(run)["texts"], run)
    assert not any(english.values()), _report(english)
    assert not any(machine.values()), _report(machine)


def test_excel_shows_no_true_false(run):
    flags = _workbooks(run)["booleans"]
    assert not any(flags.values()), _report(flags)


def _letters(run) -> dict[str, str]:
    import docx

    texts = {}
    for path in sorted(run["out"].rglob("*.docx")):
        d = docx.Document(str(path))
        parts = [p.text for p in d.paragraphs]
        parts += [c.text for t in d.tables for r in t.rows for c in r.cells]
        for s in d.sections:
            for hf in (s.header, s.footer, s.first_page_header, s.first_page_footer):
                parts += [p.text for p in hf.paragraphs]
        texts[path.name] = "\n".join(parts)
        cp = d.core_properties
        texts[path.name + "（文档属性）"] = "\n".join(
            x or "" for x in (cp.author, cp.title, cp.subject, cp.keywords, cp.comments, cp.last_modified_by))
    assert texts, "no letter written"
    return texts


def test_letters_text_is_chinese_only(run):
    texts = {k: v for k, v in _letters(run).items() if not k.endswith("（文档属性）")}
    english, machine = _scan(texts, run)
    assert not any(english.values()), _report(english)
    assert not any(machine.values()), _report(machine)


def test_letters_properties_are_chinese_only(run):
    texts = {k: v for k, v in _letters(run).items() if k.endswith("（文档属性）")}
    english, _ = _scan(texts, run)
    assert not any(english.values()), _report(english)


def test_summary_sentences_are_chinese_only(run):
    summary = json.loads((run["out"] / "summary.json").read_text(encoding="utf-8"))
    found: list[str] = []

    def walk(v) -> None:
        if isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
        elif isinstance(v, str) and re.search(r"[\u4e00-\u9fff]", v):
            found.append(v)
    walk(summary)
    english, machine = _scan({"summary.json": "\n".join(found)}, run)
    assert not any(english.values()), _report(english)
    assert not any(machine.values()), _report(machine)


def test_command_output_is_chinese_only(run):
    """What the command prints for its user on stdout; the output folder the user gave (--out) may be
    echoed back — it is the user's own words, not a machine path the tool chose."""
    stdout = run["stdout"].replace(str(run["out"]), "")
    english, machine = _scan({"stdout": stdout}, run)
    assert not any(english.values()), _report(english)
    assert not any(machine.values()), _report(machine)


def test_command_stderr_is_chinese_only(run):
    english, _ = _scan({"stderr": run["stderr"]}, run)
    assert not any(english.values()), _report(english)


def test_the_scan_catches_what_it_should():
    """The scanner itself: codes, English words, ISO weeks and paths are found; Chinese, allowed words,
    file suffixes, checksums and the input's own words pass."""
    assert set(english_words("清单：industrial+real_estate，状态 pace_behind", set())) == {
        "industrial", "real_estate", "pace_behind"}
    assert "continuing" in CODES and "rate_pct" in CODES  # schema's codes are in the list
    assert english_words("2023-W44 周调度", set()) == ["2023-W44"]
    assert english_words("见 Excel 工作簿《a（样例数据）.xlsx》，校验值 " + "ab" * 32, set()) == []
    assert english_words("广汇300MW储能电站", {"300MW"}) == []
    assert english_words("Kernel is running", set()) == ["Kernel", "is", "running"]
    assert machine_paths("《/tmp/x/a.xlsx》", []) == ["/tmp/x/a.xlsx"]
    assert machine_paths("2023年1-10月", []) == []


def _pdf_pages(pdf: bytes) -> int:
    """Pages of a Chromium (Skia) PDF: one uncompressed /Type /Page object per page."""
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))


def test_report_prints_on_a4_in_at_most_40_pages(run):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()
            page.goto(run["html"].as_uri(), wait_until="load")
            pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
            # the print layout at the page's width (A4 landscape, 10 mm margins: 277 mm ≈ 1047 px)
            page.set_viewport_size({"width": 1047, "height": 718})
            page.emulate_media(media="print")
            wide = page.eval_on_selector_all(
                "table.jyg, div.jyg-chart > svg",
                "els => els.filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)"
                ".map(e => (e.querySelector('caption') || e).textContent.slice(0, 60))")
        finally:
            browser.close()
    pages = _pdf_pages(pdf)
    assert 1 < pages <= MAX_PAGES
    assert wide == [], f"cut off at the page's edge: {wide}"


def test_first_screen_answers(run):
    """At 1440×900 the first screen holds the answer, with the figures of summary.json."""
    from playwright.sync_api import sync_playwright

    g = json.loads((run["out"] / "summary.json").read_text(encoding="utf-8"))["growth"]
    s = json.loads((run["out"] / "summary.json").read_text(encoding="utf-8"))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.goto(run["html"].as_uri(), wait_until="load")
            box = page.eval_on_selector(".jyg-answer", "e => { const r = e.getBoundingClientRect(); return [r.top, r.bottom]; }")
            sample_top = page.eval_on_selector(".jyg-sample", "e => e.getBoundingClientRect().top")
            text = page.inner_text(".jyg-answer")
        finally:
            browser.close()
    assert sample_top < box[0] and box[1] <= 900  # the sample mark, then the whole answer, above the fold
    for key, name in (("rate", "增速口径"), ("level", "总量口径")):
        r = g[key]
        assert name in text
        gap = abs(r["margin_wan"]) / 1e4
        assert f"{'超出' if r['margin_wan'] >= 0 else '差'} {gap:,.2f}亿元" in text
        assert f"11月需完成 {r['needed_rest_wan'] / 1e4:,.2f}亿元" in text
        assert f"{abs(r['needed_rest_yoy_pct']):.1f}%" in text
    assert "提前一个月实现" in text
    assert "落后序时计划最多的责任单位" in text and "落后序时计划最多的项目" in text
    counts = s["warnings"]["projects_by_level"]
    for code, label in (("red", "红色预警"), ("yellow", "黄色预警"), ("blue", "蓝色预警")):
        assert f"{label} {counts[code]} 个" in text


def test_a_units_first_screen_names_the_unit_not_the_units_furthest_behind():
    """A unit's report lists only its own shortfall there: headed by the unit, not by the city's words
    for a ranking of units over one name."""
    import jygproj
    from jygproj.report.html import answer_html

    wb = jygproj.open(None, year=2023, as_of="2023-10")
    city, unit = wb.quarterly(3).answer, wb.quarterly(3, unit="市住建局").answer
    assert city["units_head"] == "落后序时计划最多的责任单位"
    assert unit["units_head"] == "市住建局落后序时计划"
    shown = answer_html(unit, "标题")
    assert "<h3>市住建局落后序时计划</h3>" in shown and "落后序时计划最多的责任单位" not in shown


def test_excel_sheets_print_legibly_on_a4(run):
    """Every sheet of every workbook written: A4, fit to width at 60% or more (wider sheets spread over
    pages across, the first column repeated), landscape when a portrait page would shrink it, the
    header row repeated on each page."""
    import openpyxl

    from jygproj.print_setup import LANDSCAPE_PX, MIN_SCALE, PORTRAIT_PX, sheet_width_px

    checked = 0
    for path in sorted(run["out"].rglob("*.xlsx")):
        if path.parent != run["out"]:
            continue  # the reply forms and the closure template have their own form (jygproj.followups.form)
        for ws in openpyxl.load_workbook(path).worksheets:
            setup = ws.page_setup
            assert int(setup.paperSize) == int(ws.PAPERSIZE_A4), ws.title
            assert ws.sheet_properties.pageSetUpPr.fitToPage and setup.fitToHeight == 0, ws.title
            printable = PORTRAIT_PX if setup.orientation == "portrait" else LANDSCAPE_PX
            scale = printable * int(setup.fitToWidth or 1) / sheet_width_px(ws)  # xlsxwriter leaves 1 unwritten
            assert scale >= MIN_SCALE, (ws.title, round(scale, 2))
            if setup.orientation == "portrait":
                assert sheet_width_px(ws) <= PORTRAIT_PX / 0.9 + 1, ws.title
            assert ws.print_title_rows, ws.title
            checked += 1
    assert checked >= 20


def test_pages_across_keeps_the_scale_legible():
    from jygproj.print_setup import MIN_SCALE, pages_across

    assert pages_across(900, 988) == 1
    assert pages_across(988 / MIN_SCALE, 988) == 1  # exactly 60%
    assert pages_across(5036, 988) == 4  # 督办台账, 23 columns: four pages across at ≥ 60%
