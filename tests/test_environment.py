"""The environment is pinned once (requirements.lock) and everything else follows it."""

import importlib.util
import json
import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement

from jygproj import paths
from jygproj.cli import COMMANDS, build_parser, main

ROOT = paths.ROOT


def _not_locked_module():
    """scripts/not_locked.py: the lock's pins and what is installed beyond them (what setup.sh removes)."""
    spec = importlib.util.spec_from_file_location("not_locked", ROOT / "scripts" / "not_locked.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


NOT_LOCKED = _not_locked_module()
lock_pins = NOT_LOCKED.lock_pins


def declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = project["dependencies"] + project["optional-dependencies"]["dev"]
    return [Requirement(r) for r in reqs]


def test_every_declared_dependency_is_pinned_in_the_lock_within_its_range():
    pins = lock_pins()
    for req in declared():
        name = NOT_LOCKED.canonical(req.name)
        assert name in pins, f"{name} is declared in pyproject.toml but not pinned in requirements.lock"
        assert req.specifier.contains(pins[name]), f"{name}=={pins[name]} is outside {req.specifier}"


def test_environment_yml_is_a_thin_wrapper_over_the_lock():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    deps = env["dependencies"]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert f"python={project['requires-python'].removeprefix('>=')}" in deps
    pip = next(d["pip"] for d in deps if isinstance(d, dict))
    assert pip == ["-r requirements.lock", "-e ."]
    # no conda package may pin anything the lock pins (they would drift apart)
    conda_names = {re.split(r"[=<>]", d)[0] for d in deps if isinstance(d, str)}
    assert conda_names == {"python", "pip"}


def test_installed_packages_match_the_lock():
    if not sys.prefix.endswith(".venv"):
        pytest.skip("not running in the project's .venv")
    drift = []
    for name, version in lock_pins().items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            drift.append(f"{name} missing")
            continue
        if installed != version:
            drift.append(f"{name} {installed} != {version}")
    assert not drift, drift


def test_nothing_is_installed_that_the_lock_does_not_pin():
    """The other direction: a package a dependency asks for but the lock leaves out (the Makefile's
    KEPT_OUT, e.g. rfc3987-syntax) must not be installed; scripts/setup.sh removes any."""
    if not sys.prefix.endswith(".venv"):
        pytest.skip("not running in the project's .venv")
    assert NOT_LOCKED.not_locked() == []


def test_kept_out_packages_are_left_out_of_the_lock():
    makefile = (ROOT / "Makefile").read_text()
    kept_out = next(line for line in makefile.splitlines() if line.startswith("KEPT_OUT")).split(":=")[1].split()
    assert "rfc3987-syntax" in kept_out
    pins = lock_pins()
    assert not [p for p in kept_out if p in pins]
    assert "--no-deps -r requirements.lock" in (ROOT / "scripts" / "setup.sh").read_text()


def test_jsonschema_users_import_without_the_iri_grammar():
    """rfc3987-syntax builds a lark grammar when jsonschema is imported (~1 s per process): the
    tools every run imports load without it, and jsonschema still checks the formats they use."""
    code = (
        "import sys, papermill, altair, nbconvert, voila.app, jupyter_events, jsonschema\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('lark', 'rfc3987_syntax')))\n"
        "checker = jsonschema.FormatChecker()\n"
        "print(checker.conforms('2023-10-31', 'date'), checker.conforms('not a date', 'date'),"
        " checker.conforms('http://127.0.0.1/', 'uri'), checker.conforms('no scheme', 'uri'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == "[]"
    assert out[1] == "True False True False"  # dates and URIs still checked


def test_named_kernel_runs_the_project_venv():
    spec = Path(sys.prefix) / "share" / "jupyter" / "kernels" / paths.KERNEL_NAME / "kernel.json"
    if not sys.prefix.endswith(".venv"):
        pytest.skip("not running in the project's .venv")
    kernel = json.loads(spec.read_text())
    assert Path(kernel["argv"][0]).resolve().parent == Path(sys.executable).resolve().parent


@pytest.mark.parametrize("command", [c for c in COMMANDS if c in build_parser()._subparsers._group_actions[0].choices])
def test_every_subcommand_has_help(command, capsys):
    with pytest.raises(SystemExit) as done:
        main([command, "--help"])
    assert done.value.code == 0
    assert command in capsys.readouterr().out


def test_no_subcommand_prints_help_and_exits_2(capsys):
    assert main([]) == 2
    assert "jygproj" in capsys.readouterr().out
