"""Reminder letters 提醒函: Word files reopened with python-docx say what the facts say."""

import datetime as dt
from datetime import date
from pathlib import Path

import docx
import polars as pl
import pytest
from docx.oxml.ns import qn

from jygproj import letters

FACTS = pl.DataFrame({
    "responsible_unit": ["市住建局", "市住建局", "市教育局"],
    "kind": ["red_project", "missed_target", "missed_target"],
    "project_id": ["A", None, None],
    "list": ["government", "government", "government"],
    "fact": [
        "雄关大道改造（政府投资项目）：红色预警，落后36.5个百分点。年度计划投资10,000.0万元（1.00亿元），"
        "1-X月累计完成4,000.0万元（0.40亿元），完成率40.0%。",
        "政府投资项目三季度计划完成投资3,000.0万元（0.30亿元），实际完成2,400.0万元（0.24亿元），完成率80.0%。",
        "政府投资项目三季度计划完成投资500.0万元（0.05亿元），实际完成100.0万元（0.01亿元），完成率20.0%。",
    ],
})
DATES = dict(as_of=date(2023, 9, 30), issued_on=date(2023, 10, 12), deadline=date(2023, 10, 31),
             plan_name="《嘉峪关市推动项目落地“大提速”工作方案》（嘉政办发〔2023〕39号）")


def _text(path):
    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


def test_one_letter_per_unit_with_title_addressee_facts_deadline_and_issuer(tmp_path):
    paths = letters.write_letters(FACTS, tmp_path / "letters", **DATES)
    assert [p.name for p in paths] == ["提醒函_市住建局.docx", "提醒函_市教育局.docx"]
    text = _text(paths[0])
    lines = text.splitlines()
    assert lines[0] == "　　〔2023〕　　号"  # 发文字号 above the title, blank where office.yaml has none
    assert lines[2] == "关于加快推进项目建设进度的提醒函"
    assert "市住建局：" in lines
    assert "1个项目为红色预警，1项方案目标未完成" in text
    assert "（一）雄关大道改造（政府投资项目）：红色预警" in text and "4,000.0万元（0.40亿元）" in text
    assert "（二）政府投资项目三季度计划完成投资3,000.0万元（0.30亿元）" in text
    # no 工作要求 given, none invented (they come from the unit's own problems: factors.requests)
    assert "主动对接" not in text
    assert "请于2023年10月31日前将整改落实情况书面报送市发展改革委。" in text
    assert lines[-3:] == ["嘉峪关市发展和改革委员会", "2023年10月12日", "（联系人：　　　　电话：　　）"]
    assert "截至2023年9月30日" in text and "嘉政办发〔2023〕39号" in text
    assert "市住建局" not in _text(paths[1]) and "100.0万元（0.01亿元）" in _text(paths[1])
    assert not list((tmp_path / "letters").glob("*.tmp"))


def test_every_run_sets_the_east_asian_font(tmp_path):
    (path,) = letters.write_letters(FACTS.head(1), tmp_path, **DATES)
    document = docx.Document(str(path))
    runs = [r for p in document.paragraphs for r in p.runs if r.text]
    fonts = {r._element.rPr.rFonts.get(qn("w:eastAsia")) for r in runs}
    assert fonts == {"方正小标宋简体", "仿宋_GB2312", "黑体"}  # title, body, headings 一、二、
    title = next(r for r in runs if r.text == letters.TITLE)
    assert title.font.size.pt == 22 and title._element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"


def test_units_whose_names_clean_to_the_same_file_get_numbered(tmp_path):
    facts = FACTS.head(2).with_columns(pl.Series("responsible_unit", ["建投集团/城投", "建投集团:城投"]))
    paths = letters.write_letters(facts, tmp_path, **DATES)
    assert [p.name for p in paths] == ["提醒函_建投集团_城投.docx", "提醒函_建投集团_城投_2.docx"]


def test_a_failed_write_leaves_the_previous_letter_and_no_temp_file(tmp_path, monkeypatch):
    (good,) = letters.write_letters(FACTS.tail(1), tmp_path, **DATES)
    before = good.read_bytes()

    real_write = Path.write_bytes

    def broken_write(self, data):
        real_write(self, data[:100])  # half a zip, then the disk is full
        raise OSError("disk full")

    monkeypatch.setattr(Path, "write_bytes", broken_write)
    with pytest.raises(OSError):
        letters.write_letters(FACTS.tail(1), tmp_path, **DATES)
    assert good.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["提醒函_市教育局.docx"]


def test_the_follow_up_hook_prints_each_facts_item_note_and_names_the_reply_form(tmp_path):
    """Issue 16: a fact with its 督办编号 (and the previous letter) on the line under it; the deadline
    sentence names the reply form sent with the letter. The fact's own sentence is unchanged."""
    notes = FACTS.with_columns(pl.Series("item_note", ["督办编号：2023-2-000001。该问题已在我委2023年8月10日提醒函中指出。",
                                                       "督办编号：2023-3-000002。", None]))
    paths = letters.write_letters(notes, tmp_path, **DATES, reply_forms={"市住建局": "整改落实情况反馈表"})
    lines = _text(paths[0]).splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("（一）"))
    assert lines[first] == "（一）" + FACTS["fact"][0]
    assert lines[first + 1] == "督办编号：2023-2-000001。该问题已在我委2023年8月10日提醒函中指出。"
    assert lines[first + 3] == "督办编号：2023-3-000002。"
    assert "请于2023年10月31日前逐项填写随函所附《整改落实情况反馈表》" in "\n".join(lines)
    other = _text(paths[1])  # no note, no form: the letter as before
    assert "督办编号" not in other and "请于2023年10月31日前将整改落实情况书面报送市发展改革委。" in other
def test_requests_and_triggers_are_the_units_own(tmp_path):
    paths = letters.write_letters(FACTS, tmp_path, **DATES,
                                  requests={"市住建局": ["雄关大道改造反映土地方面的问题：主动对接市自然资源局，加快用地报批。"]},
                                  triggers={"市住建局": "项目推进落实慢"})
    text = _text(paths[0])
    assert "存在项目推进落实慢的情况" in text
    assert "二、工作要求\n（一）雄关大道改造反映土地方面的问题：主动对接市自然资源局，加快用地报批。" in text


def test_gb9704_page_margins_grid_fonts_and_fallbacks(tmp_path):
    (path,) = letters.write_letters(FACTS.head(1), tmp_path, **DATES)
    document = docx.Document(str(path))
    section = document.sections[0]
    mm = [round(x.mm) for x in (section.page_width, section.page_height, section.top_margin,
                                section.bottom_margin, section.left_margin, section.right_margin)]
    assert mm == [210, 297, 37, 35, 28, 26]  # 版心 156 × 225 mm
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:linePitch")) == "579"  # 28.95 pt: 22 lines of 三号 in 225 mm
    spacing = document.styles["Normal"].element.rPr.find(qn("w:spacing"))
    assert int(spacing.get(qn("w:val"))) * -1 in (3, 4, 5)  # 三号 condensed to 28 characters a line
    body = [p for p in document.paragraphs if p.text.startswith("（一）")][0]
    assert body.paragraph_format.line_spacing.pt == pytest.approx(28.95)
    assert body.runs[0].font.size.pt == 16  # 三号
    table = [p for p in document.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml"][0]
    xml = table.blob.decode()
    assert '<w:font w:name="方正小标宋简体"><w:altName w:val="宋体"/>' in xml
    assert '<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋"/>' in xml


def test_page_number_field_in_the_footer(tmp_path):
    (path,) = letters.write_letters(FACTS.head(1), tmp_path, **DATES)
    footer = docx.Document(str(path)).sections[0].footer.paragraphs[0]
    xml = footer._p.xml
    assert footer.text.startswith("— ") and footer.text.endswith(" —")
    assert 'w:fldCharType="begin"' in xml and "PAGE" in xml and 'w:fldCharType="end"' in xml


def test_doc_number_and_contact_from_the_office_settings(tmp_path):
    from jygproj.office import Office

    office = Office("嘉峪关市发展和改革委员会", "嘉发改函", "张三", "0937-6000000")
    (path,) = letters.write_letters(FACTS.head(1), tmp_path, office=office, **DATES)
    lines = _text(path).splitlines()
    assert lines[0] == "嘉发改函〔2023〕　　号"
    assert lines[-1] == "（联系人：张三　　电话：0937-6000000）"


def test_clean_properties_and_the_one_file_mode(tmp_path):
    import datetime as dt
    import zipfile

    from jygproj import outputs

    before = dt.datetime.now(dt.timezone.utc).replace(microsecond=0, tzinfo=None)
    (path,) = letters.write_letters(FACTS.head(1), tmp_path, **DATES)
    props = docx.Document(str(path)).core_properties
    assert props.author == props.last_modified_by == "嘉峪关市发展和改革委员会"
    assert props.title == letters.TITLE and props.comments == ""
    assert props.created.replace(tzinfo=None) >= before - dt.timedelta(seconds=1)
    with zipfile.ZipFile(path) as z:
        meta = z.read("docProps/core.xml").decode() + z.read("docProps/app.xml").decode()
        assert "docProps/thumbnail.jpeg" not in z.namelist()
    assert "python-docx" not in meta and "2013" not in meta and "Word" not in meta
    assert "<Company>嘉峪关市发展和改革委员会</Company>" in meta
    assert path.stat().st_mode & 0o777 == outputs.file_mode()


def test_sample_letters_say_so_under_the_title(tmp_path):
    (path,) = letters.write_letters(FACTS.head(1), tmp_path, sample=True, **DATES)
    assert _text(path).splitlines()[3] == "（样例数据，非官方数据）"
    (real,) = letters.write_letters(FACTS.head(1), tmp_path / "real", **DATES)
    assert "样例数据" not in _text(real)


def test_amounts_written_as_official_documents_write_them():
    from jygproj.report.formats import money

    assert [money(9290.4), money(12000.0), money(600.0), money(0.45)] == ["9290万元", "1.20亿元", "600万元", "0.5万元"]
    assert "," not in money(99999.0)


def test_a_letter_is_the_archive_zipfile_wrote_when_appending_to_the_template(monkeypatch):
    """render writes the letter's two parts after the template's fixed ones itself; the bytes are
    those zipfile wrote appending them to a copy of the template (the way render did it before)."""
    import io
    import time
    import zipfile

    monkeypatch.setattr(time, "time", lambda: 1_700_000_000.0)  # one clock for both ways
    made_at = dt.datetime(2023, 11, 10, 8, 0, tzinfo=dt.timezone.utc)
    paragraphs = letters.letter_paragraphs("市住建局 & <局>", ["第一项", "第二项\n换行"], as_of=dt.date(2023, 10, 31),
                                           issued_on=dt.date(2023, 11, 10), deadline=dt.date(2023, 11, 25),
                                           plan_name="《方案》")
    fixed, head, tail = letters._template_parts()
    body = "".join(f"{b}{letters.xml_escape(t)}{a}" for (b, a), t in
                   ((letters._paragraph_xml(kind), text) for kind, text in paragraphs))
    out = io.BytesIO(fixed)
    out.seek(0, io.SEEK_END)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("docProps/core.xml", letters._core_xml("嘉峪关市发展和改革委员会", made_at))
        z.writestr("word/document.xml", head + body + tail)
    assert letters.render(paragraphs, "嘉峪关市发展和改革委员会", made_at) == out.getvalue()
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as z:
        assert z.testzip() is None
