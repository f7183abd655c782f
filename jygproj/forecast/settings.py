"""Strict loader of data/reference/forecast_model.yaml: the forecast's defaults, with their sources.

Refuses unknown or missing keys and non-numbers, naming file, line and key (jygproj.reference). The
values map onto :class:`jygproj.forecast.model.Settings` (a test keeps the dataclass defaults equal
to the file) plus the Monte Carlo and registration-warning settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from jygproj import paths
from jygproj.forecast.model import DURATIONS, Settings
from jygproj.reference import ReferenceDataError, check_keys, read_strict

FORECAST_FILE = paths.REFERENCE / "forecast_model.yaml"

_MODEL = {"window_months", "project_window_months", "min_split_months", "rho_min", "rho_max", "min_cases", "first_month_factor", "new_pace"}
_UNCERTAINTY = {"draws", "seed", "default_model_sigma", "coverage", "rho_se_floor"}
_WARNING = {"yellow_after_months", "red_after_months"}


@dataclass(frozen=True)
class ForecastSettings:
    model: Settings
    draws: int
    seed: int
    default_model_sigma: float
    coverage: float
    rho_se_floor: float
    yellow_after_months: int
    red_after_months: int
    sources: dict[str, str] = field(default_factory=dict)  # "section.key" → source text


def _number(data, path: Path, lines, kp: tuple[str, ...]) -> float:
    value = data["value"]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ReferenceDataError(path, lines.get(kp + ("value",)), ".".join(kp), f"应为数字，实际为 {value!r}",
                                 "value_not_number")
    return float(value)


def load_forecast_settings(path: Path | None = None) -> ForecastSettings:
    path = Path(path) if path else FORECAST_FILE
    data, lines = read_strict(path)
    check_keys(data, file=path, lines=lines, key_path=(),
               required={"meta", "model", "start_hazards", "registration_hazards", "uncertainty",
                         "registration_warning"})
    check_keys(data["meta"], file=path, lines=lines, key_path=("meta",), required={"title", "note"})
    values: dict[str, float] = {}
    sources: dict[str, str] = {}
    for section, names in (("model", _MODEL), ("uncertainty", _UNCERTAINTY), ("registration_warning", _WARNING)):
        check_keys(data[section], file=path, lines=lines, key_path=(section,), required=names)
        for name, entry in data[section].items():
            kp = (section, name)
            check_keys(entry, file=path, lines=lines, key_path=kp, required={"value", "unit", "source"})
            values[name] = _number(entry, path, lines, kp)
            sources[f"{section}.{name}"] = entry["source"]
    hazards = {}
    for section in ("start_hazards", "registration_hazards"):
        check_keys(data[section], file=path, lines=lines, key_path=(section,), required={"source", "values"})
        vals = data[section]["values"]
        ok = (isinstance(vals, list) and len(vals) == DURATIONS
              and all(isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1 for v in vals))
        if not ok:
            raise ReferenceDataError(path, lines.get((section, "values")), f"{section}.values",
                                     f"应为 {DURATIONS} 个 0–1 之间的数（开工/入库后第0…{DURATIONS - 1}个月及以后），实际为 {vals!r}",
                                     "bad_hazards")
        hazards[section] = tuple(float(v) for v in vals)
        sources[section] = data[section]["source"]
    model = Settings(
        window_months=int(values["window_months"]), project_window_months=int(values["project_window_months"]),
        min_split_months=int(values["min_split_months"]),
        rho_bounds=(values["rho_min"], values["rho_max"]), min_cases=int(values["min_cases"]),
        start_hazards=hazards["start_hazards"], first_month_factor=values["first_month_factor"],
        new_pace=values["new_pace"], registration_hazards=hazards["registration_hazards"])
    return ForecastSettings(model, int(values["draws"]), int(values["seed"]), values["default_model_sigma"],
                            values["coverage"], values["rho_se_floor"], int(values["yellow_after_months"]),
                            int(values["red_after_months"]), sources)
