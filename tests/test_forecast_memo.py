"""The forecast kept on disk (jygproj.forecast.memo): a second forecast on the same data reads back
what the first made — the same figures, bands, probabilities and backtest — and any change in the
data, an argument or the settings is made again, never read back."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import polars as pl
import pytest

import jygproj
from jygproj.evaluation import evaluation
from jygproj.forecast import backtest, forecast_city, memo
from jygproj.forecast.settings import load_forecast_settings


@pytest.fixture(scope="module")
def inputs():
    wb = jygproj.open(None, year=2023, as_of="2023-10")
    return wb.dataset, wb.plan, wb._inputs().profile


def _forecast(ds, plan, profile, **kw):
    return forecast_city(ds.projects, ds.memberships, ds.progress, ds.baseline, as_of=evaluation("2023-10"),
                         goal=plan.goal, profile=profile, **kw)


def _same(a, b) -> None:
    assert json.dumps(a.as_json(), sort_keys=True) == json.dumps(b.as_json(), sort_keys=True)
    assert a.bands().equals(b.bands()) and a.projection_frame().equals(b.projection_frame())
    assert np.array_equal(a.simulation.total_wan, b.simulation.total_wan, equal_nan=True)
    assert repr([dataclasses.astuple(c) for c in a.cases]) == repr([dataclasses.astuple(c) for c in b.cases])


def test_a_second_forecast_reads_back_the_first(inputs, tmp_path, monkeypatch):
    ds, plan, profile = inputs
    monkeypatch.setenv(memo.ENV, "0")
    made = _forecast(ds, plan, profile)
    monkeypatch.setenv(memo.ENV, str(tmp_path))
    first = _forecast(ds, plan, profile)
    (kept,) = (tmp_path / "forecast").glob("*.bin")
    assert len(list((tmp_path / "backtest").glob("*.bin"))) == 1
    calls = []
    monkeypatch.setattr(backtest, "run", lambda *a, **k: calls.append(1))  # never made again
    again = _forecast(ds, plan, profile)
    assert not calls
    _same(made, first)
    _same(made, again)
    kept.write_bytes(b"damaged")  # a file that cannot be read back is made again
    monkeypatch.undo()
    monkeypatch.setenv(memo.ENV, str(tmp_path))
    _same(made, _forecast(ds, plan, profile))


def test_other_data_or_settings_are_other_keys(inputs):
    ds, plan, profile = inputs
    frames = (ds.projects, ds.memberships, ds.progress, ds.baseline)
    args = {"evaluation": evaluation("2023-10"), "goal": plan.goal, "profile": profile,
            "settings": load_forecast_settings()}
    key = memo.key("forecast", frames, args)
    assert memo.key("forecast", frames, dict(args)) == key
    changed = ds.progress.with_columns(pl.when(pl.int_range(pl.len()) == 7).then(pl.col("completed_ytd_wan") + 0.01)
                                       .otherwise(pl.col("completed_ytd_wan")).alias("completed_ytd_wan"))
    assert memo.key("forecast", (ds.projects, ds.memberships, changed, ds.baseline), args) != key
    settings = dataclasses.replace(args["settings"], draws=args["settings"].draws + 1)
    assert memo.key("forecast", frames, {**args, "settings": settings}) != key
    assert memo.key("forecast", frames, {**args, "evaluation": evaluation("2023-09")}) != key
    assert memo.key("backtest", frames, args) != key


def test_one_forecast_hashes_each_frame_once(inputs, tmp_path, monkeypatch):
    """Its key and its backtest's share the ledger and registers: each hashed once (the backtest's
    baseline is the one as known on the evaluation, a frame of its own)."""
    ds, plan, profile = inputs
    monkeypatch.setenv(memo.ENV, str(tmp_path))
    hashed = []
    digest = memo._digest
    monkeypatch.setattr(memo, "_digest", lambda frame: hashed.append(frame.height) or digest(frame))
    _forecast(ds, plan, profile)
    assert sorted(hashed) == sorted([ds.projects.height, ds.memberships.height, ds.progress.height,
                                     ds.baseline.height, ds.baseline.filter(pl.col("year") <= 2023).height])
    hashed.clear()
    memo.key("forecast", (ds.progress,), {})
    memo.key("forecast", (ds.progress,), {})
    assert hashed == [ds.progress.height] * 2  # outside a forecast nothing is kept
