"""Scale data sets for the benchmarks (jygproj.scale): copies keep the city's figures, so every
total at k copies is k × the city's; the province workbooks load without errors; the national
Parquet has the requested number of projects × 12 months."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from jygproj import completion, ledger, scale
from jygproj.ingest import load_ingested, scan_ingested
from jygproj.io import load_dataset
from jygproj.reference import load_seasonal_profile


@pytest.fixture(scope="module")
def small_province(tmp_path_factory) -> Path:
    """30 projects of the sample's plan (the first ones: provincial major and key projects), 12 months."""
    out = tmp_path_factory.mktemp("scale") / "province30"
    scale.write_province(out, n_projects=30)
    return out


@pytest.fixture(scope="module")
def city(small_province):
    return load_dataset(small_province)


def test_province_workbooks_load_without_errors(small_province, city):
    # 6 registers + 5 lists × 12 months + baseline + reserve = 68 workbooks
    assert len(list(small_province.glob("*.xlsx"))) == 68
    assert not city.has_errors
    assert city.projects.height == 30
    # one monthly period per month of 2023: 1-1月 … 1-12月
    assert sorted(city.progress["period"].unique().to_list()) == [f"2023-{m:02d}" for m in range(1, 13)]


def test_replicate_one_copy_is_the_data_set_itself(city):
    same = scale.replicate(city, 1)
    for table in ("projects", "memberships", "progress", "baseline", "reserve"):
        assert_frame_equal(getattr(same, table), getattr(city, table))


def test_replicate_multiplies_every_total(city):
    k = 3
    big = scale.replicate(city, k)
    assert big.projects.height == k * city.projects.height
    assert big.projects["project_id"].n_unique() == big.projects.height  # ids unique per copy
    assert big.progress.height == k * city.progress.height
    # copy 2's units carry its district: 市工信局 → 第2片区市工信局
    assert big.projects.filter(pl.col("project_id").str.ends_with("~2"))["responsible_unit"] \
        .str.starts_with("第2片区").all()
    # the baseline is the whole area's: 3 × the city's
    assert big.baseline["prior_cum_wan"].to_list() == [v * k for v in city.baseline["prior_cum_wan"].to_list()]

    def ytd(ds):
        monthly = ledger.monthly_cumulative(ds.progress, as_of=dt.date(2023, 11, 10))
        out = completion.completion(ds.memberships, monthly, year=2023, as_of_month=10,
                                    profile=load_seasonal_profile())
        return out.filter((pl.col("list") == "city") & (pl.col("period") == "YTD") & pl.col("nature").is_null())

    one, three = ytd(city), ytd(big)
    assert three["projects"][0] == k * one["projects"][0]
    assert three["completed_wan"][0] == pytest.approx(k * one["completed_wan"][0])
    assert three["annual_rate_pct"][0] == pytest.approx(one["annual_rate_pct"][0])  # rates unchanged


def test_replicate_trims_to_the_requested_projects(city):
    big = scale.replicate(city, 2, n_projects=45)
    assert big.projects.height == 45
    kept = set(big.projects["project_id"].to_list())
    assert set(big.progress["project_id"].unique().to_list()) <= kept
    assert set(big.memberships["project_id"].unique().to_list()) <= kept


def test_national_parquet_has_projects_times_twelve_months(small_province, city, tmp_path):
    out = tmp_path / "national"
    summary = scale.write_national(out, n_projects=100, city_dir=small_province)
    assert summary["copies"] == 4  # ceil(100 / 30)
    ds = load_ingested(out)
    assert ds.projects.height == 100
    assert ds.projects["project_id"].n_unique() == 100
    months = ds.progress.group_by("project_id").agg(pl.col("period").n_unique())
    assert months["period"].max() == 12
    # the lazy quarterly calculations see the same 100 projects
    res = scale.lazy_quarterly(scan_ingested(out), year=2023, quarter=3, as_of_month=10,
                               profile=load_seasonal_profile())
    total = res["completion"].filter((pl.col("list") == "city") & (pl.col("period") == "YTD")
                                     & pl.col("nature").is_null())
    assert total["projects"][0] == 100
