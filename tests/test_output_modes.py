"""One file mode for every output (issue 17: letters were written 0600, through a temporary file,
while the other outputs were 0644): the mode a plain new file gets under the current umask, for
files written directly, atomically (Excel, letters, summary, saved scenarios) and for folders."""

from __future__ import annotations

import os
from datetime import date

import polars as pl
import pytest

from jygproj import letters, outputs
from jygproj.export import Sheet, write_workbook
from jygproj.scenario.files import Scenario, save_scenarios

FACTS = pl.DataFrame({"responsible_unit": ["市住建局"], "kind": ["missed_target"], "project_id": [None],
                      "list": ["government"], "fact": ["政府投资项目三季度计划完成投资3,000.0万元。"]})


@pytest.fixture(params=[0o022, 0o027, 0o002])
def umask(request):
    old = os.umask(request.param)
    yield request.param
    os.umask(old)


def test_every_kind_of_output_gets_the_mode_of_a_plain_file(umask, tmp_path):
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    made = [
        plain,
        outputs.write_atomic(tmp_path / "summary.json", "{}"),
        write_workbook(tmp_path / "报告.xlsx", [Sheet("表", "标题", pl.DataFrame({"a": [1]}))]),
        *letters.write_letters(FACTS, tmp_path / "letters", as_of=date(2023, 9, 30), issued_on=date(2023, 10, 12),
                               deadline=date(2023, 10, 31), plan_name="《方案》（文号）"),
        save_scenarios(tmp_path / "scenario_x.yaml", [Scenario("x")]),
    ]
    assert {p.name: oct(p.stat().st_mode & 0o777) for p in made} == {p.name: oct(0o666 & ~umask) for p in made}
    assert outputs.file_mode() == 0o666 & ~umask
    staging = outputs.staging_dir(tmp_path / "report")
    assert staging.stat().st_mode & 0o777 == 0o777 & ~umask == outputs.dir_mode()
    assert sorted(p.name for p in tmp_path.iterdir() if ".tmp-" in p.name) == []  # no temporary file left
