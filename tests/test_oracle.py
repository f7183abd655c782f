"""An independent oracle (issue 13): a deliberately simple second reader — openpyxl and plain Python,
no package code — recomputes from the sample workbooks every fact the reminder letters state and the
headline figures of summary.json, and they agree.

The oracle reads the workbooks as a clerk would: the header row is the one with 项目名称 (a second
header row under it when the first has groups such as 年度计划投资 over 一季度…四季度); a row with a
project name is a project, a row like 一、续建项目（22项） gives the nature of the rows below; 单位：亿元
means ×10,000. A project is its code where a row has one, else its name; a project's figure of a
month is that of the first list, in the plan's order (省列重大, 全省重点, 政府投资, 产业, 房地产), whose
monthly table reports it; a （更正） table replaces its month's. Its plan is that of the first list in
the same order (the leader-package list last: its 年度计划 is the leader's target). Those are the
package's stated rules, written again here from the workbooks, not taken from the package.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import unicodedata
from pathlib import Path

import docx
import openpyxl
import pytest
import yaml

from jygproj import cli

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample" / "2023"
REFERENCE = ROOT / "data" / "reference"
ORDER = ["省列重大项目", "全省重点投资项目", "政府投资项目", "产业投资项目", "房地产投资项目", "市级领导包抓项目"]
NATURE_WORDS = {"续建": "continuing", "新建": "new", "预备": "preparatory"}


# --- the second reader ---------------------------------------------------------------------------


def number(v):
    if v is None or isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    text = str(v).replace(",", "").replace("，", "").strip()
    try:
        return float(text)
    except ValueError:
        return None


def date_of(v):
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    m = re.search(r"(\d{4})\D+(\d{1,2})(?:\D+(\d{1,2}))?", str(v or ""))
    return dt.date(int(m[1]), int(m[2]), int(m[3] or 1)) if m else None


def name_key(name):
    """The same name however typed: full-width letters and digits as half-width, no spaces."""
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", str(name)))


def read_sheet(path):
    """Rows of the first sheet as dicts keyed by header text ("a|b" for two-row headers)."""
    ws = openpyxl.load_workbook(path, data_only=True).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    top = [str(c or "") for r in rows[:3] for c in r]
    scale = 10_000.0 if any("亿元" in c for c in top) else 1.0
    h = next(i for i, r in enumerate(rows) if "项目名称" in [str(c).strip() if c else "" for c in r])
    head = [str(c).replace("\n", "").strip() if c else "" for c in rows[h]]
    below = rows[h + 1]
    name_col = head.index("项目名称")
    start = h + 1
    if below[name_col] is None and any(isinstance(c, str) and c.strip() for c in below):
        group = ""
        for j, c in enumerate(head):
            group = c or group
            sub = str(below[j]).strip() if below[j] else ""
            head[j] = f"{group}|{sub}" if sub else (c or group)
        start = h + 2
    out, nature = [], None
    for excel_row, r in enumerate(rows[start:], start=start + 1):
        first = str(r[0] or "").strip()
        name = r[name_col]
        if not name and first:
            for word, code in NATURE_WORDS.items():
                if word in first:
                    nature = code
        if not name or any(word in (str(name), first) for word in ("合计", "小计")):
            continue
        row = dict(zip(head, r))
        row["_nature"] = NATURE_WORDS.get(str(row.get("建设性质") or "").strip(), nature)
        row["_row"], row["_scale"] = excel_row, scale
        out.append(row)
    return out


def col(row, *words, exclude=()):
    """The value of the first column whose header contains every word (and none of ``exclude``)."""
    for k, v in row.items():
        if isinstance(k, str) and all(w in k for w in words) and not any(x in k for x in exclude):
            return v
    return None


class Sample:
    """Everything the oracle needs from the sample's workbooks."""

    def __init__(self, folder: Path):
        self.plans: dict[str, dict[str, dict]] = {}  # list -> key -> register row facts
        self.codes: dict[str, str] = {}  # name key -> code
        self.names: dict[str, str] = {}  # key -> name
        self.monthly: dict[str, dict[int, dict[str, dict]]] = {}  # list -> month -> key -> figure
        files = sorted(p for p in folder.glob("*.xlsx") if not p.name.startswith("~$"))
        sheets = {p: read_sheet(p) for p in files if "调度表" in p.name or "清单" in p.name}
        for rows in sheets.values():  # first every code a name is given with, on any table
            for row in rows:
                if str(row.get("项目代码") or "").strip():
                    self.codes[name_key(row["项目名称"])] = str(row["项目代码"]).strip()
        self.sheets = sheets
        for p in files:
            if "清单" in p.name:
                self._register(p)
        for p in sorted(files, key=lambda p: "更正" in p.name):  # corrections last: they replace
            m = re.search(r"1-(\d+)月(.+?)调度表", p.name)
            if m:
                self._progress(p, int(m[1]), next(lst for lst in ORDER if lst in m[2]))
        baseline = openpyxl.load_workbook(folder / "嘉峪关市固定资产投资月度累计（样例数据）.xlsx", data_only=True)
        self.fai = {int(re.search(r"1-(\d+)月", str(r[0]))[1]): number(r[2])
                    for r in baseline.worksheets[0].iter_rows(values_only=True)
                    if r[0] and re.search(r"1-(\d+)月", str(r[0])) and number(r[2]) is not None}

    def key(self, row):
        code = str(row.get("项目代码") or "").strip()
        k = name_key(row["项目名称"])
        return code or self.codes.get(k, k)

    def _register(self, path):
        lst = next(x for x in ORDER if x in path.name)
        for row in self.sheets[path]:
            k = self.key(row)
            s = row["_scale"]
            plan = number(col(row, "计划投资", "合计")) or number(col(row, "计划投资", exclude=("季度", "力争")))
            quarters = [number(col(row, "计划投资", q)) for q in ("一季度", "二季度", "三季度", "四季度")]
            self.names.setdefault(k, str(row["项目名称"]))
            self.plans.setdefault(lst, {})[k] = {
                "plan": plan * s if plan is not None else None,
                "quarters": [q * s for q in quarters] if all(q is not None for q in quarters) else None,
                "unit": row.get("责任单位"), "nature": row["_nature"],
                "registered": str(row.get("是否入库") or "").strip() or None,
                "planned_start": date_of(col(row, "计划开工")), "row": row["_row"], "file": path.name}

    def _progress(self, path, month, lst):
        for row in self.sheets[path]:
            k = self.key(row)
            done = number(col(row, "完成投资", exclude=("本周", "率")))
            self.monthly.setdefault(lst, {}).setdefault(month, {})[k] = {
                "done": done * row["_scale"] if done is not None else None,
                "started": str(row.get("是否开工") or "").strip(), "start": date_of(row.get("开工时间")),
                "row": row["_row"], "file": path.name}

    # the project's figure and plan, by the stated rules
    def figure(self, k, month):
        """The project's 1-X月 figure at the end of ``month``: the latest month up to it reported on any
        list, the first list in ORDER for that month."""
        for m in range(month, 1, -1):
            for lst in ORDER:
                hit = self.monthly.get(lst, {}).get(m, {}).get(k)
                if hit and hit["done"] is not None:
                    return hit["done"]
        return 0.0

    def own_plan(self, k):
        lst = next(x for x in ORDER if k in self.plans.get(x, {}))
        return lst, self.plans[lst][k]

    def start(self, k, by: dt.date):
        dates = [h["start"] for lst in self.monthly.values() for m in lst.values() for kk, h in m.items()
                 if kk == k and h["start"] and h["start"] <= by]
        return min(dates) if dates else None

    def by_name(self, name):
        k = name_key(name)
        return self.codes.get(k, next((kk for kk, n in self.names.items() if name_key(n) == k), k))


@pytest.fixture(scope="module")
def sample():
    return Sample(SAMPLE)


@pytest.fixture(scope="module")
def shares():
    data = yaml.safe_load((REFERENCE / "seasonal_profile.yaml").read_text(encoding="utf-8"))
    return {int(m): v / 100 for m, v in data["shares_pct"].items()}


@pytest.fixture(scope="module")
def plan_file():
    return yaml.safe_load((REFERENCE / "targets_2023.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def review(tmp_path_factory):
    base = tmp_path_factory.mktemp("oracle")
    shutil.copytree(SAMPLE, base / "sample")
    out = base / "2023Q3"
    assert cli.main(["quarterly", "2023Q3", "--data", str(base / "sample"), "--out", str(out)]) == 0
    letters = {p.stem.removeprefix("提醒函_"): [x.text for x in docx.Document(str(p)).paragraphs]
               for p in sorted((out / "letters").glob("*.docx"))}
    return json.loads((out / "summary.json").read_text(encoding="utf-8")), letters, next(out.glob("*.xlsx"))


def cum(shares, month):
    return sum(shares[m] for m in range(1, month + 1))


def facts_of(paragraphs):
    body = paragraphs[paragraphs.index("一、存在的问题") + 1: paragraphs.index("二、工作要求")]
    # the ledger's note under each fact (督办编号, the previous letter, the reply) cites the ledger,
    # not the workbooks: tests/test_followups_sample.py checks it
    return [re.sub(r"^（[一二三四五六七八九十]+）", "", p) for p in body if not p.startswith("督办编号：")]


def w(text):
    """An amount as the letters write it (公文: 9290万元, 1.20亿元) in 万元."""
    number, unit = re.fullmatch(r"([\d.]+)(万元|亿元)", text).groups()
    return float(number) * (10_000 if unit == "亿元" else 1)


def near(text, value) -> bool:
    """The written amount is ``value`` to the precision it is written in (half its last digit)."""
    decimals = len(text.split(".")[1].rstrip("万亿元")) if "." in text else 0
    step = 10 ** -decimals * (10_000 if text.endswith("亿元") else 1)
    return abs(w(text) - value) <= step / 2 + 1e-9


# --- the letters -------------------------------------------------------------------------------------

RED = re.compile(r"^(?P<name>.+?)（(?P<lists>[^）]+)）：红色预警（本市预警规则，参考）。(?P<label>年度计划投资|包抓目标)"
                 r"(?P<plan>[\d.]+(?:万元|亿元))，截至2023年(?P<m>\d+)月累计完成(?P<done>[\d.]+(?:万元|亿元))，"
                 r"完成率(?P<rate>[\d.]+)%。(?P<rest>.*)$")
PACE = re.compile(r"序时进度(?P<pace>[\d.]+)%（(?P<basis>[^，]+)，参考），落后(?P<pp>[\d.]+)个百分点")
LATE = re.compile(r"计划2023年(?P<pm>\d+)月开工，截至2023年11月10日仍未开工，已逾期(?P<months>[\d.]+)个月")
UNREGISTERED = re.compile(r"^已开工项目未入库（红色预警，本市预警规则，参考）的项目(?P<n>\d+)个：(?P<items>.+)。$")
ITEM = re.compile(r"^(?P<name>[^：]+)：(?P<y>\d{4})年(?P<m>\d+)月(?P<d>\d+)日开工，截至2023年11月10日未入库（统计），"
                  r"已(?P<months>[\d.]+)个月")
MISSED = re.compile(r"^(?P<list>.+?)中你单位负责的(?P<n>\d+)个项目，(?P<q>[一二三四])季度目标（清单所列分季度目标之和）"
                    r"(?P<plan>[\d.]+(?:万元|亿元))，实际完成(?P<done>[\d.]+(?:万元|亿元))，完成率(?P<rate>[\d.]+)%，"
                    r"差(?P<gap>[\d.]+(?:万元|亿元))")


def test_every_fact_of_every_letter_agrees_with_the_workbooks(review, sample, shares):
    _, letters, _ = review
    assert letters, "the sample gives letters"
    checked = 0
    for unit, paragraphs in letters.items():
        for fact in facts_of(paragraphs):
            if m := RED.match(fact):
                k = sample.by_name(m["name"])
                lst, own = sample.own_plan(k)
                assert own["unit"] == unit, (unit, m["name"])
                assert near(m["plan"], own["plan"]), fact
                assert m["label"] == ("包抓目标" if lst == "市级领导包抓项目" else "年度计划投资")
                assert m["lists"].split("、")[0] == lst
                done = sample.figure(k, int(m["m"]))
                assert near(m["done"], done), fact
                assert float(m["rate"]) == pytest.approx(done / own["plan"] * 100, abs=0.05)
                if p := PACE.search(m["rest"]):
                    if own["quarters"]:  # the list's own quarters for the project
                        q = own["quarters"]
                        due = sum(q[:3]) + q[3] * (cum(shares, 10) - cum(shares, 9)) / (cum(shares, 12) - cum(shares, 9))
                        pace, basis = due / sum(q) * 100, "清单分季度目标"
                    else:
                        start = own["planned_start"]
                        s0 = cum(shares, start.month - 1) if start and start.year == 2023 and start.month > 1 else 0.0
                        pace, basis = (cum(shares, 10) - s0) / (1 - s0) * 100, "季节性施工曲线"
                    assert p["basis"] == basis, fact
                    assert float(p["pace"]) == pytest.approx(pace, abs=0.05), fact
                    assert float(p["pp"]) == pytest.approx(pace - done / own["plan"] * 100, abs=0.1), fact
                if late := LATE.search(m["rest"]):
                    assert own["planned_start"].month == int(late["pm"])
                    assert sample.start(k, dt.date(2023, 11, 10)) is None  # no start on any list
                    months = 11 - int(late["pm"]) - 1 + 10 / 30
                    assert float(late["months"]) == pytest.approx(months, abs=0.05)
                assert "复工" not in m["rest"] or "方案要求" in m["rest"]
                checked += 1
            elif m := MISSED.match(fact):
                lst, q = m["list"], "一二三四".index(m["q"]) + 1
                mine = {k: r for k, r in sample.plans[lst].items() if r["unit"] == unit and r["quarters"]}
                assert int(m["n"]) == len(mine)
                target = sum(r["quarters"][q - 1] for r in mine.values())
                done = sum(sample.figure(k, q * 3) - sample.figure(k, q * 3 - 3) for k in mine)
                assert near(m["plan"], target) and near(m["done"], done), fact
                assert float(m["rate"]) == pytest.approx(done / target * 100, abs=0.05)
                assert near(m["gap"], target - done) and target - done >= 100  # the floor
                checked += 1
            elif m := UNREGISTERED.match(fact):
                items = m["items"].split("；")
                assert int(m["n"]) == len(items)
                for item in items:
                    i = ITEM.match(item)
                    k = sample.by_name(i["name"])
                    start = sample.start(k, dt.date(2023, 11, 10))
                    assert start == dt.date(int(i["y"]), int(i["m"]), int(i["d"])), item
                    says = {r["registered"] for lst in sample.plans.values() for kk, r in lst.items() if kk == k}
                    assert says & {"否", "未入库"} and not says & {"是", "已入库"}, (item, says)
                    months = (2023 * 12 + 11 - start.year * 12 - start.month) + (10 - start.day) / 30
                    assert float(i["months"]) == pytest.approx(months, abs=0.05) and months > 2  # red: above 2
                    assert sample.own_plan(k)[1]["unit"] == unit
                checked += 1
            else:
                pytest.fail(f"a fact the oracle does not know how to check: {fact}")
    assert checked >= 20


def test_neither_resumed_project_is_red_for_resumption_and_the_workbooks_say_they_resumed(review, sample):
    """城区燃气老旧管网更新改造（新华街道片区）项目 and 城区供水管网改造（胜利街道片区）项目: 1-3月政府投资项目调度表
    是否开工 = 是, 开工时间 in March (government tables write 是 where the key tables write 已复工)."""
    summary, letters, book = review
    text = "\n".join(p for ps in letters.values() for p in ps)
    for name, day in (("城区燃气老旧管网更新改造（新华街道片区）项目", dt.date(2023, 3, 13)),
                      ("城区供水管网改造（胜利街道片区）项目", dt.date(2023, 3, 23))):
        k = sample.by_name(name)
        row = sample.monthly["政府投资项目"][3][k]
        assert row["started"] == "是" and row["start"] == day, row
        assert not any(name in p and "复工" in p for p in text.splitlines())
    assert "未报复工" not in text and "截至2023年第" not in text  # and no weekly figure in a letter
    # nor in the warnings table: neither is warned for resumption at all
    ws = openpyxl.load_workbook(book, read_only=True)["预警项目"]
    rows = list(ws.iter_rows(values_only=True))
    warned = [dict(zip(rows[1], r)) for r in rows[2:]]
    for name in ("城区燃气老旧管网更新改造（新华街道片区）项目", "城区供水管网改造（胜利街道片区）项目"):
        assert not any(r["项目名称"] == name and "复工" in (r["触发规则"] or "") + (r["预警原因"] or "")
                       for r in warned)


# --- summary.json --------------------------------------------------------------------------------------


def test_the_headline_figures_of_summary_json_agree_with_the_workbooks(review, sample, shares):
    summary, letters, _ = review
    projects = {k for lst in sample.plans.values() for k in lst}
    # city: each project once, its own plan (first list in the plan's order)
    plan = {k: sample.own_plan(k)[1] for k in projects}
    q3_done = sum(sample.figure(k, 9) - sample.figure(k, 6) for k in projects)
    ytd = sum(sample.figure(k, 10) for k in projects)
    annual = sum(p["plan"] or 0 for p in plan.values())
    city = summary["completion"]["city"]
    assert city["Q3"]["completed_wan"] == pytest.approx(q3_done, abs=0.01)
    assert city["YTD"]["completed_wan"] == pytest.approx(ytd, abs=0.01)
    assert summary["completion_annual_plan_wan"] == pytest.approx(annual, abs=0.01)
    # the quarter's plan: the list's own quarters where it gives them, else the seasonal share
    q3_plan = sum((p["quarters"][2] if p["quarters"] else (p["plan"] or 0) * (cum(shares, 9) - cum(shares, 6)))
                  for p in plan.values())
    assert city["Q3"]["plan_wan"] == pytest.approx(q3_plan, abs=0.01)
    assert summary["growth"]["ytd_cum_wan"] == pytest.approx(sample.fai[10], abs=0.01)
    assert summary["letters"] == len(letters)


def test_the_total_row_of_the_units_table_agrees_with_the_workbooks(review, sample):
    """Excel 分责任单位完成, 合计: every project once, its own annual plan, its October figure; the
    rates in percent (78.4 % of the pace plan and 66.3 % of the annual plans, not 0.8 % and 0.7 %)."""
    _, _, book = review
    ws = openpyxl.load_workbook(book, read_only=True)["分责任单位完成"]
    rows = list(ws.iter_rows(values_only=True))
    total = dict(zip(rows[2], next(r for r in rows if r[0] == "合计")))
    projects = {k for lst in sample.plans.values() for k in lst}
    done = sum(sample.figure(k, 10) for k in projects)
    annual = sum(sample.own_plan(k)[1]["plan"] or 0 for k in projects)
    assert total["完成投资（万元）"] == pytest.approx(done, abs=0.01)
    assert total["年度计划投资（万元）"] == pytest.approx(annual, abs=0.01)
    assert total["年度计划完成率（%）"] == pytest.approx(done / annual * 100, abs=0.01)
    assert round(total["年度计划完成率（%）"], 1) == 66.3
    assert total["完成率（%）"] == pytest.approx(done / total["计划投资（万元）"] * 100, abs=0.01)
    assert round(total["完成率（%）"], 1) == 78.4


def test_the_plans_requirements_in_summary_json_agree_with_the_workbooks(review, sample, plan_file):
    summary, _, _ = review
    t = {k: v["value"] for k, v in plan_file["targets"].items()}
    items = {(i["requirement_id"], i["list"], i["period"]): i for i in summary["requirements"]["items"]}

    def quarter_done(lst, nature, q):
        keys = [k for k, r in sample.plans[lst].items() if nature is None or r["nature"] == nature]
        return sum(sample.figure(k, q * 3) - sample.figure(k, q * 3 - 3) for k in keys)

    for q in (1, 2, 3):
        cont = quarter_done("全省重点投资项目", "continuing", q) / (t[f"provincial_key_continuing_q{q}_yi"] * 1e4) * 100
        assert items[("key_continuing_quarterly", "provincial_key", f"Q{q}")]["value"] == pytest.approx(cont, abs=0.01)
        package = quarter_done("市级领导包抓项目", None, q) / (t[f"leader_package_q{q}_yi"] * 1e4) * 100
        assert items[("package_quarterly", "leader_package", f"Q{q}")]["value"] == pytest.approx(package, abs=0.01)
    new_q3 = quarter_done("全省重点投资项目", "new", 3) / (t["provincial_key_new_q3_yi"] * 1e4) * 100
    assert items[("key_new_quarterly", "provincial_key", "Q3")]["value"] == pytest.approx(new_q3, abs=0.01)
    q1_new = items[("key_new_quarterly", "provincial_key", "Q1")]
    assert q1_new["met"] is None and "方案自身不一致" in q1_new["note"]  # 0.25亿 with no Q1 start
    # 二(五): industrial year to date over its annual plan (judged in December, shown now)
    ind = sample.plans["产业投资项目"]
    ytd = sum(sample.figure(k, 10) for k in ind)
    assert items[("enterprise_annual", "industrial", "Year")]["value"] == pytest.approx(
        ytd / sum(r["plan"] or 0 for r in ind.values()) * 100, abs=0.01)
    # 二(二): of the key new projects planned for Q2 / Q3, those started within the quarter
    for q in (2, 3):
        due = [k for k, r in sample.plans["全省重点投资项目"].items()
               if r["nature"] == "new" and r["planned_start"] and (r["planned_start"].month - 1) // 3 + 1 == q]
        end = dt.date(2023, q * 3, 30 if q == 2 else 30)
        started = [k for k in due if sample.start(k, end)]
        assert items[("key_new_starts", "provincial_key", f"Q{q}")]["value"] == pytest.approx(
            len(started) / len(due) * 100, abs=0.01)
    # 二(四): the 40 new government projects, started by the end of June (the hard deadline)
    gov_new = [k for k, r in sample.plans["政府投资项目"].items() if r["nature"] == "new"]
    june = [k for k in gov_new if sample.start(k, dt.date(2023, 6, 30))]
    assert items[("government_new_june", "government", "2023-06")]["value"] == pytest.approx(
        len(june) / len(gov_new) * 100, abs=0.01)
    q1 = items[("government_new_q1", "government", "Q1")]
    assert q1["strive"] is True  # 力争一季度开工: shown, never counted as failed
    # only the plan's requirements are items; the practice settings sit apart and are not counted
    assert all(i["clause"] in plan_file["meta"]["clauses"] for i in summary["requirements"]["items"])
    assert {p["kind"] for p in summary["requirements"]["practice"]} == {"pace", "setting"}
    failed = [i for i in summary["requirements"]["items"] if i["final"] and i["met"] is False and not i["strive"]]
    assert summary["requirements"]["failed"] == len(failed)
