"""Loading the plan's targets (the smallest case; keeps the harness itself measured)."""

from benchmarks.harness import Case
from jygproj.reference import load_targets


def cases():
    return [Case("reference: load targets 2023", run=lambda _: load_targets(2023), repeat=20)]
