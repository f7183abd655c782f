"""Observation and ranking 观摩评比 (二(九)): score parts checked by hand."""

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from jygproj import ranking, schema
from jygproj.reference import ReferenceDataError, load_seasonal_profile

PROFILE = load_seasonal_profile()  # cumulative: April 14.5 %, September 76.5 %
WEIGHTS = ranking.load_ranking()  # speed 5/month in [-15, 15]; pace 50 × ratio (cap 2); over 1/pp (cap 30)
SEP30 = date(2023, 9, 30)
AS_OF = date(2023, 10, 10)  # September reports filed 3 October; pace taken at the period end, 30 September


def _frames(rows):
    """rows: (id, list, nature, annual_plan_wan, planned_start, start_date or None, done_ytd_wan)."""
    projects = schema.conform(pl.DataFrame({"project_id": [r[0] for r in rows],
                                            "name": [f"项目{r[0]}" for r in rows],
                                            "responsible_unit": ["市交通运输局"] * len(rows)}), schema.PROJECTS)
    memberships = schema.conform(pl.DataFrame(
        {"project_id": [r[0] for r in rows], "list": [r[1] for r in rows], "nature": [r[2] for r in rows],
         "annual_plan_wan": [r[3] for r in rows], "planned_start": [r[4] for r in rows]},
        schema_overrides={"planned_start": pl.Date}), schema.MEMBERSHIPS)
    progress = schema.conform(pl.DataFrame(
        {"project_id": [r[0] for r in rows], "list": [r[1] for r in rows], "period": ["2023-09"] * len(rows),
         "period_end": [SEP30] * len(rows), "completed_ytd_wan": [r[6] for r in rows],
         "started": [r[5] is not None or r[2] == "continuing" for r in rows],
         "start_date": [r[5] for r in rows], "resumed": [r[2] == "continuing" for r in rows],
         "reported_at": [date(2023, 10, 3)] * len(rows), "revision": [0] * len(rows)},
        schema_overrides={"start_date": pl.Date}), schema.PROGRESS)
    return projects, memberships, progress


ROWS = [
    # G1 continuing: 900 done of 1,000; pace 76.5 % -> 765 due; ratio 900/765 = 1.1765 -> 58.82;
    #    annual 90 % -> over 0; speed 0 (continuing).                       score 58.82
    ("G1", "government", "continuing", 1_000.0, None, None, 900.0),
    # G2 new, planned May, started March: 2 months early -> 10 points.
    #    pace from May: (76.5-14.5)/(100-14.5) = 62/85.5 = 0.72515 -> 1,450.29 due of 2,000;
    #    2,400/1,450.29 = 1.6548 -> 82.74; annual 120 % -> 20 over points.  score 112.74
    ("G2", "government", "new", 2_000.0, date(2023, 5, 1), date(2023, 3, 15), 2_400.0),
    # G3 new, planned April, started June: 2 months late -> -10.
    #    pace from April: (76.5-6.5)/(100-6.5) = 70/93.5 = 0.74866 -> 748.66 due of 1,000;
    #    1,500/748.66 = 2.004 -> capped at 2 -> 100; annual 150 % -> 50, capped 30.  score 120
    ("G3", "government", "new", 1_000.0, date(2023, 4, 1), date(2023, 6, 2), 1_500.0),
    # G4 new, planned April, not started by 10 October: -6 months -> -30 clipped to -15; not eligible, no rank
    ("G4", "government", "new", 1_000.0, date(2023, 4, 1), None, 0.0),
    # I1 alone on the industrial list: rank 1 there
    ("I1", "industrial", "continuing", 10_000.0, None, None, 7_650.0),
]


def test_score_parts_and_ranks_per_list():
    scores = ranking.score_projects(*_frames(ROWS), AS_OF, WEIGHTS, PROFILE)
    by = {r["project_id"]: r for r in scores.iter_rows(named=True)}
    assert by["G1"]["speed_points"] == 0 and by["G1"]["over_points"] == 0
    assert by["G1"]["pace_points"] == pytest.approx(50 * 900 / 765)  # 58.82
    assert by["G2"]["months_early"] == 2 and by["G2"]["speed_points"] == 10
    assert by["G2"]["planned_to_date_wan"] == pytest.approx(2_000 * 62 / 85.5)
    assert by["G2"]["pace_points"] == pytest.approx(50 * 2_400 / (2_000 * 62 / 85.5))  # 82.74
    assert by["G2"]["over_points"] == pytest.approx(20)
    assert by["G2"]["score"] == pytest.approx(10 + 82.742 + 20, abs=1e-3)
    assert by["G3"]["months_early"] == -2 and by["G3"]["speed_points"] == -10
    assert by["G3"]["pace_points"] == 100 and by["G3"]["over_points"] == 30 and by["G3"]["score"] == 120
    assert by["G4"]["speed_points"] == -15 and not by["G4"]["eligible"] and by["G4"]["rank"] is None
    # ranks: G3 120 > G2 112.74 > G1 58.82 on the government list; I1 first on its own list
    assert [(r["project_id"], r["rank"]) for r in scores.filter(pl.col("list") == "government").iter_rows(named=True)
            if r["rank"]] == [("G3", 1), ("G2", 2), ("G1", 3)]
    assert by["I1"]["rank"] == 1 and by["I1"]["pace_points"] == pytest.approx(50.0)  # exactly on pace


def test_top_projects_keeps_n_per_list_with_the_parts_as_columns():
    top = ranking.top_projects(ranking.score_projects(*_frames(ROWS), AS_OF, WEIGHTS, PROFILE), 2)
    assert top.select("list", "project_id").rows() == [("government", "G3"), ("government", "G2"),
                                                       ("industrial", "I1")]
    assert {"speed_points", "pace_points", "over_points", "score"} <= set(top.columns)
    assert set(schema.SCORE_LABELS) <= set(top.columns) | {"started_on"}


def test_reserve_and_provincial_lists_are_not_ranked():
    rows = [("P1", "provincial_key", "continuing", 1_000.0, None, None, 900.0)]
    assert ranking.score_projects(*_frames(rows), AS_OF, WEIGHTS, PROFILE).is_empty()


def test_ranking_file_names_the_three_lists_of_the_plan():
    assert WEIGHTS.lists == ("government", "industrial", "real_estate")  # 75 + 105 + 9, 二(九)
    assert WEIGHTS.labels["over_completion"] == "超额完成得分"


@pytest.mark.parametrize("old, new, code", [
    ("top_n: 10", "top_n: 0", "bad_top_n"),
    ("lists: [government, industrial, real_estate]", "lists: [government, factories]", "unknown_list"),
    ("    points_per_month: 5\n", "    points_per_month: 5\n    points_per_month: 6\n", "duplicate_key"),
    ("    cap_ratio: 2.0\n", "    cap_ratio: two\n", "value_not_number"),
    ("    max_points: 30\n", "    max_points: 30\n    bonus: 3\n", "unknown_key"),
])
def test_broken_ranking_file_is_refused(tmp_path, old, new, code):
    text = Path(WEIGHTS.file).read_text(encoding="utf-8")
    assert old in text
    broken = tmp_path / "ranking.yaml"
    broken.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ReferenceDataError) as err:
        ranking.load_ranking(broken)
    assert err.value.code == code and str(broken) in str(err.value) and err.value.line
