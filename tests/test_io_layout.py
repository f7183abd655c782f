"""Issue 12, point 8: a layout file (版式.yaml) beside the workbooks settles what inference cannot; it is
strictly validated (an error names its line and key), used by every load of the folder and said so;
for a refused sheet `check --explain` prints the entry that would read it, and that entry, once its
blanks are filled in, reads the sheet."""

from __future__ import annotations

import json

import pytest

from io_corpus import NAME, NATURE, PROJECTS, SEQ, TOTAL, YTD9, ANNUAL, Col, expected_by_nature, table, write
from jygproj.cli import main
from jygproj.io import load_workbooks
from jygproj.io.layout import render_entry

ALL = expected_by_nature(PROJECTS)


def _county_table(tmp_path):
    """A county's 1-9月 table that names no list anywhere (title, sheet or file): inference refuses it."""
    sh = table([["项目建设推进表（2023年1-9月）"], ["单位：万元"]], [SEQ, NAME, NATURE, TOTAL, ANNUAL, YTD9])
    return write(tmp_path / "项目表.xlsx", {"Sheet1": sh})


def _run(capsys, *argv):
    code = main(["check", *map(str, argv)])
    return code, capsys.readouterr().out


def test_refused_sheet_gets_the_entry_that_would_read_it(tmp_path, capsys):
    path = _county_table(tmp_path)
    ds = load_workbooks([path])
    assert ds.problems.filter(severity="error")["code"].to_list() == ["list_unknown"]
    draft = ds.readings[(str(path), "Sheet1")].draft
    assert draft["文件"] == "项目表.xlsx" and draft["类型"] == "调度表" and draft["调度期"] == "2023年1-9月"
    assert draft["清单"].startswith("请填写") and draft["表头行"] == "3"
    assert draft["列"]["B"] == "项目名称" and draft["列"]["F"] == "1-X月累计完成投资"
    code, out = _run(capsys, path, "--explain")
    assert code == 1
    assert "本表未载入。下面的版式条目可读取本表" in out and f"保存为《{tmp_path / '版式.yaml'}》" in out
    assert "      版式:" in out and "        - 文件: 项目表.xlsx" in out and "清单: 请填写" in out
    # the analyst fills in the blank and saves it: the sheet is read, and check says by what
    draft["清单"] = "政府投资项目"
    (tmp_path / "版式.yaml").write_text(render_entry(draft) + "\n", encoding="utf-8")
    ds = load_workbooks([path])
    assert not ds.has_errors, ds.problems["message"].to_list()
    s = ds.sheets[0]
    assert (s.kind, s.list, s.period, s.unit) == ("progress", "government", "2023-09", "万元")
    assert s.by_nature == ALL
    code, out = _run(capsys, path)
    assert code == 0 and "按《版式.yaml》第2行的条目读取" in out


def test_an_unfilled_draft_is_refused(tmp_path):
    path = _county_table(tmp_path)
    draft = load_workbooks([path]).readings[(str(path), "Sheet1")].draft
    (tmp_path / "版式.yaml").write_text(render_entry(draft), encoding="utf-8")
    ds = load_workbooks([path])
    p = ds.problems.filter(code="layout_invalid").row(0, named=True)
    assert p["severity"] == "error" and "第5行" in p["message"] and "尚未填写" in p["message"]
    assert p["file"] == str(tmp_path / "版式.yaml")


def test_layout_gives_header_rows_and_columns(tmp_path):
    # an office's own words: 建设项目 for the name, 投资 for the total, 今年完成 for 1-9月 — and the
    # header on row 4 under two lines of notes
    cols = [SEQ, Col(("建设项目",), lambda p: p.name), NATURE, Col(("投资",), lambda p: p.total, True), ANNUAL,
            Col(("今年完成",), lambda p: p.ytd, True)]
    sh = table([["政府投资项目进度"], ["说明：按月报送"], ["单位：万元"]], cols)
    path = write(tmp_path / "2023年1-9月政府投资项目.xlsx", {"进度": sh})
    assert load_workbooks([path]).problems.filter(code="header_not_found").height == 1
    (tmp_path / "版式.yaml").write_text(
        "版式:\n  - 文件: 2023年1-9月政府投资项目.xlsx\n    工作表: 进度\n    类型: 调度表\n    表头行: 4\n"
        "    列:\n      B: 项目名称\n      D: 总投资\n      F: 1-X月累计完成投资\n", encoding="utf-8")
    ds = load_workbooks([path])
    assert not ds.has_errors, ds.problems["message"].to_list()
    s = ds.sheets[0]
    assert (s.kind, s.list, s.period) == ("progress", "government", "2023-09")
    assert s.by_nature == ALL
    reading = ds.readings[(str(path), "进度")]
    assert reading.layout == "《版式.yaml》第2行的条目"
    assert ("F", "今年完成", "1-X月累计完成投资（万元）") in reading.columns


@pytest.mark.parametrize("text, line, words", [
    ("版式:\n  - 文件: 项目表.xlsx\n    清单: 政府投资项目\n    颜色: 红\n", 4, "未知的键"),
    ("版式:\n  - 文件: 项目表.xlsx\n    清单: 政府投资项目\n    列:\n      B: 名字\n", 5, "不是可用的列含义"),
    ("版式:\n  - 文件: 别的表.xlsx\n    清单: 政府投资项目\n", 2, "本目录中没有工作簿"),
    ("版式:\n  - 文件: 项目表.xlsx\n    调度期: 九月\n", 3, "不是一个调度期"),
    ("版式:\n  - 文件: 项目表.xlsx\n    单位: 千元\n", 3, "不是可用的单位"),
    ("版式:\n  - 文件: 项目表.xlsx\n    表头行: 三\n", 3, "不是 Excel 行号"),
    ("版式:\n  - 文件: 项目表.xlsx\n    清单: 政府投资项目\n    清单: 产业投资项目\n", 4, "重复的键"),
    ("版式:\n  - 文件: 项目表.xlsx\n    列:\n      h: 总投资\n", 4, "不是 Excel 列字母"),
])
def test_layout_file_is_strict(tmp_path, text, line, words):
    path = _county_table(tmp_path)
    (tmp_path / "版式.yaml").write_text(text, encoding="utf-8")
    ds = load_workbooks([path])
    p = ds.problems.filter(code="layout_invalid").row(0, named=True)
    assert p["severity"] == "error" and f"第{line}行" in p["message"] and words in p["message"], p["message"]
    assert "[layout_invalid]" in p["message"] and "应为" in p["message"]


def test_layout_naming_a_sheet_the_workbook_lacks(tmp_path):
    path = _county_table(tmp_path)
    (tmp_path / "版式.yaml").write_text("版式:\n  - 文件: 项目表.xlsx\n    工作表: Sheet9\n    清单: 政府投资项目\n",
                                      encoding="utf-8")
    ds = load_workbooks([path])
    p = ds.problems.filter(code="layout_invalid").row(0, named=True)
    assert "没有工作表“Sheet9”" in p["message"] and "Sheet1" in p["message"]


def test_explain_on_a_sample_workbook(capsys):
    from jygproj.paths import SAMPLE_2023

    path = next(SAMPLE_2023.glob("2023年1-9月全省重点投资项目调度表*.xlsx"))
    code, out = _run(capsys, path, "--explain")
    assert code == 0
    for words in ("读取方式：自动识别（无版式文件）", "表头：第3-4行", "H列  1-9月 › 完成投资 → 1-X月累计完成投资（万元），1-9月",
                  "调度期：2023-09（标题", "建设性质来源：", "非数据行：", "合计行"):
        assert words in out, words
    code, out = _run(capsys, path, "--explain", "--json")
    sheet = json.loads(out)["files"][0]["sheets"][0]
    assert sheet["reading"]["header_rows"] == [3, 4] and sheet["reading"]["draft"] is None


def test_every_header_field_has_a_chinese_name():
    from jygproj import schema
    from jygproj.io.headers import NOT_LOADED, SECONDARY, SYNONYMS

    fields = set(SYNONYMS) | set(SECONDARY) | set(NOT_LOADED) | {"cumulative", "prior_cum", "current_cum"}
    assert fields <= set(schema.HEADER_FIELD_LABELS)
    labels = list(schema.HEADER_FIELD_LABELS.values())
    assert len(labels) == len(set(labels))  # a layout file's word names one field
