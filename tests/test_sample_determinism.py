"""Same seed → same bytes, and the committed data/sample/2023 is exactly what the generator writes."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from jygproj import paths
from jygproj.sample import generate
from jygproj.sample.xlsx import FIXED_TIME


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample_a")
    generate(out, seed=2023, as_of="2023-10")
    return out


def _files(d: Path) -> dict[str, bytes]:
    """Every file below ``d`` (the follow-up replies sit in 督办反馈/), by its path in the folder."""
    return {p.relative_to(d).as_posix(): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


def test_generating_twice_gives_identical_bytes(generated, tmp_path):
    generate(tmp_path, seed=2023, as_of="2023-10")
    a, b = _files(generated), _files(tmp_path)
    assert a.keys() == b.keys()
    assert [n for n in a if a[n] != b[n]] == []


def test_zip_entries_and_core_properties_carry_the_fixed_time(generated):
    path = next(generated.glob("*.xlsx"))
    with zipfile.ZipFile(path) as z:
        assert {i.date_time for i in z.infolist()} == {FIXED_TIME.timetuple()[:6]}
        core = z.read("docProps/core.xml").decode()
    assert "2023-11-06T09:00:00Z" in core


def test_committed_sample_matches_the_generator(generated):
    committed = paths.SAMPLE_2023
    a, b = _files(generated), _files(committed)
    assert sorted(a) == sorted(b), "data/sample/2023 is out of date: run `jygproj sample data/sample/2023`"
    for name in a:
        if a[name] == b[name]:
            continue
        # same contents with different compression would mean another zlib, not other data
        if name.endswith(".xlsx"):
            with zipfile.ZipFile(generated / name) as x, zipfile.ZipFile(committed / name) as y:
                same = all(x.read(n) == y.read(n) for n in x.namelist()) and x.namelist() == y.namelist()
            assert same, f"{name} differs from the generator's output"
        pytest.fail(f"{name} differs byte for byte from the generator's output")


def test_sample_is_small_and_labelled(generated):
    total = sum(p.stat().st_size for p in paths.SAMPLE_2023.rglob("*") if p.is_file())
    assert total < 3_000_000
    names = [p.name for p in generated.rglob("*.xlsx")]
    assert names and all("样例数据" in n for n in names)
    readme = (generated / "README.md").read_text(encoding="utf-8")
    assert "样例数据" in readme and "非官方数据" in readme and "sample data" in readme


def test_another_seed_or_as_of_changes_the_data(tmp_path):
    files = generate(tmp_path / "s9", seed=9, as_of="2023-06")
    names = {p.name for p in files}
    assert "2023年1-6月政府投资项目调度表（样例数据）.xlsx" in names
    assert not any("1-7月" in n for n in names)
    assert "2023年政府投资项目周调度表第26周（样例数据）.xlsx" in names  # 30 June 2023 is in ISO week 26
