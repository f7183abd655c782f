"""The deterministic forecast of the city's FAI from the as-of month to December.

The statistics bureau's FAI (统计数) is modelled as two parts (domain page, "调度数 and 统计数"):

    C(t) = O(t) + ρ · R(t)

R(t) is what the registered listed projects report (调度数 of the projects the statistics count, each
from its registration month with its year to date in full: “先入库，后有数”); ρ is the share of it
the statistics count (入统率); O(t) is investment outside the lists (other FAI). Both are estimated
from the year's own published months: c(t) = α·o(t) + ρ·ΔR(t), least squares with ρ within
``rho_bounds``, where o is other FAI's monthly pattern — flat, half seasonal or seasonal like the
city's past years, whichever fits the year best (:func:`fit_split`). Other FAI then goes on at its
own run rate of the last ``window_months`` months along that pattern. Listed projects go on project
by project, along the construction intensity of the seasonal profile (the one 序时进度 uses,
data/reference/seasonal_profile.yaml: a project's own month-to-month rhythm, which the city's
aggregate shape is not — new starts make the aggregate rise in autumn while each site slows down):
- started: at their own run rate of the last ``project_window_months`` (its current pace: a project
  at half its plan goes on at half;
  a project past its annual plan does not accelerate, nothing pulls it to its plan); the year's
  cumulative never above the project's total investment;
- not started: start by the start hazards (life table of this year's due projects by months
  overdue), at the plan's intensity times the pace this year's new projects keep, the first month
  at the measured ramp-up;
- counted by the statistics only once registered (入库): by the registration hazards (life table of
  this year's starts by months waited), bringing their year to date in at once.
Every estimate falls back to (or, for the hazards, is shrunk towards) a stated default
(data/reference/forecast_model.yaml) when the data are too few, and the forecast lists which. Before
``min_split_months`` published months, and for a year without listed data (the baseline's past
years), the city goes on at its own run rate along the monthly shape of its past years ("city" mode).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from jygproj.forecast import projects
from jygproj.forecast.history import City, growth_of, increments
from jygproj.forecast.listed import NOT_THIS_YEAR, Listed
from jygproj.forecast.projects import DURATIONS, NEUTRAL, Adjustments, Prepared, plan_intensity

@dataclass(frozen=True)
class Settings:
    """Model settings (defaults: data/reference/forecast_model.yaml, which a test keeps equal)."""

    window_months: int = 3  # other FAI's run rate over its last months
    project_window_months: int = 1  # a started project's run rate over its last months
    min_split_months: int = 5  # published months needed to tell other FAI from the listed share
    rho_bounds: tuple[float, float] = (0.2, 1.2)  # plausible 入统率
    min_cases: int = 5  # fewer observations than this: the default is used
    #: P(a due new project starts in its planned month; in each later month if not yet): 0.85 in
    #: the month after 二(五)'s new-start rate of at least 85%, then assumed
    start_hazards: tuple[float, ...] = (0.85, 0.3, 0.3, 0.2, 0.1, 0.1)
    first_month_factor: float = 0.5  # a new project's first month, share of a full month
    new_pace: float = 1.0  # run rate of new projects / plan intensity
    #: P(a started project is registered in its start month; in each later month if not yet):
    #: documents due by the 10th of the next month (铜川市王益区统计局, in forecast_model.yaml)
    registration_hazards: tuple[float, ...] = (0.3, 0.5, 0.5, 0.3, 0.2, 0.1)


@dataclass
class Estimates:
    """What the forecast measured from the data (value, and whether the default stood in)."""

    values: dict[str, float] = field(default_factory=dict)
    defaulted: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def put(self, name: str, value: float | None, default: float, n: int, min_n: int) -> float:
        self.counts[name] = n
        if value is None or n < min_n or not np.isfinite(value):
            self.defaulted.append(name)
            value = default
        self.values[name] = float(value)
        return float(value)

    def rate(self, name: str, events: float, at_risk: float, default: float, weight: int) -> float:
        """A monthly rate shrunk towards its default: (events + weight × default) / (at risk +
        weight), so a duration seen a few times moves the default only a little (and the default
        is listed as used when nothing was seen)."""
        self.counts[name] = int(at_risk)
        if at_risk < weight:
            self.defaulted.append(name)
        value = (events + weight * default) / (at_risk + weight)
        self.values[name] = float(value)
        return float(value)


@dataclass
class Parts:
    """What the deterministic path is made of, for the Monte Carlo (jygproj.forecast.montecarlo)."""

    mode: str  # "split": other FAI + ρ·listed; "city": the city's own run rate (no listed data used)
    other_shape: np.ndarray  # (13,) other FAI's monthly pattern (the city's shape in "city" mode)
    other_rate: float  # α: other FAI per unit of its pattern, from its own recent months
    other_sigma: float  # relative monthly noise of other FAI around its pattern (measured)
    window_months: int = 3  # the run rates' window
    project_shape: np.ndarray | None = None  # (13,) construction intensity a project follows
    rates: np.ndarray | None = None  # (n,) started projects' run rates
    pace_sigma: float = 0.0  # relative monthly noise of a project around its run rate (measured)
    prepared: Prepared | None = None  # the listed projects' lever-independent parts (jygproj.forecast.projects)


@dataclass
class Forecast:
    """Deterministic path, months 1..12 (index = month; 0 unused), and what it rests on."""

    city: City
    listed: Listed | None
    total_wan: np.ndarray  # (13,) actual to the as-of month, projected after
    listed_stat_wan: np.ndarray  # (13,) ρ·R (statistical FAI of the listed projects)
    other_wan: np.ndarray  # (13,) O
    registered_wan: np.ndarray  # (13,) R (调度数 of registered projects), projected after as-of
    growth_pct: np.ndarray  # (13,) cumulative growth on the comparable base
    estimates: Estimates
    rho: float  # 入统率 (nan without listed data)
    rho_se: float
    parts: Parts
    flags: list[dict[str, Any]]

    @property
    def as_of_month(self) -> int:
        return self.city.as_of_month

    def month_increment_wan(self) -> np.ndarray:
        return increments(self.total_wan)


# --- estimates from the listed projects -------------------------------------------------------------


def _increments(cum: np.ndarray) -> np.ndarray:
    """(n, k) monthly amounts of (n, k) cumulatives from month 0 (month 2 holds 1-2月 when month 1
    carries no report of its own)."""
    return np.diff(cum, axis=1, prepend=0.0)


def run_rates(listed: Listed, shape: np.ndarray, window: int, first_factor: float) -> np.ndarray:
    """(n,) each started project's amount per unit of the monthly shape over its last ``window``
    months with work (its first month left out while later ones exist: a start is a part month)."""
    m0 = listed.as_of_month
    inc = _increments(listed.cum_wan[:, :m0 + 1])
    worked = inc[:, 1:] > 0
    first = np.where(worked.any(axis=1), np.argmax(worked, axis=1) + 1, NOT_THIS_YEAR)
    lo = np.maximum.reduce([first + 1, np.full(listed.n, m0 - window + 1), np.full(listed.n, 2)])
    inc_cum = np.cumsum(inc, axis=1)  # Σ inc up to month t
    q_cum = np.cumsum(shape[:m0 + 1])
    low = np.clip(lo - 1, 0, m0)
    span = q_cum[m0] - q_cum[low]
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = (inc_cum[:, m0] - inc_cum[np.arange(listed.n), low]) / span
        # only the first month so far: a part month, scaled up by the ramp-up factor
        f = np.clip(np.maximum(first, 2), 0, m0)
        part = inc[np.arange(listed.n), f] / (first_factor * shape[f])
    rates = np.where(lo <= m0, rate, np.where(shape[f] > 0, part, 0.0))
    return np.where((first <= m0) & np.isfinite(rates), rates, 0.0)


def estimate(listed: Listed, shape: np.ndarray, settings: Settings) -> tuple[Estimates, np.ndarray]:
    """Start, ramp-up, pace and registration parameters measured from this year's projects."""
    est = Estimates()
    m0 = listed.as_of_month
    k = settings.min_cases
    new = (listed.nature == "new") & (listed.annual_wan > 0)
    started_new = new & (listed.start_month >= 1) & (listed.start_month <= m0)
    inc = _increments(listed.cum_wan[:, :m0 + 1])

    # ramp-up: a new project's first month against its next one, both per unit of shape
    i = np.nonzero(started_new & (listed.start_month + 1 <= m0))[0]
    f = np.maximum(listed.start_month[i], 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        a, b = inc[i, f] / shape[f], inc[i, f + 1] / shape[f + 1]
        ratios = (a / b)[(b > 0) & (a >= 0)]
    ramp = est.put("first_month_factor", float(np.clip(np.median(ratios), 0.2, 1.2)) if ratios.size else None,
                   settings.first_month_factor, int(ratios.size), k)
    rates = run_rates(listed, shape, settings.project_window_months, ramp)

    intensity = plan_intensity(listed, shape)
    grown = started_new & (listed.start_month + 1 <= m0) & (intensity > 0)
    pace = rates[grown] / intensity[grown]
    est.put("new_pace", float(np.clip(np.median(pace), 0.2, 1.5)) if pace.size else None,
            settings.new_pace, int(pace.size), k)

    # starts: life table of the due new projects by months overdue (0 = in the planned month)
    due = new & (listed.planned_start_month >= 1) & (listed.planned_start_month <= m0)
    planned, start = listed.planned_start_month[due], listed.start_month[due]
    _put_hazards(est, "start_hazard", _life_table(planned, np.maximum(start, planned), start <= m0, m0),
                 settings.start_hazards, k)

    # registration: life table of this year's (re)started projects by months since the start (the
    # defaults when the data do not say which projects are registered)
    if not listed.registration_known:
        _put_hazards(est, "registration_hazard", (np.zeros(DURATIONS), np.zeros(DURATIONS)),
                     settings.registration_hazards, k)
    else:
        entered = ((listed.start_month >= 1) & (listed.start_month <= m0)
                   & (listed.registered_month >= listed.start_month))
        start, registered = listed.start_month[entered], listed.registered_month[entered]
        _put_hazards(est, "registration_hazard", _life_table(start, registered, registered <= m0, m0),
                     settings.registration_hazards, k)
    return est, rates


def life_table(entries: list[tuple[int, int | None]], m0: int) -> tuple[np.ndarray, np.ndarray]:
    """(events, at risk) by duration 0..3+ from (entry month, event month or None by ``m0``)."""
    entry = np.array([e for e, _ in entries], dtype=np.int64)
    happened = np.array([v is not None for _, v in entries], dtype=bool)
    event = np.array([m0 if v is None else v for _, v in entries], dtype=np.int64)
    return _life_table(entry, event, happened, m0)


def _life_table(entry: np.ndarray, event: np.ndarray, happened: np.ndarray, m0: int) -> tuple[np.ndarray, np.ndarray]:
    """:func:`life_table` of arrays: entry months, event months (read where ``happened``). At risk at
    each duration from the entry to the event (or ``m0``), the last duration holding the rest; the
    counts are whole numbers, so they are the same however they are added up."""
    last = np.where(happened, np.minimum(event, m0), m0)
    spans = np.maximum(last - entry + 1, 0)  # durations 0 .. last − entry
    at_risk = np.array([(spans > d).sum() for d in range(DURATIONS - 1)]
                       + [np.maximum(spans - (DURATIONS - 1), 0).sum()], dtype=float)
    done = happened & (event <= m0)
    steps = np.minimum(event[done] - entry[done], DURATIONS - 1)
    events = np.zeros(DURATIONS)
    np.add.at(events, steps, 1.0)
    return events, at_risk


def _put_hazards(est: Estimates, name: str, table: tuple[np.ndarray, np.ndarray],
                 defaults: tuple[float, ...], min_n: int) -> None:
    events, at_risk = table
    for d in range(DURATIONS):
        est.rate(f"{name}_{d}", events[d], at_risk[d], defaults[d], min_n)


def hazards(est: Estimates, name: str) -> np.ndarray:
    return np.array([est.values[f"{name}_{d}"] for d in range(DURATIONS)])


#: Candidate monthly patterns of other FAI: its share of the city's seasonal shape (the rest flat).
#: Which one holds is not known in advance; the year's months decide (least squares).
OTHER_SEASONALITY = (0.0, 0.5, 1.0)


def other_shape(shape: np.ndarray, seasonality: float) -> np.ndarray:
    """(13,) other FAI's monthly pattern: ``seasonality`` × the city's shape + the rest spread evenly."""
    flat = np.zeros(13)
    flat[2:] = 1.0 / 11
    return seasonality * shape + (1 - seasonality) * flat


def fit_split(city_inc: np.ndarray, shape: np.ndarray, reg_inc: np.ndarray, months: np.ndarray,
              bounds: tuple[float, float]) -> tuple[float, float, float, float]:
    """(ρ, its standard error, α, seasonality) of c(t) = α·o(t) + ρ·ΔR(t), least squares over
    ``months``, for each candidate pattern o of other FAI (:data:`OTHER_SEASONALITY`), keeping the
    best fit. Two parameters per candidate: stable on the few months of one year (three, with a
    free seasonal weight, trade the seasonal parts of the two series against each other). ρ within
    ``bounds``, α ≥ 0; the standard error is the least-squares one of ρ (nan when ρ is at a bound)."""
    c, r = city_inc[months], reg_inc[months]
    best = None
    for w in OTHER_SEASONALITY:
        o = other_shape(shape, w)[months]
        x = np.column_stack([o, r])
        if months.size >= 2 and np.linalg.matrix_rank(x) == 2:
            alpha, rho = np.linalg.lstsq(x, c, rcond=None)[0]
        else:
            alpha, rho = np.nan, np.nan
        free = np.isfinite(rho) and bounds[0] <= rho <= bounds[1] and alpha >= 0
        if not free:  # ρ at the nearer bound (or the middle), α from what is left
            rho = float(np.clip(rho, *bounds)) if np.isfinite(rho) else (bounds[0] + bounds[1]) / 2
            alpha = max(float(o @ (c - rho * r) / (o @ o)), 0.0)
        resid = c - alpha * o - rho * r
        sse = float(resid @ resid)
        se = float("nan")
        if free and months.size > 2:
            se = float(np.sqrt(sse / (months.size - 2) * np.linalg.inv(x.T @ x)[1, 1]))
        if best is None or sse < best[0] - 1e-9:
            best = (sse, float(rho), se, float(alpha), w)
    return best[1], best[2], best[3], best[4]


def _relative_sigma(actual: np.ndarray, fitted: np.ndarray) -> float:
    """Standard deviation of actual / fitted − 1 where the fit is positive (0 with fewer than 3)."""
    ok = fitted > 0
    r = actual[ok] / fitted[ok] - 1
    return float(np.std(r, ddof=1)) if r.size >= 3 else 0.0


def pace_sigma(listed: Listed, shape: np.ndarray, months_back: int = 3) -> float:
    """A started project's relative monthly noise: the spread of its month-on-month change in
    intensity (amount per unit of shape) over the last ``months_back`` months, pooled over the
    projects that worked in all of them, divided by √2 (the change carries two months' noise)."""
    m0 = listed.as_of_month
    months = np.arange(max(2, m0 - months_back), m0 + 1)
    if months.size < 2:
        return 0.0
    intensity = _increments(listed.cum_wan[:, :m0 + 1])[:, months] / shape[months][None, :]
    full = (intensity > 0).all(axis=1)
    if full.sum() < 3:
        return 0.0
    change = intensity[full, 1:] / intensity[full, :-1] - 1
    return float(np.std(change, ddof=1) / np.sqrt(2))


def forecast(city: City, listed: Listed | None, settings: Settings | None = None,
             project_shape: np.ndarray | None = None) -> Forecast:
    """The deterministic path (expected values) of ``city`` as of its as-of month.

    ``project_shape``: the monthly construction intensity a project follows (default: the city's
    shape). The split into other FAI and listed projects needs ``settings.min_split_months``
    published months; before that (and for a year without listed data) the city goes on at its own
    run rate along its shape, and :attr:`Parts.mode` says "city".
    """
    settings = settings or Settings()
    q = city.shape if project_shape is None else project_shape
    m0 = city.as_of_month
    s = city.shape
    c_inc = city.increments_wan()
    after = np.arange(m0 + 1, 13)
    seen = np.arange(2, m0 + 1)
    window = np.arange(max(2, m0 - settings.window_months + 1), m0 + 1)
    total = city.level_wan.copy()
    flags: list[dict[str, Any]] = []
    if city.shape_source != "history":
        flags.append({"kind": "shape_fallback", "text": "基数表无完整的往年月度数据，月度分布按季节性施工比例推算（参考）"})
    est = Estimates()
    rho = se = float("nan")
    reg = np.zeros(13)
    listed_stat = np.zeros(13)
    split = listed is not None and listed.n > 0 and seen.size >= settings.min_split_months
    if split:
        est, rates = estimate(listed, q, settings)
        prepared = prepare(listed, q, est, rates)
        reg = prepared.expected()[1].sum(axis=0)
        reg_inc = np.diff(reg, prepend=0.0)
        rho, se, _, seasonality = fit_split(c_inc, s, reg_inc, seen, settings.rho_bounds)
        est.values |= {"rho": rho, "other_seasonality": seasonality}
        o_inc = c_inc - rho * reg_inc
        o_shape = other_shape(s, seasonality)  # other FAI's own monthly pattern, as fitted
        listed_stat = rho * reg
        parts = Parts("split", o_shape, 0.0, 0.0, settings.window_months, q, rates, pace_sigma(listed, q), prepared)
    else:
        o_inc, o_shape = c_inc, s
        parts = Parts("city", s, 0.0, 0.0, settings.window_months)
    # other FAI (all of the city's FAI in "city" mode) from its own recent months along its pattern
    alpha = float(o_inc[window].sum() / o_shape[window].sum()) if o_shape[window].sum() > 0 else 0.0
    if alpha < 0:
        flags.append({"kind": "other_negative",
                      "text": "按测算的入统率，清单外投资近几个月为负，清单项目统计数可能高估（已按零计）"})
        alpha = 0.0
    parts.other_rate = alpha
    parts.other_sigma = _relative_sigma(o_inc[seen], alpha * o_shape[seen])
    other = total - listed_stat
    other[after] = other[m0] + np.cumsum(alpha * o_shape[after])
    total[after] = other[after] + listed_stat[after]
    growth = growth_of(total, city.base_wan)
    growth[:m0 + 1] = np.where(np.isnan(city.growth_pct[:m0 + 1]), growth[:m0 + 1], city.growth_pct[:m0 + 1])
    out = Forecast(city, listed, total, listed_stat, other, reg, growth, est, rho, se, parts, flags)
    out.flags += outside_history(out)
    return out


def prepare(listed: Listed, q: np.ndarray, est: Estimates, rates: np.ndarray) -> Prepared:
    """The listed projects' lever-independent parts with the measured estimates (jygproj.forecast.projects)."""
    v = est.values
    return projects.prepare(listed, q, rates=rates, start_hazards=hazards(est, "start_hazard"),
                            registration_hazards=hazards(est, "registration_hazard"),
                            first_month_factor=v["first_month_factor"], new_pace=v["new_pace"])


@dataclass(frozen=True)
class ScenarioPath:
    """The forecast's parts under a scenario's adjustments, months 0..12 (actual to the as-of month)."""

    total_wan: np.ndarray  # (13,) the city's FAI
    listed_stat_wan: np.ndarray  # (13,) ρ·R of the listed projects (and of hypothetical ones)
    other_wan: np.ndarray  # (13,) other FAI
    extra_wan: np.ndarray  # (13,) of which hypothetical projects (reserve pulls): ρ × their reports
    project_registered_wan: np.ndarray | None  # (n, 13) each listed project's registered cumulative


def scenario_path(fc: Forecast, adj: Adjustments = NEUTRAL) -> ScenarioPath:
    """The deterministic path with the scenario's adjustments applied to the forecast's parts: the
    listed projects re-run project by project (jygproj.forecast.projects), other FAI's run rate
    scaled, hypothetical projects counted at 入统率. With no adjustment it is the forecast."""
    m0 = fc.as_of_month
    after = np.arange(m0 + 1, 13)
    parts = fc.parts
    total = fc.total_wan.copy()
    other = fc.other_wan.copy()
    stat = fc.listed_stat_wan.copy()
    extra = np.zeros(13)
    per_project = None
    rho = fc.rho if parts.mode == "split" else 1.0
    if parts.mode == "split":
        per_project = parts.prepared.expected(adj)[1]
        stat[after] = rho * per_project[:, after].sum(axis=0)
    if adj.extra_reported_wan is not None:
        extra = rho * np.asarray(adj.extra_reported_wan, dtype=float)
        extra[:m0 + 1] = 0.0
    other[after] = other[m0] + adj.other_factor * (fc.other_wan[after] - fc.other_wan[m0])
    total[after] = other[after] + stat[after] + extra[after]
    return ScenarioPath(total, stat + extra, other, extra, per_project)


def outside_history(fc: Forecast) -> list[dict[str, Any]]:
    """Projected months whose own year-on-year growth lies outside what the city's past years show."""
    rng = fc.city.month_growth_range_pct
    if rng is None:
        return []
    lo, hi = rng
    inc, base = fc.month_increment_wan(), fc.city.base_increments_wan()
    out = []
    for m in range(fc.as_of_month + 1, 13):
        if base[m] > 0:
            g = (inc[m] / base[m] - 1) * 100
            if not lo - 0.05 <= g <= hi + 0.05:  # published rates carry one decimal
                out.append({"kind": "outside_history", "month": m, "month_growth_pct": round(g, 1),
                            "text": f"{m}月当月预测同比增长{g:.1f}%，超出往年单月同比增速的范围（{lo:.1f}%至{hi:.1f}%）"})
    return out
