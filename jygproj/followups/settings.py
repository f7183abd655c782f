"""The follow-up ledger's settings (data/reference/followups.yaml): the reply period of a letter and
the warning levels that open and close an item. The plan (三(三)) sets none of them; each says in the
file which practice it follows. Loaded strictly (jygproj.reference): unknown or duplicate keys, a
level that is not a warning level, a period that is not a whole number of days are refused, naming
file, line and key."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jygproj import paths, schema
from jygproj.reference import ReferenceDataError, check_keys, read_strict

SETTINGS_FILE = "followups.yaml"


@dataclass(frozen=True)
class Settings:
    reply_days: int  # days after a letter is issued (the review's evaluation date) to reply in writing
    raise_level: str  # a project's worst warning at or above this level opens an item (red)
    close_level: str  # an open item's project at or below this level (or without warning) is closed
    clause: str  # the plan's clause the ledger serves (三(三))

    def opens(self, level: str | None) -> bool:
        return level is not None and _rank(level) >= _rank(self.raise_level)

    def keeps_open(self, level: str | None) -> bool:
        """A project's level that keeps its item open (above the closing level)."""
        return level is not None and _rank(level) > _rank(self.close_level)


def _rank(level: str) -> int:
    return list(schema.ALERT_LEVELS).index(level)


def load_settings(path: Path | None = None) -> Settings:
    path = Path(path) if path else paths.REFERENCE / SETTINGS_FILE
    data, lines = read_strict(path)
    check_keys(data, file=path, lines=lines, key_path=(), required={"meta", "reply_days", "raise_level", "close_level"})
    check_keys(data["meta"], file=path, lines=lines, key_path=("meta",), required={"title", "clause", "description"})
    values = {}
    for key in ("reply_days", "raise_level", "close_level"):
        check_keys(data[key], file=path, lines=lines, key_path=(key,), required={"value", "source"})
        values[key] = data[key]["value"]
    days = values["reply_days"]
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise ReferenceDataError(path, lines.get(("reply_days", "value")), "reply_days.value",
                                 f"应为正整数（天），实际为 {days!r}", "bad_reply_days")
    for key in ("raise_level", "close_level"):
        if values[key] not in schema.ALERT_LEVELS:
            raise ReferenceDataError(path, lines.get((key, "value")), f"{key}.value",
                                     f"应为预警等级 {'/'.join(schema.ALERT_LEVELS)} 之一，实际为 {values[key]!r}",
                                     "bad_level")
    if _rank(values["close_level"]) >= _rank(values["raise_level"]):
        raise ReferenceDataError(path, lines.get(("close_level", "value")), "close_level.value",
                                 f"销号等级应低于立项等级 {values['raise_level']}，实际为 {values['close_level']!r}",
                                 "close_not_below_raise")
    return Settings(days, values["raise_level"], values["close_level"], str(data["meta"]["clause"]))
