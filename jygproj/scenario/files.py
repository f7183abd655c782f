"""Scenarios as files, stacking, side-by-side comparison, and the :class:`Planner` facade.

A scenario is a diff against the baseline levers (or against another scenario it is stacked on),
stored in YAML so a leader's scenario can be shared and rerun::

    scenarios:
      - name: 省列重大项目加快
        description: 省列重大项目进度提高两成
        levers:
          pace_by_list: {provincial_major: 1.2}
      - name: 再叠加储备项目
        stack_on: 省列重大项目加快
        levers:
          reserve_pull: {R-001: {start_month: 11, first_year_wan: 8000}}

A single scenario may also be written at the top level (name, description, stack_on, levers).
Scenarios never touch the data: they only produce :class:`Levers` for the engine.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from jygproj import outputs, schema
from jygproj.schema import READING_NAMES
from jygproj.errors import JygprojError
from jygproj.evaluation import evaluation
from jygproj.plan import Plan, load_plan
from jygproj.projection import Model
from jygproj.reference import ReferenceDataError, check_keys, read_strict
from jygproj.scenario import engine, montecarlo
from jygproj.scenario.levers import (Levers, LeverSpecs, apply_changes, changes_between,
                                     defaults_from_specs, diff_table)

BASELINE_NAME = "基准"


class ScenarioError(JygprojError, ValueError):
    """A scenario or its data cannot be run (Chinese message, English code)."""
_SCENARIO_KEYS = {"name"}
_SCENARIO_OPTIONAL = {"description", "stack_on", "levers"}


@dataclass
class Scenario:
    name: str
    levers: dict[str, Any] = field(default_factory=dict)  # nested diff (see levers.apply_changes)
    description: str = ""
    stack_on: str | None = None  # name of the scenario this one builds on (None: the baseline)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name}
        if self.description:
            out["description"] = self.description
        if self.stack_on:
            out["stack_on"] = self.stack_on
        out["levers"] = self.levers
        return out


def load_scenarios(path: Path | str) -> list[Scenario]:
    """Read a scenario file strictly (unknown keys refused, naming file, line and key)."""
    path = Path(path)
    data, lines = read_strict(path)
    if isinstance(data, dict) and "scenarios" in data:
        check_keys(data, file=path, lines=lines, key_path=(), required={"scenarios"})
        entries = [(("scenarios", str(i)), e) for i, e in enumerate(data["scenarios"] or [])]
    else:
        entries = [((), data)]
    out = []
    for kp, entry in entries:
        check_keys(entry, file=path, lines=lines, key_path=kp, required=_SCENARIO_KEYS,
                   optional=_SCENARIO_OPTIONAL)
        out.append(Scenario(str(entry["name"]), entry.get("levers") or {}, entry.get("description") or "",
                            entry.get("stack_on")))
    names = [s.name for s in out]
    for s in out:
        _headline_said(path, s)
        if names.count(s.name) > 1:
            raise ReferenceDataError(path, None, s.name, "情景名称重复", "duplicate_scenario")
        if s.stack_on and s.stack_on not in names:
            raise ReferenceDataError(path, None, f"{s.name}.stack_on",
                                     f"叠加的情景 {s.stack_on!r} 不在本文件中（已有：{'、'.join(names)}）",
                                     "unknown_stack_on")
    return out


def _headline_said(path: Path, s: Scenario) -> None:
    """A scenario that leads with the other reading of the goal must say so in its description (its
    summary): a file never switches the headline silently (issue 15)."""
    value = next((v for k, v in s.levers.items() if k in ("headline", "提前完成增长目标的主口径")), None)
    if value is None:
        return
    reading = READING_NAMES.get(schema.code_of(value, READING_NAMES) or str(value), str(value))
    if reading not in s.description:
        raise ReferenceDataError(path, None, f"{s.name}.levers.headline",
                                 f"情景改用{reading}为主口径，但说明（description）中没有写明“{reading}”；"
                                 "请在说明中写明改用的口径", "headline_not_described")


def _described(s: Scenario) -> Scenario:
    """A saved scenario that changes the headline reading says so in its description (loads back)."""
    value = s.levers.get("headline")
    reading = READING_NAMES.get(str(value)) if value is not None else None
    if reading is None or reading in s.description:
        return s
    return Scenario(s.name, s.levers, (s.description + "；" if s.description else "") + f"改以{reading}为主口径",
                    s.stack_on)


def save_scenarios(path: Path | str, scenarios: list[Scenario]) -> Path:
    """Write scenarios to YAML (Chinese kept readable); they load back equal. Written atomically
    (jygproj.outputs.write_atomic): a link at ``path`` is replaced, never followed."""
    scenarios = [_described(s) for s in scenarios]
    text = yaml.safe_dump({"scenarios": [s.as_dict() for s in scenarios]}, allow_unicode=True,
                          sort_keys=False)
    return outputs.write_atomic(path, text)


def scenario_from_levers(name: str, levers: Levers, base: Levers | None = None,
                         description: str = "") -> Scenario:
    """The scenario (a diff) that turns ``base`` (default: baseline) into ``levers``."""
    return Scenario(name, changes_between(base or Levers(), levers), description)


def scenario_levers(scenarios: list[Scenario], name: str, specs: LeverSpecs,
                    base: Levers | None = None, _seen: tuple[str, ...] = ()) -> Levers:
    """The full levers of scenario ``name``, stacking it on the scenario it names (recursively)."""
    by_name = {s.name: s for s in scenarios}
    s = by_name[name]
    if name in _seen:
        raise ScenarioError(f"情景叠加形成循环：{' → '.join(_seen + (name,))}", "stack_cycle")
    under = (scenario_levers(scenarios, s.stack_on, specs, base, _seen + (name,)) if s.stack_on
             else (base or defaults_from_specs(specs)))
    return apply_changes(under, s.levers, specs, where=f"情景 {name}")


@dataclass
class Result:
    """Everything the planner shows for one scenario."""

    name: str
    levers: Levers
    outcome: engine.Outcome
    diff: pl.DataFrame
    mc: montecarlo.MonteCarlo | None = None
    tornado: pl.DataFrame | None = None

    def headline(self) -> dict[str, Any]:
        h = self.outcome.headline
        out = {"scenario": self.name, **self.outcome.as_json()}
        out["headline_reading"] = h.as_json()
        if self.mc is not None:
            out["monte_carlo"] = self.mc.as_json()
            out["headline_probability"] = round(self.mc.probability[self.levers.headline], 4)
        out["changes"] = self.diff.to_dicts()
        return out


@dataclass
class Planner:
    """The engine wired to one data set: build once, then evaluate levers in milliseconds."""

    model: Model
    specs: LeverSpecs
    plan: Plan | None = None  # the plan whose goal is judged (default: the plan of the model's year)
    draws: int | None = None  # Monte Carlo draws and seed; default the forecast's (forecast_model.yaml),
    seed: int | None = None  # so the baseline's probabilities are the quarterly report's

    def __post_init__(self):
        # the plan file is read (and refused when broken) here, never replaced by a default goal
        self.plan = self.plan or self.model.plan or load_plan(self.model.year)
        self.draws = self.draws or self.model.result.settings.draws
        self.seed = self.model.result.settings.seed if self.seed is None else self.seed

    @property
    def goal(self):
        return self.plan.goal

    @property
    def words(self):
        return self.plan.words

    @property
    def baseline(self) -> Levers:
        return defaults_from_specs(self.specs)

    def run(self, levers: Levers, name: str = BASELINE_NAME, *, monte_carlo: bool = True,
            with_tornado: bool = True, base: Levers | None = None, draws: int | None = None) -> Result:
        outcome = engine.evaluate(self.model, levers, self.plan)
        diff = diff_table(base or self.baseline, levers, self.specs, self.model.names_by_id(),
                          self.words.reading_short)
        mc = (montecarlo.simulate(self.model, levers, draws=draws or self.draws, seed=self.seed, goal=self.goal)
              if monte_carlo else None)
        torn = engine.tornado(self.model, levers, self.specs, self.plan) if with_tornado else None
        return Result(name, levers, outcome, diff, mc, torn)

    def run_file(self, scenarios: list[Scenario], **kw) -> list[Result]:
        """Every scenario of a file, each against the baseline (stacked ones include their base)."""
        return [self.run(scenario_levers(scenarios, s.name, self.specs), s.name, **kw) for s in scenarios]


def compare(results: list[Result]) -> pl.DataFrame:
    """Scenarios side by side: one row per figure (Chinese), one column per scenario."""
    rows: list[tuple[str, list[Any]]] = []

    def add(label: str, values: list[Any]) -> None:
        rows.append((label, values))

    month = f"{results[0].outcome.goal.target_month}月" if results else ""
    for key in ("rate", "level"):
        label = READING_NAMES[key]
        rs = [r.outcome.readings[key] for r in results]
        # one sign convention in words, as the headline prints it: 差 1.57 short, 超出 0.79 over
        add(f"{label}：{month}末差额或超出（亿元）",
            [f"{'超出' if x.margin_wan >= 0 else '差'} {schema.wan_to_yi(abs(x.margin_wan)):.2f}" for x in rs])
        add(f"{label}：达到月份", [f"{x.met_month}月" if x.met_month else "年内未达到" for x in rs])
        add(f"{label}：剩余每月需追加（亿元）", [f"{schema.wan_to_yi(x.extra_per_month_wan):.2f}" for x in rs])
        if all(r.mc is not None for r in results):
            add(f"{label}：{month}末达到的概率", [f"{r.mc.probability[key]:.0%}" for r in results])
    add(f"{month}累计增速（%）", [round(float(r.outcome.path.growth_pct[r.outcome.goal.target_month - 1]), 2)
                            for r in results])
    add("全年累计投资（亿元）", [round(schema.wan_to_yi(float(r.outcome.path.total_wan[11])), 2) for r in results])
    add("调整的杠杆数", [r.diff.height for r in results])
    data = {"指标": [label for label, _ in rows]}
    for i, r in enumerate(results):
        data[r.name] = [str(values[i]) for _, values in rows]
    return pl.DataFrame(data)


def write_summary(out_dir: Path | str, results: list[Result]) -> Path:
    """Archive a scenario run: scenario_summary.json (headline figures, changes, bands) and one CSV per
    table. Returns the JSON path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    doc = {"scenarios": [r.headline() for r in results]}
    path = out / "scenario_summary.json"
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    compare(results).write_csv(out / "scenario_compare.csv")
    for i, r in enumerate(results, 1):
        r.outcome.frame().write_csv(out / f"scenario_{i}_path.csv")
        if r.tornado is not None:
            r.tornado.write_csv(out / f"scenario_{i}_tornado.csv")
    return path


# --- wiring: data directory + reference files → Planner (the only place that reads files) ---------


def default_as_of(baseline: pl.DataFrame) -> str:
    """The latest month with a published current-year figure, as "YYYY-MM"."""
    known = baseline.filter(pl.col("current_cum_wan").is_not_null() | pl.col("growth_pct").is_not_null())
    if known.is_empty():
        raise ScenarioError("基数表没有本年已公布的累计数或增速，无法确定推演基准月", "no_current_figures")
    row = known.sort(["year", "month"]).row(-1, named=True)
    return f"{row['year']}-{row['month']:02d}"


def planner_from_dataset(dataset, *, as_of: str | None = None, draws: int | None = None, seed: int | None = None,
                         specs: LeverSpecs | None = None, profile: dict[int, float] | None = None,
                         plan: Plan | None = None, result=None) -> Planner:
    """A Planner over a loaded Dataset; reference data read from data/reference/ unless given. The
    plan of the as-of year must load: a broken plan file stops the planner (ReferenceDataError).
    ``result``: the forecast when it was made already (the quarterly review's, jygproj.workbench)."""
    from jygproj import projection
    from jygproj.reference import load_seasonal_profile
    from jygproj.scenario.levers import load_lever_specs

    specs = specs or load_lever_specs()
    profile = profile or load_seasonal_profile()
    as_of = as_of or default_as_of(dataset.baseline)
    plan = plan or load_plan(evaluation(as_of).year)
    model = projection.build_model(
        dataset.projects, dataset.memberships, dataset.progress, dataset.baseline, as_of=as_of,
        profile=profile, reserve=getattr(dataset, "reserve", None), plan=plan, result=result)
    return Planner(model, specs, plan, draws, seed)


def load_planner(data_dir: Path | str | None = None, **kw) -> tuple[Planner, Any]:
    """Load the workbooks under ``data_dir`` (default: the embedded sample) and build a Planner.
    Returns (planner, dataset) so callers can report the loaders' problems."""
    from jygproj import paths
    from jygproj.io import load_dataset

    as_of = kw.get("as_of")
    year = int(as_of[:4]) if as_of else paths.SAMPLE_YEAR
    dataset = load_dataset(paths.data_folder(data_dir, year))
    return planner_from_dataset(dataset, **kw), dataset
