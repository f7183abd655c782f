"""Reserve pipeline (二(六)): needed steps, blocking steps, timeline, funnel, tiers, funding rounds.

Small inline frames; the arithmetic a user would redo by hand is written beside each assertion.
Typical months from data/reference/reserve_steps.yaml: 立项 2 (+10 preparation if not started),
用地预审与选址 2, 环评 2, 能评 1.5 (phase 2, side by side), 规划许可 1.5, 施工图审查 1.5,
施工许可 0.5, 资金落实 3 (parallel to everything).
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from jygproj import schema
from jygproj.reference import ReferenceDataError
from jygproj.reserve import (
    blocking_steps,
    funding_matches,
    funding_summary,
    funnel,
    funnel_wide,
    load_reserve_reference,
    movement_summary,
    readiness,
    stage_movement,
    step_schedule,
    step_table,
    steps_as_of,
    tier_moves,
    tier_summary,
)

REF = load_reserve_reference()
ALL_DONE = {k: "done" for k in schema.RESERVE_STEPS}


def frames(projects: list[dict]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Reserve and long-form steps from {'id', 'type', 'steps': {step: status or (status, date)}, ...}."""
    reserve = schema.conform(
        pl.DataFrame([
            {
                "project_id": p["id"], "name": p.get("name", f"项目{p['id']}"),
                "domain": p.get("domain", "交通"), "funding_channel": p.get("channel", "专项债券"),
                "project_type": p.get("type", "政府投资审批类"),
                "total_investment_wan": p.get("total", 10000.0), "first_year_wan": p.get("first", 4000.0),
                "responsible_unit": "市交通运输局", "owner": p.get("owner", "交建集团"), "tier": p.get("tier"),
            }
            for p in projects
        ]),
        schema.RESERVE,
    )
    rows = []
    for p in projects:
        for step, value in p["steps"].items():
            status, date = value if isinstance(value, tuple) else (value, None)
            rows.append({"project_id": p["id"], "step": step, "status": status, "date": date})
    steps = schema.conform(pl.DataFrame(rows, schema_overrides={"date": pl.Date}), schema.RESERVE_STEPS_TABLE)
    return reserve, steps


def row(frame: pl.DataFrame, pid: str) -> dict:
    return frame.filter(pl.col("project_id") == pid).row(0, named=True)


# --- needed steps ------------------------------------------------------------------------------


def test_energy_review_counts_only_where_the_type_needs_it():
    reserve, steps = frames([
        # 政府投资审批类 lists no 能评: an energy cell left 未启动 does not hold the project up.
        {"id": "G", "type": "政府投资审批类", "steps": {**ALL_DONE, "energy": "not_started"}},
        # 高耗能工业类 needs 能评: the same cell blocks it.
        {"id": "H", "type": "高耗能工业类", "steps": {**ALL_DONE, "energy": "not_started"}},
        # 企业投资核准类: 能评 conditional — needed unless the sheet says 不涉及.
        {"id": "K", "type": "企业投资核准类", "steps": {**ALL_DONE, "energy": "not_required"}},
    ])
    r = readiness(reserve, steps, REF, "2023-11")
    assert row(r, "G")["stage"] == "ready" and row(r, "G")["steps_required"] == 7
    assert row(r, "H")["stage"] == "permits" and row(r, "H")["blocking_step_label"] == "能评"
    assert row(r, "H")["blocking_owner"] == "市发展改革委"
    assert row(r, "K")["stage"] == "ready" and row(r, "K")["steps_required"] == 7


def test_sheet_spellings_of_types_resolve_and_unknown_types_fall_back():
    assert REF.resolve_type("政府投资（审批）")[0].name == "政府投资审批类"
    assert REF.resolve_type("企业投资（核准）")[0].name == "企业投资核准类"
    assert REF.resolve_type(" 技改 ")[0].name == "技术改造类"
    ptype, matched = REF.resolve_type("火星基地类")
    assert ptype.name == "默认类型" and not matched


def test_required_step_marked_not_required_is_taken_but_flagged():
    reserve, steps = frames([{"id": "A", "steps": {**ALL_DONE, "land": "not_required"}}])
    r = readiness(reserve, steps, REF, "2023-11")
    assert row(r, "A")["stage"] == "ready"
    assert row(r, "A")["conflicts"] == "用地预审与选址"


def test_missing_step_cell_counts_as_not_started():
    all_but_drawings = {k: v for k, v in ALL_DONE.items() if k != "drawings"}
    reserve, steps = frames([{"id": "A", "steps": all_but_drawings}])
    r = readiness(reserve, steps, REF, "2023-11")
    assert row(r, "A")["blocking_step_label"] == "施工图审查"
    assert row(r, "A")["blocking_status"] == "not_started"


def test_unknown_status_word_is_refused_with_the_project_named():
    reserve, steps = frames([{"id": "A", "steps": {**ALL_DONE, "land": "almost"}}])
    with pytest.raises(ValueError, match="A.*land.*almost"):
        readiness(reserve, steps, REF, "2023-11")


# --- blocking steps and owners -------------------------------------------------------------------


def test_blocking_step_is_the_first_needed_step_not_done_with_its_owner():
    reserve, steps = frames([
        # 立项 done, 用地 in progress, 规划 not started: 用地 blocks (usual order), 市自然资源局.
        {"id": "A", "steps": {**ALL_DONE, "land": "in_progress", "planning": "not_started"}},
        # Traffic project: 施工许可 is issued by 市交通运输局 (owner_by_domain).
        {"id": "B", "domain": "交通", "steps": {**ALL_DONE, "construction_permit": "not_started"}},
        # Enterprise money: funding is the construction unit's own job.
        {"id": "C", "channel": "企业自筹", "owner": "某新材料公司", "type": "企业投资备案类",
         "steps": {**ALL_DONE, "energy": "not_required", "funding": "in_progress"}},
        # 环评 before 施工图审查 in the usual order, though 环评 sits later in the sheet.
        {"id": "D", "domain": "社会事业", "steps": {**ALL_DONE, "environment": "not_started",
                                                     "drawings": "in_progress"}},
        {"id": "E", "steps": ALL_DONE},
    ])
    r = readiness(reserve, steps, REF, "2023-11")
    assert (row(r, "A")["blocking_step_label"], row(r, "A")["blocking_owner"]) == ("用地预审与选址", "市自然资源局")
    assert row(r, "A")["remaining_steps"] == "用地预审与选址（办理中）、规划许可"
    assert (row(r, "B")["blocking_step_label"], row(r, "B")["blocking_owner"]) == ("施工许可", "市交通运输局")
    assert row(r, "C")["blocking_owner"] == "建设单位（某新材料公司）"
    assert row(r, "D")["blocking_step_label"] == "环评"
    assert row(r, "E")["blocking_step"] is None

    listing = blocking_steps(r)
    # four projects blocked, one each: 立项-order first among ties
    assert listing["blocking_step_label"].to_list() == ["用地预审与选址", "环评", "施工许可", "资金落实"]
    assert listing["projects"].sum() == 4


# --- timeline ------------------------------------------------------------------------------------


def test_ready_month_from_typical_durations_in_progress_counts_half():
    reserve, steps = frames([
        # Review 2023-11. Phase 1: 立项 done. Phase 2: 用地 in progress → 2/2 = 1, 环评 not started
        # → 2: phase ends at 2. Phase 3: 规划 1.5 → 3.5. Phase 4: 施工图 1.5 → 5. Phase 5: 施工许可
        # 0.5 → 5.5. 资金落实 in progress alongside: 3/2 = 1.5. Remaining 5.5 months → ceil 6:
        # ready 2023-11 + 6 = 2024-05, start one month later 2024-06.
        {"id": "A", "steps": {"approval": "done", "land": "in_progress", "environment": "not_started",
                              "planning": "not_started", "drawings": "not_started",
                              "construction_permit": "not_started", "funding": "in_progress",
                              "energy": "not_required"}},
        # 立项 not started: 10 months' preparation + 2 = 12, then 2 + 1.5 + 1.5 + 0.5 = 17.5 → 18:
        # ready 2025-05.
        {"id": "B", "steps": {k: "not_started" for k in schema.RESERVE_STEPS}},
        {"id": "C", "steps": ALL_DONE},
    ])
    r = readiness(reserve, steps, REF, "2023-11")
    a, b, c = row(r, "A"), row(r, "B"), row(r, "C")
    assert a["remaining_months"] == pytest.approx(5.5) and a["months_to_ready"] == 6
    assert a["ready_month"] == dt.date(2024, 5, 1) and a["start_month"] == dt.date(2024, 6, 1)
    assert b["remaining_months"] == pytest.approx(17.5) and b["ready_month"] == dt.date(2025, 5, 1)
    assert c["remaining_months"] == 0 and c["ready_month"] == dt.date(2023, 11, 1)
    assert (a["steps_done"], a["steps_required"]) == (1, 7)


def test_durations_parameter_overrides_the_reference():
    reserve, steps = frames([{"id": "A", "steps": {**ALL_DONE, "drawings": "not_started"}}])
    # 施工图审查 not started, overridden to 4 months (+ 施工许可 done): 4 → ready 2024-03
    r = readiness(reserve, steps, REF, "2023-11", durations={"drawings": 4})
    assert row(r, "A")["ready_month"] == dt.date(2024, 3, 1)
    with pytest.raises(ValueError, match="unknown_step"):
        readiness(reserve, steps, REF, "2023-11", durations={"painting": 1})


def test_an_expected_month_in_the_sheet_is_a_floor():
    # 施工许可 in progress: rule says 0.25 months, the office expects March 2024: ready 2024-03.
    reserve, steps = frames([{"id": "A", "steps": {**ALL_DONE, "construction_permit":
                                                     ("in_progress", dt.date(2024, 3, 1))}}])
    r = readiness(reserve, steps, REF, "2023-11")
    assert row(r, "A")["ready_month"] == dt.date(2024, 3, 1)
    r2 = readiness(reserve, steps, REF, "2023-11", use_expected_dates=False)
    assert row(r2, "A")["ready_month"] == dt.date(2023, 12, 1)  # 0.25 → 1 month


def test_step_schedule_gives_gantt_dates_from_the_end_of_the_review_month():
    reserve, steps = frames([{"id": "A", "steps": {**ALL_DONE, "drawings": "not_started",
                                                     "construction_permit": "not_started"}}])
    sched = step_schedule(step_table(reserve, steps, REF), "2023-11").filter(pl.col("end_offset").is_not_null())
    drawings, permit = sched.row(0, named=True), sched.row(1, named=True)
    assert drawings["start_date"] == dt.date(2023, 12, 1)  # t0 = end of November
    assert (drawings["start_offset"], drawings["end_offset"]) == (0.0, 1.5)
    assert (permit["start_offset"], permit["end_offset"]) == (1.5, 2.0)


# --- funnel --------------------------------------------------------------------------------------


def pool() -> tuple[pl.DataFrame, pl.DataFrame]:
    return frames([
        {"id": "P1", "domain": "交通", "total": 100.0, "steps": {k: "not_started" for k in schema.RESERVE_STEPS}},
        {"id": "P2", "domain": "交通", "total": 200.0, "steps": {**ALL_DONE, "approval": "in_progress"}},
        {"id": "P3", "domain": "水利", "channel": "中央预算内投资", "total": 300.0,
         "steps": {**ALL_DONE, "land": "in_progress"}},
        {"id": "P4", "domain": "水利", "channel": "中央预算内投资", "total": 400.0, "steps": ALL_DONE},
        {"id": "P5", "domain": "能源", "total": 500.0, "steps": ALL_DONE},
    ])


def test_funnel_stages_add_up_to_the_pool():
    reserve, steps = pool()
    r = readiness(reserve, steps, REF, "2023-11")
    f = funnel(r)
    assert f["stage_label"].to_list() == ["谋划阶段", "立项阶段", "要件办理阶段", "具备开工条件"]
    assert f["projects"].to_list() == [1, 1, 1, 2]  # P1 | P2 | P3 | P4, P5
    assert f["projects"].sum() == reserve.height == 5
    assert f["total_investment_wan"].to_list() == [100.0, 200.0, 300.0, 900.0]
    assert f["reached"].to_list() == [5, 4, 3, 2]  # at this stage or further on
    by_domain = funnel(r, "domain")
    assert by_domain.height == 3 * 4  # every stage shown for every domain
    per_domain = dict(by_domain.group_by("domain").agg(pl.col("projects").sum()).iter_rows())
    assert per_domain == {"交通": 2, "水利": 2, "能源": 1}
    wide = funnel_wide(r, "funding_channel")
    assert wide["projects"].sum() == 5
    assert row(wide.rename({"funding_channel": "project_id"}), "中央预算内投资")["具备开工条件"] == 1


def test_movement_since_the_last_snapshot():
    reserve, steps = pool()
    now = readiness(reserve, steps, REF, "2023-11")
    # Last snapshot: P2 was then in 谋划, P5 not yet in the pool, P6 since left (started).
    before = now.filter(pl.col("project_id") != "P5").with_columns(
        stage=pl.when(pl.col("project_id") == "P2").then(pl.lit("concept"))
        .when(pl.col("project_id") == "P4").then(pl.lit("ready")).otherwise(pl.col("stage"))
    )
    gone = before.head(1).with_columns(project_id=pl.lit("P6"), name=pl.lit("已开工项目"), stage=pl.lit("ready"))
    move = stage_movement(pl.concat([before, gone]), now)
    assert row(move, "P2")["movement_label"] == "阶段前移"
    assert row(move, "P5")["movement"] == "new"
    assert row(move, "P6")["movement"] == "left"
    assert row(move, "P1")["movement"] == "same"
    counts = dict(movement_summary(move).select("movement", "projects").iter_rows())
    assert counts == {"new": 1, "left": 1, "advanced": 1, "regressed": 0, "same": 3}


def test_steps_as_of_rebuilds_an_earlier_snapshot_from_completion_dates():
    reserve, steps = frames([{"id": "A", "steps": {**ALL_DONE, "approval": ("done", dt.date(2023, 9, 10))}}])
    then = steps_as_of(steps, dt.date(2023, 8, 31))
    assert row(then.with_columns(pl.col("step").cast(pl.String)).filter(pl.col("step") == "approval"),
               "A")["status"] == "in_progress"
    assert row(readiness(reserve, then, REF, "2023-08"), "A")["stage"] == "approval"


# --- rolling tiers -------------------------------------------------------------------------------


def test_tier_moves_ready_within_12_months_goes_to_1_year_implementation():
    reserve, steps = frames([
        {"id": "UP", "tier": "3年滚动", "steps": {**ALL_DONE, "drawings": "in_progress"}},  # ready in 1 month
        {"id": "DOWN", "tier": "1年实施", "steps": {k: "not_started" for k in schema.RESERVE_STEPS}},  # 18 months
        {"id": "IDEA", "tier": "5年储备", "steps": {k: "not_started" for k in schema.RESERVE_STEPS}},  # stays
        {"id": "SAME", "tier": "1年实施", "steps": ALL_DONE},
        {"id": "NEW", "tier": None, "steps": ALL_DONE},
    ])
    moves = tier_moves(readiness(reserve, steps, REF, "2023-11"), REF)
    got = {r["project_id"]: (r["proposed_tier"], r["tier_move_label"]) for r in moves.iter_rows(named=True)}
    assert got == {
        "UP": ("1年实施", "上调"),
        "DOWN": ("3年滚动", "下调"),
        "IDEA": ("5年储备", "不变"),
        "SAME": ("1年实施", "不变"),
        "NEW": ("1年实施", "新定级"),
    }
    summary = tier_summary(moves, REF)
    assert summary["before"].sum() == summary["after"].sum() == 5
    assert summary["tier_label"].to_list() == ["1年实施", "3年滚动", "5年储备", "未定级"]


# --- funding rounds ------------------------------------------------------------------------------


def test_funding_round_eligibility_now_by_deadline_and_not():
    # 专项债券 2024 round 1 asks 立项, 用地, 规划, 环评 done; deadline 2024-01-20 in the file.
    reserve, steps = frames([
        {"id": "NOW", "channel": "专项债券", "total": 5000.0, "steps": ALL_DONE},
        # 规划 not started after 立项/用地/环评 done: 1.5 months from 2023-12-01 → mid-January: in time.
        {"id": "SOON", "channel": "专项债券", "total": 5000.0, "steps": {**ALL_DONE, "planning": "not_started"}},
        # 立项 not started: 12 months — too late.
        {"id": "LATE", "channel": "专项债券", "total": 5000.0,
         "steps": {**ALL_DONE, "approval": "not_started", "land": "not_started"}},
        {"id": "SMALL", "channel": "专项债券", "total": 2000.0, "steps": ALL_DONE},  # below 3,000万
        {"id": "IND", "channel": "专项债券", "domain": "产业", "total": 5000.0, "steps": ALL_DONE},
        {"id": "OWN", "channel": "企业自筹", "steps": ALL_DONE},  # no round for its channel
    ])
    r = readiness(reserve, steps, REF, "2023-11")
    sched = step_schedule(step_table(reserve, steps, REF), "2023-11")
    m = funding_matches(r, sched, REF)
    got = {x["project_id"]: x["eligibility_label"] for x in m.iter_rows(named=True)}
    assert got == {"NOW": "已符合", "SOON": "截止前可符合", "LATE": "不符合", "SMALL": "不符合", "IND": "不符合"}
    assert "总投资低于3,000万元" in row(m, "SMALL")["reasons"]
    assert "产业" in row(m, "IND")["reasons"]
    assert "立项" in row(m, "LATE")["reasons"]
    # An earlier deadline (parameter) leaves SOON out.
    early = funding_matches(r, sched, REF, deadlines={"special_bonds_2024_1": "2023-12-20"})
    assert row(early, "SOON")["eligibility"] == "not_eligible"
    s = funding_summary(m)
    assert (s["eligible"][0], s["by_deadline"][0], s["not_eligible"][0]) == (1, 1, 3)
    with pytest.raises(ValueError, match="unknown_round"):
        funding_matches(r, sched, REF, deadlines={"lottery": "2024-01-01"})


# --- reference file ------------------------------------------------------------------------------


def test_reference_file_refuses_unknown_keys_and_steps(tmp_path):
    text = (load_reserve_reference().file and open(REF.file, encoding="utf-8").read())
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("    phase: 4\n", "    phase: 4\n    colour: red\n", 1), encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="colour") as exc:
        load_reserve_reference(bad)
    assert exc.value.code == "unknown_key" and exc.value.line is not None
    bad.write_text(text.replace("required: [approval, environment, funding]",
                                "required: [approval, painting, funding]", 1), encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="painting"):
        load_reserve_reference(bad)


def test_every_step_has_an_owner_and_every_round_a_deadline():
    assert list(REF.steps) == list(schema.RESERVE_STEPS)
    assert REF.steps["approval"].owner == "市发展改革委"
    assert REF.steps["land"].owner == REF.steps["planning"].owner == "市自然资源局"
    assert REF.steps["environment"].owner == "市生态环境局"
    assert REF.steps["drawings"].owner == REF.steps["construction_permit"].owner == "市住建局"
    assert all(isinstance(r.deadline, dt.date) for r in REF.rounds.values())
