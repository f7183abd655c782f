"""Reserve pipeline planning (项目储备库, 嘉政办发〔2023〕39号 二(六)).

Pure functions: reserve frames (schema.RESERVE, schema.RESERVE_STEPS_TABLE), the reference data
(:func:`load_reserve_reference`) and parameters in, frames out.

- readiness: needed steps, stage, blocking step and owner, expected ready and start month;
- funnel: counts and investment per stage (by domain, funding channel) and movement between reviews;
- gap: new-start investment needed next year for the growth target against what the reserve delivers;
- rolling: "5年储备 / 3年滚动 / 1年实施" tier moves;
- funding: eligibility for each funding channel's application round.
"""

from jygproj.reserve.funding import funding_matches, funding_summary
from jygproj.reserve.funnel import funnel, funnel_wide, movement_summary, stage_movement, steps_as_of
from jygproj.reserve.gap import (
    GapInputs,
    continuing_next_year_wan,
    gap_by_month,
    gap_summary,
    next_year_contribution,
    push_plan,
    share_from,
)
from jygproj.reserve.readiness import blocking_steps, readiness, schedule, step_schedule, step_table
from jygproj.reserve.reference import ReserveReference, load_gap_assumptions, load_reserve_reference
from jygproj.reserve.rolling import tier_moves, tier_summary

__all__ = [
    "GapInputs", "ReserveReference", "blocking_steps", "continuing_next_year_wan", "funding_matches",
    "funding_summary", "funnel", "funnel_wide", "gap_by_month", "gap_summary", "load_gap_assumptions",
    "load_reserve_reference",
    "movement_summary", "next_year_contribution", "push_plan", "readiness", "schedule", "share_from",
    "stage_movement", "step_schedule", "step_table", "steps_as_of", "tier_moves", "tier_summary",
]
