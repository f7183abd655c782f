"""Integer apportionment: split a total into parts that add up exactly.

All sample amounts are integers of 万元 (in steps of ``unit``), so list totals reconcile with the
plan to the last 万元 — and to 0.01亿 on lists written in 亿元 when ``unit`` is 100.
"""

from __future__ import annotations

from collections.abc import Sequence


def apportion(weights: Sequence[float], total: int, unit: int = 1) -> list[int]:
    """Split ``total`` (a multiple of ``unit``) in proportion to ``weights`` by largest remainder.

    Zero weights get zero; ties go to the earlier index, so the result is deterministic.
    """
    if total % unit:
        raise ValueError(f"total {total} is not a multiple of unit {unit}")
    steps = total // unit
    wsum = float(sum(weights))
    if steps == 0:
        return [0] * len(weights)
    if wsum <= 0:
        raise ValueError("apportion: all weights are zero but the total is not")
    exact = [w / wsum * steps for w in weights]
    floors = [int(e) for e in exact]
    left = steps - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return [f * unit for f in floors]


def apportion_capped(weights: Sequence[float], caps: Sequence[int], total: int,
                     unit: int = 1) -> list[int]:
    """Like :func:`apportion`, but no part exceeds its cap (e.g. an annual plan above total).

    Parts that hit their cap are fixed and the rest is spread again over the others.
    """
    if sum(caps) < total:
        raise ValueError(f"caps add up to {sum(caps)}, less than the total {total}")
    fixed: dict[int, int] = {}
    for _ in range(len(weights) + 1):
        free = [i for i in range(len(weights)) if i not in fixed]
        rest = total - sum(fixed.values())
        parts = apportion([weights[i] for i in free], rest, unit)
        over = [i for i, p in zip(free, parts) if p > caps[i]]
        if not over:
            out = [0] * len(weights)
            for i, v in fixed.items():
                out[i] = v
            for i, p in zip(free, parts):
                out[i] = p
            return out
        for i in over:
            fixed[i] = caps[i] - caps[i] % unit
    raise RuntimeError("apportion_capped did not converge")
