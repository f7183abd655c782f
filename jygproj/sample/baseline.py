"""The city's FAI baseline, 2020–2023: monthly cumulative levels, comparable bases and published growth.

Synthetic, at the order of magnitude of Jiayuguan's published figures (cited with
their URLs in the sample README): a whole year near 100亿 (2020 1-6月 35.68亿; 2023 1-9月 industrial FAI
68.1亿 at 65–68% of the city's), not the 220亿 of the first sample.

How the figures are made (the forecast must not be handed these rules; it estimates from the workbooks):
- 2023 is built bottom-up, as the statistics bureau would count it: the listed projects' statistical
  FAI (jygproj.sample.registration: registered projects only, a hidden share of what they report) plus
  investment outside the lists ("other FAI"), which follows its own monthly shape with noise. Its
  level is the one number tuned: January–October growth of ``GROWTH_OCTOBER_PCT``, so the plan's
  goal (一: 12%, one month early) is reachable but not certain.
- 2020–2022 are whole-city totals shaped like 2023's mix (listed share × the listed projects' monthly
  shape + the rest × other FAI's shape), each year with its own monthly noise; full-year growth
  ``FULL_YEAR_GROWTH_PCT``. The comparable base of a year (可比口径) is the prior year's published level
  times ``COMPARABLE_FACTOR`` (a little below 1, as when the bureau cleans last year's data), so this
  year's level over last year's published level is not the published rate (domain page).
- Published growth is rounded to 0.1%; the published level is the comparable base × (1 + rate).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

YEARS = (2020, 2021, 2022, 2023)
CURRENT_YEAR = 2023
MONTHS = tuple(range(2, 13))  # 1-2月 … 1-12月 (statistics publish January with February)

#: The 2023 comparable base for the whole of 2022 (万元): ~105亿, the order of magnitude derived in
#: the sample README's sources (2023 1-9月 ≈ 100亿 at +14.6% → 2022 1-9月 ≈ 87–92亿).
BASE_2022_FULL_WAN = 1_050_000
#: Published full-year growth, % (synthetic; Jiayuguan's industrial FAI grew +99.1% 1-5月 2022 and
#: +75.4% 1-6月 2023, the sample README's sources: double-digit total growth is the recent norm).
FULL_YEAR_GROWTH_PCT = {2021: 12.8, 2022: 11.6}
#: Comparable base of year Y = published level of Y−1 × this factor.
COMPARABLE_FACTOR = {2021: 0.99, 2022: 0.985, 2023: 0.98}
#: 2023 January–October cumulative growth the other-FAI level is tuned to (below 12: the goal is open).
GROWTH_OCTOBER_PCT = 11.4
#: Monthly shape of investment outside the lists, % of its year (flatter than construction: real
#: estate, equipment purchases; a year-end rise as December's registrations come in). 1-2月 first.
OTHER_SHAPE_PCT = {2: 7.0, 3: 6.5, 4: 8.0, 5: 9.0, 6: 10.5, 7: 9.0, 8: 9.0, 9: 9.5, 10: 9.5, 11: 9.0,
                   12: 13.0}
#: Share of the listed projects in the past years' FAI, for the shape of those years (assumption).
HISTORY_LISTED_SHARE = 0.7
#: Monthly noise: other FAI in 2023 and each past year's shape (uniform, ± this share).
OTHER_NOISE = 0.15
HISTORY_NOISE = 0.12


@dataclass(frozen=True)
class BaselineRow:
    month: int  # 2..12 (1-2月 is month 2)
    prior_cum_wan: int  # comparable base: year − 1, 1-X月
    current_cum_wan: int | None  # published level of ``year``, 1-X月 (None: not yet published)
    growth_pct: float | None  # published cumulative growth, %
    year: int = CURRENT_YEAR


@dataclass
class FaiTruth:
    """Everything the generator decided about the city's FAI (README and tests read it)."""

    published_wan: dict[int, dict[int, int]]  # year → month → published 1-X月 level
    comparable_wan: dict[int, dict[int, int]]  # year → month → comparable base (year − 1, 可比口径)
    growth_pct: dict[int, dict[int, float]]  # year → month → published growth
    listed_statistical_wan: dict[int, float]  # 2023, month → listed projects' statistical FAI
    other_wan: dict[int, float]  # 2023, month → other FAI (outside the lists)
    listed_reported_wan: dict[int, float] = field(default_factory=dict)  # 2023, month → 调度数 counted once


def _cum(increments: dict[int, float]) -> dict[int, float]:
    out, acc = {}, 0.0
    for m in MONTHS:
        acc += increments[m]
        out[m] = acc
    return out


def _noisy_shape(shape: dict[int, float], rng: random.Random, noise: float) -> dict[int, float]:
    """Monthly shares × (1 ± noise), renormalised to add up to 1."""
    raw = {m: shape[m] * (1 + rng.uniform(-noise, noise)) for m in MONTHS}
    total = sum(raw.values())
    return {m: v / total for m, v in raw.items()}


def _publish(raw: dict[int, float], base: dict[int, int]) -> tuple[dict[int, int], dict[int, float]]:
    """Published growth (0.1%) and the level it implies on the comparable base."""
    growth = {m: round((raw[m] / base[m] - 1) * 100, 1) for m in MONTHS}
    return {m: int(round(base[m] * (1 + growth[m] / 100))) for m in MONTHS}, growth


def build_fai(listed_statistical: list[float], listed_reported: list[float], seed: int) -> FaiTruth:
    """The city's FAI 2020–2023 from the 2023 listed statistical FAI (index 0..12, 万元)."""
    rng = random.Random(seed * 23 + 11)
    listed = {m: listed_statistical[m] for m in MONTHS}
    listed_inc = {m: listed[m] - (listed[m - 1] if m > 2 else 0.0) for m in MONTHS}
    other_share = {m: v / 100 for m, v in OTHER_SHAPE_PCT.items()}
    other_2023 = _noisy_shape(other_share, rng, OTHER_NOISE)

    # the past years' shape: the 2023 mix of listed and other investment, each year with its own noise
    base_dec = BASE_2022_FULL_WAN
    a = HISTORY_LISTED_SHARE
    mix = {m: a * listed_inc[m] / listed[12] + (1 - a) * other_share[m] for m in MONTHS}
    published: dict[int, dict[int, int]] = {}
    comparable: dict[int, dict[int, int]] = {}
    growth: dict[int, dict[int, float]] = {}
    # full-year levels backwards from the 2023 base: P2022 = base / k2023, P2021 = P2022 / (1+g) / k2022 …
    full = {2022: base_dec / COMPARABLE_FACTOR[2023]}
    full[2021] = full[2022] / (1 + FULL_YEAR_GROWTH_PCT[2022] / 100) / COMPARABLE_FACTOR[2022]
    full[2020] = full[2021] / (1 + FULL_YEAR_GROWTH_PCT[2021] / 100) / COMPARABLE_FACTOR[2021]
    shapes = {y: _cum(_noisy_shape(mix, rng, HISTORY_NOISE)) for y in (2020, 2021, 2022)}
    published[2020] = {m: int(round(full[2020] * shapes[2020][m] / 10)) * 10 for m in MONTHS}
    for y in (2021, 2022):
        comparable[y] = {m: int(round(published[y - 1][m] * COMPARABLE_FACTOR[y] / 10)) * 10 for m in MONTHS}
        raw = {m: full[y] * shapes[y][m] for m in MONTHS}
        published[y], growth[y] = _publish(raw, comparable[y])
    comparable[2023] = {m: int(round(published[2022][m] * COMPARABLE_FACTOR[2023] / 10)) * 10 for m in MONTHS}

    # 2023: other FAI's level solved so that January–October grows GROWTH_OCTOBER_PCT
    other_cum = _cum(other_2023)
    target_oct = comparable[2023][10] * (1 + GROWTH_OCTOBER_PCT / 100)
    other_year = (target_oct - listed[10]) / other_cum[10]
    if other_year <= 0:
        raise RuntimeError("the listed projects alone exceed the October target: no room for other FAI")
    other = {m: other_year * other_cum[m] for m in MONTHS}
    raw_2023 = {m: other[m] + listed[m] for m in MONTHS}
    published[2023], growth[2023] = _publish(raw_2023, comparable[2023])
    return FaiTruth(published, comparable, growth, listed, other,
                    {m: listed_reported[m] for m in MONTHS})


def build_baseline(fai: FaiTruth, as_of_month: int) -> list[BaselineRow]:
    """Baseline rows, years 2021–2023 (each with the prior year's comparable base), 1-2月 … 1-12月;
    the current year's cells filled up to ``as_of_month`` only."""
    rows = []
    for year in (2021, 2022, CURRENT_YEAR):
        for m in MONTHS:
            known = year < CURRENT_YEAR or m <= as_of_month
            rows.append(BaselineRow(m, fai.comparable_wan[year][m],
                                    fai.published_wan[year][m] if known else None,
                                    fai.growth_pct[year][m] if known else None, year))
    return rows
