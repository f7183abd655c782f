"""The leadership brief (issue 15 item 3): written beside the quarterly report, at most two A4 pages,
Chinese only, 公文 numbers, clean metadata, every figure equal to summary.json's by its traced path."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
from functools import reduce

import pytest
from docx import Document

import jygproj
from jygproj import outputs, paths
from jygproj.office import load_office
from jygproj.report import brief, review_files
from jygproj.schema import SAMPLE_WORD


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("brief")
    started = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    review = jygproj.open(as_of="2023-10").quarterly(3)
    files = review_files.write_outputs(review, out)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    return files["brief"], summary, started


def _text(path) -> str:
    doc = Document(str(path))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_the_brief_is_written_beside_the_report_with_the_one_name_scheme_and_mode(written):
    path, summary, _ = written
    assert path.name == f"{paths.output_name('2023Q3', brief.KIND)}.docx" == "2023Q3_情况汇报.docx"
    assert os.stat(path).st_mode & 0o777 == outputs.file_mode()
    assert summary["brief"]["file"] == path.name


def test_every_traced_figure_equals_summary_json_and_appears_in_the_brief(written):
    path, summary, _ = written
    text = _text(path)
    figures = summary["brief"]["figures"]
    assert len(figures) >= 40
    for f in figures:
        keys = [int(k) if k.isdigit() else k for k in f["source"].removeprefix("summary.json：").split(".")]
        assert reduce(lambda d, k: d[k], keys, summary) == f["value"], f
        assert f["text"] in text, f
    sources = {f["source"] for f in figures}
    # both readings, the target month's needs, the table (each project once in the city row), the units
    for key in ("growth.rate.margin_wan", "growth.level.margin_wan", "growth.rate.needed_rest_wan",
                "growth.rate.needed_rest_yoy_pct", "growth.level.needed_rest_yoy_pct",
                "completion.city.YTD.annual_plan_wan", "completion.city.YTD.completed_wan",
                "completion.city.YTD.annual_rate_pct", "units.0.rate_pct", "sensitivity.projects.2.high_delta_wan"):
        assert f"summary.json：{key}" in sources, key


def test_the_figures_are_the_reports(written):
    path, summary, _ = written
    text = _text(path)
    g = summary["growth"]
    assert f"{g['level']['needed_rest_wan'] / 1e4:.2f}亿元" in text
    assert f"{abs(g['rate']['margin_wan']):.0f}万元" in text  # under 1亿: whole 万元
    assert f"{summary['completion']['city']['YTD']['annual_plan_wan'] / 1e4:.2f}" in text
    assert summary["units"][0]["unit"] in text
    assert all(p["name"] in text for p in summary["sensitivity"]["projects"][:3])


def test_chinese_only_official_numbers_and_the_sample_mark(written):
    path, _, _ = written
    text = _text(path)
    assert not re.findall(r"[A-Za-z]{2,}", text)  # no code word, identifier or English label
    assert not re.findall(r"\d,\d{3}", text)  # 9290万元, never 9,290
    assert "/" not in text and "\\" not in text  # no machine path
    assert text.startswith(f"【{SAMPLE_WORD}】")


def test_clean_core_properties(written):
    path, _, started = written
    props = Document(str(path)).core_properties
    assert props.author == props.last_modified_by == load_office().issuer
    assert "python-docx" not in (props.comments + props.keywords + props.subject + props.category)
    created = props.created.replace(tzinfo=dt.timezone.utc)
    assert started - dt.timedelta(seconds=1) <= created <= dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=1)


def test_at_most_two_pages(written, tmp_path):
    path, _, _ = written
    doc = Document(str(path))
    assert len(doc.tables) == 1 and len(doc.tables[0].rows) <= 8  # structural bound: one small table
    assert len(doc.paragraphs) <= 25
    if not shutil.which("soffice"):
        pytest.skip("LibreOffice not installed: page count checked by the structure only")
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   check=True, capture_output=True, timeout=180)
    pdf = (tmp_path / path.with_suffix(".pdf").name).read_bytes()
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert 1 <= pages <= 2
