"""The planner's widgets (ipywidgets): controls wired to the engine, nothing else.

:func:`build_planner_ui` returns a :class:`PlannerUI` whose ``.widget`` the notebook displays. Every
control change recomputes the levers, the deterministic outcome (milliseconds) and, when the
probability toggle is on, the Monte Carlo run, and updates the headline block, the chart (SVG,
rendered offline), the diff table and the tornado in place. Labels are Chinese (schema/levers file).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

import ipywidgets as w
import polars as pl
import yaml

from jygproj import paths, schema
from jygproj.scenario.chart import scenario_svg
from jygproj.report import html as report_html
from jygproj.report.formats import yi
from jygproj.schema import REPORT_LABELS, TORNADO_LABELS
from jygproj.scenario.files import Planner, Result, Scenario, save_scenarios, scenario_from_levers
from jygproj.plan import Words
from jygproj.scenario.levers import PACE_LISTS, Levers, apply_changes

_LAYOUT = w.Layout(width="420px")
_STYLE = {"description_width": "200px"}


def table_html(frame: pl.DataFrame, labels: dict[str, str] | None = None) -> str:
    """A planner table (the one renderer, jygproj.report.html) in the dashboard's style."""
    return report_html.table_html(frame, labels or REPORT_LABELS, css_class="jyg-table",
                                  empty="（与基准情景相同，未调整任何杠杆）")


def headline_html(result: Result) -> str:
    """The headline block: probability, month reached, margin (亿元), for the chosen reading first."""
    parts = []
    words = Words(result.outcome.goal)
    keys = [result.levers.headline] + [k for k in ("level", "rate") if k != result.levers.headline]
    for i, key in enumerate(keys):
        r = result.outcome.readings[key]
        month = f"{r.met_month}月" if r.met_month else "年内未达到"
        early = "能" if r.met_early else "不能"
        margin = schema.wan_to_yi(r.margin_wan)
        prob = (f"<span class='jyg-prob' data-key='{key}'>{result.mc.probability[key]:.0%}</span>"
                if result.mc is not None else "<span class='jyg-prob'>（未计算）</span>")
        size = "1.25em" if i == 0 else "1em"
        extra = (f"；剩余每月需追加 {yi(r.extra_per_month_wan)}"
                 if r.extra_per_month_wan > 0 else "")
        parts.append(
            f"<div class='jyg-reading' data-key='{key}' style='font-size:{size};margin:4px 0'>"
            f"<b>{'【主口径】' if i == 0 else '【参考口径】'}{html.escape(r.label)}</b><br>"
            f"{words.month}前达到概率：{prob}　达到月份：<span class='jyg-month'>{month}</span>　"
            f"{words.early}：{early}　{words.month}末{'超出' if margin >= 0 else '差额'}："
            f"<span class='jyg-margin'>{abs(margin):.2f}</span> 亿元{extra}</div>")
    return "<div id='jyg-headline'>" + "".join(parts) + "</div>"


def forecast_note(planner: Planner) -> str:
    """The forecast the baseline scenario is (Markdown): its target-month growth with P10–P90, the
    backtest's one-month error, and what the data did not say."""
    r = planner.model.result
    w = planner.words
    t = planner.goal.target_month
    band = r.bands().row(t - 1, named=True)
    bt = r.backtest_summary()
    text = (f"基准情景即季度考核报告的投资预测：{w.span}累计增速 {band['growth_pct']:.1f}%"
            f"（80%的可能在 {band['p10_growth_pct']:.1f}% 至 {band['p90_growth_pct']:.1f}% 之间）")
    if bt.get("mae_pp_next_month") is not None:
        text += f"；回测中预测下月累计增速的平均绝对误差 {bt['mae_pp_next_month']:.2f} 个百分点"
    text += "。杠杆在预测的各部分（项目进度、开工概率、清单外投资）上按倍数调整。"
    if not planner.model.levers_apply:
        text += "已公布月份不足，预测按全市自身近期强度推算，清单项目类杠杆暂不起作用。"
    if not r.registration_known:
        text += "调度表和项目清单未提供是否入库信息，本年新开工项目的入库按一般入库时滞推算。"
    return text


@dataclass
class PlannerUI:
    planner: Planner
    base: Levers
    widget: w.Widget = None
    controls: dict[str, w.Widget] = field(default_factory=dict)
    headline: w.HTML = None
    chart: w.HTML = None
    diff: w.HTML = None
    tornado: w.HTML = None
    status: w.HTML = None
    result: Result | None = None
    save_dir: Path | None = None

    def levers(self) -> Levers:
        """The levers the controls show now."""
        c = self.controls
        changes = {
            "pace_by_list": {k: c[f"pace.{k}"].value for k in PACE_LISTS},
            "new_start_delay_months": c["new_start_delay_months"].value,
            "start_probability": c["start_probability"].value,
            "headline": c["headline"].value,
            "accelerate": {pid: c["accelerate_factor"].value for pid in c["accelerate"].value},
            "exclude": list(c["exclude"].value),
            "reserve_pull": {pid: {"start_month": c["reserve_month"].value,
                                   "first_year_wan": self._reserve_amount(pid)}
                             for pid in c["reserve"].value},
        }
        changes["other_change_pct"] = c["other_change_pct"].value
        levers = Levers()
        levers.accelerate, levers.exclude, levers.reserve_pull = {}, [], {}
        return apply_changes(levers, changes, self.planner.specs)

    def _reserve_amount(self, pid: str) -> float:
        m = self.planner.model
        return float(m.reserve_first_year_wan[m.reserve_index[pid]])

    def update(self, *_ignored) -> Result:
        """Recompute and redraw (called on every control change)."""
        levers = self.levers()
        mc = self.controls["monte_carlo"].value
        self.result = self.planner.run(levers, "当前情景", monte_carlo=mc, base=self.base)
        self.headline.value = headline_html(self.result)
        self.chart.value = scenario_svg(self.result.outcome, self.result.mc)
        self.diff.value = table_html(self.result.diff)
        self.tornado.value = table_html(self.result.tornado.select(
            "name", "list", "base_wan", "low_margin_yi", "high_margin_yi"),
            {**TORNADO_LABELS, **self.planner.words.column_labels})
        return self.result

    def save(self, *_ignored) -> Path | None:
        """Save the current scenario (a diff against the baseline) as YAML in ``save_dir``, and only
        there: the typed name never becomes a path (:func:`scenario_file`)."""
        name = self.controls["save_name"].value.strip() or "我的情景"
        if self.save_dir is None:
            self.status.value = "未指定保存目录"
            return None
        scenario: Scenario = scenario_from_levers(name, self.levers(), self.base)
        try:
            path = save_scenarios(scenario_file(self.save_dir, name), [scenario])
        except OSError as exc:
            why = str(exc) if exc.errno is None else "无法写入情景目录，请检查该目录的权限和剩余空间"
            self.status.value = f"保存失败：{html.escape(why)}"
            return None
        self.status.value = f"已保存：情景目录中的 {html.escape(path.name)}"
        return path


def scenario_file(folder: Path | str, name: str) -> Path:
    """The file a scenario named ``name`` is saved to: scenario_<name>.yaml directly inside
    ``folder``, the name made a safe file name (jygproj.paths.safe_name: no ``../``, absolute path,
    NUL, device name or over-long name gets out); a file there that holds another scenario (whose
    name cleaned to the same file name) is kept, and this one is numbered _2, _3…"""
    for n in range(1, 10_000):
        path = paths.inside(folder, f"scenario_{name}", f"_{n}.yaml" if n > 1 else ".yaml")
        if not path.exists() and not path.is_symlink():
            return path
        try:
            held = [s.get("name") for s in yaml.safe_load(path.read_text(encoding="utf-8"))["scenarios"]]
        except Exception:  # unreadable or not a scenario file: not ours to overwrite
            held = None
        if held == [name]:
            return path
    raise OSError(f"情景目录中以 scenario_{paths.safe_name(name)} 开头的文件过多")


def build_planner_ui(planner: Planner, levers: Levers | None = None, *, monte_carlo: bool = True,
                     save_dir: Path | str | None = None) -> PlannerUI:
    """Controls set to ``levers`` (default: the baseline), wired to the planner."""
    specs, model = planner.specs, planner.model
    lv = levers or planner.baseline
    ui = PlannerUI(planner, planner.baseline, save_dir=Path(save_dir) if save_dir else None)
    c = ui.controls
    pace = specs["pace_by_list"]
    for k in PACE_LISTS:
        c[f"pace.{k}"] = w.FloatSlider(value=lv.pace(k), min=pace.min, max=pace.max, step=pace.step,
                                       description=f"{schema.LISTS[k]}进度倍数", readout_format=".2f",
                                       continuous_update=False, layout=_LAYOUT, style=_STYLE)
    s = specs["new_start_delay_months"]
    c["new_start_delay_months"] = w.IntSlider(value=lv.new_start_delay_months, min=s.min, max=s.max, step=1,
                                              description=s.label, continuous_update=False,
                                              layout=_LAYOUT, style=_STYLE)
    s = specs["start_probability"]
    c["start_probability"] = w.FloatSlider(value=lv.start_probability, min=s.min, max=s.max, step=s.step,
                                           description=s.label, readout_format=".2f",
                                           continuous_update=False, layout=_LAYOUT, style=_STYLE)
    s = specs["other_change_pct"]
    c["other_change_pct"] = w.FloatSlider(value=lv.other_change_pct, min=s.min, max=s.max, step=s.step,
                                          description=f"{s.label}（%）", readout_format=".0f",
                                          continuous_update=False, layout=_LAYOUT, style=_STYLE)
    c["headline"] = w.ToggleButtons(options=[(planner.words.reading_short[k], k) for k in ("level", "rate")], value=lv.headline,
                                    description=specs["headline"].label, style=_STYLE)
    c["monte_carlo"] = w.Checkbox(value=monte_carlo, description=f"计算达到概率（蒙特卡洛 {planner.draws} 次）",
                                  indent=False)
    options = sorted(zip(model.names.astype(str), model.ids.astype(str)))
    labelled = [(f"{name}（{pid}）", pid) for name, pid in options]
    c["accelerate"] = w.SelectMultiple(options=labelled, value=tuple(p for p in lv.accelerate if p in model.index),
                                       description=specs["accelerate"].label, rows=6,
                                       layout=w.Layout(width="520px"), style=_STYLE)
    s = specs["accelerate"]
    c["accelerate_factor"] = w.FloatSlider(value=max(lv.accelerate.values(), default=1.2), min=s.min, max=s.max,
                                           step=s.step, description="加快倍数", readout_format=".1f",
                                           continuous_update=False, layout=_LAYOUT, style=_STYLE)
    c["exclude"] = w.SelectMultiple(options=labelled, value=tuple(lv.exclude), rows=6,
                                    description=specs["exclude"].label, layout=w.Layout(width="520px"), style=_STYLE)
    reserve = sorted(zip(model.reserve_names.astype(str), model.reserve_ids.astype(str)))
    c["reserve"] = w.SelectMultiple(options=[(f"{n}（{p}）", p) for n, p in reserve], value=tuple(lv.reserve_pull),
                                    rows=6, description=specs["reserve_pull"].label,
                                    layout=w.Layout(width="520px"), style=_STYLE)
    c["reserve_month"] = w.IntSlider(value=min(model.as_of_month + 1, 12), min=model.as_of_month + 1, max=12,
                                     description="储备项目开工月份（假设）", continuous_update=False,
                                     layout=_LAYOUT, style=_STYLE)
    c["save_name"] = w.Text(value="", placeholder="情景名称", description="保存情景", style=_STYLE)
    save = w.Button(description="保存为 YAML")  # no icon: icons need a web font (offline page)
    ui.headline, ui.chart, ui.diff, ui.tornado, ui.status = (w.HTML() for _ in range(5))
    for key, control in c.items():
        if key != "save_name":
            control.observe(ui.update, names="value")
    save.on_click(ui.save)

    pace_box = w.VBox([c[f"pace.{k}"] for k in PACE_LISTS])
    start_box = w.VBox([c["new_start_delay_months"], c["start_probability"], c["other_change_pct"]])
    project_box = w.VBox([c["accelerate"], c["accelerate_factor"], c["exclude"]])
    reserve_box = w.VBox([w.HTML("<i>储备项目提前开工为假设情景，结果中标注“假设”。</i>"), c["reserve"],
                          c["reserve_month"]])
    tabs = w.Tab(children=[pace_box, start_box, project_box, reserve_box])
    for i, title in enumerate(["清单进度", "开工与清单外", "指定项目", "储备项目（假设）"]):
        tabs.set_title(i, title)
    as_of = f"{model.year}年1-{model.as_of_month}月实际，{model.as_of_month + 1}-12月推演"
    ui.widget = w.VBox([
        w.HTML(f"<h3>固定资产投资增长{planner.words.pct}“{planner.words.early}”情景推演</h3><p>{as_of}</p>"),
        ui.headline, c["headline"], c["monte_carlo"], tabs, ui.chart,
        w.HTML("<h4>本情景相对基准的调整</h4>"), ui.diff,
        w.HTML(f"<h4>影响最大的项目（龙卷风，按{planner.words.month}末差额）</h4>"), ui.tornado,
        w.HBox([c["save_name"], save]), ui.status,
    ])
    ui.update()
    return ui
