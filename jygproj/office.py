"""The commission that signs the outputs (data/reference/office.yaml): the issuer of the letters and
the 制表单位 of the statistics tables, the letters' 发文字号 and 联系人/电话. One home for these words;
what the file leaves empty is printed as a blank to fill in by hand (GB/T 9704 places the 发文字号
under the title and the 联系人/电话 under the body), never invented."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from jygproj import paths
from jygproj.reference import ReferenceDataError, check_keys, read_strict

OFFICE_FILE = "office.yaml"
KEYS = ("issuer", "doc_number_prefix", "contact", "phone")
BLANK = "　　"  # two full-width spaces: room to write by hand


@dataclass(frozen=True)
class Office:
    issuer: str  # 发文机关 / 制表单位
    doc_number_prefix: str = ""  # 机关代字, e.g. 嘉发改函
    contact: str = ""
    phone: str = ""

    def doc_number(self, year: int) -> str:
        """发文字号 嘉发改函〔2023〕　号: the number itself is given when the letter is issued."""
        return f"{self.doc_number_prefix or BLANK}〔{year}〕{BLANK}号"

    def contact_line(self) -> str:
        """联系人：张三　　电话：0937-0000000 (blanks where unset)."""
        return f"联系人：{self.contact or BLANK}{BLANK}电话：{self.phone or BLANK}"


@lru_cache(maxsize=4)
def load_office(path: Path | None = None) -> Office:
    path = Path(path) if path else paths.REFERENCE / OFFICE_FILE
    data, lines = read_strict(path)
    check_keys(data, file=path, lines=lines, key_path=(), required={"meta", *KEYS})
    values = {}
    for key in KEYS:
        check_keys(data[key], file=path, lines=lines, key_path=(key,), required={"value", "source"})
        value = data[key]["value"]
        if value is None:
            value = ""
        if not isinstance(value, (str, int)):
            raise ReferenceDataError(path, lines.get((key, "value")), f"{key}.value",
                                     f"应为文字，实际为 {value!r}", "bad_office_value")
        values[key] = str(value).strip()
    if not values["issuer"]:
        raise ReferenceDataError(path, lines.get(("issuer", "value")), "issuer.value",
                                 "发文机关（制表单位）不能为空", "missing_issuer")
    return Office(**values)
