"""Wiring of the follow-up ledger into the quarterly review: which files, which reviews, which frames.

- :func:`load_inputs`: the data folder's follow-up workbooks (jygproj.catalogue's 督办反馈/ files)
  read once with the review's inputs;
- :func:`for_review`: the year's earlier quarterly reviews recomputed from the same data folder as
  of their own evaluation dates (jygproj.quarterly.raised_for: only the warnings and letter facts,
  city-wide: ids are the city's in every report; once per inputs), folded with the replies and
  closures (jygproj.followups.ledger), scoped to the review's unit, with the letter facts of this
  review tied to their items.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from jygproj import schema
from jygproj.evaluation import default_as_of
from jygproj.followups import items as raised_items
from jygproj.followups.ledger import Ledger, Point, build
from jygproj.ledger import made_once
from jygproj.followups.settings import Settings, load_settings
from jygproj.io.followup_books import FollowupBooks, empty_books, read_followup_books
from jygproj.report.formats import date_zh

if TYPE_CHECKING:
    from jygproj.catalogue import Catalogue
    from jygproj.quarterly import Inputs, Raised, ReviewParams, Results


@dataclass
class FollowupInputs:
    books: FollowupBooks  # replies, closures, their problems and sheets
    files: list[Path]  # the follow-up workbooks read (catalogue order)
    settings: Settings


def load_inputs(cat: "Catalogue | None") -> FollowupInputs:
    files = [f.path for f in cat.followups] if cat is not None else []
    return FollowupInputs(read_followup_books(files) if files else empty_books(), files, load_settings())


@dataclass
class Followups:
    """The ledger of one review, shaped for its report, its Excel, its letters and summary.json."""

    ledger: Ledger  # scoped to the review's unit
    items: pl.DataFrame  # ledger.items with the project's name
    history: pl.DataFrame
    by_unit: pl.DataFrame
    letter_facts: pl.DataFrame  # this review's letter facts with item_id and item_note
    problems: pl.DataFrame  # reading the follow-up workbooks and matching them to items (schema.PROBLEMS)
    settings: Settings
    reviews: list[str] = field(default_factory=list)  # the reviews folded, "2023Q1"…
    _open_by_unit: tuple | None = field(default=None, init=False, repr=False, compare=False)

    def counts(self) -> dict[str, int]:
        return self.ledger.counts()

    def form_items(self, unit: str) -> pl.DataFrame:
        """A unit's open items, for its reply form (attention first): the open items split by unit
        once (a province's 1,247 forms each filtered the whole ledger)."""
        if self._open_by_unit is None:
            open_items = self.items.filter(pl.col("status") != "closed")
            self._open_by_unit = (open_items.clear(), open_items.partition_by(
                "responsible_unit", as_dict=True, maintain_order=True))
        empty, by_unit = self._open_by_unit
        return by_unit.get((unit,), empty)


def review_point(year: int, quarter: int, evaluated_on: dt.date, raised: "Raised", settings: Settings) -> Point:
    """One review's problems (jygproj.followups.items), read from its worst warnings and letter facts."""
    worst = raised.worst
    return Point(year, quarter, evaluated_on,
                 raised_items.raised(worst, raised.projects, raised.reminder_facts, settings.raise_level),
                 dict(zip(worst["project_id"].to_list(), (str(x) for x in worst["level"].to_list()))))


def for_review(inputs: "Inputs", params: "ReviewParams", results: "Results") -> Followups:
    from jygproj import quarterly

    fu: FollowupInputs = inputs.followups
    reviews = []
    for q in range(1, params.quarter + 1):
        # the city's review of each quarter (ids are the city's in every report), only what the ledger
        # reads, once per inputs (quarterly.raised_for): a unit's report reuses the city's
        p = params if q == params.quarter else quarterly.ReviewParams(
            params.year, q, params.data_dir, default_as_of(params.year, q), None, params.headline)
        reviews.append((q, p, quarterly.raised_for(inputs, p, results if q == params.quarter else None)))

    def city_ledger() -> tuple[list[Point], Ledger]:
        points = [review_point(params.year, q, p.evaluation.date, r, fu.settings) for q, p, r in reviews]
        return points, build(points, fu.books.replies, fu.books.closures, fu.settings)

    # the city's ledger of the same reviews and books: made once per inputs, each unit's report
    # taking its part (issue 18)
    points, city = made_once(
        inputs.memo, ("followup_ledger", tuple((q, p.evaluation.date) for q, p, _ in reviews)),
        (fu, fu.books, fu.settings, *(r for _, _, r in reviews)), city_ledger)
    led = city.of_unit(params.unit)
    named = with_names(led.items, inputs.dataset.projects)
    return Followups(
        ledger=led, items=named, history=led.history, by_unit=by_unit(named, led),
        letter_facts=letter_facts(results.frames.get("reminder_facts"), results.frames["worst"], named,
                                  params.as_of_date, fu.settings),
        problems=pl.concat([fu.books.problems, city.problems], how="vertical_relaxed"),
        settings=fu.settings, reviews=[p.name for p in points])


def with_names(items: pl.DataFrame, projects: pl.DataFrame) -> pl.DataFrame:
    """The project's name beside each item; a list item is named by its list and unit."""
    names = projects.select("project_id", "name").unique("project_id", keep="first")
    list_names = pl.col("list").replace_strict(schema.LISTS, default=pl.col("list"), return_dtype=pl.String)
    return items.join(names, on="project_id", how="left", maintain_order="left").with_columns(
        pl.coalesce("name", pl.when(pl.col("list").is_not_null()).then(
            pl.concat_str([list_names, pl.lit("（"), pl.col("responsible_unit"), pl.lit("）")])),
            pl.col("responsible_unit")).alias("name"))


def by_unit(items: pl.DataFrame, led: Ledger) -> pl.DataFrame:
    """Per responsible unit: open items, each status, closed this quarter and in all, and the unit's
    own words (its latest reply on each open item), not answered and overdue first."""
    this_q = led.closed_this_quarter()
    words = [  # the open items' latest replies, in the unit's own words
        None if r["status"] == "closed" or (r["replied_on"] is None and not r["measures"]) else
        f"{r['item_id']}：{r['measures'] or '（未填整改措施）'}"
        + (f"（责任人：{r['responsible_person']}" if r["responsible_person"] else "（")
        + (f"；承诺{date_zh(r['promised_on'])}前完成）" if r["promised_on"] else "）")
        + (f"{r['explanation']}" if r["explanation"] else "")
        for r in items.iter_rows(named=True)]
    frame = items.with_columns(this_q.alias("_this_q"), pl.Series("_words", words, dtype=pl.String))
    s = pl.col("status")
    return frame.group_by("responsible_unit").agg(
        (s != "closed").sum().cast(pl.Int64).alias("items_open"),
        (s == "unanswered").sum().cast(pl.Int64).alias("items_unanswered"),
        (pl.col("overdue") & (s != "closed")).sum().cast(pl.Int64).alias("items_overdue"),
        (s == "awaiting").sum().cast(pl.Int64).alias("items_awaiting"),
        (s == "in_progress").sum().cast(pl.Int64).alias("items_in_progress"),
        pl.col("_this_q").sum().cast(pl.Int64).alias("items_closed_this_quarter"),
        (s == "closed").sum().cast(pl.Int64).alias("items_closed"),
        pl.col("_words").drop_nulls().str.join("；").alias("unit_words"),
    ).with_columns(pl.when(pl.col("unit_words") == "").then(None).otherwise(pl.col("unit_words")).alias("unit_words")) \
        .sort(["items_unanswered", "items_overdue", "items_open", "responsible_unit"],
              descending=[True, True, True, False])


def letter_facts(facts: pl.DataFrame | None, worst: pl.DataFrame, items: pl.DataFrame, issued_on: dt.date,
                 settings: Settings) -> pl.DataFrame:
    """This review's letter facts with the id of their item and a note citing it (and, for an item
    already sent, the previous letter and what the unit answered) — the letters' optional hook."""
    if facts is None or facts.is_empty():
        return pl.DataFrame(schema={"responsible_unit": pl.String, "kind": pl.String, "project_id": pl.String,
                                    "list": pl.String, "fact": pl.String, "item_id": pl.String, "item_note": pl.String})
    red = raised_items.red_projects(worst, settings.raise_level)
    by_key = {(r["kind"], raised_items.subject(r["project_id"], r["responsible_unit"], r["list"])): r
              for r in items.filter(pl.col("status") != "closed").iter_rows(named=True)}
    ids, notes = [], []
    for f in facts.iter_rows(named=True):
        item = by_key.get(raised_items.fact_key(f, red))
        ids.append(item["item_id"] if item else None)
        notes.append(item_note(item, issued_on) if item else None)
    return facts.with_columns(pl.Series("item_id", ids, dtype=pl.String), pl.Series("item_note", notes, dtype=pl.String))


def item_note(item: dict[str, Any], issued_on: dt.date) -> str:
    """督办编号 and, when the item was in an earlier letter, that letter and the unit's answer."""
    earlier = [d for d in item["letters"] if d < issued_on]
    note = f"督办编号：{item['item_id']}。"
    if not earlier:
        return note + "请在随函所附《整改落实情况反馈表》中逐项反馈。"
    prev = earlier[-1]
    note += f"该问题已在我委{date_zh(prev)}提醒函中指出（首次提出：{date_zh(item['opened_on'])}）"
    replied = item["replied_on"]
    if item["status"] == "unanswered" or replied is None or replied < prev:
        return note + "，你单位未按期反馈整改情况，请于本函规定期限内一并反馈。"
    promise = f"，承诺于{date_zh(item['promised_on'])}前完成整改" if item["promised_on"] else ""
    passed = "，承诺期限已过" if item["overdue"] else ""
    return note + f"，你单位于{date_zh(replied)}反馈{promise}{passed}，截至本次评估问题仍未解决，请加大整改力度。"
