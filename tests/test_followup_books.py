"""The follow-up workbooks through the front door (jygproj.io.followup_books, jygproj.catalogue): a
reply form as the tool writes it, filled in as a unit would, one cell broken — a located error in
Chinese with its code, and nothing the unit wrote is lost."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from jygproj import catalogue
from jygproj.followups import form
from jygproj.io.followup_books import read_followup_books

ISSUED, DEADLINE = dt.date(2023, 8, 10), dt.date(2023, 8, 25)
ITEMS = [form.FormItem("2023-2-000001", "雄关大道改造", "红色预警，落后序时36.5个百分点", ISSUED),
         form.FormItem("2023-2-000002", "二中教学楼", "红色预警，未开工", ISSUED),
         form.FormItem("2023-2-000003", "政府投资项目（市住建局）", "二季度未完成计划", ISSUED)]


def _form(path: Path, answers: dict | None = None, replied_on: dt.date | None = dt.date(2023, 8, 20)) -> Path:
    return form.write_reply_form(path, "市住建局", ITEMS, letter_title="关于加快推进项目建设进度的提醒函",
                                 review_label="2023年第二季度考核", issued_on=ISSUED, deadline=DEADLINE,
                                 plan_name="《工作方案》", answers=answers, replied_on=replied_on, atomic=False)


ANSWERS = {"2023-2-000001": form.Answer("增加施工班组", "王建华（副局长）", dt.date(2023, 12, 31), "正在整改", "资本金到位不足"),
           "2023-2-000002": form.Answer("9月底前开工", "李志强（科长）", dt.date(2023, 9, 30), "正在整改", None)}


def test_a_filled_in_form_reads_back_every_reply_with_its_source(tmp_path):
    books = read_followup_books([_form(tmp_path / "反馈.xlsx", ANSWERS)])
    r = books.replies.sort("item_id")
    assert r.select("item_id", "replying_unit", "measures", "responsible_person", "promised_on", "replied_on").rows() == [
        ("2023-2-000001", "市住建局", "增加施工班组", "王建华（副局长）", dt.date(2023, 12, 31), dt.date(2023, 8, 20)),
        ("2023-2-000002", "市住建局", "9月底前开工", "李志强（科长）", dt.date(2023, 9, 30), dt.date(2023, 8, 20))]
    assert r.select("source_sheet", "source_row", "id_column").rows() == [("整改反馈", 6, "B"), ("整改反馈", 7, "B")]
    # the third item left blank: counted, and named in one warning
    (blank,) = books.problems.rows(named=True)
    assert (blank["code"], blank["severity"]) == ("reply_row_blank", "warning") and "2023-2-000003" in blank["message"]
    sheet = next(s for s in books.sheets if s.kind == "reply")
    assert sheet.rows == {"read": 8, "loaded": 2, "structure": 6, "rejected": 0}  # 5 header rows + 1 blank reply


def test_a_broken_cell_is_a_located_error_and_loses_nothing(tmp_path):
    path = _form(tmp_path / "反馈.xlsx", ANSWERS)
    wb = openpyxl.load_workbook(path)
    wb["整改反馈"]["H6"] = "十月底"  # 承诺完成时间 typed in words, pasted past the date validation
    wb.save(path)
    books = read_followup_books([path])
    (err,) = books.problems.filter(books.problems["severity"] == "error").rows(named=True)
    assert (err["code"], err["sheet"], err["row"], err["column"], err["header"], err["value"]) == (
        "date_not_understood", "整改反馈", 6, "H", "承诺完成时间", "十月底")
    assert err["message"].startswith("《反馈.xlsx》工作表“整改反馈”第6行H列（承诺完成时间）：")
    assert err["message"].endswith("[date_not_understood]") and "十月底" in err["message"]
    # the row is kept with every other word the unit wrote; only the unreadable date is empty
    row = books.replies.filter(books.replies["item_id"] == "2023-2-000001").row(0, named=True)
    assert (row["measures"], row["responsible_person"], row["explanation"], row["promised_on"]) == (
        "增加施工班组", "王建华（副局长）", "资本金到位不足", None)
    assert books.replies.height == 2


def test_a_form_without_its_date_is_an_error_naming_the_cell(tmp_path):
    books = read_followup_books([_form(tmp_path / "反馈.xlsx", ANSWERS, replied_on=None)])
    err = books.problems.filter(books.problems["code"] == "reply_date_missing").row(0, named=True)
    assert (err["severity"], err["row"], err["column"]) == ("error", 4, "A")
    assert books.replies.height == 2 and books.replies["replied_on"].null_count() == 2  # kept, date unknown


def test_revisions_are_numbered_and_all_kept(tmp_path):
    first = _form(tmp_path / "a.xlsx", ANSWERS)
    again = _form(tmp_path / "b.xlsx", {"2023-2-000001": form.Answer("专班驻场推进", "王建华（副局长）", "2023-12-31")},
                  replied_on=dt.date(2023, 10, 16))
    r = read_followup_books([first, again]).replies
    one = r.filter(r["item_id"] == "2023-2-000001").sort("revision")
    assert one.select("revision", "measures", "replied_on").rows() == [
        (0, "增加施工班组", dt.date(2023, 8, 20)), (1, "专班驻场推进", dt.date(2023, 10, 16))]


def test_a_closure_needs_its_date_and_a_written_reason(tmp_path):
    path = form.write_closure_record(tmp_path / "销号.xlsx", [
        {"item_id": "2023-2-000001", "closed_on": dt.date(2023, 10, 25), "reason": "经现场核实已整改到位", "closed_by": "李明"},
        {"item_id": "2023-2-000002", "closed_on": dt.date(2023, 10, 25), "reason": None},
        {"item_id": "2023-2-000003", "closed_on": "下周", "reason": "已整改"}], atomic=False)
    books = read_followup_books([path])
    assert books.closures.select("item_id", "closed_on", "reason", "closed_by").rows() == [
        ("2023-2-000001", dt.date(2023, 10, 25), "经现场核实已整改到位", "李明")]
    got = {(p["code"], p["row"], p["column"]) for p in books.problems.iter_rows(named=True)}
    assert got == {("closure_reason_missing", 5, "F"), ("date_not_understood", 6, "E")}
    sheet = books.sheets[0]
    assert (sheet.kind, sheet.rows["loaded"], sheet.rows["rejected"]) == ("closure", 1, 2)


def test_the_catalogue_recognises_the_follow_up_folder(tmp_path):
    (tmp_path / "清单.xlsx").write_bytes(b"x")
    fu = tmp_path / catalogue.FOLLOWUP_FOLDER
    _form(fu / "反馈_市住建局.xlsx", ANSWERS)
    (fu / "扫描件.pdf").write_bytes(b"%PDF")
    (fu / "~$反馈_市住建局.xlsx").write_bytes(b"x")
    (fu / "旧" ).mkdir()
    (fu / "旧" / "反馈.xlsx").write_bytes(b"x")
    cat = catalogue.catalogue(tmp_path)
    assert [f.relative for f in cat.inputs] == ["清单.xlsx"]  # never given to the scheduling loader
    assert [f.relative for f in cat.followups] == ["督办反馈/反馈_市住建局.xlsx"]
    assert {s.relative: s.code for s in cat.skipped} == {
        "督办反馈/扫描件.pdf": "not_workbook", "督办反馈/~$反馈_市住建局.xlsx": "lock_file",
        "督办反馈/旧/反馈.xlsx": "in_subfolder"}
    assert cat.as_json()["followups"]["督办反馈/反馈_市住建局.xlsx"]["sha256"] == catalogue.sha256_file(
        fu / "反馈_市住建局.xlsx")


def test_a_workbook_in_the_folder_that_is_no_form_is_reported_not_guessed(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["项目名称", "1-10月完成投资"])
    wb.active.append(["雄关大道改造", 100])
    wb.save(tmp_path / "调度表.xlsx")
    books = read_followup_books([tmp_path / "调度表.xlsx"])
    (p,) = books.problems.rows(named=True)
    assert (p["code"], p["severity"]) == ("followup_not_recognised", "error")
    assert books.sheets[0].rows == {"read": 2, "loaded": 0, "structure": 0, "rejected": 2}


@pytest.mark.parametrize("broken", [b"not a workbook", b"PK\x03\x04 broken zip"])
def test_an_unreadable_file_is_a_file_level_problem(tmp_path, broken):
    (tmp_path / "坏.xlsx").write_bytes(broken)
    books = read_followup_books([tmp_path / "坏.xlsx"])
    assert books.problems.height == 1 and books.problems["severity"][0] == "error"
    assert books.replies.is_empty()


def test_check_reads_the_follow_up_folder_and_names_the_broken_cell(tmp_path, capsys):
    from jygproj import cli

    path = _form(tmp_path / catalogue.FOLLOWUP_FOLDER / "反馈.xlsx", ANSWERS)
    wb = openpyxl.load_workbook(path)
    wb["整改反馈"]["H7"] = "尽快"
    wb.save(path)
    assert cli.main(["check", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "类型：整改反馈表" in out and "第7行H列（承诺完成时间）" in out and "[date_not_understood]" in out


def test_the_reply_form_and_the_closure_record_print_one_page_across_with_the_header_on_every_page(tmp_path):
    """A unit prints the form, fills it in by hand if it must, and sends it back: one landscape A4 page
    across at 60% or more (jygproj.print_setup), the column headers repeated on every page."""
    from jygproj.print_setup import MIN_SCALE, LANDSCAPE_PX, sheet_width_px

    ws = openpyxl.load_workbook(_form(tmp_path / "反馈.xlsx"))["整改反馈"]
    assert int(ws.page_setup.paperSize) == 9 and ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and int(ws.page_setup.fitToWidth or 1) == 1  # 1 is the default, left unwritten
    assert int(ws.page_setup.fitToHeight) == 0 and ws.print_title_rows == "$5:$5"
    assert sheet_width_px(ws) * MIN_SCALE <= LANDSCAPE_PX
    closure = form.write_closure_record(tmp_path / "销号.xlsx", [{"item_id": "2023-2-000001"}], atomic=False)
    ws = openpyxl.load_workbook(closure).active
    assert int(ws.page_setup.paperSize) == 9 and int(ws.page_setup.fitToWidth or 1) == 1  # 1 is the default, left unwritten
    assert ws.print_title_rows == "$3:$3"
