"""A run's blank reply forms are made from a probe written by xlsxwriter once per item count
(jygproj.followups.form._skeleton): each must be byte for byte the form xlsxwriter writes for the
same unit and items — whatever the text holds (markup characters, control characters, spaces at the
ends, emoji, a text equal to a header, the same name twice)."""

from __future__ import annotations

import datetime as dt

import pytest

from jygproj.followups import form

FORM = dict(letter_title="关于加快推进项目建设进度的提醒函", review_label="2023年第三季度考核", issued_on=dt.date(2023, 11, 10),
            deadline=dt.date(2023, 11, 25), plan_name="《关于印发〈方案〉的通知》（嘉发改〔2023〕1号）",
            issuer="嘉峪关市发展和改革委员会")
TEXTS = ["城区集中供热管网改造项目", "a & b < c > d \"e\" 'f'", "a\x01b\x1fc", " 两端空格 ", "第一行\n第二行", "😀表情",
         "序号", "督办问题", "_x0041_ 字样", "中" * 300, "x" * 500, "全角　空格", "\t制表", "]]>", "＆amp;"]


def _items(n: int, offset: int = 0) -> list[form.FormItem]:
    return [form.FormItem(f"2023-3-{k:03d}", TEXTS[(k + offset) % len(TEXTS)],
                          TEXTS[(3 * k + offset + 1) % len(TEXTS)] + "；开工滞后" * (k % 4),
                          dt.date(2023, 1 + k % 12, 1 + k % 28)) for k in range(n)]


def _both(tmp_path, unit, items, **kw):
    args = dict(FORM, **kw)
    fast = form._from_skeleton(unit, items, {}, None, args["letter_title"], args["review_label"], args["issued_on"],
                               args["deadline"], args["plan_name"], args["issuer"])
    ref = tmp_path / "ref.xlsx"
    form._write_reply_form(ref, unit, items, {}, None, args["letter_title"], args["review_label"], args["issued_on"],
                           args["deadline"], args["plan_name"], args["issuer"])
    return fast, ref.read_bytes()


@pytest.mark.parametrize("n", [1, 2, 3, 11, 16, 17, 40])
@pytest.mark.parametrize("unit", ["市住建局", "A & B <局>", " 空格 "])
def test_a_blank_form_is_the_bytes_xlsxwriter_writes(tmp_path, n, unit):
    for offset in (0, 5):
        fast, ref = _both(tmp_path, unit, _items(n, offset))
        assert fast is not None and fast == ref


def test_the_same_name_twice_and_a_text_equal_to_the_guide(tmp_path):
    guide = form.GUIDE[0]
    items = [form.FormItem("2023-3-001", "同名项目", guide, dt.date(2023, 8, 10)),
             form.FormItem("2023-3-002", "同名项目", "同名项目", dt.date(2023, 8, 10)),
             form.FormItem("2023-3-001", "2023-3-001", "", dt.date(2023, 8, 10))]
    fast, ref = _both(tmp_path, "市住建局", items)
    assert fast is not None and fast == ref


def test_other_forms_are_left_to_xlsxwriter(tmp_path):
    items = _items(2)
    assert form._from_skeleton("局", [], {}, None, *FORM.values()) is None  # no items
    odd = [form.FormItem("1", "n", "p", dt.datetime(2023, 8, 10))]  # a time of day
    assert form._from_skeleton("局", odd, {}, None, *FORM.values()) is None
    answers = {"2023-3-000": form.Answer("倒排工期")}
    assert form._from_skeleton("局", items, answers, None, *FORM.values()) is None
    assert form._from_skeleton("局", items, {}, dt.date(2023, 11, 20), *FORM.values()) is None
    # and write_reply_form writes them all the same way as before
    path = form.write_reply_form(tmp_path / "f.xlsx", "局", odd, **FORM)
    ref = tmp_path / "r.xlsx"
    form._write_reply_form(ref, "局", odd, {}, None, *FORM.values())
    assert path.read_bytes() == ref.read_bytes()


def test_write_reply_form_writes_the_fast_bytes(tmp_path):
    items = _items(5)
    path = form.write_reply_form(tmp_path / "整改反馈表_局.xlsx", "局", items, **FORM)
    assert path.read_bytes() == _both(tmp_path, "局", items)[1]
