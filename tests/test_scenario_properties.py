"""Property tests (hypothesis): monotonicity of the planner in its levers.

Raising a pace lever never lowers the projection or the probability; excluding a project never
raises them. Monte Carlo draws do not depend on the levers (same seed, same random world), so the
probability comparison is exact, not statistical.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jygproj import projection
from jygproj.reference import load_seasonal_profile
from jygproj.scenario import montecarlo
from jygproj.scenario.levers import PACE_LISTS, Levers
from test_scenario_data import city_frames

MODEL = projection.build_model(**city_frames(), as_of="2023-10", profile=load_seasonal_profile())
PACE = st.floats(0.5, 1.5, allow_nan=False)
paces = st.dictionaries(st.sampled_from(PACE_LISTS), PACE, max_size=len(PACE_LISTS))
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _with(levers: Levers, **kw) -> Levers:
    out = levers.copy()
    for k, v in kw.items():
        setattr(out, k, v)
    return out


base_levers = st.builds(
    Levers,
    pace_by_list=paces,
    new_start_delay_months=st.integers(0, 6),
    start_probability=st.floats(0, 2),
    other_change_pct=st.floats(-50, 50),
    accelerate=st.dictionaries(st.sampled_from(MODEL.ids.tolist()), st.floats(1.0, 2.0), max_size=2),
    defer=st.dictionaries(st.sampled_from(MODEL.ids.tolist()), st.integers(0, 12), max_size=2),
)


@SETTINGS
@given(levers=base_levers, list_name=st.sampled_from(PACE_LISTS), bump=st.floats(0.0, 1.0))
def test_raising_a_pace_lever_never_lowers_projection_or_probability(levers, list_name, bump):
    low = levers.pace(list_name)
    high = min(low + bump, 1.5)
    up = _with(levers, pace_by_list={**levers.pace_by_list, list_name: high})
    a, b = projection.run(MODEL, levers), projection.run(MODEL, up)
    assert np.all(b.total_wan[9:] >= a.total_wan[9:] - 1e-6)
    pa = montecarlo.simulate(MODEL, levers, draws=200, seed=5).probability
    pb = montecarlo.simulate(MODEL, up, draws=200, seed=5).probability
    assert pb["level"] >= pa["level"] and pb["rate"] >= pa["rate"]


@SETTINGS
@given(levers=base_levers, pid=st.sampled_from(MODEL.ids.tolist()))
def test_excluding_a_project_never_raises_projection_or_probability(levers, pid):
    out = _with(levers, exclude=sorted(set(levers.exclude) | {pid}))
    a, b = projection.run(MODEL, levers), projection.run(MODEL, out)
    assert np.all(b.total_wan[9:] <= a.total_wan[9:] + 1e-6)
    pa = montecarlo.simulate(MODEL, levers, draws=200, seed=9).probability
    pb = montecarlo.simulate(MODEL, out, draws=200, seed=9).probability
    assert pb["level"] <= pa["level"] and pb["rate"] <= pa["rate"]


@SETTINGS
@given(levers=base_levers, p=st.floats(0, 2))
def test_higher_start_probability_never_lowers_probability(levers, p):
    lo, hi = sorted((levers.start_probability, p))
    a = montecarlo.simulate(MODEL, _with(levers, start_probability=lo), draws=200, seed=2).target_month_wan
    b = montecarlo.simulate(MODEL, _with(levers, start_probability=hi), draws=200, seed=2).target_month_wan
    assert np.all(b >= a - 1e-6)
