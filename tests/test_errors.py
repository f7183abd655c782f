from jygproj.charts import ChartError
from jygproj.errors import JygprojError
from jygproj.export import ExportError
from jygproj.ingest import IngestError
from jygproj.reserve.pipeline import ReserveRunError
from jygproj.projection import ProjectionError
from jygproj.quarterly import ReviewError
from jygproj.runs import InputChangedError, RunError


def test_errors_carry_a_chinese_message_with_the_english_code_beside_it():
    err = IngestError("数据目录不存在：data/raw/2024", "data_dir_missing")
    assert str(err) == "数据目录不存在：data/raw/2024 [data_dir_missing]" and err.code == "data_dir_missing"
    assert str(ExportError("无法写入")) == "无法写入 [export_failed]"


def test_one_base_catches_them_all_and_builtin_bases_still_hold():
    from jygproj.catalogue import CatalogueError
    from jygproj.errors import UsageError
    from jygproj.growth import GrowthError
    from jygproj.reference import ReferenceDataError
    from jygproj.scenario.files import ScenarioError
    from jygproj.scenario.levers import LeverError

    for cls in (ChartError, ExportError, IngestError, ProjectionError, ReserveRunError, ReviewError, RunError,
                InputChangedError, ReferenceDataError, LeverError, UsageError, CatalogueError, GrowthError,
                ScenarioError):
        assert issubclass(cls, JygprojError), cls
    assert issubclass(ReferenceDataError, ValueError) and issubclass(LeverError, ValueError)
    assert issubclass(IngestError, ValueError) and issubclass(RunError, RuntimeError)


def test_reference_and_lever_errors_have_the_one_shape():
    from jygproj.reference import ReferenceDataError
    from jygproj.scenario.levers import LeverError

    err = ReferenceDataError("data/reference/x.yaml", 3, "targets.a", "重复的键", "duplicate_key")
    assert str(err) == "data/reference/x.yaml:3: 键 'targets.a': 重复的键 [duplicate_key]" and err.code == "duplicate_key"
    lever = LeverError("pace_by_list", 9, "0.5–1.5 倍", "lever_out_of_range")
    assert str(lever).endswith("应为 0.5–1.5 倍 [lever_out_of_range]") and lever.code == "lever_out_of_range"
