"""调度数 vs 统计数: the reconciliation of what the listed projects report with the statistics bureau's
FAI, and the practice warning for started projects not yet registered (入库).

Never a silent zero: when the listed projects report more than the city's whole FAI (the normal case
in Jiayuguan, the sample README's sources) the difference is shown as a gap, and the forecast's split explains it
(unregistered projects, the share of registered ones the statistics count, other FAI).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from jygproj.forecast.listed import Listed
from jygproj.forecast.model import Forecast

#: Row labels of :func:`reconciliation` (Chinese, for reports), in order.
RECONCILIATION_LABELS = {
    "reported_wan": "清单项目调度数（1-X月累计完成，项目只计一次）",
    "unregistered_wan": "其中：未入库项目调度数（统计部门不计；未提供入库信息时按入库时滞推算）",
    "registered_wan": "其中：已入库项目调度数",
    "listed_statistical_wan": "已入库项目按入统率折算的统计数",
    "other_wan": "清单外投资（全市统计数减清单项目统计数，推算）",
    "city_wan": "全市固定资产投资统计数（1-X月累计）",
    "gap_wan": "调度数超出全市统计数的差额（负数为未超出）",
}


def reconciliation(fc: Forecast) -> dict:
    """The as-of month's reconciliation, 万元, with the ratios: coverage (统计数 ÷ 调度数, the city's
    FAI over the listed projects' reports) and 入统率 ρ (estimated). Empty without listed data."""
    listed, m0 = fc.listed, fc.as_of_month
    if listed is None or listed.n == 0:
        return {}
    reported = listed.reported_wan(m0)
    # registered: the data's (or, when they do not say, the expectation from the registration lags)
    registered = float(fc.registered_wan[m0]) if fc.parts.mode == "split" else float(listed.registered_cum_wan()[m0])
    city = float(fc.city.level_wan[m0])
    rho = fc.rho if fc.parts.mode == "split" else float("nan")
    stat = rho * registered
    return {
        "as_of_month": m0,
        "reported_wan": reported,
        "unregistered_wan": reported - registered,
        "registered_wan": registered,
        "listed_statistical_wan": stat,
        "other_wan": city - stat,
        "city_wan": city,
        "gap_wan": reported - city,
        "coverage_ratio": city / reported if reported > 0 else None,
        "rho": rho,
        "rho_se": fc.rho_se,
        "registration_known": listed.registration_known,
        "listed_exceeds_city": reported > city,
    }


def reconciliation_frame(rec: dict) -> pl.DataFrame:
    """The reconciliation as rows (项目, 金额（万元）) for a report."""
    return pl.DataFrame({"项目": list(RECONCILIATION_LABELS.values()),
                         "金额（万元）": [rec.get(k) for k in RECONCILIATION_LABELS]})


def registration_warnings(listed: Listed, *, yellow_after_months: int = 1, red_after_months: int = 2) -> pl.DataFrame:
    """Started this year (or resumed) and not registered by the as-of month: yellow from
    ``yellow_after_months`` after the start month, red from ``red_after_months`` (practice, 参考:
    data/reference/forecast_model.yaml registration_warning, Yinchuan's 红黄绿灯). Only meaningful
    when the data carry registration (``listed.registration_known``); empty otherwise."""
    schema = {"project_id": pl.String, "name": pl.String, "start_month": pl.Int32, "months_unregistered": pl.Int32,
              "reported_wan": pl.Float64, "level": pl.String, "reason": pl.String}
    if not listed.registration_known:
        return pl.DataFrame(schema=schema)
    m0 = listed.as_of_month
    rows = []
    for i in range(listed.n):
        s = int(listed.start_month[i])
        if not 1 <= s <= m0 or listed.registered_month[i] <= m0:
            continue
        waited = m0 - s
        if waited < yellow_after_months:
            continue
        level = "red" if waited >= red_after_months else "yellow"
        done = float(listed.cum_wan[i, m0])
        rows.append((listed.ids[i], listed.names[i], s, waited, done, level,
                     f"{s}月开工，截至{m0}月末已{waited}个月未入库，1-{m0}月调度完成{done:,.0f}万元未计入统计"))
    return pl.DataFrame(rows, schema=schema, orient="row")


STATUS_SCHEMA = {"project_id": pl.String, "name": pl.String, "start_month": pl.Int32, "registered": pl.Boolean,
                 "registered_month": pl.Int32, "months_unregistered": pl.Int32, "reported_wan": pl.Float64,
                 "as_of_month": pl.Int32}


def registration_status(listed: Listed | None) -> pl.DataFrame:
    """One row per listed project: start month this year (0: under way before this year; null: not
    started), registered (null when the data do not say: ``listed.registration_known`` False),
    the month it is first counted (1: before this year), months started but not registered by the
    as-of month, and its 1-X月 reported completion (调度数). What a warning rule on registration
    needs (the rule itself belongs to jygproj.alerts)."""
    if listed is None or listed.n == 0:
        return pl.DataFrame(schema=STATUS_SCHEMA)
    m0 = listed.as_of_month
    started = listed.started()
    registered = listed.registered()
    known = listed.registration_known
    start = np.where(started, listed.start_month, -1)
    waited = np.where(started & ~registered & (listed.start_month >= 1), m0 - listed.start_month, 0)
    frame = pl.DataFrame({
        "project_id": listed.ids.astype(str), "name": listed.names.astype(str),
        "start_month": start, "registered": registered,
        "registered_month": np.where(registered, listed.registered_month, -1),
        "months_unregistered": waited if known else np.full(listed.n, -1),
        "reported_wan": listed.cum_wan[:, m0], "as_of_month": np.full(listed.n, m0),
    })
    return frame.with_columns(
        pl.when(pl.col("start_month") < 0).then(None).otherwise(pl.col("start_month")).cast(pl.Int32).alias("start_month"),
        (pl.col("registered") if known else pl.lit(None, pl.Boolean)).alias("registered"),
        pl.when(pl.col("registered_month") < 0).then(None).otherwise(pl.col("registered_month")).cast(pl.Int32)
        .alias("registered_month") if known else pl.lit(None, pl.Int32).alias("registered_month"),
        pl.when(pl.col("months_unregistered") < 0).then(None).otherwise(pl.col("months_unregistered"))
        .cast(pl.Int32).alias("months_unregistered"),
        pl.col("as_of_month").cast(pl.Int32)).select(list(STATUS_SCHEMA))
