"""Project identity: the national code where known, else a normalised name (domain page: "no project
code on many city lists (the name is then the key); the same project spelled slightly differently
across lists and months")."""

from __future__ import annotations

import re
import unicodedata

#: National investment project code, e.g. 2301-620200-04-01-123456 (year+month, area, type, …).
CODE_PATTERN = re.compile(r"^\d{4}-\d{6}-\d{2}-\d{2}-\d{6}$")

_BRACKETS = str.maketrans({"【": "(", "】": ")", "〔": "(", "〕": ")", "[": "(", "]": ")", "{": "(", "}": ")",
                           "<": "(", ">": ")", "《": "", "》": "", "〈": "(", "〉": ")"})
# Punctuation variants that offices type differently for the same name.
_DROP = re.compile(r"[\s\u3000·•・、,，.。:：;；\"'“”‘’`~\-—–―_/\\|!！?？]+")
_COMPANY = (("有限责任公司", "有限公司"), ("股份有限公司", "股份公司"))


def normalise_name(name: str) -> str:
    """A matching key for a project name: full-width → half-width, brackets unified to (), spaces and
    punctuation variants dropped, 有限责任公司 → 有限公司, Latin letters lower-case.

    >>> normalise_name("嘉峪关市 ＸＸ 项目（一期）") == normalise_name("嘉峪关市XX项目(一期)")
    True
    """
    if not name:
        return ""
    s = unicodedata.normalize("NFKC", name).translate(_BRACKETS)
    s = _DROP.sub("", s).lower()
    for long, short in _COMPANY:
        s = s.replace(long, short)
    s = s.replace("()", "")
    return s


def clean_code(code: str | None) -> str | None:
    """A 项目代码 cell as a code string: half-width, no spaces; dashes typed as —/－ become '-'."""
    if code is None:
        return None
    s = unicodedata.normalize("NFKC", code).strip().replace(" ", "")
    s = s.replace("—", "-").replace("–", "-").replace("―", "-")
    if s in ("", "-", "/", "无", "暂无", "未赋码", "待赋码"):
        return None
    return s


def is_national_code(code: str | None) -> bool:
    return bool(code) and bool(CODE_PATTERN.match(code))


def approval_year(code: str | None) -> int | None:
    """The year a national code was issued: "2301-…" → 2023 (its first two digits)."""
    if not is_national_code(code):
        return None
    return 2000 + int(code[:2])


def project_id(code: str | None, name_key: str) -> str:
    """Stable project id: the code when known, otherwise "N:" + the normalised name."""
    return code if code else "N:" + name_key
