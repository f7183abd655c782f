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
    for cls in (ChartError, ExportError, IngestError, ProjectionError, ReserveRunError, ReviewError, RunError,
                InputChangedError):
        assert issubclass(cls, JygprojError)
    assert issubclass(IngestError, ValueError) and issubclass(RunError, RuntimeError)
