"""The environment is pinned once (requirements.lock) and everything else follows it."""

import json
import re
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


def lock_pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        if m:
            pins[m[1].lower().replace("_", "-")] = m[2]
    return pins


def declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = project["dependencies"] + project["optional-dependencies"]["dev"]
    return [Requirement(r) for r in reqs]


def test_every_declared_dependency_is_pinned_in_the_lock_within_its_range():
    pins = lock_pins()
    for req in declared():
        name = req.name.lower().replace("_", "-")
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
