"""The city's FAI baseline: 2022 monthly cumulative (comparable basis) and 2023 published growth.

Synthetic, built so that the plan's goal (一: 12% growth, one month early) is reachable but not
certain: January–October 2023 grows about 11.4%, so the January–November rate reaches 12% only if
November's own growth is about 20% — the listed projects' remaining plans make that close.
The listed projects' annual plans (counted once) are about three quarters of the 2023 target level.
"""

from __future__ import annotations

from dataclasses import dataclass

#: 2022 cumulative FAI as a share of the full year, 1-2月 … 1-12月 (statistics publish Jan+Feb
#: together). Winter months are thin (domain page: seasonal construction).
PRIOR_CUM_SHARE = {2: 0.062, 3: 0.131, 4: 0.228, 5: 0.338, 6: 0.462, 7: 0.572, 8: 0.683,
                   9: 0.792, 10: 0.890, 11: 0.955, 12: 1.0}
#: Published 2023 cumulative growth, %, by month (1-2月 … 1-10月): a strong spring, a summer dip.
GROWTH_PATH_PCT = {2: 7.8, 3: 9.3, 4: 10.5, 5: 11.7, 6: 12.4, 7: 11.9, 8: 11.2, 9: 11.0, 10: 11.4,
                   11: 11.9, 12: 12.1}
#: The listed projects' annual plans (counted once) as a share of the 2023 target FAI level.
LISTED_SHARE_OF_TARGET = 0.76


@dataclass(frozen=True)
class BaselineRow:
    month: int  # 2..12 (1-2月 is month 2)
    prior_cum_wan: int
    current_cum_wan: int | None
    growth_pct: float | None


def build_baseline(listed_annual_wan: int, as_of_month: int, growth_target_pct: float = 12.0
                   ) -> list[BaselineRow]:
    """Baseline rows for 1-2月 … 1-12月; 2023 cells filled up to ``as_of_month`` only.

    The 2022 full-year level is chosen so the listed projects' annual plans are
    ``LISTED_SHARE_OF_TARGET`` of the 2023 target level (prior × (1 + target)), rounded to 100万.
    """
    prior_full = listed_annual_wan / LISTED_SHARE_OF_TARGET / (1 + growth_target_pct / 100)
    prior_full = int(round(prior_full / 100)) * 100
    rows = []
    for month, share in PRIOR_CUM_SHARE.items():
        prior = int(round(prior_full * share / 10)) * 10
        if month <= as_of_month:
            g = GROWTH_PATH_PCT[month]
            # the comparable base times the published growth gives the current level
            current = int(round(prior * (1 + g / 100)))
            rows.append(BaselineRow(month, prior, current, g))
        else:
            rows.append(BaselineRow(month, prior, None, None))
    return rows
