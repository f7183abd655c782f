"""Small inline frames (canonical schema) shared by the projection and scenario tests.

No tests here: a helper module named to sit with the scenario tests. The arithmetic of the city below
is written out in tests/test_projection.py.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from jygproj import schema


def city_frames(as_of_month: int = 10) -> dict[str, pl.DataFrame]:
    """Four listed projects and one reserve project; 2022 base 100000/110000/120000 万元 (Oct/Nov/Dec).

    P1 provincial major + industrial, continuing, annual 10000, completed 8750 by October (on pace)
    P2 government, continuing, annual 4000, completed 1750 (pace 0.5 of 3500 due)
    P4 provincial key, new, annual 2000, planned start November 2023, not started
    P5 real estate, new, annual 3000, planned start March 2023, not started (overdue)
    R1 reserve project, first-year investment 5000
    """
    projects = schema.conform(pl.DataFrame({
        "project_id": ["P1", "P2", "P4", "P5"],
        "name": ["一号焦炉改造", "二号市政道路", "四号新材料", "五号住宅小区"],
        "nature": ["continuing", "continuing", "new", "new"],
        "annual_plan_wan": [10000.0, 4000.0, 2000.0, 3000.0],
        "planned_start": [date(2022, 4, 1), date(2022, 6, 1), date(2023, 11, 1), date(2023, 3, 1)],
    }), schema.PROJECTS)
    memberships = schema.conform(pl.DataFrame({
        "project_id": ["P1", "P1", "P2", "P4", "P5", "R1"],
        "list": ["industrial", "provincial_major", "government", "provincial_key", "real_estate", "reserve"],
        "annual_plan_wan": [10000.0, 10000.0, 4000.0, 2000.0, 3000.0, 0.0],
    }), schema.MEMBERSHIPS)
    # P1 reported on two lists: counted once. An earlier P2 figure is superseded by revision 1.
    progress = schema.conform(pl.DataFrame({
        "project_id": ["P1", "P1", "P2", "P2", "P2", "P4", "P1"],
        "list": ["provincial_major", "industrial", "government", "government", "government",
                 "provincial_key", "provincial_major"],
        "period": [f"2023-{as_of_month:02d}"] * 2 + ["2023-09", f"2023-{as_of_month:02d}",
                                                     f"2023-{as_of_month:02d}", f"2023-{as_of_month:02d}", "2023-09"],
        "completed_ytd_wan": [8750.0, 8750.0, 1500.0, 1000.0, 1750.0, 0.0, 8000.0],
        "started": [True, True, True, True, True, False, True],
        "revision": [0, 0, 0, 0, 1, 0, 0],
    }), schema.PROGRESS)
    months = list(range(2, 13))
    prior = {10: 100000.0, 11: 110000.0, 12: 120000.0}
    baseline = schema.conform(pl.DataFrame({
        "year": [2023] * len(months),
        "month": months,
        "prior_cum_wan": [prior.get(m, 10000.0 * (m - 0)) for m in months],
        "current_cum_wan": [110000.0 * m / 10 if m <= as_of_month else None for m in months],
        "growth_pct": [10.0 if m <= as_of_month else None for m in months],
    }), schema.BASELINE)
    reserve = schema.conform(pl.DataFrame({
        "project_id": ["R1"], "name": ["储备冷链物流园"], "first_year_wan": [5000.0],
    }), schema.RESERVE)
    return {"projects": projects, "memberships": memberships, "progress": progress,
            "baseline": baseline, "reserve": reserve}
