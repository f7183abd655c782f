import polars as pl
import pytest

from jygproj.plan import load_plan
from jygproj.growth import Goal, actual_cumulative, growth_path, growth_summary, seasonal_projection, track
from jygproj.reference import load_seasonal_profile
from jygproj.schema import BASELINE, conform

GOAL = Goal(growth_pct=12.0, months_early=1, year=2023)  # the 2023 plan's goal (一)
PROFILE = load_seasonal_profile()

# A hand-made baseline (万元). Prior year comparable cumulative 1-X月; this year's cumulative to October.
PRIOR = {2: 50, 3: 120, 4: 220, 5: 340, 6: 480, 7: 600, 8: 700, 9: 780, 10: 850, 11: 900, 12: 1000}
CURRENT = {2: 52, 3: 126, 4: 240, 5: 380, 6: 540, 7: 680, 8: 800, 9: 900, 10: 1000}


def baseline(current=CURRENT, growth=None):
    growth = growth or {}
    return conform(pl.DataFrame([
        dict(year=2023, month=m, prior_cum_wan=float(p), current_cum_wan=current.get(m), growth_pct=growth.get(m))
        for m, p in PRIOR.items()
    ]), BASELINE)


def projection(values):
    return pl.DataFrame({"month": list(values), "projected_cum_wan": [float(v) for v in values.values()]})


def test_level_and_rate_readings_diverge():
    # Goals: level 1.12 x 1,000 (prior full year) = 1,120; rate 1.12 x 900 (prior 1-11月) = 1,008.
    # The projection reaches 1,050 in November and 1,150 in December.
    path, s = track(baseline(), as_of_month=10, profile=PROFILE, goal=GOAL, projection=projection({11: 1050, 12: 1150}),
                    headline="rate")
    # year to date: 1,000 over the comparable 850 = +17.65 %
    assert s["ytd_growth_pct"] == pytest.approx(17.647, abs=1e-3)
    # level: November 1,050 - 1,120 = -70 short; first reached in December
    assert s["level_goal_wan"] == pytest.approx(1120)
    assert s["level_margin_wan"] == pytest.approx(-70)
    assert s["level_met_early"] is False and s["level_met_month"] == 12
    # rate: November 1,050 - 1,008 = +42; growth 1,050/900 - 1 = 16.7 % in November
    assert s["rate_margin_wan"] == pytest.approx(42)
    assert s["rate_met_early"] is True
    assert s["projected_target_month_growth_pct"] == pytest.approx(16.667, abs=1e-3)
    # growth stays >= 12 % from June on (May: 380/340 - 1 = 11.8 %)
    assert s["rate_met_month"] == 6
    # the headline follows the parameter
    assert s["headline"] == "rate" and s["headline_margin_wan"] == s["rate_margin_wan"]
    # what November still needs: level 1,120 - 1,000 = 120 (the projection gives 50: 70 extra);
    # rate 1,008 - 1,000 = 8 (nothing extra)
    assert s["level_needed_per_month_wan"] == {11: pytest.approx(120)}
    assert s["level_extra_per_month_wan"] == {11: pytest.approx(70)}
    assert s["rate_extra_total_wan"] == 0
    nov = path.filter(pl.col("month") == 11).row(0, named=True)
    assert nov["projected_month_wan"] == pytest.approx(50)
    assert nov["level_path_wan"] == pytest.approx(1120) and nov["rate_path_wan"] == pytest.approx(1008)
    assert nov["rate_line_wan"] == pytest.approx(1008)


def test_the_need_is_spread_over_the_remaining_months_seasonally():
    # as of August: 800; level goal 1,120 -> 320 more by November, spread 12 : 11 : 8 (Sep, Oct, Nov)
    path = growth_path(baseline(), as_of_month=8, profile=PROFILE, goal=GOAL)
    need = dict(zip(path["month"].to_list(), path["level_need_month_wan"].to_list()))
    assert [need[m] for m in (9, 10, 11)] == pytest.approx([320 * 12 / 31, 320 * 11 / 31, 320 * 8 / 31])
    assert need[12] is None and need[8] is None
    level_path = dict(zip(path["month"].to_list(), path["level_path_wan"].to_list()))
    assert level_path[8] == pytest.approx(800) and level_path[11] == pytest.approx(1120)


def test_seasonal_projection_scales_the_current_cumulative():
    # Jan-Aug share 1+1.5+4+8+11+13+13+13 = 64.5 %; to November 95.5 %: 800 x 95.5 / 64.5 = 1,184.5
    proj = seasonal_projection(baseline(), 8, PROFILE)
    got = dict(zip(proj["month"].to_list(), proj["projected_cum_wan"].to_list()))
    assert got[8] == pytest.approx(800)
    assert got[11] == pytest.approx(800 * 95.5 / 64.5)
    assert got[12] == pytest.approx(800 / 0.645)
    # used when no projection is given: 1,184.5 >= 1,120, met early under the level reading
    _, s = track(baseline(), as_of_month=8, profile=PROFILE, goal=GOAL)
    assert s["projection"] == "seasonal"
    assert s["level_margin_wan"] == pytest.approx(800 * 95.5 / 64.5 - 1120)
    assert s["level_met_early"] is True


def test_growth_is_on_the_comparable_base_and_published_rates_fill_missing_levels():
    # October known only as published growth +10 %: level = comparable base 850 x 1.10 = 935
    current = {m: v for m, v in CURRENT.items() if m != 10}
    actual = actual_cumulative(baseline(current, growth={10: 10.0}), as_of_month=10)
    octo = actual.filter(pl.col("month") == 10).row(0, named=True)
    assert octo["actual_cum_wan"] == pytest.approx(935) and octo["growth_pct"] == pytest.approx(10)
    # a published rate is kept even when the level ratio differs (the prior published level is not the base)
    actual = actual_cumulative(baseline(growth={9: 14.0}), as_of_month=10)
    assert actual.filter(pl.col("month") == 9)["growth_pct"][0] == pytest.approx(14.0)
    # figures after the as-of month are ignored; January has none (1-2月 together)
    actual = actual_cumulative(baseline(), as_of_month=6)
    assert actual.filter(pl.col("month") == 7)["actual_cum_wan"][0] is None
    assert actual.filter(pl.col("month") == 1)["actual_cum_wan"][0] is None


def test_bad_parameters_are_refused():
    with pytest.raises(ValueError, match="bad_month"):
        growth_path(baseline(), as_of_month=1, profile=PROFILE, goal=GOAL)
    path = growth_path(baseline(), as_of_month=10, profile=PROFILE, goal=GOAL)
    with pytest.raises(ValueError, match="bad_headline"):
        growth_summary(path, as_of_month=10, goal=GOAL, headline="both")
    with pytest.raises(ValueError, match="missing_current"):
        growth_path(baseline(), as_of_month=11, profile=PROFILE, goal=GOAL)


def test_goal_settings_come_from_the_plan():
    # 12 %, one month early -> November (一 工作目标)
    goal = load_plan(2023).goal  # 12%, one month early: November (一)
    assert (goal.growth_pct, goal.target_month) == (12.0, 11)


def test_published_growth_stands_in_the_path():
    # September published +14 % though 900 / 780 - 1 = 15.4 %: the path shows 14 %
    path = growth_path(baseline(growth={9: 14.0}), as_of_month=10, profile=PROFILE, goal=GOAL)
    assert path.filter(pl.col("month") == 9)["cum_growth_pct"][0] == pytest.approx(14.0)


def test_the_base_follows_the_published_rate_when_level_and_rate_disagree():
    # October: level 1,000 and published +16 %: the implied comparable base is 1,000 / 1.16 = 862.07,
    # not the 850 in the baseline -> every prior month is rescaled by 862.07 / 850 = 1.01420
    path, s = track(baseline(growth={10: 16.0}), as_of_month=10, profile=PROFILE, goal=GOAL,
                    projection=projection({11: 1050, 12: 1150}))
    scale = 1000 / 1.16 / 850
    assert s["ytd_growth_pct"] == pytest.approx(16.0)
    assert s["rate_goal_wan"] == pytest.approx(1.12 * 900 * scale)  # 1,022.3
    assert s["level_goal_wan"] == pytest.approx(1.12 * 1000 * scale)  # 1,135.9
    nov = path.filter(pl.col("month") == 11).row(0, named=True)
    assert nov["cum_growth_pct"] == pytest.approx((1050 / (900 * scale) - 1) * 100)  # 15.0 %


def test_a_project_level_projection_frame_is_taken_as_given():
    # the scenario engine's frame carries more columns and the actual months too; only months after
    # the as-of month are taken from it
    proj = pl.DataFrame({"month": list(range(1, 13)), "is_actual": [m <= 10 for m in range(1, 13)],
                         "projected_cum_wan": [0.0] * 10 + [1130.0, 1200.0]})
    path, s = track(baseline(), as_of_month=10, profile=PROFILE, goal=GOAL, projection=proj)
    assert s["projection"] == "given"
    assert path.filter(pl.col("month") == 10)["cum_wan"][0] == pytest.approx(1000)
    # November 1,130 >= 1,120: the level reading is met in November, 10 to spare
    assert s["level_met_month"] == 11 and s["level_margin_wan"] == pytest.approx(10)


def test_every_path_column_has_a_chinese_label():
    from jygproj.schema import COLUMN_LABELS

    path = growth_path(baseline(), as_of_month=10, profile=PROFILE, goal=GOAL)
    assert not set(path.columns) - set(COLUMN_LABELS)


def test_prior_year_shape_holds_growth_constant():
    # October 1,000 over 850: +17.65 %; shaped like last year, November = 1,000 x 900 / 850 = 1,058.8
    proj = seasonal_projection(baseline(), 10, PROFILE, shape="prior_year")
    got = dict(zip(proj["month"].to_list(), proj["projected_cum_wan"].to_list()))
    assert got[11] == pytest.approx(1000 * 900 / 850)
    assert got[12] / 1000 == pytest.approx(1000 / 850)


# A full year: this year's cumulative to December (万元). November 1,130, December 1,250.
FULL_YEAR = CURRENT | {11: 1130, 12: 1250}


@pytest.mark.parametrize("as_of_month", [11, 12])
def test_after_the_target_month_the_goal_is_judged_on_actuals(as_of_month):
    # Q4 review (一 "one month early": judged on 1-11月). Goals: level 1.12 x 1,000 = 1,120;
    # rate 1.12 x 900 = 1,008. November's actual 1,130: level margin 1,130 - 1,120 = +10, rate
    # 1,130 - 1,008 = +122. Level first reached in November (October 1,000 < 1,120).
    path, s = track(baseline(FULL_YEAR), as_of_month=as_of_month, profile=PROFILE, goal=GOAL)
    assert s["target_month_actual"] is True
    assert s["projected_target_month_cum_wan"] == pytest.approx(1130)
    assert s["level_margin_wan"] == pytest.approx(10) and s["level_met_early"] is True
    assert s["rate_margin_wan"] == pytest.approx(122) and s["rate_met_early"] is True
    assert s["level_met_month"] == 11
    # growth >= 12 % from June on (May 380/340 - 1 = 11.8 %; November 1,130/900 - 1 = 25.6 %)
    assert s["rate_met_month"] == 6
    assert s["projected_target_month_growth_pct"] == pytest.approx(25.556, abs=1e-3)
    # nothing remains to be needed; the paths hold November's actual only
    assert s["level_needed_per_month_wan"] == {} and s["level_extra_per_month_wan"] == {}
    assert s["level_extra_total_wan"] == 0
    nov = path.filter(pl.col("month") == 11).row(0, named=True)
    assert nov["actual_cum_wan"] == pytest.approx(1130) and nov["cum_wan"] == pytest.approx(1130)
    assert nov["level_path_wan"] == pytest.approx(1130) and nov["rate_path_wan"] == pytest.approx(1130)
    assert path.filter(pl.col("month") != 11)["level_path_wan"].null_count() == 11
    assert path["level_need_month_wan"].null_count() == 12


def test_as_of_december_nothing_is_projected():
    # December's actual 1,250 (+25 % on 1,000) stands; a projection given is ignored
    path, s = track(baseline(FULL_YEAR), as_of_month=12, profile=PROFILE, goal=GOAL, projection=projection({12: 9999}))
    assert s["projection"] == "none"
    assert s["ytd_cum_wan"] == pytest.approx(1250) and s["ytd_growth_pct"] == pytest.approx(25)
    assert s["projected_year_cum_wan"] == pytest.approx(1250)
    assert path["projected_cum_wan"].to_list() == [None] * 11 + [pytest.approx(1250)]
    assert path["projected_month_wan"].null_count() == 12
    # as of November, December is still projected (seasonally: 1,130 / 95.5 % = 1,183.2)
    _, s11 = track(baseline(FULL_YEAR), as_of_month=11, profile=PROFILE, goal=GOAL)
    assert s11["projection"] == "seasonal"
    assert s11["projected_year_cum_wan"] == pytest.approx(1130 / 0.955)


def test_a_november_short_of_the_goal_is_not_made_good_by_december():
    # November 1,100 < 1,120: level margin -20, not met early; December 1,200 reaches the goal, so the
    # level reading is met in December — a month late. Rate: 1,100 - 1,008 = +92, met early.
    _, s = track(baseline(CURRENT | {11: 1100, 12: 1200}), as_of_month=12, profile=PROFILE, goal=GOAL)
    assert s["level_margin_wan"] == pytest.approx(-20) and s["level_met_early"] is False
    assert s["level_met_month"] == 12 and s["level_extra_total_wan"] == pytest.approx(20)
    assert s["rate_margin_wan"] == pytest.approx(92) and s["rate_met_early"] is True
