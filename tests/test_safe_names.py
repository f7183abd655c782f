"""Names a user types never become paths (issue 17): scenario names saved from the dashboard, unit
names of per-unit reports and run names are made safe file names inside their output folder
(jygproj.paths.safe_name, the one rule): traversal, absolute paths, NUL and other control
characters, Windows device names, over-long names, names that collide once cleaned."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from jygproj import paths, projection
from jygproj.reference import load_seasonal_profile
from jygproj.scenario.files import Planner, Scenario, load_scenarios, save_scenarios
from jygproj.scenario.levers import load_lever_specs
from jygproj.scenario.ui import build_planner_ui, scenario_file
from test_scenario_data import city_frames

HOSTILE = [
    "../../../../tmp/jygproj_escape",  # traversal (issue 17: wrote outside the project)
    "../data/reference/targets_2023",  # the reference files every report reads
    "/etc/cron.d/x",  # absolute
    "C:\\Windows\\system32\\x",  # a Windows absolute path
    "a\x00b",  # NUL
    "\x1b[31m红色\x1b[0m",  # terminal escapes
    "名称\u202egpj.exe",  # right-to-left override
    "CON", "nul", "Com1.yaml", "LPT9 ",  # Windows device names
    "..", ".", " . ", "", ".hidden",
    "情" * 400,  # 1,200 bytes of UTF-8
    "x" * 10_000,
]


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_name_is_one_file_name_inside_the_folder(name, tmp_path):
    clean = paths.safe_name(name, ".yaml")
    assert "/" not in clean and "\\" not in clean and "\x00" not in clean
    assert not clean.startswith(".") and clean.split(".")[0].strip().upper() not in {"CON", "NUL", "COM1", "LPT9"}
    assert len(clean.encode("utf-8")) <= paths.NAME_MAX_BYTES
    target = paths.inside(tmp_path, name, ".yaml")
    assert target.parent == tmp_path
    target.write_text("x")  # the file system takes it
    assert [p.name for p in tmp_path.iterdir()] == [clean]


@pytest.mark.parametrize("name, expected", [
    ("市文旅局/文物科", "市文旅局_文物科"),  # issue 17: the unit whose report crashed
    ("提醒函_市住建局", "提醒函_市住建局"),  # ordinary names unchanged
    ('a<b>:c"d/e\\f|g?h*.', "a_b__c_d_e_f_g_h_"),
    ("CON", "_CON"),
    ("nul.txt", "_nul.txt"),
    ("  . ", "未命名"),
])
def test_safe_name(name, expected):
    assert paths.safe_name(name) == expected


def test_names_that_collide_once_cleaned_are_numbered_in_order():
    names = ["建投集团/城投", "建投集团:城投", "建投集团_城投", "ABC", "abc"]
    assert paths.unique_names(names) == {
        "建投集团/城投": "建投集团_城投", "建投集团:城投": "建投集团_城投_2", "建投集团_城投": "建投集团_城投_3",
        "ABC": "ABC", "abc": "abc_2"}  # case too: Windows and macOS do not tell them apart
    long = ["情" * 100 + "甲", "情" * 100 + "乙"]  # differ only past the byte limit
    folders = paths.unique_names(long, ".docx")
    assert len(set(folders.values())) == 2 and all(len(v.encode()) <= paths.NAME_MAX_BYTES for v in folders.values())


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_becomes_one_creatable_name_inside_the_folder(tmp_path_factory, name):
    folder = tmp_path_factory.mktemp("any")
    target = paths.inside(folder, name, ".yaml")
    fd = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    os.close(fd)
    assert [p.name for p in folder.iterdir()] == [target.name] and target.parent == folder


# --- the dashboard's save button --------------------------------------------------------------------


@pytest.fixture(scope="module")
def ui(tmp_path_factory):
    model = projection.build_model(**city_frames(), as_of="2023-10", profile=load_seasonal_profile())
    planner = Planner(model, load_lever_specs(), draws=50, seed=1)
    return build_planner_ui(planner, monte_carlo=False, save_dir=tmp_path_factory.mktemp("scenarios"))


@pytest.mark.parametrize("name", HOSTILE[:12])
def test_the_dashboard_saves_only_into_its_scenarios_folder(ui, name, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    before = set(Path(ui.save_dir).iterdir())
    ui.controls["save_name"].value = name if name.strip() else "x"
    saved = ui.save()
    assert saved is not None and saved.parent == Path(ui.save_dir)
    assert set(Path(ui.save_dir).iterdir()) - before <= {saved}
    # the page names the file, not a machine path
    assert str(ui.save_dir) not in ui.status.value and saved.name in ui.status.value.replace("&amp;", "&")
    (scenario,) = load_scenarios(saved)
    assert scenario.name == (name if name.strip() else "x").strip()
    assert list(outside.iterdir()) == []
    assert not Path("/tmp/jygproj_escape.yaml").exists()


def test_a_scenario_whose_name_cleans_to_another_ones_file_does_not_overwrite_it(ui):
    first = ui.save_dir / "scenario_甲_乙.yaml"
    ui.controls["save_name"].value = "甲/乙"
    assert ui.save() == first
    ui.controls["save_name"].value = "甲:乙"
    second = ui.save()
    assert second == ui.save_dir / "scenario_甲_乙_2.yaml"
    assert [s.name for s in load_scenarios(first)] == ["甲/乙"]
    assert [s.name for s in load_scenarios(second)] == ["甲:乙"]
    ui.controls["save_name"].value = "甲/乙"  # saving the same scenario again replaces its own file
    assert ui.save() == first


def test_a_link_in_the_scenarios_folder_is_replaced_not_followed(tmp_path):
    victim = tmp_path / "targets.yaml"
    victim.write_text("plan: keep\n")
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "scenario_x.yaml").symlink_to(victim)
    path = scenario_file(folder, "x")  # the link holds no scenario of that name: not ours
    assert path == folder / "scenario_x_2.yaml"
    victim.write_text(yaml.safe_dump({"scenarios": [{"name": "x"}]}))
    path = scenario_file(folder, "x")  # now it does: saved over the link itself
    save_scenarios(path, [Scenario("x")])
    assert not path.is_symlink() and yaml.safe_load(victim.read_text()) == {"scenarios": [{"name": "x"}]}


# --- a unit's report ---------------------------------------------------------------------------------


def _rename_unit(folder: Path, old: str, new: str) -> int:
    """Rename a responsible unit in every workbook of a copied data folder; returns the files changed."""
    import openpyxl

    changed = 0
    for f in sorted(folder.glob("*.xlsx")):
        wb = openpyxl.load_workbook(f)
        cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value == old]
        for c in cells:
            c.value = new
        if cells:
            wb.save(f)
            changed += 1
    return changed


@pytest.mark.slow
def test_a_unit_with_a_slash_gets_its_report(tmp_path, capsys):
    """Issue 17: 市文旅局/文物科 crashed its report with FileNotFoundError (the name used as a path)."""
    import shutil

    from jygproj import cli
    from jygproj.ingest import default_out

    data = tmp_path / "2023"
    shutil.copytree(paths.SAMPLE_2023, data)
    assert _rename_unit(data, "市文旅局", "市文旅局/文物科") > 0
    out = tmp_path / "out"
    try:
        assert cli.main(["quarterly", "2023Q3", "--data", str(data), "--unit", "市文旅局/文物科", "--out", str(out)]) == 0
    finally:
        shutil.rmtree(default_out(data), ignore_errors=True)
    unit_dir = out / "units" / "市文旅局_文物科"
    names = sorted(p.name for p in unit_dir.iterdir())
    assert "2023Q3_季度考核_市文旅局_文物科.html" in names and "manifest.json" in names
    # the letter, the reply form sent with it and the closure template (jygproj.followups.form), safe names
    assert sorted(p.name for p in (unit_dir / "letters").iterdir()) == [
        "提醒函_市文旅局_文物科.docx", "整改反馈表_市文旅局_文物科.xlsx", "督办销号记录（2023Q3模板）.xlsx"]
    html = (unit_dir / "2023Q3_季度考核_市文旅局_文物科.html").read_text(encoding="utf-8")
    assert "市文旅局/文物科" in html  # the report names the unit as written
    # nothing written elsewhere (beside it: the lock concurrent runs of this unit's report take turns on)
    assert [p.name for p in out.rglob("*文物科*") if not p.is_relative_to(unit_dir)] == [".市文旅局_文物科.lock"]
