"""The large outputs of a province run (issue 18, item 3): the quarterly Excel workbook at province
size (≈1 million styled cells), 1,663 reminder letters and 1,247 reply forms (the province run's
count), each written by this package and by the writer it replaced, interleaved A B A B in one run
(benchmarks.harness).

The replaced writers are read from git as they were at main f383b24 (openpyxl workbook, one
python-docx Document per letter) and 751042c (openpyxl reply forms), so the comparison keeps no copy
of the old code.

Inputs: the city's quarterly tables, each repeated until the workbook holds about a million cells
(the province run wrote 942,000), and the city's letter facts repeated under numbered unit names
until there are 1,663 units. Run alone: `.venv/bin/python -m benchmarks outputs:`.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks import data
from benchmarks.harness import HERE, Case, Ratio

BEFORE = "f383b24"  # main before the writers were sized for a province
FORMS_BEFORE = "751042c"  # main before the reply forms were written by xlsxwriter
CELLS = 1_000_000
UNITS = 1_663
FORMS = 1_247
FORMS_NEW, FORMS_OLD = "outputs: 1,247 reply forms (xlsxwriter)", "outputs: 1,247 reply forms (openpyxl, before)"
EXCEL_NEW, EXCEL_OLD = "outputs: Excel ≈1M cells (xlsxwriter)", "outputs: Excel ≈1M cells (openpyxl, before)"
LETTERS_NEW, LETTERS_OLD = "outputs: 1,663 letters (template)", "outputs: 1,663 letters (python-docx each, before)"


def _before(module: str, commit: str = BEFORE):
    """``jygproj/<module>.py`` as it was at ``commit``, loaded as a module of its own."""
    source = subprocess.run(["git", "-C", str(HERE.parent), "show", f"{commit}:jygproj/{module}.py"],
                            capture_output=True, text=True, check=True).stdout
    spec = importlib.util.spec_from_loader(f"_before_{module.replace('/', '_')}", loader=None)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    exec(compile(source, f"{commit}:jygproj/{module}.py", "exec"), mod.__dict__)
    return mod


def _review():
    from jygproj.quarterly import ReviewParams, build_review

    return build_review(data.review_inputs(data.city()), ReviewParams(2023, 3, "", "2023-10"))


def _letter_facts(review):
    """The facts the letters are written from (letter_facts where the review has them)."""
    return review.frames.get("letter_facts", review.frames["reminder_facts"])


def _province_sheets():
    import polars as pl

    from jygproj.report.review_files import sheets_for

    sheets = sheets_for(_review())
    cells = sum(s.frame.height * s.frame.width for s in sheets)
    copies = -(-CELLS // cells)
    for s in sheets:
        s.frame = pl.concat([s.frame] * copies) if s.frame.height else s.frame
    return sheets


def _excel_setup(writer):
    def setup():
        out = Path(tempfile.mkdtemp(prefix="bench_outputs_"))
        return writer(), _province_sheets(), out
    return setup


def _new_excel():
    from jygproj.export import write_workbook

    return write_workbook


def _old_excel():
    return _before("export").write_workbook


def _excel_run(arg):
    write, sheets, out = arg
    return write(out / "province.xlsx", sheets)


def _excel_check(arg, path) -> str:
    _, sheets, out = arg
    cells = sum(s.frame.height * s.frame.width for s in sheets)
    size = Path(path).stat().st_size
    shutil.rmtree(out, ignore_errors=True)
    return f"{len(sheets)} sheets, {cells:,} data cells, {size / 1e6:.1f} MB"


def _letters_setup(module):
    def setup():
        import polars as pl

        review = _review()
        facts = _letter_facts(review)
        units = facts["responsible_unit"].n_unique()
        big = pl.concat([facts.with_columns(pl.col("responsible_unit") + f"（{i}）")
                         for i in range(-(-UNITS // units))])
        keep = big["responsible_unit"].unique(maintain_order=True).head(UNITS).implode()
        big = big.filter(pl.col("responsible_unit").is_in(keep))
        return module(), big, Path(tempfile.mkdtemp(prefix="bench_letters_"))
    return setup


def _new_letters():
    from jygproj import letters

    return letters


def _letters_run(arg):
    module, facts, out = arg
    shutil.rmtree(out, ignore_errors=True)
    return module.write_letters(facts, out, as_of=dt.date(2023, 10, 31), issued_on=dt.date(2023, 11, 10),
                                deadline=dt.date(2023, 11, 25), plan_name="《嘉峪关市推动项目落地“大提速”工作方案》")


def _letters_check(arg, written) -> str:
    shutil.rmtree(arg[2], ignore_errors=True)
    return f"{len(written):,} letters, {arg[1].height:,} facts"


def _forms_setup(module):
    """The city's reply forms (each letter unit's open items) repeated under numbered unit names
    until there are FORMS of them."""
    def setup():
        from jygproj.followups import form

        review = _review()
        units = _letter_facts(review)["responsible_unit"].unique(maintain_order=True).to_list()
        items = {u: [form.FormItem(r["item_id"], r["name"], r["problem"] or "", r["opened_on"])
                     for r in review.followups.form_items(u).iter_rows(named=True)] for u in units}
        forms = [(f"{u}（{i}）", items[u]) for i in range(-(-FORMS // len(units))) for u in units][:FORMS]
        return module(), forms, Path(tempfile.mkdtemp(prefix="bench_forms_"))
    return setup


def _new_forms():
    from jygproj.followups import form

    return form


def _forms_run(arg):
    module, forms, out = arg
    shutil.rmtree(out, ignore_errors=True)
    return [module.write_reply_form(out / f"整改反馈表_{unit}.xlsx", unit, items, letter_title="关于加快推进项目建设进度的提醒函",
                                    review_label="2023年第三季度考核", issued_on=dt.date(2023, 10, 31),
                                    deadline=dt.date(2023, 11, 15), plan_name="《嘉峪关市推动项目落地“大提速”工作方案》")
            for unit, items in forms]


def _forms_check(arg, written) -> str:
    shutil.rmtree(arg[2], ignore_errors=True)
    return f"{len(written):,} forms, {sum(len(items) for _, items in arg[1]):,} items"


def cases() -> list[Case]:
    return [
        Case(EXCEL_NEW, setup=_excel_setup(_new_excel), run=_excel_run, repeat=3, check=_excel_check,
             ratios=(Ratio("openpyxl (before) ÷ xlsxwriter (times faster)", EXCEL_OLD),)),
        Case(EXCEL_OLD, setup=_excel_setup(_old_excel), run=_excel_run, repeat=3, check=_excel_check),
        Case(LETTERS_NEW, setup=_letters_setup(_new_letters), run=_letters_run, repeat=2, check=_letters_check,
             ratios=(Ratio("python-docx each (before) ÷ template (times faster)", LETTERS_OLD),)),
        Case(LETTERS_OLD, setup=_letters_setup(lambda: _before("letters")), run=_letters_run, repeat=2,
             check=_letters_check),
        Case(FORMS_NEW, setup=_forms_setup(_new_forms), run=_forms_run, repeat=2, check=_forms_check,
             ratios=(Ratio("openpyxl (before) ÷ xlsxwriter (times faster)", FORMS_OLD),)),
        Case(FORMS_OLD, setup=_forms_setup(lambda: _before("followups/form", FORMS_BEFORE)), run=_forms_run,
             repeat=2, check=_forms_check),
    ]
