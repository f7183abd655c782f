"""The README written next to the sample workbooks: what they are (样例数据, not official), how they
were made, the key totals a reader can check against the plan, and the traits they exercise."""

from __future__ import annotations

from collections import defaultdict

from jygproj.sample.baseline import COMPARABLE_FACTOR, GROWTH_OCTOBER_PCT
from jygproj.sample.catalogue import LEADER_ROLES
from jygproj.sample.plan import PREPARATORY
from jygproj.sample.registration import REGISTRATION_LAG_MONTHS, STAT_RATIO_RANGE
from jygproj.sample.replies import readme_lines
from jygproj.sample.workbook import REGISTER_STATUS_DAY
from jygproj.schema import LISTS

LAGS = dict(REGISTRATION_LAG_MONTHS)

#: Published figures the sample's order of magnitude follows (their URLs are written into the README).
PUBLISHED_SCALE = (
    ("2020年1-6月全市完成固定资产投资35.68亿元，同比增长8.02%（嘉峪关日报）",
     "http://gansu.gansudaily.com.cn/system/2020/08/12/030127296.shtml"),
    ("2023年1-6月工业固定资产投资同比增长75.4%，占全市固投比重65.3%",
     "https://www.jygzfw.gov.cn/content-22-9372-1.html"),
    ("2023年前三季度全市固定资产投资同比增长14.6%（嘉峪关日报）",
     "http://m.dfzdm.com/html/1659/2023-11-08/content-464770.html"),
    ("2023年前三季度工业固定资产投资68.1亿元，同比增长91.9%（市发展改革委）",
     "http://www.jyg.gov.cn/fgw/xwdt/fgfc/art/2023/art_83ed4cd1215c4561bacd1810316b8b60.html"),
    ("2024年计划实施建设项目216项，年度计划投资173.1亿元，较上年增长10%（嘉峪关日报）",
     "http://www.hjtengyue.cn/html/1644/2024-04-03/content-495367.html"),
    ("2024年1-6月全市固定资产投资55.4亿元、增长10%（issue 14 引用的嘉峪关日报报道）；1-7月增长4.6%",
     "https://gansu.gansudaily.com.cn/system/2024/09/04/031058362.shtml"),
)


def _pct(share: float) -> str:
    return f"{share * 100:.0f}%"

NATURE_ORDER = ("续建", "新建", "预备")


def _yi(wan: float) -> str:
    return f"{wan / 10_000:.2f}"


def key_totals(sample) -> list[dict]:
    """Per list and nature: count, total investment and annual plan (万元), as in the registers."""
    rows = []
    for key in ("provincial_major", "provincial_key", "leader_package", "government", "industrial",
                "real_estate"):
        groups: dict[str, list] = defaultdict(list)
        for p in sample.plan.on(key):
            groups[p.nature].append(p)
        for nature in NATURE_ORDER:
            ps = groups.get(nature, [])
            if not ps:
                continue
            annual = (sum(sum(p.package_quarters_wan) for p in ps) if key == "leader_package"
                      else sum(p.annual_wan for p in ps if p.nature != PREPARATORY))
            rows.append({"list": key, "nature": nature, "count": len(ps),
                         "total_wan": sum(p.total_wan for p in ps), "annual_wan": annual})
    return rows


def readme_text(sample, seed: int, files: list[str]) -> str:
    plan = sample.plan
    lines = [
        "# 2023年嘉峪关市样例数据（sample data — 非官方数据）",
        "",
        "**本目录全部为软件生成的样例数据（synthetic sample data），不是官方数据，不得作为统计或考核依据。**",
        "项目名称中只有二(一)所列10个省列重大项目名称取自嘉政办发〔2023〕39号原文，其余项目、单位金额、"
        "项目代码、进度均为虚构；包抓领导以“市级领导A…H”等角色代称，不指向任何真实人员。",
        "",
        f"由 `jygproj sample data/sample/2023 --seed {seed} --as-of 2023-{sample.as_of_month:02d}` 生成；"
        "同一种子、同一截止月份重新生成，文件逐字节相同（测试 tests/test_sample_determinism.py 核对）。",
        "",
        "## 与方案核对的关键数（各清单按建设性质，金额单位：亿元）",
        "",
        "| 清单 | 建设性质 | 项目数 | 总投资 | 年度计划投资 |",
        "|---|---|---:|---:|---:|",
    ]
    for r in key_totals(sample):
        lines.append(f"| {LISTS[r['list']]} | {r['nature']} | {r['count']} | {_yi(r['total_wan'])} | "
                     f"{_yi(r['annual_wan'])} |")
    key = plan.on("provincial_key")
    pkg = plan.on("leader_package")
    major = plan.on("provincial_major")
    lines += [
        "",
        "季度分解：",
        "",
    ]
    for nature in ("续建", "新建"):
        qs = [sum(p.quarters_wan[q] for p in key if p.nature == nature) for q in range(4)]
        lines.append(f"- 全省重点投资项目{nature}：一至四季度 " + " / ".join(_yi(q) for q in qs) + " 亿元")
    starts = defaultdict(int)
    for p in key:
        if p.nature == "新建":
            starts[(int(p.planned_start[5:7]) - 1) // 3 + 1] += 1
    lines.append(f"- 全省重点投资项目新建计划开工：二季度 {starts[2]} 项、三季度 {starts[3]} 项、四季度 {starts[4]} 项")
    qs = [sum(p.package_quarters_wan[q] for p in pkg) for q in range(4)]
    lines.append("- 市级领导包抓项目包抓目标：一至四季度 " + " / ".join(_yi(q) for q in qs) + " 亿元")
    for nature in ("续建", "新建"):
        stretch = sum(p.stretch_wan for p in major if p.nature == nature)
        lines.append(f"- 省列重大项目{nature}力争目标（“力争目标”列，不是计划）：{_yi(stretch)} 亿元")
    once = plan.projects
    lines += [
        f"- 全市去重后项目 {len(once)} 个，年度计划投资合计 {_yi(sum(p.annual_wan for p in once))} 亿元"
        "（省列重大项目多数同时列入产业投资项目清单，全省重点项目分布在各市级清单中）。",
        "",
        "## 固定资产投资基数（2020—2023年，合成数据）",
        "",
        "嘉峪关市固定资产投资月度累计样例工作簿有2021、2022、2023三个年度工作表，每表含上年可比口径累计、本年累计和累计增速，"
        "即2020—2023年逐月数据（合成数据，非统计部门数据），供预测模型按本市往年月度分布校准并回测。"
        "量级参照以下公开报道（样例上半年占全年约三成，低于嘉峪关实际的四成多：方案二(二)的新建项目投资集中在三、四季度）：",
        "",
    ]
    lines += [f"- {text}（{url}）" for text, url in PUBLISHED_SCALE]
    base = {(r.year, r.month): r for r in sample.baseline}
    fai = sample.fai
    lines += [
        "",
        "| 年份 | 1-6月累计 | 1-10月累计 | 全年累计 | 全年增速（%） |",
        "|---|---:|---:|---:|---:|",
    ]
    for year in (2020, 2021, 2022):
        pub = fai.published_wan[year]
        g = fai.growth_pct.get(year, {}).get(12)
        lines.append(f"| {year} | {_yi(pub[6])} | {_yi(pub[10])} | {_yi(pub[12])} | {'' if g is None else g} |")
    full = base[(2023, 12)].prior_cum_wan
    last = base[(2023, sample.as_of_month)]
    lines += [
        "",
        f"- 2022年全年（2023年可比口径）{_yi(full)} 亿元；2023年目标（增长12%）{_yi(full * 1.12)} 亿元。",
        f"- 2023年1-{last.month}月累计 {_yi(last.current_cum_wan)} 亿元，累计增长 {last.growth_pct}%。",
    ]
    if sample.as_of_month < 11:
        nov = base[(2023, sample.as_of_month + 1)]
        prior_inc = nov.prior_cum_wan - last.prior_cum_wan
        need_rate = 1.12 * nov.prior_cum_wan - last.current_cum_wan
        need_level = 1.12 * full - last.current_cum_wan
        lines += [
            f"- 增速口径（1-{nov.month}月累计增速≥12%）：{nov.month}月当月需完成 {_yi(need_rate)} 亿元，"
            f"较上年同月 {_yi(prior_inc)} 亿元增长 {100 * (need_rate / prior_inc - 1):.1f}%：可以实现，但并不确定。",
            f"- 总量口径（1-{nov.month}月累计≥上年全年×1.12）：{nov.month}月当月需完成 {_yi(need_level)} 亿元，"
            f"较上年同月增长 {100 * (need_level / prior_inc - 1):.1f}%。",
        ]
    m = sample.as_of_month
    reported = fai.listed_reported_wan[m]
    registered = sum(sample.trajectories[pid].cum_wan[m] for pid, r in sample.registration.items()
                     if r.counted_from_month() is not None and r.counted_from_month() <= m)
    lines += [
        f"- 调度数与统计数：截至{m}月，清单项目（去重）调度完成 {_yi(reported)} 亿元，其中已入库项目 {_yi(registered)} 亿元；"
        f"全市统计数 {_yi(last.current_cum_wan)} 亿元，调度数超出统计数 {_yi(reported - last.current_cum_wan)} 亿元。"
        "这与嘉峪关的实际情况同向：2024年各清单年度计划173.1亿元，而全市上半年固定资产投资55.4亿元。",
        "",
        "### 样例的生成规则（合成数据；预测模型不读取这些规则，只用工作簿中的数据测算）",
        "",
        f"- 入库：续建项目多在往年入库；新开工项目开工当月入库{_pct(LAGS[0])}、次月{_pct(LAGS[1])}、第2个月{_pct(LAGS[2])}、"
        f"第3个月{_pct(LAGS[3])}，{_pct(LAGS[None])}年内未入库。入库后其本年累计完成一次性计入统计（先入库，后有数）。",
        f"- 每个项目统计部门认可的比例（统计数÷调度数）在 {STAT_RATIO_RANGE[0]}—{STAT_RATIO_RANGE[1]} 之间随机，不写入任何表格。",
        f"- 清单外投资有自己的月度分布并加随机波动，其全年水平使2023年1-10月累计增长{GROWTH_OCTOBER_PCT}%；2020—2022年为全市合计，"
        "月度分布为清单项目与清单外投资的混合并逐年加随机波动；可比口径基数为上年公布数乘以"
        f"{min(COMPARABLE_FACTOR.values())}—{max(COMPARABLE_FACTOR.values())}。",
        f"- 清单和调度表新增“是否入库”“入库时间”两列：清单为年初（{REGISTER_STATUS_DAY:%Y年%m月%d日}）状态，调度表为各月末状态。",
        "",
        "## 调度表中的表现分布",
        "",
    ]
    cats = defaultdict(int)
    for p in once:
        cats[sample.trajectories[p.pid].category] += 1
    names = {"on_pace": "基本符合序时进度", "behind": "滞后10-30个百分点", "worse": "滞后30个百分点以上",
             "ahead": "超序时进度", "not_started": "新建项目尚未开工", "preparatory": "预备项目",
             "caught_up": "7月滞后30个百分点以上、二季度提醒函后追赶进度（督办样例，见下）"}
    for k, label in names.items():
        lines.append(f"- {label}：{cats.get(k, 0)} 个")
    if sample.correction:
        lines.append(f"- 产业投资项目1-{sample.correction[0]}月调度表有一份（更正）重报：首报中3个项目填报错误"
                     "（多写一个0或首位数字错、沿用上月数、数字颠倒），更正表填报日期较晚，替代首报。")
    lines += [
        "",
        "## 样例刻意包含的真实表格特征（供读取程序测试）",
        "",
        "- 省列清单用亿元、市级清单用万元；房地产清单在表头中注明（亿元）。",
        "- 两行表头（“年度计划投资”下分合计/一至四季度；“1-X月”下分完成投资/投资完成率），表头内换行。",
        "- 分组行“一、续建项目（N项）”、合计行在上或在下、小计行、空行、备注行；序号有阿拉伯数字、分组重排、中文数字。",
        "- 个别金额以文本填写（千位分隔符、全角数字），空值用“—”。",
        "- 同一项目在不同清单中名称偶有差异（全半角括号、空格、全角数字；有代码的清单中个别多写或少写“项目”二字）。",
        "- 开工时间有Excel日期、“2023.4.15”、“2023年4月15日”多种写法；是否开工有“是/否”和“已开工/未开工/已复工”两种写法。",
        f"- 政府投资项目另有10月最后几周（ISO第{'、'.join(str(w) for w in sorted({int(f.split('第')[1].split('周')[0]) for f in files if '周调度' in f}))}周）周调度表。",
        "",
        "## 包抓领导（角色代称）",
        "",
    ]
    for code, role in LEADER_ROLES.items():
        lines.append(f"- {code}：{role}")
    lines += readme_lines(sample, files)
    lines += ["", f"## 文件清单（{len(files)} 个工作簿）", ""]
    lines += [f"- {f}" for f in files]
    lines.append("")
    return "\n".join(lines)
