"""One rule for paths (jygproj.paths.resolve): a relative --data means the same folder, from the current
folder, for every command — and a path that is not there is refused, never replaced by the sample."""

from __future__ import annotations

import json
import shutil

import pytest

from jygproj import cli, paths

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def elsewhere(tmp_path_factory):
    """A working folder outside the repository with a copy of the sample at the relative path 收到/2023."""
    work = tmp_path_factory.mktemp("analyst")
    shutil.copytree(paths.SAMPLE_2023, work / "收到" / "2023")
    return work


def test_the_same_relative_data_works_for_every_command(elsewhere, monkeypatch, capsys):
    monkeypatch.chdir(elsewhere)
    rel = "收到/2023"
    assert cli.main(["check", rel, "--json"]) == 0
    checked = json.loads(capsys.readouterr().out)
    # the 57 input workbooks, then the 20 follow-up workbooks of 督办反馈/ (issue 16)
    assert len(checked["files"]) == 57 + 14 and checked["files"][0]["path"].startswith(rel)
    assert {s["code"] for s in checked["skipped"]} == {"not_workbook"}  # README.md, named as skipped
    assert cli.main(["ingest", rel, "--out", "副本"]) == 0
    assert (elsewhere / "副本" / "manifest.json").is_file()
    capsys.readouterr()
    assert cli.main(["scenario", "--data", rel, "--draws", "0", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["scenarios"]
    assert cli.main(["quarterly", "2023Q3", "--data", rel, "--out", "季度"]) == 0
    summary = json.loads((elsewhere / "季度" / "summary.json").read_text(encoding="utf-8"))
    assert summary["run"]["data_dir"] == str(elsewhere / rel)
    assert cli.main(["reserve", "--data", rel, "--out", "储备"]) == 0
    assert (elsewhere / "储备" / "summary.json").is_file()


def test_a_relative_path_not_there_is_refused_by_every_command(elsewhere, monkeypatch, capsys):
    monkeypatch.chdir(elsewhere)
    rel = "data/sample/2023"  # exists in the repository, not here: no silent fallback to the sample
    assert cli.main(["check", rel]) == 2
    assert cli.main(["ingest", rel]) == 1
    assert cli.main(["scenario", "--data", rel, "--draws", "0"]) == 1
    assert cli.main(["quarterly", "2023Q3", "--data", rel]) == 1
    assert cli.main(["reserve", "--data", rel]) == 1
    out = capsys.readouterr()
    lines = (out.out + out.err).splitlines()
    assert sum("数据目录不存在" in ln and ln.endswith("[data_dir_missing]") for ln in lines) == 4
    assert "path_not_found" in out.err
