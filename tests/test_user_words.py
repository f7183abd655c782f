"""Commands in the user's words (issue 15 item 9): Chinese names wherever a code is accepted, tables
printed aligned, a scenario file never switching the headline silently, progress on multi-unit runs,
one naming scheme, a failed run explained in one Chinese sentence, no kernel notice in English."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from jygproj import cli, paths, quarterly, runs
from jygproj.commands.table import text_table, width
from jygproj.reference import ReferenceDataError
from jygproj.scenario.files import Scenario, load_scenarios, save_scenarios
from jygproj.scenario.levers import Levers, apply_changes, load_lever_specs, parse_set, project_ids
from jygproj.schema import code_of, unit_of, LISTS, NATURES, READING_NAMES
from test_scenario_cli import city_planner  # noqa: F401  (the CLI on the four-project city)

SPECS = load_lever_specs()
UNITS = ["市住建局", "市卫生健康委", "大景区管委会(丝路长城文化研究院)", "市教育局"]


# --- Chinese names -------------------------------------------------------------------------------

def test_codes_or_their_chinese_labels():
    assert code_of("产业投资项目", LISTS) == code_of("industrial", LISTS) == "industrial"
    assert code_of("续建", NATURES) == "continuing" and code_of("总量口径", READING_NAMES) == "level"
    assert code_of("不存在的清单", LISTS) is None


def test_levers_by_chinese_list_lever_and_reading_names():
    chinese = apply_changes(Levers(), parse_set(["pace_by_list.产业投资项目=1.2", "分清单推进倍数.省列重大项目=1.1",
                                                 "headline=总量口径"], SPECS), SPECS)
    coded = apply_changes(Levers(), parse_set(["pace_by_list.industrial=1.2", "pace_by_list.provincial_major=1.1",
                                               "headline=level"], SPECS), SPECS)
    assert chinese == coded and chinese.pace_by_list == {"industrial": 1.2, "provincial_major": 1.1}


def test_an_unknown_list_is_refused_naming_the_lists_in_chinese():
    with pytest.raises(Exception) as err:
        apply_changes(Levers(), {"pace_by_list": {"工业项目": 1.2}}, SPECS)
    assert "产业投资项目" in str(err.value) and "unknown_list" in str(err.value)


def test_projects_by_name_as_well_as_code():
    names = {"P1": "甲项目", "P2": "乙项目", "P3": "乙项目"}
    out = project_ids({"accelerate": {"甲项目": 1.3, "P2": 1.1}, "exclude": ["甲项目", "乙项目"]}, names)
    assert out == {"accelerate": {"P1": 1.3, "P2": 1.1}, "exclude": ["P1", "乙项目"]}  # two 乙项目: left as given


def test_set_with_a_chinese_list_name_on_the_command_line(city_planner, capsys):  # noqa: F811
    assert cli.main(["scenario", "--draws", "0", "--set", "pace_by_list.产业投资项目=1.2"]) == 0
    assert "产业投资项目 1 → 1.2" in capsys.readouterr().out


def test_units_by_short_or_full_name():
    assert unit_of("市住房和城乡建设局", UNITS) == "市住建局"
    assert unit_of("嘉峪关市住房和城乡建设局", UNITS) == "市住建局"
    assert unit_of("市卫生健康委员会", UNITS) == "市卫生健康委"
    assert unit_of("大景区管委会（丝路长城文化研究院）", UNITS) == UNITS[2]  # full-width brackets
    assert unit_of("市教育局", UNITS) == "市教育局" and unit_of("市财政局", UNITS) is None


def test_quarterly_headline_in_chinese():
    p = quarterly.ReviewParams(2023, 3, "", "2023-10", None, "总量口径")
    assert p.headline == "level"
    with pytest.raises(quarterly.ReviewUsageError) as err:
        quarterly.ReviewParams(2023, 3, "", "2023-10", None, "平均口径")
    assert "增速口径" in str(err.value) and "rate" not in str(err.value).split("[")[0]


# --- tables --------------------------------------------------------------------------------------

def test_text_table_aligns_chinese_by_display_width():
    table = text_table(["指标", "基准", "情景甲"], [["增速口径：11月末差额或超出（亿元）", "差 0.24", "超出 1.17"],
                                                   ["调整的杠杆数", "0", "3"]])
    lines = table.splitlines()
    assert len({width(line) for line in lines}) == 1  # every line as wide as the rule: right-aligned values
    assert lines[1].startswith("─")


def test_scenario_levers_prints_an_aligned_table_with_the_baseline_and_signs_in_words(city_planner, capsys,  # noqa: F811
                                                                                    tmp_path: Path):
    f = tmp_path / "s.yaml"
    f.write_text("scenarios:\n  - name: 政府加快\n    levers: {pace_by_list: {政府投资项目: 1.5}}\n"
                 "  - name: 政府放缓\n    levers: {pace_by_list: {government: 0.5}}\n", encoding="utf-8")
    assert cli.main(["scenario", "--levers", str(f), "--draws", "0"]) == 0
    out = capsys.readouterr().out
    assert "shape:" not in out and "┌" not in out and "…" not in out  # never a frame repr
    table = out[out.index("指标"):].splitlines()
    assert re.split(r"\s{2,}", table[0].strip()) == ["指标", "基准", "政府加快", "政府放缓"]
    assert len({width(line) for line in table}) == 1
    margins = [line for line in table if "末差额或超出" in line]
    assert margins and all(re.search(r"(差|超出) \d+\.\d\d", line) for line in margins)
    assert not re.search(r"\s-\d", "\n".join(margins))  # no bare minus beside 差


# --- the headline reading ------------------------------------------------------------------------

def test_a_scenario_file_switching_the_headline_must_say_so(tmp_path: Path):
    silent = tmp_path / "silent.yaml"
    silent.write_text("name: 悄悄换口径\nlevers: {headline: level}\n", encoding="utf-8")
    with pytest.raises(ReferenceDataError) as err:
        load_scenarios(silent)
    assert "headline_not_described" in str(err.value) and "总量口径" in str(err.value)
    said = tmp_path / "said.yaml"
    said.write_text("name: 换口径\ndescription: 改以总量口径为主口径\nlevers: {headline: 总量口径}\n", encoding="utf-8")
    assert load_scenarios(said)[0].levers == {"headline": "总量口径"}
    saved = save_scenarios(tmp_path / "saved.yaml", [Scenario("看板保存", {"headline": "level"})])
    assert "总量口径" in load_scenarios(saved)[0].description  # a saved one says so and loads back


def test_the_example_scenario_files_keep_the_default_reading():
    for f in paths.NOTEBOOK_PARAMS.glob("scenario_*.yaml"):
        for s in load_scenarios(f):
            assert "headline" not in s.levers, f.name


def test_the_downside_example_leads_with_the_reports_reading(city_planner, capsys):  # noqa: F811
    assert cli.main(["scenario", "--levers", str(paths.NOTEBOOK_PARAMS / "scenario_downside.yaml"),
                     "--draws", "0"]) == 0
    out = capsys.readouterr().out
    assert "改用" not in out and "主口径 增速口径" in out


# --- naming, progress, failures --------------------------------------------------------------------

def test_one_naming_scheme():
    assert paths.output_name("2023Q3", "季度考核") == "2023Q3_季度考核"
    assert paths.output_name("2023Q3", "季度考核", "市住建局") == "2023Q3_季度考核_市住建局"
    assert paths.output_name("2023-11", "储备项目规划") == "2023-11_储备项目规划"


def test_all_units_shows_n_of_n_and_elapsed_time(monkeypatch, capsys, tmp_path):
    from jygproj.commands import quarterly as command

    made = []

    def fake_run_one(params, inputs, rows=None, allow_fewer_inputs=False, kernel=None, **staged):
        made.append(params["unit"])
        out = Path(params["out_dir"])
        return runs.RunResult(out, out / "a.ipynb", out / "a.html", out / "manifest.json", 0.1)

    monkeypatch.setattr(command, "run_one", fake_run_one)
    assert cli.main(["quarterly", "2023Q3", "--all-units", "--jobs", "1", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    n = len(made)
    assert n > 2 and f"[1/{n}] 全市报告" in out and f"[{n}/{n}] {made[-1]} 报告" in out
    assert out.count("已用") == n and "正在生成" in out


def _failure(evalue: str, ename: str = "GrowthError") -> runs.NotebookRunError:
    return runs.NotebookRunError(Path("/x/10_quarterly_review.ipynb"), 3, 3, ename, evalue,
                                 "import jygproj\nreview = wb.quarterly(4)")


def test_a_failed_run_is_one_chinese_sentence_then_the_cell():
    first, cell = _failure("基数表缺少 12 月的本年累计数（或增速） [missing_current]").explain("2023年四季度考核报告").split("\n")
    assert first == "2023年四季度考核报告未生成：基数表缺少 12 月的本年累计数（或增速）；原有报告保持不变。"
    assert "第 4 个单元格（In[3]）" in cell and "GrowthError" in cell and "[missing_current]" in cell
    first, _ = _failure("'list'", "KeyError").explain("2023年三季度考核报告").split("\n")
    assert "计算程序出错（KeyError）" in first and not re.search(r"[A-Za-z]{2,}", first.replace("KeyError", ""))


@pytest.mark.slow
def test_a_kernel_run_prints_no_english_start_up_notice(tmp_path, capfd):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("print(x)")]
    nb.metadata["kernelspec"] = {"name": paths.KERNEL_NAME, "language": "python", "display_name": "jygproj"}
    nb.metadata["language_info"] = {"name": "python"}
    path = tmp_path / "tiny.ipynb"
    nbformat.write(nb, path)
    runs.run_notebook(path, tmp_path / "out", {"x": 2})
    captured = capfd.readouterr()
    assert "IPKernelApp" not in captured.err + captured.out
    assert "WARNING" not in captured.err + captured.out
