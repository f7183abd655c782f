"""A unit's review takes what is the city's from the city's (issue 18, --all-units): its warnings are
the city's rows of its projects; the 12% tracker, the tornado and the 数据来源 table are the city's,
made once per inputs."""

from __future__ import annotations

import dataclasses

import polars as pl

import jygproj
from jygproj import alerts, quarterly


def _scope(inputs, unit, as_of="2023-10"):
    params = quarterly.ReviewParams(2023, 3, str(inputs.data_dir), as_of, unit)
    return params, quarterly._scope(inputs, params)


def test_a_units_warnings_are_the_rows_the_rules_give_on_its_own_projects():
    inputs = jygproj.open()._inputs()
    for unit in quarterly.units(inputs.dataset.projects):
        params, sc = _scope(inputs, unit)
        for as_of, month in ((params.as_of_date, params.as_of_month), (params.previous_as_of_date, None)):
            own = alerts.evaluate(sc.projects, sc.memberships, sc.progress, as_of, inputs.rules, inputs.profile,
                                  month=month, schedules=sc.schedules)
            shared = quarterly._warnings_on(inputs, sc, as_of, month)
            assert shared.schema == own.schema and shared.equals(own), (unit, as_of)


def test_a_unit_whose_ledger_gives_another_year_is_evaluated_on_its_own():
    wb = jygproj.open()
    ds = wb.dataset
    unit = quarterly.units(ds.projects)[0]
    ids = ds.projects.filter(pl.col("responsible_unit") == unit)["project_id"]
    # the unit's reports all moved a year back: its latest period reported is of 2022, the city's of 2023
    older = ds.progress.filter(pl.col("project_id").is_in(ids.implode())).with_columns(
        pl.col("period_end").dt.offset_by("-1y"), pl.col("reported_at").dt.offset_by("-1y"))
    progress = pl.concat([ds.progress.filter(~pl.col("project_id").is_in(ids.implode())), older],
                         how="vertical_relaxed")
    inputs = dataclasses.replace(wb._inputs(), dataset=dataclasses.replace(ds, progress=progress))
    params, sc = _scope(inputs, unit)
    assert alerts.assessment_year(sc.progress, params.as_of_date) != alerts.assessment_year(progress, params.as_of_date)
    own = alerts.evaluate(sc.projects, sc.memberships, sc.progress, params.as_of_date, inputs.rules, inputs.profile,
                          month=params.as_of_month, schedules=sc.schedules)
    assert quarterly._warnings_on(inputs, sc, params.as_of_date, params.as_of_month).equals(own)


def test_the_tracker_the_tornado_and_the_sources_are_made_once_per_inputs():
    inputs = jygproj.open()._inputs()
    city, unit = (quarterly.ReviewParams(2023, 3, str(inputs.data_dir), "2023-10", u)
                  for u in (None, quarterly.units(inputs.dataset.projects)[0]))
    path, summary, fc = quarterly.growth_tracker(inputs, city)
    again, summary_again, fc_again = quarterly.growth_tracker(inputs, unit)
    assert again is path and fc_again is fc and summary_again == summary and summary_again is not summary
    assert quarterly.sensitivity_frame(inputs, unit, fc) is quarterly.sensitivity_frame(inputs, city, fc)
    # other inputs (another plan object): made again, never taken from the memo
    other = dataclasses.replace(inputs, plan=dataclasses.replace(inputs.plan))
    assert quarterly.growth_tracker(other, city)[0] is not path
    assert quarterly.provenance(inputs) is quarterly.provenance(inputs)
    assert quarterly.provenance(dataclasses.replace(inputs, files=list(inputs.files))).equals(quarterly.provenance(inputs))
    assert quarterly.provenance(dataclasses.replace(inputs, files=list(inputs.files))) is not quarterly.provenance(inputs)
