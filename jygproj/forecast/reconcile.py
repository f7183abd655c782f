"""调度数 vs 统计数: the reconciliation of what the listed projects report with the statistics bureau's
FAI, and the practice warning for started projects not yet registered (入库).

Never a silent zero: when the listed projects report more than the city's whole FAI (the normal case
in Jiayuguan, the sample README's sources) the difference is shown as a gap, and the forecast's split explains it
(unregistered projects, the share of registered ones the statistics count, other FAI).
"""

from __future__ import annotations

import polars as pl

from jygproj.forecast.listed import Listed
from jygproj.forecast.model import Forecast

#: Row labels of :func:`reconciliation` (Chinese, for reports), in order.
RECONCILIATION_LABELS = {
    "reported_wan": "清单项目调度数（1-X月累计完成，项目只计一次）",
    "unregistered_wan": "其中：未入库项目调度数（统计部门不计）",
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
    registered = float(listed.registered_cum_wan()[m0])
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
