"""What-if scenario planner (issue 6): levers, deterministic outcome, Monte Carlo, scenario files.

Modules: :mod:`.levers` (lever specs and values), :mod:`.engine` (readings, margins, tornado),
:mod:`.montecarlo` (probabilities and bands), :mod:`.files` (scenario YAML, stacking, summaries),
:mod:`.ui` (ipywidgets planner). The projection itself is :mod:`jygproj.projection`.

Names are imported lazily so that ``jygproj.projection`` (which uses :mod:`.levers`) and this
package can import each other in any order.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "Levers": "levers", "LeverSpecs": "levers", "load_lever_specs": "levers", "apply_changes": "levers",
    "diff_table": "levers", "parse_set": "levers", "LeverError": "levers",
    "evaluate": "engine", "tornado": "engine", "Outcome": "engine",
    "simulate": "montecarlo", "MonteCarlo": "montecarlo",
    "Scenario": "files", "load_scenarios": "files", "save_scenarios": "files",
    "scenario_levers": "files", "compare": "files", "Planner": "files",
}


def __getattr__(name: str):
    if name in _EXPORTS:
        module = importlib.import_module(f"jygproj.scenario.{_EXPORTS[name]}")
        return getattr(module, name)
    raise AttributeError(f"module 'jygproj.scenario' has no attribute {name!r}")


__all__ = sorted(_EXPORTS)
