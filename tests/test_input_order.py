"""A report does not depend on the order of the input rows.

Offices send the same projects in any order (by 序号, by unit, by amount, re-sorted by whoever last
touched the workbook): two analysts with the same data get the same figures, warnings, rankings and
tables in the same order. Checked three ways:

- the rows of every frame of the loaded data set (and of the follow-up replies and closures) permuted:
  the quarterly review (city and units), the reserve report and the planner give the same frames,
  tables, words, letters and summary;
- polars taking every freedom it is given (a join, group_by or unique not asked to keep an order
  gives its rows in a random order, a sort not asked to keep ties breaks them at random): the same
  review, on the sample and on a copy whose amounts are rounded so that many projects and units tie;
- at the front door: copies of a scheduling table and a register with their data rows shuffled
  (title, header, total and section rows in place) load to the same data set up to row order and
  source row, and give the same review.

The loader's problems (Dataset.problems) are not permuted: they are its log, in reading order (the
catalogue's files, their sheets and rows), and the front-door case checks them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import random
import shutil

import numpy as np
import openpyxl
import polars as pl
import pytest
from polars.dataframe.group_by import GroupBy

import jygproj
from jygproj import completion, quarterly
from jygproj.catalogue import catalogue
from jygproj.io import load_dataset

#: The data set's frames an office's rows end up in (Dataset: every frame but the loader's log).
FRAMES = ("projects", "memberships", "progress", "baseline", "reserve", "reserve_steps")
#: The amounts (万元) of the frames: rounded in the tied copy, given cents in another (with_cents)
_AMOUNTS = ("total_investment_wan", "annual_plan_wan", "q1_plan_wan", "q2_plan_wan", "q3_plan_wan", "q4_plan_wan",
            "stretch_plan_wan", "completed_ytd_wan", "first_year_wan")
UNITS = (None, "市住建局", "工业园区管委会")  # the city and two units (one with ~100 projects)


def shuffled(frame: pl.DataFrame, seed: int) -> pl.DataFrame:
    return frame[np.random.default_rng(seed).permutation(frame.height).tolist()] if frame.height > 1 else frame


def permuted(wb, seed: int | None, dataset=None) -> quarterly.Inputs:
    """The review's inputs with every frame's rows (and the follow-up books') in another order."""
    ds = dataset or wb.dataset
    if seed is not None:
        ds = dataclasses.replace(ds, **{f: shuffled(getattr(ds, f), seed + n) for n, f in enumerate(FRAMES)})
    inputs = quarterly.inputs_from(wb.catalogue, ds, wb.plan)
    if seed is not None:
        books = inputs.followups.books
        inputs.followups = dataclasses.replace(inputs.followups, books=dataclasses.replace(
            books, replies=shuffled(books.replies, seed + 20), closures=shuffled(books.closures, seed + 21)))
    return inputs


def review_of(inputs, unit, as_of="2023-10", quarter=3):
    return quarterly.build_review(inputs, quarterly.ReviewParams(2023, quarter, str(inputs.data_dir), as_of, unit))


def everything(review) -> dict:
    """What a review shows or hands on: its frames, tables, words, first screen, summary, letters and
    follow-up ledger — frames with their row order."""
    out: dict = {f"frame:{k}": f for k, f in review.frames.items() if isinstance(f, pl.DataFrame)}
    for k, t in review.tables.items():
        out[f"table:{k}"] = t.frame
        out[f"table_words:{k}"] = (t.name, t.title, t.notes)
    out.update(summary=json.dumps(review.summary, ensure_ascii=False, default=str), text=review.text,
               answer=json.dumps(review.answer, ensure_ascii=False, default=str), letter_units=review.letter_units,
               letter_requests=review.letter_requests, letter_triggers=review.letter_triggers,
               followup_reviews=review.followups.reviews)
    out.update({f"followups:{k}": getattr(review.followups, k)
                for k in ("items", "history", "by_unit", "letter_facts", "problems")})
    return out


def differences(a: dict, b: dict) -> list[str]:
    """The keys whose values differ: 'key (order)' when a frame has the same rows in another order."""
    out = []
    for k, x in a.items():
        y = b.get(k)
        if isinstance(x, pl.DataFrame):
            if isinstance(y, pl.DataFrame) and x.equals(y):
                continue
            same_rows = (isinstance(y, pl.DataFrame) and x.columns == y.columns and x.height == y.height
                         and x.sort(x.columns, nulls_last=True).equals(y.sort(y.columns, nulls_last=True)))
            out.append(f"{k} (order)" if same_rows else k)
        elif x != y:
            out.append(k)
    return out


@pytest.fixture(scope="module")
def wb():
    return jygproj.open()


@pytest.fixture(scope="module")
def as_given(wb):
    inputs = permuted(wb, None)
    return {u: everything(review_of(inputs, u)) for u in UNITS}


@pytest.mark.parametrize("seed", [1, 7])
def test_the_quarterly_review_does_not_depend_on_the_order_of_the_input_rows(wb, as_given, seed):
    inputs = permuted(wb, seed)
    assert not inputs.dataset.projects.equals(wb.dataset.projects)  # the rows are in another order
    for unit in UNITS:  # the units after the city on the same inputs: what they take of the city's too
        assert differences(as_given[unit], everything(review_of(inputs, unit))) == [], unit


def with_cents(dataset):
    """The data set with cents on every amount: the sample's are whole 万元, which floats add exactly
    in any order; with cents a sum taken in the rows' order differs in its last bits."""
    rng = np.random.default_rng(0)

    def cents(frame):
        return frame.with_columns((pl.col(c) + pl.Series(rng.integers(1, 100, frame.height) / 100)).alias(c)
                                  for c in _AMOUNTS if c in frame.columns)
    return dataclasses.replace(dataset, **{f: cents(getattr(dataset, f)) for f in ("projects", "memberships",
                                                                                     "progress", "reserve")})


def test_amounts_with_cents_add_up_the_same_in_any_row_order(wb):
    ds = with_cents(wb.dataset)
    given = permuted(wb, None, ds)
    reviews = {unit: everything(review_of(given, unit)) for unit in UNITS}
    for seed in (3, 5):  # orders in which the lists' totals (方案规模核对) were other floats before
        inputs = permuted(wb, seed, ds)
        for unit in UNITS:
            assert differences(reviews[unit], everything(review_of(inputs, unit))) == [], (seed, unit)
    assert differences(_reserve_and_planner(wb, given), _reserve_and_planner(wb, permuted(wb, 3, ds))) == []
    sizes = wb.plan.list_sizes_frame()
    totals = completion.plan_reconciliation(ds.memberships, sizes)
    for seed in range(20):
        assert completion.plan_reconciliation(shuffled(ds.memberships, seed), sizes).equals(totals), seed


def test_an_earlier_quarter_does_not_depend_on_it_either(wb):
    given = everything(review_of(permuted(wb, None), None, "2023-06", 2))
    assert differences(given, everything(review_of(permuted(wb, 3), None, "2023-06", 2))) == []


def _reserve_and_planner(wb, inputs) -> dict:
    from jygproj.reserve import pipeline, report
    from jygproj.scenario.files import planner_from_dataset

    loaded = pipeline.build(inputs.dataset, wb.catalogue.paths, review_date=wb.evaluation.shifted(1).text,
                            fai_as_of=wb.evaluation.text)
    out = {f"reserve:{f.name}": getattr(loaded.report, f.name) for f in dataclasses.fields(loaded.report)
           if isinstance(getattr(loaded.report, f.name), pl.DataFrame)}
    out["reserve:summary"] = json.dumps(report.summary(loaded.report), ensure_ascii=False, default=str)
    planner = planner_from_dataset(inputs.dataset, as_of=wb.evaluation.text, plan=wb.plan,
                                   result=quarterly.forecast_for(inputs, wb.evaluation))
    result = planner.run(planner.baseline)
    out.update({"planner:headline": json.dumps(result.headline(), ensure_ascii=False, default=str),
                "planner:diff": result.diff, "planner:tornado": result.tornado})
    return out


def test_the_reserve_report_and_the_planner_do_not_depend_on_it(wb):
    given = _reserve_and_planner(wb, permuted(wb, None))
    for seed in (2, 5):
        assert differences(given, _reserve_and_planner(wb, permuted(wb, seed))) == [], seed


# --- polars taking every freedom it is given ---------------------------------------------------------


@contextlib.contextmanager
def unordered_polars(monkeypatch, seed: int):
    """Within the block, eager polars gives no order it was not asked for: a join, a group_by's agg,
    a unique (frame or Series) without maintain_order returns its rows shuffled, unique(keep="any")
    keeps the first or the last, a sort without maintain_order breaks ties at random. Polars documents
    each of these orders as unspecified ("might differ across Polars versions or even between runs"):
    a report that depends on one of them would change with polars, not with the data."""
    rng = np.random.default_rng(seed)

    def mix(df):
        return df[rng.permutation(df.height).tolist()] if df.height > 1 else df

    join, sort, unique, agg, series_unique = (pl.DataFrame.join, pl.DataFrame.sort, pl.DataFrame.unique, GroupBy.agg,
                                              pl.Series.unique)

    def any_join(self, other, *args, **kw):
        out = join(self, other, *args, **kw)
        return mix(out) if kw.get("maintain_order") in (None, "none") else out

    def any_sort(self, by, *more, **kw):
        return sort(self, by, *more, **kw) if kw.get("maintain_order") else \
            sort(mix(self), by, *more, **{**kw, "maintain_order": True})

    def any_unique(self, subset=None, *, keep="any", maintain_order=False):
        keep = ("first" if rng.random() < 0.5 else "last") if keep == "any" else keep
        out = unique(self, subset, keep=keep, maintain_order=True)
        return out if maintain_order else mix(out)

    def any_agg(self, *args, **kw):
        out = agg(self, *args, **kw)
        return out if self.maintain_order else mix(out)

    def any_series_unique(self, *, maintain_order=False):
        out = series_unique(self, maintain_order=True)
        return out if maintain_order or len(out) < 2 else out[rng.permutation(len(out)).tolist()]

    with monkeypatch.context() as m:
        m.setattr(pl.DataFrame, "join", any_join)
        m.setattr(pl.DataFrame, "sort", any_sort)
        m.setattr(pl.DataFrame, "unique", any_unique)
        m.setattr(GroupBy, "agg", any_agg)
        m.setattr(pl.Series, "unique", any_series_unique)
        yield


def tied(dataset, grain: float = 20000.0):
    def rounded(frame):
        return frame.with_columns(((pl.col(c) / grain).round(0) * grain).alias(c) for c in _AMOUNTS if c in frame.columns)
    return dataclasses.replace(dataset, **{f: rounded(getattr(dataset, f)) for f in ("projects", "memberships",
                                                                                       "progress", "reserve")})


@pytest.mark.parametrize("with_ties", [False, True], ids=["sample", "tied"])
def test_the_review_takes_no_order_polars_was_not_asked_for(wb, monkeypatch, with_ties):
    ds = tied(wb.dataset) if with_ties else wb.dataset
    if with_ties:  # the copy has ties where the sample has none: units at one rate, projects at one gap
        r = review_of(permuted(wb, None, ds), None)
        assert r.frames["unit_ytd"]["rate_pct"].is_duplicated().any()
        assert r.frames["scores"].filter(pl.col("eligible")).select("list", "score").is_duplicated().any()
    units = UNITS[:2]
    inputs = permuted(wb, None, ds)
    given = {u: everything(review_of(inputs, u)) for u in units}
    for seed in (1, 2):
        inputs = permuted(wb, None, ds)
        with unordered_polars(monkeypatch, seed):
            got = {u: everything(review_of(inputs, u)) for u in units}
        for u in units:
            assert differences(given[u], got[u]) == [], (seed, u)


def test_the_reserve_report_takes_no_order_polars_was_not_asked_for(wb, monkeypatch):
    given = _reserve_and_planner(wb, permuted(wb, None))
    with unordered_polars(monkeypatch, 3):
        got = _reserve_and_planner(wb, permuted(wb, None))
    assert differences(given, got) == []


def test_the_first_screens_ties_have_one_order():
    """Equal gaps and equal rates (none in the sample): the rows named are the same whatever the input's
    order, ties in unit or project order; a project behind by the same amount on two lists shows the
    list whose figures stand for it city-wide (ledger.LIST_PRECEDENCE: provincial major first)."""
    frame = pl.DataFrame({
        "project_id": ["p3", "p1", "p2", "p2", "p4", "p5"],
        "list": ["government", "industrial", "industrial", "provincial_major", "government", "government"],
        "plan_wan": [300.0, 300.0, 300.0, 300.0, 100.0, 500.0],
        "completed_wan": [100.0, 100.0, 100.0, 100.0, 50.0, 0.0],
    })
    for seed in range(6):
        behind = completion.most_behind(shuffled(frame, seed), "project_id", n=4)
        assert behind.select("project_id", "list").rows() == [
            ("p5", "government"), ("p1", "industrial"), ("p2", "provincial_major"), ("p3", "government")]
    units = pl.DataFrame({"responsible_unit": ["乙", "甲", "丙", "丁"], "rate_pct": [50.0, 50.0, None, 20.0]})
    for seed in range(6):  # 乙 (U+4E59) before 甲 (U+7532): text order, as the units' own tables
        assert completion.slowest_first(shuffled(units, seed))["responsible_unit"].to_list() == ["丁", "乙", "甲", "丙"]


# --- at the front door: the workbooks' data rows shuffled ------------------------------------------------

#: A scheduling table (the month the review reads) and a register: the largest list, whose projects
#: are partly without a code (matched by name)
SHUFFLED = ("2023年1-10月产业投资项目调度表（样例数据）.xlsx", "2023年产业投资项目清单（样例数据）.xlsx")


def shuffle_data_rows(path, seed: int) -> int:
    """The data rows (a 序号 and a name) of every sheet of the workbook ``path`` shuffled within each
    run of consecutive data rows, values and number formats together; title, header, total, section
    (一、续建项目…) and note rows stay in place. Returns how many rows moved."""
    book, rng, moved = openpyxl.load_workbook(path), random.Random(seed), 0
    for ws in book.worksheets:
        runs, run = [], []
        for r in range(1, ws.max_row + 2):
            if r <= ws.max_row and isinstance(ws.cell(r, 1).value, int) and ws.cell(r, 2).value:
                run.append(r)
            elif run:
                runs.append(run)
                run = []
        for run in runs:
            cells = [[(c.value, c.number_format) for c in ws[r]] for r in run]
            order = list(range(len(run)))
            rng.shuffle(order)
            moved += sum(i != k for i, k in enumerate(order))
            for r, k in zip(run, order):
                for c, (value, fmt) in zip(ws[r], cells[k]):
                    c.value, c.number_format = value, fmt
    book.save(path)
    return moved


#: Columns naming a workbook row: they follow the rows shuffled
_ROWS = ("source_row", "figure_row", "plan_row", "used_row", "other_row", "reply_row", "closure_row")
_FILES = ("source_file", "figure_file", "plan_file", "used_file", "other_file", "reply_file", "closure_file", "file")


def _without_places(frame: pl.DataFrame) -> pl.DataFrame:
    """A frame without its row numbers, its file columns as names only (the copy is in another folder)."""
    frame = frame.drop([c for c in _ROWS if c in frame.columns])
    return frame.with_columns(pl.col(c).str.replace(r"^.*[/\\]", "") for c in _FILES
                              if c in frame.columns and frame.schema[c] == pl.String)


@pytest.fixture(scope="module")
def shuffled_copy(tmp_path_factory, wb):
    folder = tmp_path_factory.mktemp("order") / "2023"
    shutil.copytree(wb.folder, folder)  # a copy: the sample's workbooks are never written
    for n, name in enumerate(SHUFFLED):
        assert shuffle_data_rows(folder / name, 11 + n) > 50
    return folder


def test_shuffled_workbooks_load_to_the_same_data_set_up_to_row_order(wb, shuffled_copy):
    given, got = load_dataset(wb.folder), load_dataset(shuffled_copy)
    for name in FRAMES:
        a, b = (_without_places(getattr(d, name)) for d in (given, got))
        assert a.sort(a.columns, nulls_last=True).equals(b.sort(b.columns, nulls_last=True)), name
    # the rows moved: the registers' rows are read in their new order (the "as the office listed it" order)
    assert not given.memberships["project_id"].equals(got.memberships["project_id"])
    # the loader's log: the same problems; those of the shuffled sheets name other rows
    keep = ["severity", "sheet", "column", "header", "code"]
    a, b = (_without_places(d.problems).select(*keep, "file", "message") for d in (given, got))
    assert a.select(keep).equals(b.select(keep))
    moved = pl.col("file").is_in(list(SHUFFLED))
    assert a.filter(~moved).equals(b.filter(~moved))


def test_shuffled_workbooks_give_the_same_review(wb, shuffled_copy):
    given_ds, got_ds = load_dataset(wb.folder), load_dataset(shuffled_copy)
    for unit in UNITS:
        a, b = (everything(review_of(quarterly.inputs_from(catalogue(folder), ds, wb.plan), unit))
                for folder, ds in ((wb.folder, given_ds), (shuffled_copy, got_ds)))
        a, b = ({k: _without_places(v) if isinstance(v, pl.DataFrame) else v for k, v in x.items()} for x in (a, b))
        # what names the files and rows read: the copy's own folder, hashes and row numbers
        places = {"summary", "table:provenance", "table:problems", "followups:problems"}
        assert [k for k in differences(a, b) if k not in places] == [], unit
        sa, sb = (json.loads(x["summary"]) for x in (a, b))
        for s in (sa, sb):
            s["run"].pop("data_dir")
        assert sa == sb, unit
        # the same sheets and row counts (a shuffled sheet's projects may now start on another row)
        sheets = ["source_file", "source_sheet", "table", "rows"]
        assert a["table:provenance"].select(sheets).equals(b["table:provenance"].select(sheets))
