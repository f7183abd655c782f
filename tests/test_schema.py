"""The canonical schema: one place for tables, enums and their Chinese labels."""

import polars as pl

from jygproj import schema


def test_every_list_has_a_chinese_label_and_a_clause():
    assert set(schema.LISTS) == set(schema.LIST_CLAUSE)
    assert schema.LISTS["government"] == "政府投资项目" and schema.LIST_CLAUSE["government"] == "二(四)"


def test_enums_cover_the_labels():
    assert list(schema.NATURE_ENUM.categories) == list(schema.NATURES)
    assert list(schema.LEVEL_ENUM.categories) == ["blue", "yellow", "red"]  # mildest first


def test_conform_adds_typed_nulls_and_casts():
    frame = pl.DataFrame({"project_id": ["A"], "list": ["government"], "annual_plan_wan": [100]})
    out = schema.conform(frame, schema.MEMBERSHIPS)
    assert out.columns == list(schema.MEMBERSHIPS)
    assert out.schema["annual_plan_wan"] == pl.Float64 and out["q1_plan_wan"].to_list() == [None]
    assert out["list"].dtype == schema.LIST_ENUM


def test_money_converts_at_the_edges():
    assert schema.yi_to_wan(91.4) == 914_000 and schema.wan_to_yi(584_100) == 58.41
