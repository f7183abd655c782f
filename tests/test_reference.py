"""The plan's targets as cited data: completeness, the plan's own arithmetic, and a strict loader."""

import json
import shutil
from pathlib import Path

import pytest

from jygproj.cli import main
from jygproj.reference import ReferenceDataError, load_targets

FIXTURES = Path(__file__).parent / "fixtures" / "reference"


@pytest.fixture(scope="module")
def t():
    return load_targets(2023)


def close(a, b):
    return abs(a - b) < 1e-9


def test_key_continuing_quarters_add_up_to_the_annual_19_6(t):
    # 二(二): 1.3 + 6.3 + 8.2 + 3.8 = 19.6
    quarters = [t.value(f"provincial_key_continuing_q{q}_yi") for q in (1, 2, 3, 4)]
    assert close(sum(quarters), 19.6) and close(t.value("provincial_key_continuing_annual_yi"), 19.6)


def test_key_new_quarters_add_up_to_the_annual_37_4(t):
    # 二(二): 0.25 + 4.2 + 14.75 + 18.2 = 37.4
    quarters = [t.value(f"provincial_key_new_q{q}_yi") for q in (1, 2, 3, 4)]
    assert close(sum(quarters), t.value("provincial_key_new_annual_yi"))


def test_key_new_starts_10_11_6_are_the_27_new_projects(t):
    starts = sum(t.value(f"provincial_key_new_starts_q{q}_count") for q in (2, 3, 4))
    assert starts == 27 == t.value("provincial_key_new_count")


def test_key_projects_17_plus_27_are_44_and_19_6_plus_37_4_is_57(t):
    assert t.value("provincial_key_continuing_count") + t.value("provincial_key_new_count") == 44
    assert t.value("provincial_key_count") == 44
    assert close(t.value("provincial_key_continuing_annual_yi") + t.value("provincial_key_new_annual_yi"),
                 t.value("provincial_key_annual_yi"))


def test_government_counts_22_40_13_are_75(t):
    parts = ("continuing", "new", "preparatory")
    assert sum(t.value(f"government_{p}_count") for p in parts) == 75 == t.value("government_count")


def test_government_totals_25_5_57_4_8_5_are_91_4(t):
    parts = ("continuing", "new", "preparatory")
    assert close(sum(t.value(f"government_{p}_total_yi") for p in parts), t.value("government_total_yi"))
    assert close(t.value("government_total_yi"), 91.4)


def test_government_annual_6_2_plus_20_9_is_27_1(t):
    assert close(t.value("government_continuing_annual_yi") + t.value("government_new_annual_yi"),
                 t.value("government_annual_yi"))


def test_package_quarters_and_named_major_projects(t):
    # 二(三): 12.6 + 65.4 + 45.7 + 33.4 = 157.1
    assert close(sum(t.value(f"leader_package_q{q}_yi") for q in (1, 2, 3, 4)), 157.1)
    # 二(一): 6 continuing and 4 new projects are named in the text
    assert len(t.named["provincial_major_continuing"].names) == t.value("provincial_major_continuing_count")
    assert len(t.named["provincial_major_new"].names) == t.value("provincial_major_new_count")
    assert "嘉峪关机场改扩建" in t.named["provincial_major_continuing"].names


def test_every_number_has_a_unit_a_clause_and_a_description(t):
    for target in t.items.values():
        assert target.unit and target.clause and target.description, target.key


def test_amounts_convert_to_wan(t):
    assert t.wan("government_total_yi") == 914_000.0


def test_every_number_of_the_plan_text_is_in_the_file(t):
    # Numbers that appear in sections 一 and 二 of the plan (amounts in 亿元, counts, rates).
    plan = Path(__file__).resolve().parents[2] / "shared" / "seed" / "jiayuguan-2023-39.txt"
    values = {target.value for target in t.items.values()}
    for number in (12, 35.4, 37.6, 20, 20.8, 44, 57, 17, 19.6, 1.3, 6.3, 8.2, 3.8, 27, 37.4, 0.25,
                   10, 4.2, 11, 14.75, 6, 18.2, 12.6, 65.4, 45.7, 33.4, 75, 91.4, 27.1, 22, 25.5, 6.2,
                   40, 57.4, 20.9, 13, 8.5, 105, 584.1, 138.4, 9, 66.4, 85, 80, 100, 5):
        assert number in values, number
        if plan.exists():
            assert f"{number:g}" in plan.read_text(encoding="utf-8"), number


def test_cli_prints_targets_as_json_in_yi(capsys):
    assert main(["targets", "2023", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    by_key = {r["key"]: r for r in rows}
    assert {"key", "value", "unit", "clause"} <= set(rows[0])
    assert by_key["industrial_total_yi"] == {
        "key": "industrial_total_yi", "value": 584.1, "unit": "亿元", "clause": "二(五)",
        "description": "产业投资项目总投资",
    }


@pytest.mark.parametrize(
    "fixture, code, line, key",
    [
        ("unknown_key.yaml", "unknown_key", 19, "targets.fai_growth_pct.note"),
        ("duplicate_key.yaml", "duplicate_key", 19, "targets.fai_growth_pct"),
        ("missing_clause.yaml", "missing_clause", 14, "targets.fai_growth_pct"),
        ("wrong_unit.yaml", "wrong_unit", 16, "targets.fai_growth_pct"),
    ],
)
def test_broken_targets_file_names_file_line_and_key(fixture, code, line, key, tmp_path):
    path = tmp_path / "targets_2023.yaml"
    shutil.copy(FIXTURES / fixture, path)
    with pytest.raises(ReferenceDataError) as err:
        load_targets(2023, path)
    assert (err.value.code, err.value.line, err.value.key) == (code, line, key)
    assert str(path) in str(err.value) and key in str(err.value)
