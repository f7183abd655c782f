"""What a command imports is what it uses (issue 18): one subcommand's module, not all nine, and
none of the report libraries for `jygproj check` (the import costs themselves are measured in
benchmarks/, not here)."""

from __future__ import annotations

import json
import subprocess
import sys

from jygproj import paths
from jygproj.cli import COMMANDS, build_parser, named_command

REGISTER = paths.SAMPLE_2023 / "2023年产业投资项目清单（样例数据）.xlsx"
#: Libraries of the reports, the kernel and the dashboard: `check` needs none of them.
REPORT_LIBRARIES = ("altair", "vl_convert", "openpyxl", "docx", "IPython", "nbformat", "nbconvert", "papermill",
                    "jsonschema", "voila", "ipywidgets", "pandas", "jygproj.quarterly", "jygproj.runs")


def _modules_after(argv: list[str]) -> tuple[int, set[str]]:
    code = ("import contextlib, io, json, sys\n"
            "from jygproj.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            f"    rc = main({argv!r})\n"
            "print(json.dumps([rc, sorted(sys.modules)]))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=paths.ROOT)
    rc, modules = json.loads(done.stdout.strip().splitlines()[-1])
    return rc, set(modules)


def test_check_of_one_register_imports_only_its_subcommand():
    rc, modules = _modules_after(["check", str(REGISTER)])
    assert rc == 0
    assert sorted(m for m in modules if m.startswith("jygproj.commands.")) == ["jygproj.commands.check"]
    assert not [m for m in REPORT_LIBRARIES if m in modules]


def test_the_parser_of_one_subcommand_and_of_all():
    one = build_parser("check")._subparsers._group_actions[0].choices
    assert list(one) == ["check"]
    every = build_parser()._subparsers._group_actions[0].choices
    assert list(every) == [c for c in COMMANDS if c in every] and len(every) >= 8
    # a misspelt word gets every choice, so argparse's message lists them all
    assert list(build_parser("chek")._subparsers._group_actions[0].choices) == list(every)


def test_the_subcommand_is_the_first_word_that_is_not_an_option():
    assert named_command(["check", "--json", "a.xlsx"]) == "check"
    assert named_command(["--help"]) is None
    assert named_command([]) is None
    assert named_command(["-h", "quarterly", "2023Q3"]) == "quarterly"


def test_top_level_help_still_lists_every_subcommand():
    done = subprocess.run([sys.executable, "-m", "jygproj", "--help"], capture_output=True, text=True, cwd=paths.ROOT)
    assert done.returncode == 0
    listed = done.stdout.split("COMMAND", 2)[-1].split()
    assert [c for c in build_parser()._subparsers._group_actions[0].choices if c not in listed] == []


def test_the_dashboard_command_does_not_import_voila_itself():
    """The server runs Voilà in its own process; the command only needs to know where it is."""
    code = ("import sys, tempfile, pathlib\n"
            "from jygproj.commands import dashboard\n"
            "dashboard.offline_template(pathlib.Path(tempfile.mkdtemp()))\n"
            "print('voila' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
