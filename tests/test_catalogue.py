"""One input catalogue: which files of a data folder are inputs (with sha256, keyed by path) and which
are skipped, and why — the same files loaded, hashed and listed in every command and report."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import openpyxl
import pytest

from jygproj import catalogue, paths


def _touch(path: Path, text: str = "x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_every_file_is_an_input_or_skipped_with_its_reason(tmp_path):
    for name in ("清单.xlsx", "调度.XLS", "wps表.et", "结尾空格.xlsx ", "~$清单.xlsx", ".隐藏.xlsx", "清单.xlsx.bak",
                 "打包.zip", "说明.md", "归档/清单.xlsx", ".git/config"):
        _touch(tmp_path / name)
    cat = catalogue.catalogue(tmp_path)
    assert [f.relative for f in cat.inputs] == ["wps表.et", "清单.xlsx", "结尾空格.xlsx ", "调度.XLS"]
    assert {s.relative: s.code for s in cat.skipped} == {
        "~$清单.xlsx": "lock_file", ".隐藏.xlsx": "hidden", ".git/config": "hidden", "清单.xlsx.bak": "backup",
        "打包.zip": "backup", "说明.md": "not_workbook", "归档/清单.xlsx": "in_subfolder"}
    assert all(s.reason for s in cat.skipped)  # each reason in Chinese
    # hashes keyed by path relative to the folder, the real sha256 of that file
    assert cat.hashes()["清单.xlsx"]["sha256"] == hashlib.sha256(b"x").hexdigest()


def test_an_archived_copy_never_lends_its_hash(tmp_path):
    _touch(tmp_path / "清单.xlsx", "loaded")
    _touch(tmp_path / "归档" / "清单.xlsx", "edited archive copy")
    cat = catalogue.catalogue(tmp_path)
    assert cat.sha256_of(tmp_path / "清单.xlsx") == hashlib.sha256(b"loaded").hexdigest()
    with pytest.raises(catalogue.CatalogueError, match="不是数据目录") as err:
        cat.sha256_of(tmp_path / "归档" / "清单.xlsx")  # not an input: refused, not guessed by name
    assert err.value.code == "not_an_input"


def test_missing_or_empty_folders_are_refused_clearly(tmp_path):
    with pytest.raises(catalogue.CatalogueError) as err:
        catalogue.catalogue(tmp_path / "nope")
    assert err.value.code == "data_dir_missing" and "数据目录不存在" in str(err.value)
    _touch(tmp_path / "说明.md")
    with pytest.raises(catalogue.CatalogueError) as err:
        catalogue.catalogue(tmp_path)
    assert err.value.code == "no_workbooks"


@pytest.mark.slow
def test_review_with_an_archived_edited_copy_lists_the_loaded_files_hash(tmp_path):
    """The archive case of issue 11: 57 workbooks loaded and 57 hashed, each with its own sha256."""
    from jygproj import quarterly

    data = tmp_path / "2023"
    shutil.copytree(paths.SAMPLE_2023, data)
    original = sorted(data.glob("2023年政府投资项目清单*.xlsx"))[0]
    (data / "归档").mkdir()
    wb = openpyxl.load_workbook(original)
    wb.worksheets[0]["A1"] = "修改过的归档副本"
    wb.save(data / "归档" / original.name)
    inputs = quarterly.load_inputs(data, 2023)
    loaded = {f for table in ("projects", "memberships", "progress", "baseline", "reserve")
              for f in getattr(inputs.dataset, table)["source_file"].to_list()}
    # the follow-up workbooks of 督办反馈/ are read by their own reader, not the scheduling loader
    workbooks = [f for f in inputs.files if f.suffix == ".xlsx" and catalogue.FOLLOWUP_FOLDER not in f.parts]
    assert len(workbooks) == len(loaded) == 57
    assert len(inputs.followups.files) == len(inputs.catalogue.followups) == 14
    prov = quarterly.provenance(inputs)
    row = prov.filter(prov["source_file"] == original.name).row(0, named=True)
    assert row["sha256"] == catalogue.sha256_file(original) != catalogue.sha256_file(data / "归档" / original.name)
    assert not prov["source_file"].str.contains("归档").any()


def test_links_are_named_not_followed(tmp_path):
    real = _touch(tmp_path / "别处" / "清单.xlsx")
    data = tmp_path / "数据"
    data.mkdir()
    _touch(data / "调度.xlsx")
    (data / "链接.xlsx").symlink_to(real)
    (data / "链接目录").symlink_to(real.parent, target_is_directory=True)
    cat = catalogue.catalogue(data)
    assert [f.relative for f in cat.inputs] == ["调度.xlsx"]
    assert {s.relative: s.code for s in cat.skipped} == {"链接.xlsx": "link", "链接目录": "link"}
    assert "符号链接" in cat.skipped[0].reason


def test_layout_file_is_named_and_hashed(tmp_path):
    _touch(tmp_path / "清单.xlsx")
    _touch(tmp_path / "版式.yaml", "版式: []\n")
    _touch(tmp_path / "归档" / "版式.yaml")  # only the folder's own layout file is read
    cat = catalogue.catalogue(tmp_path)
    assert {s.relative: s.code for s in cat.skipped} == {"版式.yaml": "layout_file", "归档/版式.yaml": "not_workbook"}
    rec = cat.layout_record()
    assert rec["path"] == "版式.yaml" and rec["sha256"] == hashlib.sha256("版式: []\n".encode()).hexdigest()


def test_a_changed_layout_file_rebuilds_the_parquet_copy(tmp_path):
    from jygproj.ingest import ingest
    from test_io_builders import build_register

    data = tmp_path / "2023"
    data.mkdir()
    build_register(data)
    out = tmp_path / "副本"
    assert ingest(data, out).rebuilt
    assert not ingest(data, out).rebuilt
    (data / "版式.yaml").write_text("版式: []\n", encoding="utf-8")
    again = ingest(data, out)
    assert again.rebuilt and "版式文件已变" in again.reason
    assert again.manifest["layout"]["path"] == "版式.yaml"
    assert not ingest(data, out).rebuilt
    (data / "版式.yaml").unlink()
    assert "版式文件已删除" in ingest(data, out).reason
