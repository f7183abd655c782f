"""The forecast's pieces on small hand-made cities (no sample generator involved)."""

from __future__ import annotations

import dataclasses
from datetime import date

import numpy as np
import polars as pl
import pytest

from jygproj import schema
from jygproj.evaluation import Evaluation
from jygproj.forecast import history, listed as listed_mod, model, projects as projects_mod, reconcile
from jygproj.forecast.settings import load_forecast_settings
from jygproj.reference import load_seasonal_profile

PROFILE = load_seasonal_profile()
Q = history.profile_shape(PROFILE)


def _baseline(current: dict[int, float], as_of: int, scale: float = 1.0) -> pl.DataFrame:
    """Two past years (2021, 2022 with 2020/2021 bases) and 2023: the same shape every year, 10%
    growth a year; 2023's published figures are ``current`` up to ``as_of``."""
    shares = np.array([0, 0, 2, 5, 8, 10, 12, 13, 13, 12, 11, 8, 6], dtype=float)
    cum = np.cumsum(shares) / shares.sum()
    rows = []
    for year, full in ((2021, 100_000.0), (2022, 110_000.0), (2023, 121_000.0)):
        for m in range(2, 13):
            prior = full / 1.1 * cum[m] * scale
            cur = full * cum[m] * scale if year < 2023 else current.get(m) if m <= as_of else None
            rows.append({"year": year, "month": m, "prior_cum_wan": prior, "current_cum_wan": cur,
                         "growth_pct": None if cur is None else round((cur / prior - 1) * 100, 6)})
    return schema.conform(pl.DataFrame(rows), schema.BASELINE)


def test_shape_from_past_years_and_profile_only_as_fallback():
    base = _baseline({m: 1000.0 * m for m in range(2, 8)}, 7)
    city = history.city(base, year=2023, as_of_month=7, profile=PROFILE)
    assert city.shape_source == "history" and city.shape_years == (2020, 2021, 2022)
    assert city.shape[2:].sum() == pytest.approx(1.0)
    assert city.shape[8] == pytest.approx(0.13)  # August: 13 of the year's 100
    only_2023 = base.filter(pl.col("year") == 2023)
    fallback = history.city(only_2023, year=2023, as_of_month=7, profile=PROFILE)
    # the 2022 base of the 2023 rows is a full past year: history still
    assert fallback.shape_source == "history" and fallback.shape_years == (2022,)
    none = only_2023.with_columns(pl.lit(None, pl.Float64).alias("prior_cum_wan"))
    fc = model.forecast(history.city(none, year=2023, as_of_month=7, profile=PROFILE), None)
    assert fc.city.shape_source == "profile" and fc.flags[0]["kind"] == "shape_fallback"


def test_city_mode_goes_on_at_its_own_recent_rate():
    # 2023 runs exactly 10% above 2022 in every month: the forecast keeps 10%
    shares = np.array([0, 0, 2, 5, 8, 10, 12, 13, 13, 12, 11, 8, 6], dtype=float)
    cum = np.cumsum(shares) / shares.sum()
    base = _baseline({m: 121_000.0 * cum[m] for m in range(2, 8)}, 7)
    fc = model.forecast(history.city(base, year=2023, as_of_month=7, profile=PROFILE), None)
    assert fc.parts.mode == "city"
    assert fc.growth_pct[8:].tolist() == pytest.approx([10.0] * 5, abs=1e-6)


def test_fit_split_recovers_the_share_and_other_fai():
    months = np.arange(2, 11)
    shape = Q.copy()
    reg_inc = np.zeros(13)
    reg_inc[months] = [10, 30, 80, 120, 200, 150, 260, 240, 100]  # registrations make it lumpy
    o = model.other_shape(shape, 0.5)
    c = np.zeros(13)
    c[months] = 900 * o[months] + 0.62 * reg_inc[months]
    rho, se, alpha, w = model.fit_split(c, shape, reg_inc, months, (0.2, 1.2))
    assert rho == pytest.approx(0.62) and alpha == pytest.approx(900) and w == 0.5 and se < 1e-6


def _listed(cum_rows, *, nature, annual, planned, start, registered, m0, total=None) -> listed_mod.Listed:
    n = len(cum_rows)
    cum = np.zeros((n, 13))
    for i, row in enumerate(cum_rows):
        cum[i, :len(row)] = row
    cum[:, m0 + 1:] = 0
    return listed_mod.Listed(
        ids=np.array([f"P{i}" for i in range(n)], dtype=object), names=np.array([f"项目{i}" for i in range(n)], dtype=object),
        nature=np.array(nature, dtype=object), annual_wan=np.array(annual, float),
        total_wan=np.array(total if total else [np.nan] * n, float), cum_wan=cum,
        planned_start_month=np.array(planned), start_month=np.array(start), registered_month=np.array(registered),
        registration_known=True, as_of_month=m0)


def test_a_project_past_its_annual_plan_does_not_accelerate():
    # annual plan 1000 already exceeded by July; it goes on at its own current pace (July's 300 per
    # July's share of the profile), not more — nothing pulls it towards, or past, its plan
    cum = [0, 0, 0, 100, 300, 550, 800, 1100]
    lst = _listed([cum], nature=["continuing"], annual=[1000], planned=[0], start=[3], registered=[1], m0=7)
    est, rates = model.estimate(lst, Q, model.Settings())
    path, _ = model.prepare(lst, Q, est, rates).expected()
    rate = 300 / Q[7]
    three = model.run_rates(lst, Q, 3, 0.5)[0]  # a three-month window: (250 + 250 + 300) / shares
    assert three == pytest.approx(800 / Q[5:8].sum())
    assert rates[0] == pytest.approx(rate)
    assert np.diff(path[0, 7:]) == pytest.approx(rate * Q[8:])
    # and never above its total investment
    capped = _listed([cum], nature=["continuing"], annual=[1000], planned=[0], start=[3], registered=[1], m0=7,
                     total=[1500])
    est, rates = model.estimate(capped, Q, model.Settings())
    assert model.prepare(capped, Q, est, rates).expected()[0][0, 12] == pytest.approx(1500)


def test_not_started_projects_start_with_a_probability_and_a_ramp_up():
    # one project due in September, not started by August: expected path = Σ P(start τ) × path(τ)
    lst = _listed([[0] * 9], nature=["new"], annual=[1200], planned=[9], start=[listed_mod.NOT_THIS_YEAR],
                  registered=[listed_mod.NOT_THIS_YEAR], m0=8)
    settings = model.Settings()
    est, rates = model.estimate(lst, Q, settings)  # nothing to measure: the defaults
    assert est.values["start_hazard_0"] == pytest.approx(settings.start_hazards[0])
    cum, reg = model.prepare(lst, Q, est, rates).expected()
    h = model.hazards(est, "start_hazard")
    intensity = 1200 / Q[9:].sum()
    p_sep = h[0]
    sep = p_sep * intensity * Q[9] * settings.first_month_factor
    assert cum[0, 9] == pytest.approx(sep)
    assert cum[0, 12] < 1200  # a start probability and a ramp-up: less than the plan in expectation
    # counted by the statistics only once registered: less again
    assert reg[0, 9] == pytest.approx(sep * model.hazards(est, "registration_hazard")[0])


def test_registration_brings_the_year_to_date_in_at_once():
    # started in June, unregistered by August: from September it registers with the hazard for its
    # months waited, bringing its whole year to date
    cum = [0, 0, 0, 0, 0, 0, 200, 400, 600]
    lst = _listed([cum], nature=["new"], annual=[2000], planned=[6], start=[6], registered=[listed_mod.NOT_THIS_YEAR],
                  m0=8)
    est, rates = model.estimate(lst, Q, model.Settings())
    total, reg = model.prepare(lst, Q, est, rates).expected()
    g = model.hazards(est, "registration_hazard")
    assert reg[0, 8] == 0.0
    assert reg[0, 9] == pytest.approx(g[3] * total[0, 9])
    warn = reconcile.registration_warnings(lst)
    assert warn["level"].to_list() == ["red"] and warn["months_unregistered"].to_list() == [2]


def test_registration_warnings_yellow_then_red():
    rows = [[0] * 9] * 3
    lst = _listed(rows, nature=["new"] * 3, annual=[100] * 3, planned=[8, 7, 6], start=[8, 7, 6],
                  registered=[listed_mod.NOT_THIS_YEAR] * 3, m0=8)
    warn = reconcile.registration_warnings(lst, yellow_after_months=1, red_after_months=2).sort("start_month")
    assert warn["level"].to_list() == ["red", "yellow"]  # started in the as-of month itself: no warning yet


def _frames(listed_by_month: dict[int, float], city: dict[int, float], m0: int):
    """One city list project reporting ``listed_by_month`` (registered since 2021), the city's FAI ``city``."""
    projects = schema.conform(pl.DataFrame({
        "project_id": ["P1"], "name": ["一号项目"], "nature": ["continuing"], "annual_plan_wan": [90_000.0],
        "planned_start": [date(2021, 5, 1)], "registered": [True], "registered_on": [date(2021, 6, 1)]}),
        schema.PROJECTS | {"registered": pl.Boolean, "registered_on": pl.Date})
    memberships = schema.conform(pl.DataFrame({"project_id": ["P1"], "list": ["industrial"],
                                               "annual_plan_wan": [90_000.0]}), schema.MEMBERSHIPS)
    months = sorted(listed_by_month)
    progress = schema.conform(pl.DataFrame({
        "project_id": ["P1"] * len(months), "list": ["industrial"] * len(months),
        "period": [f"2023-{m:02d}" for m in months], "period_end": [date(2023, m, 28) for m in months],
        "completed_ytd_wan": [listed_by_month[m] for m in months], "started": [True] * len(months),
        "reported_at": [date(2023, m + 1, 5) for m in months], "revision": [0] * len(months)}), schema.PROGRESS)
    return projects, memberships, progress, _baseline(city, m0)


def test_listed_above_the_statistics_gives_a_gap_not_a_zero():
    # the list reports 1.3 × the city's whole FAI (as Jiayuguan's lists do): the old projection zeroes
    # other FAI and lets the list carry the city to near +40%; the forecast reconciles
    shares = np.array([0, 0, 2, 5, 8, 10, 12, 13, 13, 12, 11, 8, 6], dtype=float)
    cum = np.cumsum(shares) / shares.sum()
    m0 = 9
    city = {m: 121_000.0 * cum[m] for m in range(2, m0 + 1)}
    listed = {m: 1.3 * city[m] for m in range(2, m0 + 1)}
    projects, memberships, progress, baseline = _frames(listed, city, m0)
    # (the old projection, before issue 14, set other FAI to 0 here and projected November at +40%)
    lst = listed_mod.build_listed(projects, memberships, progress, year=2023, as_of_month=m0,
                                  known_on=Evaluation(2023, m0).date)
    fc = model.forecast(history.city(baseline, year=2023, as_of_month=m0, profile=PROFILE), lst,
                        load_forecast_settings().model, project_shape=Q)
    rec = reconcile.reconciliation(fc)
    assert rec["listed_exceeds_city"] and rec["gap_wan"] == pytest.approx(0.3 * city[m0])
    assert rec["coverage_ratio"] == pytest.approx(1 / 1.3)
    assert rec["other_wan"] >= 0 and rec["listed_statistical_wan"] <= rec["city_wan"] + 1e-6
    assert abs(fc.growth_pct[11] - 10.0) < 3.0  # plausible: the city has grown 10% all year
    frame = reconcile.reconciliation_frame(rec)
    assert frame.height == len(reconcile.RECONCILIATION_LABELS) and frame["金额（万元）"].null_count() == 0


def test_without_registration_data_a_new_start_is_counted_by_the_registration_lags():
    # started in June, registration not reported: counted (in expectation) from its start month by
    # the registration hazards — the past months too — not from its first report
    cum = [0, 0, 0, 0, 0, 0, 200, 400, 600]
    lst = dataclasses.replace(_listed([cum], nature=["new"], annual=[2000], planned=[6], start=[6],
                                      registered=[listed_mod.NOT_THIS_YEAR], m0=8), registration_known=False)
    est, rates = model.estimate(lst, Q, model.Settings())
    assert "registration_hazard_0" in est.defaulted
    total, reg = model.prepare(lst, Q, est, rates).expected()
    f = projects_mod.event_table(model.hazards(est, "registration_hazard"))[0]
    assert reg[0, 6] == pytest.approx(200 * f[1]) and reg[0, 8] == pytest.approx(600 * f[3])
    assert reg[0, 10] == pytest.approx(total[0, 10] * f[5])


def test_adjustments_multiply_the_forecasts_parts():
    # a started project at its run rate; ×1.5 adds half its future work, a 2-month pause loses its
    # next two months, 0 stops it; a not-started one starts later with a delay
    cum = [[0, 0, 0, 100, 300, 550, 800, 1100], [0] * 8]
    lst = _listed(cum, nature=["continuing", "new"], annual=[1000, 1200], planned=[0, 8], start=[3, 99],
                  registered=[1, 99], m0=7)
    est, rates = model.estimate(lst, Q, model.Settings())
    prep = model.prepare(lst, Q, est, rates)
    base, _ = prep.expected()
    up, _ = prep.expected(projects_mod.Adjustments(multiplier=np.array([1.5, 1.0])))
    assert up[0, 12] - 1100 == pytest.approx(1.5 * (base[0, 12] - 1100))
    paused, _ = prep.expected(projects_mod.Adjustments(pause_months=np.array([2, 0])))
    assert paused[0, 9] == pytest.approx(1100) and paused[0, 12] - paused[0, 9] == pytest.approx(base[0, 12] - base[0, 9])
    stopped, _ = prep.expected(projects_mod.Adjustments(multiplier=np.array([0.0, 0.0])))
    assert stopped[0, 12] == pytest.approx(1100) and stopped[1, 12] == 0.0
    later, _ = prep.expected(projects_mod.Adjustments(start_delay_months=2))
    assert later[1, 9] == 0.0 and later[1, 12] < base[1, 12]
    assert later[0, 12] == pytest.approx(base[0, 12])
    never, _ = prep.expected(projects_mod.Adjustments(start_hazard_factor=0.0))
    assert never[1, 12] == 0.0


def test_without_registration_columns_every_report_counts_and_it_says_so():
    shares = np.array([0, 0, 2, 5, 8, 10, 12, 13, 13, 12, 11, 8, 6], dtype=float)
    cum = np.cumsum(shares) / shares.sum()
    city = {m: 121_000.0 * cum[m] for m in range(2, 10)}
    projects, memberships, progress, _ = _frames({m: 0.8 * city[m] for m in range(2, 10)}, city, 9)
    lst = listed_mod.build_listed(projects.drop("registered", "registered_on"), memberships, progress, year=2023,
                                  as_of_month=9, known_on=Evaluation(2023, 9).date)
    # a continuing project counts from January; columns present but empty (the schema's, no table
    # filling them) are not registration data either
    assert not lst.registration_known and lst.registered_month.tolist() == [1]
    empty = projects.with_columns(pl.lit(None, pl.Boolean).alias("registered"), pl.lit(None, pl.Date).alias("registered_on"))
    assert not listed_mod.build_listed(empty, memberships, progress, year=2023, as_of_month=9,
                                       known_on=Evaluation(2023, 9).date).registration_known
    assert reconcile.registration_warnings(lst).is_empty()


def test_settings_file_equals_the_model_defaults():
    s = load_forecast_settings()
    assert s.model == model.Settings()
    assert 0 < s.default_model_sigma < 0.2 and s.coverage == 0.8
    assert "银川" in s.sources["registration_warning.yellow_after_months"]


def test_settings_file_is_read_strictly(tmp_path):
    from jygproj.forecast.settings import FORECAST_FILE
    from jygproj.reference import ReferenceDataError

    bad = tmp_path / "f.yaml"
    bad.write_text(FORECAST_FILE.read_text(encoding="utf-8").replace("  window_months:", "  window_month:"),
                   encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="unknown_key"):
        load_forecast_settings(bad)


def test_a_month_outside_what_the_history_supports_is_flagged():
    # past years grew 10% in every month; this year runs 30% above last year: the projected months'
    # own growth (30%) lies outside the history's range and each is flagged
    shares = np.array([0, 0, 2, 5, 8, 10, 12, 13, 13, 12, 11, 8, 6], dtype=float)
    cum = np.cumsum(shares) / shares.sum()
    base = _baseline({m: 1.3 * 110_000.0 * cum[m] for m in range(2, 8)}, 7)
    fc = model.forecast(history.city(base, year=2023, as_of_month=7, profile=PROFILE), None)
    lo, hi = fc.city.month_growth_range_pct
    assert lo == pytest.approx(10.0) and hi == pytest.approx(10.0)
    flagged = [f["month"] for f in fc.flags if f["kind"] == "outside_history"]
    assert flagged == [8, 9, 10, 11, 12]
    assert "超出往年单月同比增速的范围" in fc.flags[0]["text"]
    # a year like its past ones is not flagged
    calm = _baseline({m: 121_000.0 * cum[m] for m in range(2, 8)}, 7)
    assert not model.forecast(history.city(calm, year=2023, as_of_month=7, profile=PROFILE), None).flags
