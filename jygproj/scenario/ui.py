"""The planner's page (ipywidgets): what a leader sees first, and the controls wired to the engine.

:func:`build_planner_ui` returns a :class:`PlannerUI` whose ``.widget`` the notebook displays. The
first screen (1366×768) answers: for each reading of the plan's goal, whether it is reached by the
target month, by how much (差/超 …亿元, one sign convention on the whole page), what the months left
need (亿元 and year on year) and the probability; beside it the main levers, each with its effect in
亿元, and the growth chart with its legend. Below: what it would take (lists and projects, 亿元), the
project pickers (searchable by name, unit and list), the changes against the baseline, the projects
that move the answer most, saving the scenario, and the basis of the forecast.

Every control change recomputes the levers, the deterministic outcome (milliseconds), the Monte Carlo
run when asked, and redraws the page in place. Chinese only: no code word, path or file name of the
program reaches the page (tests/test_dashboard_browser.py scans it).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import ipywidgets as w
import polars as pl
import yaml

from jygproj import paths, schema
from jygproj.plan import Words
from jygproj.scenario import needs
from jygproj.scenario.files import Planner, Result, Scenario, save_scenarios, scenario_from_levers
from jygproj.scenario.levers import PACE_LISTS, Levers, apply_changes
from jygproj.scenario.svg import growth_svg
from jygproj.schema import SAMPLE_WORD

SAMPLE_BANNER = "样例数据：本页数字由软件生成的样例数据计算，不是官方统计数据，不得作为统计或考核依据。"

#: The page's style, with the first paint (the title carries it). Its one rule not of the page's own
#: classes: a widget's output holding only text is Voilà's widget manager's "Loading widget..." (English)
#: written there until the widget is drawn, kept out of sight (its place kept); once drawn it holds
#: elements and shows.
_CSS = """<style>
.jyg-page{font-size:14px;line-height:1.45;color:#1a202c}
.jyg-banner{background:#fff3cd;border:1px solid #e0b84c;color:#7a5200;padding:3px 10px;font-weight:bold;margin:0 0 4px}
.jyg-title{font-size:19px;font-weight:bold;margin:0}
.jyg-sub{color:#555;font-size:12.5px;margin:0 0 4px}
.jyg-verdict{display:flex;gap:10px}
body:has(.jyg-live) .jyg-first{display:none}
.jp-OutputArea-output.lm-Panel:not(:has(*)){visibility:hidden}
.jyg-reading{flex:1;border:1px solid #cbd5e0;border-radius:4px;padding:5px 10px;background:#fafbfc}
.jyg-reading.jyg-main{border:2px solid #1f4e9c;background:#f3f7fd}
.jyg-rtitle{font-weight:bold;font-size:13.5px}
.jyg-answer{font-size:17px;margin:2px 0}
.jyg-no{color:#c53030;font-weight:bold}.jyg-yes{color:#276749;font-weight:bold}
.jyg-effect{font-size:12.5px;color:#1f4e9c;white-space:nowrap}
.jyg-effect.jyg-idle{color:#888}
.jyg-label{font-size:13px;white-space:nowrap}
.jyg-matches .jyg-match{flex:0 0 auto;text-align:left;margin:1px 0;font-size:13px;background:#f7fafc;border:1px solid #cbd5e0}
.jyg-matches .jyg-match:hover{background:#e2ebf8}
.jyg-table{border-collapse:collapse;font-size:13px;margin:4px 0}
.jyg-table th,.jyg-table td{border:1px solid #cbd5e0;padding:2px 8px;text-align:left;vertical-align:top}
.jyg-table td.num{text-align:right}
.jyg-table th{background:#edf2f7}
.jyg-needs{border-left:4px solid #1f4e9c;padding:4px 10px;background:#f7fafc;margin:6px 0}
.jyg-h4{font-weight:bold;font-size:15px;margin:10px 0 2px}
</style>"""


def is_sample(files: Iterable[Path | str]) -> bool:
    """True when the inputs are the embedded sample (every sample workbook says 样例数据 in its name)."""
    return any(SAMPLE_WORD in Path(f).name for f in files)


# --- the first screen --------------------------------------------------------------------------------


def reading_html(result: Result, key: str, main: bool) -> str:
    """One reading of the goal: the verdict, by how much, what the months left need, the probability."""
    o = result.outcome
    r = o.readings[key]
    words = Words(o.goal)
    met = "能达到" if r.met_early else "不能达到"
    prob = (f"{result.mc.probability[key]:.0%}" if result.mc is not None else "（未计算）")
    t = o.goal.target_month
    if key == "rate":
        basis = (f"{words.span}累计增速预计 {float(o.path.growth_pct[t - 1]):.1f}%（目标 {words.pct}）")
    else:
        basis = (f"{words.span}累计预计 {needs.yi_text(r.projected_wan)}，需达到 {needs.yi_text(r.goal_wan)}"
                 f"（上年全年×{words.factor}）")
    need = needs.month_needs(o, r)
    if need is None:
        need_text = ""
    else:
        span = f"{need.months[0]}月当月" if need.months[0] == need.months[1] else f"{need.months[0]}-{need.months[1]}月"
        yoy = f"（同比{'增长' if need.yoy_pct >= 0 else '下降'} {abs(need.yoy_pct):.1f}%）" if need.yoy_pct is not None else ""
        now = (f"，本情景预计 {needs.yi_text(need.projected_wan)}" if abs(need.needed_wan - need.projected_wan) >= 50
               else "")
        need_text = f"<div>{span}需完成 {needs.yi_text(need.needed_wan)}{yoy}{now}</div>"
    later = "" if r.met_early else (f"；年内{r.met_month}月达到" if r.met_month else "；年内未达到")
    return (f"<div class='jyg-reading{' jyg-main' if main else ''}' data-key='{key}'>"
            f"<div class='jyg-rtitle'>{html.escape(r.label)}{'　主口径' if main else '　参考口径'}</div>"
            f"<div class='jyg-answer'>到{words.month}末<span class='{'jyg-yes' if r.met_early else 'jyg-no'}'>{met}</span>，"
            f"<span class='jyg-margin'>{needs.gap_words(r.margin_wan)}</span></div>"
            f"<div>{basis}{later}</div>{need_text}"
            f"<div>到{words.month}末达到的概率：<span class='jyg-prob' data-key='{key}'>{prob}</span></div></div>")


def headline_html(result: Result, element_id: str = "jyg-headline") -> str:
    """Both readings side by side, the headline reading first (the ``headline`` lever)."""
    keys = [result.levers.headline] + [k for k in ("rate", "level") if k != result.levers.headline]
    return (f"<div id='{element_id}' class='jyg-verdict'>" + "".join(reading_html(result, k, i == 0) for i, k in enumerate(keys))
            + f"</div><div class='jyg-sub' style='margin-top:3px'>（亿元；两种口径同时计算，{m0_words(result)}）</div>")


def m0_words(result: Result) -> str:
    m = result.outcome.model
    return f"{m.year}年1-{m.as_of_month}月为已公布数，{m.as_of_month + 1}-12月为推演"


# --- what it would take ---------------------------------------------------------------------------------


def needs_html(result: Result, planner: Planner, base: Levers) -> str:
    """The headline reading answered in lists, projects and 亿元 (jygproj.scenario.needs)."""
    o = result.outcome
    words = planner.words
    r = o.headline
    wit = needs.what_it_takes(o, result.tornado, planner.specs)
    out = []
    if wit.short_wan > 0:
        out.append(f"<b>要在{words.month}末达到{html.escape(r.label)}，本情景还差 {needs.yi_text(wit.short_wan)}。</b>")
        can = [f"{schema.LISTS[k]}进度提高到 {p:.2f} 倍" for k, p in wit.list_pace.items() if p is not None]
        cannot = [f"{schema.LISTS[k]}（加快到 {planner.specs['pace_by_list'].max:.2f} 倍也只能补 "
                  f"{needs.yi_text(g)}）" for k, g in wit.list_max_gain_wan.items()
                  if wit.list_pace.get(k) is None and g > 0]
        if can:
            out.append("单靠一张清单补足：" + "，或".join(can) + "。")
        if cannot:
            out.append("单靠下列清单补不足：" + "；".join(cannot) + "。")
        if wit.projects:
            items = "、".join(f"{html.escape(n)}（{html.escape(lst)}，+{needs.yi_text(g)}）" for n, lst, g in wit.projects)
            total = sum(g for _, _, g in wit.projects)
            if wit.projects_cover:
                out.append(f"或加快以下 {len(wit.projects)} 个项目（各自进度提高到 {wit.multiplier:g} 倍），"
                           f"合计 +{needs.yi_text(total)}：{items}。")
            else:
                out.append(f"影响最大的 {len(wit.projects)} 个项目全部加快到 {wit.multiplier:g} 倍，合计只能补 "
                           f"{needs.yi_text(total)}（{items}），还需清单外投资或储备项目补足。")
        if not can and not wit.projects:
            out.append("清单项目的杠杆补不足这一差额，需清单外投资或储备项目。")
    else:
        out.append(f"<b>按本情景，{words.month}末{html.escape(r.label)}能够达到，{needs.gap_words(-wit.short_wan)}。</b>")
    moved = needs.project_changes_wan(o.model, o.levers, base, o.goal.target_month)
    total = needs.target_wan(o.model, o.levers, o.goal.target_month) - needs.target_wan(o.model, base, o.goal.target_month)
    if abs(total) >= 50:
        top = "、".join(f"{html.escape(n)} {needs.signed_yi(d)}" for n, d in moved[:5])
        out.append(f"本情景相对基准的调整使{words.month}末累计 {needs.signed_yi(total)}"
                   + (f"，主要来自：{top}。" if top else "。"))
    return "<div class='jyg-needs'>" + "<br>".join(out) + "</div>"


# --- tables -----------------------------------------------------------------------------------------------


def simple_table(headers: list[str], rows: list[list[str]], numeric: set[int] = frozenset(), empty: str = "") -> str:
    """A small table, headers and cells left-aligned in the same columns (numbers right-aligned)."""
    if not rows:
        return f"<p>{html.escape(empty)}</p>"
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td{' class=num' if i in numeric else ''}>{html.escape(str(c))}</td>"
                                    for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f"<table class='jyg-table'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def diff_html(result: Result, effects: dict[str, float]) -> str:
    """本情景相对基准的调整: one row per changed lever, with its effect on the target month (亿元)."""
    by_label = {schema.LISTS[k]: f"pace.{k}" for k in PACE_LISTS}
    rows = []
    for row in result.diff.iter_rows(named=True):
        key = by_label.get(row["对象"]) if row["杠杆"] == "分清单推进倍数" else None
        effect = needs.signed_yi(effects[key]) if key else ""
        unit = "" if row["单位"] in ("口径", "项") else row["单位"]
        rows.append([row["杠杆"], row["对象"] or "—", f"{row['基准值']}{unit}", f"{row['情景值']}{unit}", effect,
                     row["备注"] or ""])
    return simple_table(["调整项", "对象", "基准", "本情景", f"对{result.outcome.goal.target_month}月末累计的影响", "备注"],
                        rows, {4}, empty="（与基准情景相同，未调整任何项）")


def tornado_html(result: Result, planner: Planner) -> str:
    """The projects that move the answer most, in the page's sign convention (差/超)."""
    t = result.tornado
    month = planner.words.month
    if t is None or t.is_empty():
        return "<p>（预测未能拆分到项目，暂无项目影响排序）</p>"
    lo = planner.specs.param("tornado", "low_multiplier")
    hi = planner.specs.param("tornado", "high_multiplier")
    rows = [[r["name"], r["list"], needs.yi_text(r["base_wan"]), needs.gap_words(r["low_margin_yi"] * schema.WAN_PER_YI),
             needs.gap_words(r["high_margin_yi"] * schema.WAN_PER_YI)] for r in t.iter_rows(named=True)]
    return simple_table(["项目名称", "所属清单", f"至{month}末新增投资", f"该项目进度减半时{month}末",
                         f"该项目加快到{hi:g}倍时{month}末"], rows, {2}) + (
        f"<p class='jyg-sub'>其他杠杆不变，只改变一个项目：减半为剩余进度乘以{lo:g}（未开工的不开工），加快为乘以{hi:g}。</p>")


def forecast_note(planner: Planner) -> str:
    """The basis of the baseline (plain text): the quarterly report's forecast, its 80% range, the
    backtest's error, and what the data did not say."""
    r = planner.model.result
    words = planner.words
    t = planner.goal.target_month
    band = r.bands().row(t - 1, named=True)
    bt = r.backtest_summary()
    text = (f"基准情景即季度考核报告的投资预测：{words.span}累计增速 {band['growth_pct']:.1f}%"
            f"（十次中约有八次落在 {band['p10_growth_pct']:.1f}% 至 {band['p90_growth_pct']:.1f}% 之间）")
    if bt.get("mae_pp_next_month") is not None:
        text += f"；用往月数据检验，预测下月累计增速平均相差 {bt['mae_pp_next_month']:.2f} 个百分点"
    text += ("。全市统计数 = 清单外投资 + 入统率 × 已入库清单项目调度数；已开工项目按自身近期强度推进，"
             "未开工项目按本年实测的开工概率开工，清单外投资按近几个月的强度推算。各项调整在预测的相应部分上按倍数计算。")
    if not planner.model.levers_apply:
        text += "已公布月份不足，预测按全市自身近期强度推算，清单项目类调整暂不起作用。"
    if not r.registration_known:
        text += "调度表和项目清单未提供是否入库信息，本年新开工项目的入库按一般入库时滞推算。"
    return text


# --- the project picker -----------------------------------------------------------------------------------


#: Matches shown at once; a longer list asks for more words (the search box is the way to find one).
PICKER_SHOWN = 30


@dataclass
class ProjectPicker:
    """Search by name, unit or list; click a match to add it; chosen projects shown as removable tags.

    Each match is a button of its own: a click names its project. (A Select list was used before; it
    sends back the clicked row's index, and when a search replaced the list while the page was busy,
    the index was read against the new list and another project was taken.)"""

    options: list[tuple[str, str, str]]  # (label, project_id, search text)
    search: w.Text
    matches: w.Box
    more: w.HTML
    chosen: w.TagsInput
    box: w.Widget
    retired: list = field(default_factory=list)

    @property
    def ids(self) -> list[str]:
        by_label = {label: pid for label, pid, _ in self.options}
        return [by_label[v] for v in self.chosen.value if v in by_label]

    def find(self, text: str, limit: int | None = 60) -> list[str]:
        words = text.split()
        found = [label for label, _, hay in self.options if all(x in hay for x in words)]
        return found if limit is None else found[:limit]

    def pick(self, label: str) -> None:
        if label not in self.chosen.value:
            self.chosen.value = [*self.chosen.value, label]

    def show(self, text: str) -> None:
        """Replace the shown matches by those of ``text``; a button keeps its own label, so a click on
        a button of the previous list still takes the project it showed."""
        if not text.strip():
            self._replace([])
            self.more.value = f"<span class='jyg-sub'>共 {len(self.options)} 个项目可选，输入文字后在此列出符合的项目</span>"
            return
        found = self.find(text, limit=None)
        self._replace([self._button(label) for label in found[:PICKER_SHOWN]])
        # the line names the search it answers: on a busy page the list can still be the previous
        # search's for a moment after typing, and a reader must be able to tell
        asked = f"“{html.escape(text.strip())}”"
        if not found:
            self.more.value = f"<span class='jyg-sub jyg-found'>没有符合{asked}的项目</span>"
        elif len(found) > PICKER_SHOWN:
            self.more.value = (f"<span class='jyg-sub jyg-found'>符合{asked}的项目共 {len(found)} 个，显示前 "
                               f"{PICKER_SHOWN} 个；请再输入几个字缩小范围</span>")
        else:
            self.more.value = f"<span class='jyg-sub jyg-found'>符合{asked}的项目共 {len(found)} 个</span>"

    def _replace(self, buttons: list[w.Button]) -> None:
        # the list replaced now stays open for one more search, so that a click already on its way
        # still reaches its button; the one before it is closed (its widgets freed in the kernel)
        for b in self.retired:
            b.close()
        self.retired = list(self.matches.children)
        self.matches.children = buttons

    def _button(self, label: str) -> w.Button:
        b = w.Button(description=label, tooltip=label, layout=w.Layout(width="auto", height="26px"))
        b.add_class("jyg-match")
        b.on_click(lambda _b, label=label: self.pick(label))
        return b


def picker_options(ids, names, list_of: dict[str, list[str]], unit_of: dict[str, str]) -> list[tuple[str, str, str]]:
    """(label, id, search text) per project, by list (the plan's order) then name. Without pypinyin on the
    machine names sort by code point within a list; the search box is the way to find one."""
    order = {label: i for i, label in enumerate(schema.LISTS.values())}
    rows = []
    for pid, name in zip(ids, names):
        pid, name = str(pid), str(name)
        lists = list_of.get(pid, [])
        unit = unit_of.get(pid, "")
        label = " · ".join(x for x in (name, unit, lists[0] if lists else "") if x)
        rows.append((order.get(lists[0], 99) if lists else 99, name, label, pid, " ".join([name, unit, *lists, pid])))
    rows.sort()
    seen: dict[str, int] = {}
    for r in rows:
        seen[r[2]] = seen.get(r[2], 0) + 1
    return [(f"{label}（{pid}）" if seen[label] > 1 else label, pid, hay) for _, _, label, pid, hay in rows]


def project_picker(options: list[tuple[str, str, str]], chosen: Iterable[str], placeholder: str) -> ProjectPicker:
    by_id = {pid: label for label, pid, _ in options}
    search = w.Text(placeholder=placeholder, layout=w.Layout(width="420px"), continuous_update=True)
    matches = w.VBox(layout=w.Layout(width="640px", max_height="170px", overflow="auto", align_items="flex-start"))
    matches.add_class("jyg-matches")
    tags = w.TagsInput(value=[by_id[p] for p in chosen if p in by_id], allowed_tags=[o[0] for o in options],
                       allow_duplicates=False, layout=w.Layout(width="640px"))
    more = w.HTML("")
    picker = ProjectPicker(options, search, matches, more, tags,
                           w.VBox([w.HBox([search, w.HTML("<span class='jyg-sub'>输入项目名称、责任单位或清单名称的一部分，"
                                                         "点击项目加入</span>")]),
                                   matches, more, w.HTML("<span class='jyg-label'>已选项目（点×移除）：</span>"), tags]))
    picker.show("")
    search.observe(lambda change: picker.show(change["new"]), names="value")
    return picker


# --- the page ---------------------------------------------------------------------------------------------


@dataclass
class PlannerUI:
    planner: Planner
    base: Levers
    widget: w.Widget = None
    controls: dict[str, w.Widget] = field(default_factory=dict)
    pickers: dict[str, ProjectPicker] = field(default_factory=dict)
    effects: dict[str, w.HTML] = field(default_factory=dict)
    headline: w.HTML = None
    chart: w.HTML = None
    needs: w.HTML = None
    diff: w.HTML = None
    tornado: w.HTML = None
    status: w.HTML = None
    result: Result | None = None
    save_dir: Path | None = None
    title: str = ""

    def first_paint_html(self) -> str:
        """The first screen's answer as plain HTML, shown above the live page by the notebook: the
        browser paints it as soon as the page arrives, before the widgets connect to their kernel
        (issue 18: headline first); the page's CSS hides it once the live page is drawn, at the same
        place and with the same figures."""
        return (f"<div class='jyg-first'>{self.title}{headline_html(self.result, 'jyg-first-headline')}"
                f"<div style='display:flex;gap:10px'><div style='width:630px;padding-top:40px;color:#555'>"
                f"正在载入调整控件，请稍候……</div>{self.chart.value}</div></div>")

    def levers(self) -> Levers:
        """The levers the controls show now."""
        c, p = self.controls, self.pickers
        changes = {
            "pace_by_list": {k: c[f"pace.{k}"].value for k in PACE_LISTS},
            "new_start_delay_months": c["new_start_delay_months"].value,
            "start_probability": c["start_probability"].value,
            "headline": c["headline"].value,
            "accelerate": {pid: c["accelerate_factor"].value for pid in p["accelerate"].ids},
            "exclude": p["exclude"].ids,
            "reserve_pull": {pid: {"start_month": c["reserve_month"].value,
                                   "first_year_wan": self._reserve_amount(pid)}
                             for pid in p["reserve"].ids},
            "other_change_pct": c["other_change_pct"].value,
        }
        levers = Levers()
        levers.accelerate, levers.exclude, levers.reserve_pull = {}, [], {}
        return apply_changes(levers, changes, self.planner.specs)

    def _reserve_amount(self, pid: str) -> float:
        m = self.planner.model
        return float(m.reserve_first_year_wan[m.reserve_index[pid]])

    def update(self, *_ignored) -> Result:
        """Recompute and redraw (called on every control change): headline and chart first."""
        levers = self.levers()
        model, t = self.planner.model, self.planner.goal.target_month
        self.result = self.planner.run(levers, "当前情景", monte_carlo=self.controls["monte_carlo"].value,
                                       base=self.base)
        self.headline.value = headline_html(self.result)
        self.chart.value = growth_svg(self.result.outcome, self.result.mc)
        effects = needs.lever_effects_wan(model, levers, t)
        steps = needs.pace_step_effects_wan(model, levers, t)
        for key, label in self.effects.items():
            if effects.get(key):
                label.value = f"<span class='jyg-effect'>{t}月末 {needs.signed_yi(effects[key])}</span>"
            elif key.startswith("pace."):
                label.value = (f"<span class='jyg-effect jyg-idle'>每加快0.1倍 "
                               f"{needs.signed_yi(steps[key.split('.', 1)[1]])}</span>")
            else:
                label.value = "<span class='jyg-effect jyg-idle'>未调整</span>"
        self.needs.value = needs_html(self.result, self.planner, self.base)
        self.diff.value = diff_html(self.result, effects)
        self.tornado.value = tornado_html(self.result, self.planner)
        return self.result

    def save(self, *_ignored) -> Path | None:
        """Save the current scenario (a diff against the baseline) in ``save_dir``, and only there:
        the typed name never becomes a path (:func:`scenario_file`)."""
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
        self.status.value = f"已保存情景“{html.escape(name)}”（情景目录中的 {html.escape(path.name)}）"
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


def _lever_row(label: str, control: w.Widget, effect: w.HTML) -> w.HBox:
    return w.HBox([w.HTML(f"<span class='jyg-label'>{html.escape(label)}</span>", layout=w.Layout(width="178px")),
                   control, effect], layout=w.Layout(align_items="center"))


def _slider(kind, value, spec, fmt: str | None = None, **kw) -> w.Widget:
    args = dict(value=value, min=spec.min, max=spec.max, step=spec.step or 1, continuous_update=False,
                layout=w.Layout(width="250px"), **kw)
    if fmt:
        args["readout_format"] = fmt
    return kind(**args)


def _lookups(workbench: Any) -> tuple[dict[str, list[str]], dict[str, str], dict[str, str]]:
    """Lists per project, unit per project and per reserve project, from the workbench's tables."""
    if workbench is None:
        return {}, {}, {}
    order = list(schema.LISTS)
    lists = (workbench.memberships.select("project_id", "list").unique()
             .with_columns(pl.col("list").replace_strict({k: i for i, k in enumerate(order)}, default=99,
                                                         return_dtype=pl.Int64).alias("rank")).sort("rank"))
    list_of: dict[str, list[str]] = {}
    for pid, lst in lists.select("project_id", "list").iter_rows():
        list_of.setdefault(pid, []).append(schema.LISTS.get(lst, lst))
    unit_of = dict(workbench.projects.select("project_id", pl.col("responsible_unit").fill_null("")).iter_rows())
    res = workbench.reserve_projects
    reserve_unit = ({} if res is None or res.is_empty() else
                    dict(res.select("project_id", pl.col("responsible_unit").fill_null("")).iter_rows()))
    return list_of, unit_of, reserve_unit


def build_planner_ui(planner: Planner, levers: Levers | None = None, *, monte_carlo: bool = True,
                     save_dir: Path | str | None = None, workbench: Any = None) -> PlannerUI:
    """The page, controls set to ``levers`` (default: the baseline), wired to the planner.
    ``workbench`` (jygproj.open): the units and lists the picker searches, and whether the data is the
    sample (then the page says 样例数据 first)."""
    specs, model, words = planner.specs, planner.model, planner.words
    lv = levers or planner.baseline
    ui = PlannerUI(planner, planner.baseline, save_dir=Path(save_dir) if save_dir else None)
    c = ui.controls
    pace = specs["pace_by_list"]
    rows = []
    for k in PACE_LISTS:
        c[f"pace.{k}"] = _slider(w.FloatSlider, lv.pace(k), pace, ".2f")
        ui.effects[f"pace.{k}"] = w.HTML()
        rows.append(_lever_row(f"{schema.LISTS[k]}进度（倍）", c[f"pace.{k}"], ui.effects[f"pace.{k}"]))
    start_rows = []
    for key, label, kind, fmt in (("new_start_delay_months", "未开工项目推迟开工（月）", w.IntSlider, None),
                                  ("start_probability", "未开工项目开工概率（倍）", w.FloatSlider, ".2f"),
                                  ("other_change_pct", "清单外投资增减（%）", w.FloatSlider, ".0f")):
        c[key] = _slider(kind, getattr(lv, key), specs[key], fmt)
        ui.effects[key] = w.HTML()
        start_rows.append(_lever_row(label, c[key], ui.effects[key]))
    c["headline"] = w.ToggleButtons(options=[("以增速口径为主", "rate"), ("以总量口径为主", "level")], value=lv.headline,
                                    tooltips=[words.reading_short["rate"], words.reading_short["level"]],
                                    style={"button_width": "auto"})
    c["monte_carlo"] = w.Checkbox(value=monte_carlo, description=f"计算达到概率（随机模拟 {planner.draws} 次）",
                                  indent=False, layout=w.Layout(width="auto"))
    list_of, unit_of, reserve_unit = _lookups(workbench)
    if not list_of:  # no workbench: the list the forecast filed each project under
        names = [schema.LISTS[k] for k in PACE_LISTS] + ["其他"]
        list_of = {str(p): [names[i]] for p, i in zip(model.ids, model.primary_list)}
    options = picker_options(model.ids, model.names, list_of, unit_of)
    ui.pickers["accelerate"] = project_picker(options, lv.accelerate, "搜索要加快的项目")
    ui.pickers["exclude"] = project_picker(options, lv.exclude, "搜索要剔除的项目")
    reserve_options = picker_options(model.reserve_ids, model.reserve_names, {}, reserve_unit)
    ui.pickers["reserve"] = project_picker(reserve_options, lv.reserve_pull, "搜索储备项目")
    s = specs["accelerate"]
    c["accelerate_factor"] = w.FloatSlider(value=max(lv.accelerate.values(), default=1.2), min=s.min, max=s.max,
                                           step=s.step, readout_format=".1f", continuous_update=False,
                                           layout=w.Layout(width="250px"))
    ui.effects["accelerate"], ui.effects["exclude"], ui.effects["reserve_pull"] = w.HTML(), w.HTML(), w.HTML()
    c["reserve_month"] = w.IntSlider(value=min(model.as_of_month + 1, 12), min=min(model.as_of_month + 1, 12), max=12,
                                     continuous_update=False, layout=w.Layout(width="250px"))
    c["save_name"] = w.Text(value="", placeholder="情景名称", layout=w.Layout(width="260px"))
    save = w.Button(description="保存情景")  # no icon: icons need a web font (offline page)
    ui.headline, ui.chart, ui.needs, ui.diff, ui.tornado, ui.status = (w.HTML() for _ in range(6))
    ui.chart.add_class("jyg-chart")
    for key, control in c.items():
        if key != "save_name":
            control.observe(ui.update, names="value")
    for picker in ui.pickers.values():
        picker.chosen.observe(ui.update, names="value")
    save.on_click(ui.save)

    project_box = w.VBox([
        w.HTML("<div class='jyg-h4'>加快指定项目</div>"), ui.pickers["accelerate"].box,
        _lever_row("加快倍数（倍）", c["accelerate_factor"], ui.effects["accelerate"]),
        w.HTML("<div class='jyg-h4'>剔除指定项目（自下月起不再形成投资）</div>"), ui.pickers["exclude"].box,
        w.HBox([w.HTML("<span class='jyg-label'>剔除的影响：</span>"), ui.effects["exclude"]])])
    reserve_box = w.VBox([
        w.HTML("<i>储备项目提前开工为假设情景，结果中标注“假设”。</i>"), ui.pickers["reserve"].box,
        _lever_row("储备项目开工月份（假设）", c["reserve_month"], ui.effects["reserve_pull"])])
    tabs = w.Tab(children=[w.VBox(rows), w.VBox(start_rows)], layout=w.Layout(width="620px"))
    for i, title in enumerate(["各清单进度", "开工与清单外投资"]):
        tabs.set_title(i, title)
    more = w.Tab(children=[project_box, reserve_box])
    for i, title in enumerate(["指定项目（可搜索）", "储备项目（假设）"]):
        more.set_title(i, title)
    # shown on demand: the first paint renders only what the first screen needs (about 40 fewer widgets)
    more_slot = w.VBox([])
    open_more = w.ToggleButton(value=False, description="调整指定项目和储备项目（可搜索）", layout=w.Layout(width="auto"))
    open_more.observe(lambda change: setattr(more_slot, "children", (more,) if change["new"] else ()), names="value")
    files = getattr(getattr(workbench, "catalogue", None), "paths", ()) or ()
    banner = f"<div class='jyg-banner' id='jyg-sample'>{SAMPLE_BANNER}</div>" if is_sample(files) else ""
    title = (f"{_CSS}<div class='jyg-page'>{banner}<div class='jyg-title'>{model.year}年固定资产投资增长{words.pct}"
             f"“{words.early}”情景推演</div>"
             f"<div class='jyg-sub'>{html.escape(_citation(planner))}</div></div>")
    ui.title = title
    basis = w.Accordion(children=[w.HTML(f"<p>{html.escape(forecast_note(planner))}</p>")])
    basis.set_title(0, "推演依据（点开查看）")
    basis.selected_index = None
    left = w.VBox([w.HBox([c["headline"]]), tabs, c["monte_carlo"]], layout=w.Layout(width="630px"))
    ui.widget = w.VBox([
        w.HTML(title), ui.headline,
        w.HBox([left, ui.chart], layout=w.Layout(align_items="flex-start", grid_gap="10px")),
        w.HTML("<div class='jyg-h4'>要达到目标还需要什么</div>"), ui.needs,
        open_more, more_slot,
        w.HTML("<div class='jyg-h4'>本情景相对基准的调整</div>"), ui.diff,
        w.HTML(f"<div class='jyg-h4'>影响最大的项目（按对{words.month}末结果的影响排序）</div>"), ui.tornado,
        w.HBox([c["save_name"], save, ui.status]), basis,
    ], layout=w.Layout(width="1330px")).add_class("jyg-page").add_class("jyg-live")
    ui.update()
    return ui


def _citation(planner: Planner) -> str:
    plan = planner.plan
    w_ = planner.words
    return f"依据{plan.citation}：{plan.year}年全市固定资产投资增长{w_.pct}，力争{w_.early}（{w_.span}累计）完成。"


# --- unattended runs: a scenario file ---------------------------------------------------------------------


def show_scenario_file(planner: Planner, scenario_file: str | None, summary_dir: str = "") -> Levers | None:
    """With a scenario file (an unattended run), run every scenario in it beside the baseline, show them
    and archive the summary; returns the last scenario's levers (the page starts there). Without one:
    nothing shown, None."""
    if not scenario_file:
        return None
    from IPython.display import HTML, Markdown, display

    from jygproj import charts, runs
    from jygproj.report import html as report_html
    from jygproj.scenario import chart as scenario_chart
    from jygproj.scenario.files import compare, load_scenarios, scenario_levers, write_summary

    scenarios = load_scenarios(paths.resolve(scenario_file))
    if not scenarios:
        return None
    results = [planner.run(planner.baseline, "基准")] + planner.run_file(scenarios)
    display(HTML(report_html.table_html(compare(results), css_class="jyg-table")))
    for result in results[1:]:
        display(Markdown(f"### {result.name}"))
        display(HTML(headline_html(result)))
        display(HTML(diff_html(result, needs.lever_effects_wan(planner.model, result.levers, planner.goal.target_month))))
        charts.show(scenario_chart.scenario_chart(result.outcome, result.mc))
    summary_path = write_summary(runs.output_dir(summary_dir, "scenario"), results)
    display(Markdown(f"情景摘要已写入 {summary_path.name}"))
    return scenario_levers(scenarios, scenarios[-1].name, planner.specs)
