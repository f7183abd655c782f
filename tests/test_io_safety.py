"""Files that must be refused with a clear message, and files that must never be modified (issue 3,
points 3 and 5)."""

from __future__ import annotations

import hashlib
import io
import zipfile

import openpyxl
import pytest

from jygproj.io import load_workbooks, workbook
from test_io_builders import build_register, write_workbook


def _only_problem(ds):
    assert ds.problems.height >= 1
    return ds.problems.row(0, named=True)


def test_file_is_not_modified(tmp_path):
    path = build_register(tmp_path, cells={"F7": "abc"})  # with an error, too
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    mtime = path.stat().st_mtime_ns
    load_workbooks([path])
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert path.stat().st_mtime_ns == mtime


def test_wps_et_file_says_save_as_xlsx(tmp_path):
    et = tmp_path / "政府投资项目.et"
    et.write_bytes(build_register(tmp_path).read_bytes())
    p = _only_problem(load_workbooks([et]))
    assert p["code"] == "wps_et_format" and p["severity"] == "error"
    assert "另存为" in p["message"] and ".xlsx" in p["message"]


def test_encrypted_workbook_says_save_as_xlsx(tmp_path):
    # An encrypted .xlsx is an OLE2 compound file holding EncryptionInfo and EncryptedPackage streams.
    fake = bytearray(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    fake += "EncryptionInfo".encode("utf-16-le") + bytes(50) + "EncryptedPackage".encode("utf-16-le") + bytes(2000)
    path = tmp_path / "加密.xlsx"
    path.write_bytes(bytes(fake))
    p = _only_problem(load_workbooks([path]))
    assert p["code"] == "encrypted"
    assert "密码" in p["message"] and ".xlsx" in p["message"]


def test_html_saved_as_xls(tmp_path):
    path = tmp_path / "导出.xls"
    path.write_text("<html><body><table><tr><td>项目名称</td></tr></table></body></html>", encoding="utf-8")
    assert _only_problem(load_workbooks([path]))["code"] == "html_disguised"


def test_not_excel(tmp_path):
    path = tmp_path / "清单.xlsx"
    path.write_bytes(b"just some bytes")
    assert _only_problem(load_workbooks([path]))["code"] == "not_excel"


def _zip_bomb(path, size: int) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * size)


def test_zip_bomb_refused_before_expansion(tmp_path, monkeypatch):
    path = tmp_path / "炸弹.xlsx"
    _zip_bomb(path, 20 * 1024 * 1024)  # 20 MB of zeros compress ~1000×
    assert path.stat().st_size < 200 * 1024

    def never(*a, **k):
        raise AssertionError("the reader must not be called on a zip bomb")

    monkeypatch.setattr(workbook.fastexcel, "read_excel", never)
    p = _only_problem(load_workbooks([path]))
    assert p["code"] == "zip_bomb" and "压缩" in p["message"]


def test_declared_total_size_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(workbook, "MAX_UNCOMPRESSED_BYTES", 1000)
    p = _only_problem(load_workbooks([build_register(tmp_path)]))
    assert p["code"] == "zip_bomb"


def test_dtd_in_workbook_xml_refused(tmp_path):
    good = build_register(tmp_path)
    bad = tmp_path / "xxe.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/workbook.xml":
                dtd = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                data = data.replace(b"?>", b"?>" + dtd, 1) if data.startswith(b"<?xml") else dtd + data
            dst.writestr(info, data)
    assert _only_problem(load_workbooks([bad]))["code"] == "unsafe_xml"


def test_empty_workbook_and_empty_sheet(tmp_path):
    path = tmp_path / "空.xlsx"
    openpyxl.Workbook().save(path)
    ds = load_workbooks([path])
    codes = ds.problems["code"].to_list()
    assert codes == ["sheet_empty", "workbook_empty"]
    assert ds.has_errors


def test_header_without_data_is_an_error(tmp_path):
    rows = [["2023年政府投资项目计划清单"], ["单位：万元"], ["序号", "项目名称", "总投资", "年度计划投资"], [], ["备注：无"]]
    ds = load_workbooks([write_workbook(tmp_path / "空表.xlsx", {"政府投资项目": rows})])
    p = ds.problems.filter(code="sheet_no_data").row(0, named=True)
    assert p["severity"] == "error" and p["row"] == 3
    assert ds.sheets[0].rows == {"read": 5, "loaded": 0, "structure": 5, "rejected": 0}


def test_hidden_and_unrecognised_sheets(tmp_path):
    path = build_register(tmp_path)
    wb = openpyxl.load_workbook(path)
    wb.create_sheet("下拉选项")["A1"] = "续建"
    wb["下拉选项"].sheet_state = "hidden"
    other = wb.create_sheet("Sheet3")
    other["A1"] = "本表由各单位填报"
    wb.create_sheet("说明")["A1"] = "填报口径：万元"  # an instructions sheet: skipped, with a note (issue 12)
    wb.save(path)
    ds = load_workbooks([path])
    assert not ds.has_errors
    codes = set(ds.problems["code"])
    assert {"sheet_hidden", "sheet_not_recognised"} <= codes
    note = next(s for s in ds.sheets if s.sheet == "Sheet3")
    assert note.rows == {"read": 1, "loaded": 0, "structure": 0, "rejected": 1}
    guide = next(s for s in ds.sheets if s.sheet == "说明")
    assert guide.rows == {"read": 1, "loaded": 0, "structure": 1, "rejected": 0}
    assert ds.readings[(str(path), "说明")].skipped == "说明性工作表“说明”"
    assert ds.problems.filter(sheet="说明").height == 0


def test_table_not_at_a1_keeps_excel_coordinates(tmp_path):
    # Two empty rows and two empty columns before the table: the error still names D8 (not B6).
    rows = [[], [], [None, None, "2023年政府投资项目计划清单"], [None, None, None, None, "单位：万元"],
            [None, None, "序号", "项目名称", "总投资", "年度计划投资"],
            [None, None, 1, "甲", 100, 10], [None, None, 2, "乙", 200, 20], [None, None, 3, "丙", "两百", 30]]
    ds = load_workbooks([write_workbook(tmp_path / "偏移.xlsx", {"政府投资项目": rows})])
    p = ds.problems.filter(code="amount_not_number").row(0, named=True)
    assert (p["row"], p["column"]) == (8, "E")
    assert ds.sheets[0].rows["read"] == 8


def test_xls_is_read(tmp_path):
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("政府投资项目")
    rows = [["2023年政府投资项目计划清单"], ["单位：亿元"], ["序号", "项目名称", "总投资", "年度计划投资"],
            ["一、续建项目（1项）"], [1, "甲项目", "1.5", 0.5], ["二、新建项目（1项）"], [1, "乙项目", 2, "0.8"]]
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            ws.write(r, c, v)
    path = tmp_path / "清单.xls"
    buf = io.BytesIO()
    book.save(buf)
    path.write_bytes(buf.getvalue())
    ds = load_workbooks([path])
    assert not ds.has_errors
    s = ds.sheets[0]
    assert s.by_nature["continuing"]["total_investment_wan"] == pytest.approx(15000)
    assert s.by_nature["new"]["annual_plan_wan"] == pytest.approx(8000)
