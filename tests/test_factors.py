"""Factor guarantees 要素保障 (二(七)): 存在问题 texts into coded categories."""

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from jygproj import factors, schema
from jygproj.reference import ReferenceDataError

CATS = factors.load_categories()


def keys(text):
    return [k for k, _ in factors.classify_text(text, CATS)]


@pytest.mark.parametrize("text, expected", [
    ("土地报批未完成，资金未到位", ["land", "funds"]),  # 土地报批 is land, not a general approval
    ("施工许可证正在办理", ["approvals"]),
    ("能耗指标不足，能评未批复", ["approvals", "energy"]),  # 未批复 is an approval; 能评 only energy
    ("冬季停工，供暖管网未接入", ["utilities", "weather"]),
    ("资金已到位，施工图审查未完成", ["approvals"]),  # the settled clause is dropped
    ("资金已到位", []),
    ("无", []),
    ("暂无", []),
    (None, []),
    ("  ", []),
    ("企业经营困难，项目推进缓慢", ["other"]),
    ("项目资本金到位不足，银行贷款尚未审批", ["funds"]),  # a bank's approval is a funding matter
    ("用能权指标缺口较大", ["energy"]),
])
def test_classify_text(text, expected):
    assert keys(text) == expected


def test_matched_keywords_are_reported():
    assert dict(factors.classify_text("土地报批未完成，资金未到位", CATS)) == {
        "land": ["土地", "土地报批"], "funds": ["资金"]}


def _register():
    return schema.conform(pl.DataFrame({
        "project_id": ["A", "B", "C", "D"],
        "name": ["东湖片区供热管网改造", "酒钢配套物流园", "文旅综合体", "市第二中学"],
        "responsible_unit": ["市住建局", "市住建局", "市文旅局", "市教育局"],
    }), schema.PROJECTS)


def _progress():
    rows = [
        # A: the October text supersedes September's (only the latest report per list counts)
        ("A", "government", "2023-09", date(2023, 9, 30), "资金未到位"),
        ("A", "government", "2023-10", date(2023, 10, 31), "土地报批未完成，资金未到位"),
        ("B", "industrial", "2023-10", date(2023, 10, 31), "用地预审未通过；融资困难"),
        ("B", "provincial_key", "2023-10", date(2023, 10, 31), "土地征收进度慢"),
        ("C", "industrial", "2023-10", date(2023, 10, 31), "无"),
        ("D", "government", "2023-10", date(2023, 10, 31), "冬季施工受限"),
    ]
    return schema.conform(pl.DataFrame(rows, schema=["project_id", "list", "period", "period_end", "issues"],
                                       orient="row"), schema.PROGRESS)


def test_counts_by_unit_and_list_with_the_projects_behind_each():
    issues = factors.current_issues(_progress(), date(2023, 11, 10))
    assert issues.height == 5  # A, B×2, C ("无" is kept here, dropped by classify), D
    classified = factors.classify(issues, CATS)
    # A land+funds; B industrial land+funds; B provincial_key land; D weather; C nothing
    assert classified.height == 6
    summary = factors.summarise(classified, _register())
    got = {(r["responsible_unit"], r["list"], r["category_label"]): (r["projects"], r["project_names"])
           for r in summary.iter_rows(named=True)}
    assert got == {
        ("市住建局", "government", "土地"): (1, "东湖片区供热管网改造"),
        ("市住建局", "government", "资金"): (1, "东湖片区供热管网改造"),
        ("市住建局", "industrial", "土地"): (1, "酒钢配套物流园"),
        ("市住建局", "industrial", "资金"): (1, "酒钢配套物流园"),
        ("市住建局", "provincial_key", "土地"): (1, "酒钢配套物流园"),
        ("市教育局", "government", "天气及季节"): (1, "市第二中学"),
    }


def test_city_wide_counts_each_project_once_per_category():
    classified = factors.classify(factors.current_issues(_progress(), date(2023, 11, 10)), CATS)
    by_unit = factors.summarise(classified, _register(), by=("responsible_unit",))
    land = by_unit.filter((pl.col("responsible_unit") == "市住建局") & (pl.col("category_code") == "YS01"))
    # A and B, B counted once though it reports land problems on two lists
    assert land["projects"].item() == 2 and land["project_ids"].item() == "A、B"


def test_empty_input_gives_empty_typed_output():
    out = factors.classify(factors.current_issues(schema.empty(schema.PROGRESS), date(2023, 11, 1)), CATS)
    assert out.is_empty() and "category_code" in out.columns


@pytest.mark.parametrize("old, new, code", [
    ("    code: YS02\n", "    code: YS01\n", "duplicate_code"),
    ("  energy:\n    code: YS04\n", "  energy:\n    code: YS04\n    code: YS07\n", "duplicate_key"),
    ('    label: 能耗指标\n    keywords: ["能耗",', '    label: 能耗指标\n    weight: 1\n    keywords: ["能耗",',
     "unknown_key"),
    ('    label: 资金\n    keywords: [', '    label: 资金\n    keywords: []\n    x_keywords: [', "unknown_key"),
])
def test_broken_categories_file_is_refused(tmp_path, old, new, code):
    text = Path(CATS.file).read_text(encoding="utf-8")
    assert old in text
    broken = tmp_path / "issue_categories.yaml"
    broken.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ReferenceDataError) as err:
        factors.load_categories(broken)
    assert err.value.code == code and str(broken) in str(err.value) and err.value.line


def test_empty_keyword_list_is_refused(tmp_path):
    text = Path(CATS.file).read_text(encoding="utf-8")
    start = text.index("    keywords:", text.index("  weather:"))
    end = text.index("\n    action:", start)
    broken = tmp_path / "c.yaml"
    broken.write_text(text[:start] + "    keywords: []" + text[end:], encoding="utf-8")
    with pytest.raises(ReferenceDataError) as err:
        factors.load_categories(broken)
    assert err.value.code == "bad_keywords"


def test_requests_of_several_units_are_each_units_requests():
    issues = factors.current_issues(_progress(), date(2023, 11, 10))
    classified = factors.classify(issues, CATS)
    names = dict(zip(_register()["project_id"], _register()["name"]))
    units = {"市住建局": ({"A", "B"}, {"red_project"}), "市教育局": ({"D"}, {"missing_reports"}),
             "市文旅局": (set(), {"attention_warning"})}
    together = factors.requests_of_units(units, classified, names, CATS)
    assert list(together) == list(units)
    for unit, (ids, kinds) in units.items():
        assert together[unit] == factors.requests(unit, classified.filter(pl.col("project_id").is_in(sorted(ids))),
                                                  names, CATS, kinds=kinds)
    assert any("东湖片区供热管网改造" in r for r in together["市住建局"])
