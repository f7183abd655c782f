"""The scenario planner on the generated province (20,000 projects from official-layout workbooks,
read from their Parquet copy), beside bench_scenario.py's synthetic province: the model built from
the canonical frames as the planner builds it, a slider move, and Monte Carlo with 10,000 draws.
"""

from __future__ import annotations

from benchmarks import data
from benchmarks.bench_scenario import monte_carlo, recompute
from benchmarks.harness import Case


def _frames():
    from jygproj.ingest import load_ingested
    from jygproj.reference import load_seasonal_profile

    ds = load_ingested(data.province_parquet())
    return ds, load_seasonal_profile()


def _build(arg):
    from jygproj import projection

    ds, profile = arg
    return projection.build_model(ds.projects, ds.memberships, ds.progress, ds.baseline, as_of="2023-10",
                                  profile=profile, reserve=ds.reserve)


def _model():
    return _build(_frames())


def cases():
    return [
        Case("scenario: province workbooks, model build (20,000 projects)", setup=_frames, run=_build, repeat=3,
             note="from the Parquet copy of the generated province; once per data load"),
        Case("scenario: province workbooks, recompute after a slider move", setup=_model, run=recompute, repeat=10,
             goal_s=0.5),
        Case("scenario: province workbooks, Monte Carlo 10,000 draws", setup=_model, run=monte_carlo, repeat=3,
             goal_s=10.0),
    ]
