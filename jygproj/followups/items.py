"""What one quarterly review raises: the problems that become follow-up items, and their stable ids.

A narrow adapter over two frames of the review (so changes to how letters are triggered or worded,
jygproj.supervision, do not break the ledger):

- the warnings: each project's worst level (``alerts.worst_level_per_project``: project_id, level);
- the letter facts (``supervision.reminder_facts``): responsible_unit and fact are read; kind,
  project_id and list when present.

A problem is keyed by what it is about, not by when or in which words: a project's red warning by
(red_project, project); any other letter fact by (its kind, its project, else its unit and list).
A letter fact about a project that is red at that review is the red warning's item (one item per
red project, however many sentences the letter gives it). The key does not hold the unit of a
project item: a project moved to another unit keeps its item.

An item's id comes from its key and the review that first raised it (never a counter): the same
data gives the same ids in every run, in the city's report and in a unit's.
"""

from __future__ import annotations

import hashlib

import polars as pl

from jygproj.supervision import NO_UNIT  # the unit of a problem whose project names none

#: The item kind of a project's red warning (the same word as supervision's red-project fact).
RED = "red_project"
#: Kind of a letter fact that says none.
LETTER_FACT = "letter_fact"

RAISED_SCHEMA: dict[str, pl.DataType] = {
    "kind": pl.String,
    "subject": pl.String,  # "project:<id>" or "unit:<unit>|list:<list>"
    "responsible_unit": pl.String,
    "project_id": pl.String,
    "list": pl.String,
    "level": pl.String,  # the project's worst warning at that review (project items)
    "fact": pl.String,  # the problem in words (the letter's sentence, or the warning's reasons)
    "in_letter": pl.Boolean,
}


def subject(project_id: str | None, unit: str | None, list_: str | None) -> str:
    return f"project:{project_id}" if project_id else f"unit:{unit or ''}|list:{list_ or ''}"


def red_projects(worst: pl.DataFrame, raise_level: str = "red") -> set[str]:
    """The projects whose worst warning opens an item (at or above ``raise_level``)."""
    from jygproj.schema import ALERT_LEVELS

    order = list(ALERT_LEVELS)
    return {p for p, lv in zip(worst["project_id"].to_list(), worst["level"].to_list())
            if order.index(str(lv)) >= order.index(raise_level)}


def fact_key(fact: dict, red: set[str], no_unit: str = NO_UNIT) -> tuple[str, str]:
    """The key of the item a letter fact states (a fact about a red project is its red item)."""
    pid = fact.get("project_id") or None
    kind = RED if pid in red else (fact.get("kind") or LETTER_FACT)
    return kind, subject(pid, fact.get("responsible_unit") or no_unit, fact.get("list"))


def raised(worst: pl.DataFrame, projects: pl.DataFrame, facts: pl.DataFrame | None, raise_level: str = "red",
           no_unit: str = NO_UNIT) -> pl.DataFrame:
    """The problems one review states (RAISED_SCHEMA), one row per key: red projects (worst level at
    or above ``raise_level``) and every letter fact. ``worst`` also gives the level of each project
    item; ``projects`` the unit of a red project that no letter names."""
    levels = dict(zip(worst["project_id"].to_list(), (str(x) for x in worst["level"].to_list())))
    red = red_projects(worst, raise_level)
    units = dict(zip(projects["project_id"].to_list(), projects["responsible_unit"].to_list()))
    rows: dict[tuple[str, str], dict] = {}

    def add(key, project_id, unit, list_, fact, in_letter):
        row = rows.get(key)
        if row is None:
            rows[key] = {"kind": key[0], "subject": key[1], "responsible_unit": unit, "project_id": project_id,
                         "list": list_, "level": levels.get(project_id) if project_id else None,
                         "fact": fact, "in_letter": in_letter}
        else:  # the same problem stated twice: one item, both sentences
            if fact and fact not in (row["fact"] or ""):
                row["fact"] = f"{row['fact']}；{fact}" if row["fact"] else fact
            row["in_letter"] = row["in_letter"] or in_letter

    for f in (facts.iter_rows(named=True) if facts is not None else ()):
        add(fact_key(f, red, no_unit), f.get("project_id") or None, f.get("responsible_unit") or no_unit,
            f.get("list"), f.get("fact"), True)
    reasons = _reasons(worst)
    for pid in sorted(red):
        key = (RED, subject(pid, None, None))
        if key not in rows:  # a red project no letter names
            add(key, pid, units.get(pid) or no_unit, None, reasons.get(pid), False)
    return pl.DataFrame(list(rows.values()), schema=RAISED_SCHEMA)


def _reasons(worst: pl.DataFrame) -> dict[str, str]:
    if "reasons" not in worst.columns:
        return {}
    return {p: ("；".join(r) if isinstance(r, list) else r)
            for p, r in zip(worst["project_id"].to_list(), worst["reasons"].to_list())}


def item_id(kind: str, subject_: str, year: int, quarter: int) -> str:
    """2023-2-048213: the year and quarter of the review that first raised the item, and six digits
    of a hash of its key. Readers see digits only; a unit copies the id from the form it is sent."""
    digest = hashlib.sha256(f"{kind}|{subject_}|{year}Q{quarter}".encode("utf-8")).hexdigest()
    return f"{year}-{quarter}-{int(digest, 16) % 1_000_000:06d}"


def assign_ids(keys: list[tuple[str, str]], year: int, quarter: int) -> dict[tuple[str, str], str]:
    """Ids of the items one review raises. Two keys whose hashes share six digits (about one chance
    in 20,000 for 200 items) are told apart by a suffix in key order, so the result depends only on
    the keys raised by that review — which the data as of that review fixes."""
    out: dict[tuple[str, str], str] = {}
    taken: dict[str, int] = {}
    for key in sorted(keys):
        base = item_id(*key, year, quarter)
        n = taken.get(base, 0) + 1
        taken[base] = n
        out[key] = base if n == 1 else f"{base}-{n}"
    return out
