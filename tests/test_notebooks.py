"""The notebook contract (design page): thin notebooks, a literal-only typed parameters cell, no
def/class, committed without outputs; the analyst's explore notebook runs headless."""

import ast
import json

import pytest

from jygproj import paths, runs

NOTEBOOKS = sorted(paths.NOTEBOOKS.glob("*.ipynb"))


def code_cells(nb_path):
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def test_the_four_notebooks_are_there():
    assert [p.name for p in NOTEBOOKS] == [
        "00_explore.ipynb", "10_quarterly_review.ipynb", "20_reserve_pipeline.ipynb", "30_scenario_planner.ipynb",
    ]


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_follows_the_contract(nb_path):
    cells = code_cells(nb_path)
    assert all(not c.get("outputs") and not c.get("execution_count") for c in cells), "committed with outputs"
    tagged = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged parameters"
    for stmt in ast.parse(source(tagged[0])).body:
        # literal-only, each line type-annotated (papermill --help-notebook documents them)
        assert isinstance(stmt, ast.AnnAssign), ast.unparse(stmt)
        ast.literal_eval(stmt.value)
    for cell in cells:
        tree = ast.parse(source(cell))
        assert not [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.Lambda))], \
            "logic belongs in the package, not the notebook"
    kernel = json.loads(nb_path.read_text(encoding="utf-8"))["metadata"]["kernelspec"]["name"]
    assert kernel == paths.KERNEL_NAME


@pytest.mark.parametrize("nb_path", [*NOTEBOOKS, paths.ROOT / "benchmarks" / "trivial.ipynb"], ids=lambda p: p.name)
def test_notebook_is_valid_nbformat_with_cell_ids(nb_path):
    """nbformat 4.5 gives every cell an id; a cell without one is warned about on every run
    (MissingIDFieldWarning, "will become a hard error in future nbformat versions")."""
    import nbformat

    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    ids = [c.get("id") for c in nb["cells"]]
    assert None not in ids and len(set(ids)) == len(ids), "every cell has an id of its own"
    nbformat.validate(nbformat.reads(nb_path.read_text(encoding="utf-8"), as_version=4))


@pytest.mark.slow
def test_explore_notebook_runs_headless_on_the_sample(tmp_path):
    result = runs.run_notebook(paths.NOTEBOOKS / "00_explore.ipynb", tmp_path / "explore",
                               {"data_dir": str(paths.SAMPLE_2023)})
    html = result.html.read_text(encoding="utf-8")
    assert "各工作表读取情况" in html and "项目共 193 个" in html
    assert runs.remote_references(html) == []
