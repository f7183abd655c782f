from jygproj.pace import cum_share, remaining_shares
from jygproj.reference import load_seasonal_profile


def test_pace_by_end_of_october_is_87_5_percent():
    # 1.0+1.5+4+8+11+13+13+13+12+11 = 87.5 % of the year's construction by the end of October
    assert abs(cum_share(10, load_seasonal_profile()) - 0.875) < 1e-12


def test_remaining_shares_after_october_split_november_and_december():
    # November 8, December 4.5 of the 12.5 left: 0.64 and 0.36
    rest = remaining_shares(10, load_seasonal_profile())
    assert rest == {11: 8.0 / 12.5, 12: 4.5 / 12.5} or all(
        abs(rest[m] - v) < 1e-12 for m, v in {11: 0.64, 12: 0.36}.items()
    )


def test_pace_is_zero_before_the_year_and_whole_in_december():
    profile = load_seasonal_profile()
    assert cum_share(0, profile) == 0
    assert abs(cum_share(12, profile) - 1) < 1e-12
