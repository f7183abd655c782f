"""The benchmark harness (benchmarks/harness.py): cases compared by a ratio are grouped and run
interleaved, A B A B …; each run records wall and CPU seconds and the load."""

from __future__ import annotations

from benchmarks import harness
from benchmarks.bench_targets import cases as target_cases
from benchmarks.harness import Case, Ratio


def _case(name: str, *others: str) -> Case:
    return Case(name, run=lambda _: None, ratios=tuple(Ratio("x", o) for o in others))


def test_cases_linked_by_ratios_form_one_group_in_their_order():
    selected = [(c.name, "m", c) for c in (_case("a", "c"), _case("b"), _case("c"), _case("d", "b"), _case("e", "zz"))]
    assert [[n for n, _, _ in g] for g in harness.groups(selected)] == [["a", "c"], ["b", "d"], ["e"]]


def test_a_group_runs_interleaved_and_records_cpu_and_load():
    case = target_cases()[0]
    first, second = harness.run_group([(case.name, "bench_targets", case)] * 2, repeat=3)
    assert first["runs"] == second["runs"] == 3
    starts = sorted([(t, "A") for t in first["started"]] + [(t, "B") for t in second["started"]])
    assert "".join(who for _, who in starts) == "ABABAB"
    for r in (first, second):
        assert len(r["cpu_s"]) == 3 and r["cpu_median_s"] > 0
        assert r["load_1min"] is None or r["load_1min"][0] <= r["load_1min"][1]
        assert r["interleaved_with"] == [case.name]


def test_ratios_of_wall_and_cpu_seconds():
    results = [{"name": "a", "median_s": 2.0, "cpu_median_s": 3.0,
                "ratios": [Ratio("a ÷ b", "b", inverse=True, goal_max=1.5).__dict__]},
               {"name": "b", "median_s": 1.0, "cpu_median_s": 1.0, "ratios": []}]
    harness.add_ratios(results)
    q = results[0]["ratios"][0]
    assert (q["value"], q["cpu_value"], q["met"]) == (2.0, 3.0, False)


def test_a_failing_case_is_reported_and_the_others_go_on():
    good = target_cases()[0]
    results = harness.run_group([(good.name, "bench_targets", good), ("no such case", "bench_targets", good)], repeat=2)
    assert results[0]["runs"] == 2 and "error" not in results[0]
    assert "error" in results[1] and results[1]["error"]
