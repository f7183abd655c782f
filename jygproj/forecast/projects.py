"""The listed projects after the as-of month, project by project and vectorised: what each is expected
to report (调度数) and the part of it the statistics count once it is registered (入库), under the
adjustments a scenario makes (the planner's levers).

:func:`prepare` turns a :class:`~jygproj.forecast.listed.Listed` and the measured estimates into a
:class:`Prepared` once (every part that does not depend on the levers: run rates, plan intensities,
registration chances, the start and registration tables); :meth:`Prepared.expected` then gives the
(n, 13) expected paths for one :class:`Adjustments` in a few numpy operations, no Python loop per
project, so a slider move on a province (20,000 projects) takes milliseconds. The Monte Carlo
(jygproj.forecast.montecarlo) draws from the same tables, so its median stays on the same path.

Rules (jygproj.forecast.model, whose docstring gives the reasons):
- started: its own run rate along the construction intensity, never above its total investment;
  a multiplier scales the rate, a pause stops the work for some months from next month;
- not started: starts by the start hazards from its planned month (an overdue project has survived
  the months so far), at the plan's intensity × the pace new projects keep, its first month at the
  ramp-up factor; a delay (all projects) or a pause (one project) moves the start later, months
  after December are lost to the year; a factor scales the start hazards;
- registration (入库): registered projects count from their registration month; a started one not
  yet registered by the registration hazards from the months it has waited; when the data do not
  say which projects are registered, a start of this year by the hazards from its start month (past
  months too); a new start by the hazards from its start month. A registration brings the year to
  date in at once (“先入库，后有数”).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from jygproj.forecast.listed import NOT_THIS_YEAR, Listed

MONTHS = np.arange(13)
NONE = 13  # "month" of a start or registration that does not happen this year
DURATIONS = 6  # life tables by months since entry: 0 … 4, 5 and more


@dataclass(frozen=True)
class Adjustments:
    """What a scenario changes in the forecast's parts; the defaults change nothing (the forecast).

    multiplier: (n,) × each project's run rate (started) or plan intensity (not started); 0 stops a
    project from next month. pause_months: (n,) months without work from next month (started) or a
    later start (not started). start_hazard_factor × the start hazards (at most 1 a month);
    start_delay_months: every not-started project starts that many months later. other_factor ×
    other FAI's run rate after the as-of month. extra_reported_wan: (13,) cumulative reports of
    hypothetical projects (reserve pulls), counted at 入统率 from their start (假设).
    """

    multiplier: np.ndarray | None = None
    pause_months: np.ndarray | None = None
    start_hazard_factor: float = 1.0
    start_delay_months: int = 0
    other_factor: float = 1.0
    extra_reported_wan: np.ndarray | None = None


NEUTRAL = Adjustments()


def event_table(h: np.ndarray) -> np.ndarray:
    """(DURATIONS, 14): F[d, k] = P(the event happens within k months), the first at duration d."""
    out = np.zeros((DURATIONS, 14))
    for d in range(DURATIONS):
        rates = h[np.minimum(d + np.arange(13), DURATIONS - 1)]
        out[d, 1:] = 1.0 - np.cumprod(1.0 - rates)
    return out


def first_step(table_row: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Inverse of an event table row: the number of months k (1..13, 14 = later) until the event
    for uniform draws ``u`` (the same draw gives the same k whatever the entry month: two scenarios
    see the same random world)."""
    return np.searchsorted(table_row[1:], u, side="right") + 1


def unit_paths(q: np.ndarray, m0: int, first_factor: float) -> np.ndarray:
    """(14, 13): U[τ, t] = cumulative work per unit of intensity by month t of a start in month τ
    (τ = m0+1..12; the first month at ``first_factor``; row 13 and earlier rows zero)."""
    out = np.zeros((14, 13))
    for tau in range(m0 + 1, 13):
        amounts = q.copy()
        amounts[:tau] = 0.0
        amounts[tau] *= first_factor
        out[tau] = np.cumsum(amounts)
    return out


def from_to(q: np.ndarray) -> np.ndarray:
    """(15, 13): Q[s, t] = Σ_{s ≤ u ≤ t} q(u) (0 when t < s; rows up to 14 for pauses past December)."""
    cum = np.cumsum(q)
    out = np.zeros((15, 13))
    for s in range(13):
        out[s, s:] = cum[s:] - (cum[s - 1] if s else 0.0)
    return out


def start_table(planned: np.ndarray, m0: int, h: np.ndarray) -> np.ndarray:
    """(k, 14): P(a project not started by ``m0`` starts in month τ), τ = 0..12, column 13 = not this
    year, by the start hazards from its planned month (a project already overdue has survived the
    months so far)."""
    out = np.zeros((planned.size, 14))
    for j, p in enumerate(planned):
        left = 1.0
        for tau in range(max(m0 + 1, int(p)), 13):
            out[j, tau] = left * h[min(tau - int(p), DURATIONS - 1)]
            left -= out[j, tau]
        out[j, NONE] = left
    return out


def shift_later(p: np.ndarray, months: np.ndarray) -> np.ndarray:
    """(k, 14) start distributions with each row moved ``months`` later; mass past December goes to
    column 13 (not this year)."""
    if not np.any(months):
        return p
    out = np.zeros_like(p)
    for k in np.unique(months):
        rows = months == k
        k = int(k)
        if k >= 13:
            out[rows, NONE] = 1.0
            continue
        out[np.ix_(rows, np.arange(k, 13))] = p[np.ix_(rows, np.arange(0, 13 - k))]
        out[rows, NONE] = p[rows, 13 - k:].sum(axis=1)
    return out


@dataclass
class Prepared:
    """The lever-independent parts of the listed projects' paths (see :func:`prepare`)."""

    listed: Listed
    q: np.ndarray  # (13,) construction intensity a project follows
    m0: int
    started: np.ndarray  # (n,) bool
    cap_wan: np.ndarray  # (n,) total investment (inf when unknown)
    rates: np.ndarray  # (n,) started projects' run rates (amount per unit of q)
    reg_started: np.ndarray  # (n, 13) P(counted by month t), started projects (0 for others)
    candidates: np.ndarray  # (k,) indices of the projects not started that may start this year
    intensity: np.ndarray  # (k,) their plan intensity × new pace (amount per unit of q)
    planned: np.ndarray  # (k,) their planned start month
    start_hazards: np.ndarray  # (DURATIONS,)
    registration: np.ndarray  # (DURATIONS, 14) registration event table
    units: np.ndarray  # (14, 13) unit paths of a start in month τ
    spans: np.ndarray  # (15, 13) Σ q from s to t
    reg_after_start: np.ndarray  # (14, 13) P(counted by t | start in τ)
    _starts: dict = field(default_factory=dict, repr=False)

    @property
    def n(self) -> int:
        return self.listed.n

    def start_distribution(self, adj: Adjustments) -> np.ndarray:
        """(k, 14) P(start in τ) of the candidates under ``adj`` (cached per hazard factor)."""
        key = float(adj.start_hazard_factor)
        if key not in self._starts:
            h = np.clip(self.start_hazards * key, 0.0, 1.0)
            values, inverse = np.unique(self.planned, return_inverse=True)
            self._starts[key] = start_table(values, self.m0, h)[inverse]
        p = self._starts[key]
        shift = np.full(self.candidates.size, int(adj.start_delay_months))
        if adj.pause_months is not None:
            shift = shift + adj.pause_months[self.candidates].astype(int)
        return shift_later(p, shift)

    def expected(self, adj: Adjustments = NEUTRAL) -> tuple[np.ndarray, np.ndarray]:
        """(n, 13) expected cumulative completion (调度数) and its registered part, months 0..12,
        actual to the as-of month."""
        m0, lst = self.m0, self.listed
        after = np.arange(m0 + 1, 13)
        mult = np.ones(self.n) if adj.multiplier is None else adj.multiplier
        pause = np.zeros(self.n, dtype=int) if adj.pause_months is None else adj.pause_months.astype(int)
        cum = lst.cum_wan.copy()
        now = cum[:, m0]
        # started: own run rate along q from the month after any pause, capped by the total
        first = np.minimum(m0 + 1 + pause, 14)
        add = (self.rates * mult)[:, None] * self.spans[first][:, after]
        cum[:, after] = np.where(self.started[:, None],
                                 np.minimum(now[:, None] + add, np.maximum(self.cap_wan, now)[:, None]), 0.0)
        reg = cum * self.reg_started
        # not started: expected over the start month τ, each with its own path and registration
        c = self.candidates
        if c.size:
            p = self.start_distribution(adj)  # (k, 14)
            paths = np.minimum((self.intensity * mult[c])[:, None, None] * self.units[None, :, :],
                               self.cap_wan[c][:, None, None])  # (k, 14, 13)
            cum[c] = np.einsum("kt,kts->ks", p, paths)
            reg[c] = np.einsum("kt,kts,ts->ks", p, paths, self.reg_after_start)
        return cum, reg


def prepare(listed: Listed, q: np.ndarray, *, rates: np.ndarray, start_hazards: np.ndarray,
            registration_hazards: np.ndarray, first_month_factor: float, new_pace: float) -> Prepared:
    """The lever-independent parts of the listed projects' paths as of ``listed.as_of_month``."""
    m0 = listed.as_of_month
    after = np.arange(m0 + 1, 13)
    started = listed.started()
    cap = np.where(np.isfinite(listed.total_wan) & (listed.total_wan > 0), listed.total_wan, np.inf)
    table = event_table(registration_hazards)

    reg = (listed.registered_month[:, None] <= MONTHS[None, :]).astype(float)
    reg[:, m0 + 1:] = 0.0
    now = listed.registered()
    reg[np.ix_(now, after)] = 1.0
    waiting = started & ~now
    start = np.maximum(listed.start_month, 1)
    if listed.registration_known:  # the months 0..waited passed without it: hazards from waited+1
        d = np.minimum(m0 - start[waiting] + 1, DURATIONS - 1)
        reg[np.ix_(waiting, after)] = table[d][:, after - m0]
    else:  # not observed: expected from its start month, the past months too
        steps = np.clip(MONTHS[None, :] - start[waiting][:, None] + 1, 0, 13)
        reg[waiting] = table[0][steps]
    reg[~started] = 0.0

    candidates = np.nonzero(~started & (listed.annual_wan > 0) & (listed.nature != "preparatory")
                            & (listed.planned_start_month <= 12))[0]
    intensity = plan_intensity(listed, q)[candidates] * new_pace
    taus = np.arange(14)
    reg_after = table[0][np.clip(MONTHS[None, :] - taus[:, None] + 1, 0, 13)]
    reg_after[NONE] = 0.0
    return Prepared(listed, q, m0, started, cap, rates, reg, candidates, intensity,
                    listed.planned_start_month[candidates].astype(int), np.asarray(start_hazards, float), table,
                    unit_paths(q, m0, first_month_factor), from_to(q), reg_after)


def plan_intensity(listed: Listed, shape: np.ndarray) -> np.ndarray:
    """(n,) annual plan per unit of shape from the planned start month (the plan's own pace)."""
    cum_from = np.concatenate([np.cumsum(shape[::-1])[::-1], [0.0]])  # cum_from[t] = Σ_{u≥t} s(u)
    start = np.clip(np.where(listed.planned_start_month == NOT_THIS_YEAR, 13, listed.planned_start_month), 2, 13)
    span = cum_from[start]
    return np.where(span > 0, listed.annual_wan / np.where(span > 0, span, 1.0), 0.0)
