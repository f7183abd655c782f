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


@pytest.fixture(scope="module")
def national100(small_province, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("scale") / "national100"
    scale.write_national(out, n_projects=100, city_dir=small_province)
    return out


def _eager_tables(ds, as_of_month=10):
    """What the quarterly review computes from an eager Dataset (string ids, completion() itself)."""
    profile = load_seasonal_profile()
    monthly = ledger.monthly_cumulative(ds.progress, as_of=ledger.month_end(2023, as_of_month) + dt.timedelta(days=10))
    comp = completion.completion(ds.memberships, monthly, year=2023, as_of_month=as_of_month, profile=profile)
    by_unit = completion.completion(ds.memberships, monthly, year=2023, as_of_month=as_of_month, profile=profile,
                                    projects=ds.projects, by="responsible_unit")
    return monthly, comp, by_unit


def test_lazy_quarterly_gives_the_reviews_tables(national100):
    # the national path (integer ids, totals summed from one detail) against completion() on the
    # eager frames of the same Parquet set: the same rows, the same order, the same figures
    ds = load_ingested(national100)
    monthly, comp, by_unit = _eager_tables(ds)
    res = scale.lazy_quarterly(scan_ingested(national100), year=2023, quarter=3, as_of_month=10,
                               profile=load_seasonal_profile())
    assert res["monthly_rows"] == monthly.height
    assert_frame_equal(res["completion"], comp)
    assert res["completion_by_unit"].schema["responsible_unit"] == pl.Categorical
    assert_frame_equal(res["completion_by_unit"].with_columns(pl.col("responsible_unit").cast(pl.String)), by_unit)
    # copy 2's units are there, each with its own rows: 第2片区 + the city's unit name
    units = res["completion_by_unit"]["responsible_unit"].cast(pl.String)
    assert units.str.starts_with("第2片区").any()
    # without streaming and Categoricals: the same tables, units as text
    plain = scale.lazy_quarterly(scan_ingested(national100), year=2023, quarter=3, as_of_month=10,
                                 profile=load_seasonal_profile(), streaming=False, categorical=False)
    assert_frame_equal(plain["completion_by_unit"], by_unit)
    assert_frame_equal(plain["start_rates"], res["start_rates"])


def test_lazy_quarterly_in_chunks_of_projects_gives_the_same_tables(national100):
    # the ledger and the completion detail run one chunk of projects at a time (memory at national
    # scale): many small chunks give the frames of one chunk exactly, row for row and bit for bit
    args = dict(year=2023, quarter=3, as_of_month=10, profile=load_seasonal_profile())
    whole = scale.lazy_quarterly(scan_ingested(national100), **args, chunk_rows=10**9)
    chunked = scale.lazy_quarterly(scan_ingested(national100), **args, chunk_rows=97)
    assert len(scale._project_chunks(100, load_ingested(national100).progress.height, 97)) > 10
    for name, frame in whole.items():
        if isinstance(frame, pl.DataFrame):
            assert_frame_equal(chunked[name], frame, check_exact=True)
        else:
            assert chunked[name] == frame


def test_completion_totals_equal_completion_to_the_last_bit(city):
    # _completion_totals sums completion_detail on integer keys: the frames completion() gives,
    # exactly (same groups, same order of rows inside each group, same order of groups)
    profile = load_seasonal_profile()
    progress, memberships, projects = scale._lexical_ids([
        city.progress.with_columns(pl.col("project_id").cast(pl.Categorical)),
        city.memberships.with_columns(pl.col("project_id").cast(pl.Categorical)),
        city.projects.with_columns(pl.col("project_id").cast(pl.Categorical))])
    assert progress.schema["project_id"] == pl.UInt32
    monthly = ledger.monthly_cumulative(progress, as_of=dt.date(2023, 8, 10))
    for month in (7, 12):
        detail = completion.completion_detail(memberships, monthly, year=2023, as_of_month=month, profile=profile)
        assert_frame_equal(scale._completion_totals(detail),
                           completion.completion(memberships, monthly, year=2023, as_of_month=month,
                                                 profile=profile), check_exact=True)
        # one project without a unit: its rows go last, under a null unit, as completion() puts them
        some = projects.with_columns(pl.when(pl.int_range(pl.len()) == 0).then(None)
                                     .otherwise(pl.col("responsible_unit")).alias("responsible_unit"))
        by_unit = completion.completion(memberships, monthly, year=2023, as_of_month=month, profile=profile,
                                        projects=some, by="responsible_unit")
        assert_frame_equal(scale._completion_totals(detail, some), by_unit, check_exact=True)
        # summed a few units at a time (memory at national scale): the same frame
        assert_frame_equal(scale._completion_totals(detail, some, chunk_rows=50), by_unit, check_exact=True)


def test_lexical_ids_sort_as_the_ids_do():
    a = pl.DataFrame({"project_id": ["b", "a~10", None, "a~2"]}, schema={"project_id": pl.Categorical})
    b = pl.DataFrame({"project_id": ["c", "a~2"]}, schema={"project_id": pl.Categorical})
    ra, rb = scale._lexical_ids([a, b])
    # sorted ids: a~10, a~2, b, c -> ranks 0, 1, 2, 3; the same id has the same rank in every frame
    assert ra["project_id"].to_list() == [2, 0, None, 1]
    assert rb["project_id"].to_list() == [3, 1]
