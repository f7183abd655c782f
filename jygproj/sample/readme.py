"""The README written next to the sample workbooks: what they are (样例数据, not official), how they
were made, the key totals a reader can check against the plan, and the traits they exercise."""

from __future__ import annotations

from collections import defaultdict

from jygproj.sample.catalogue import LEADER_ROLES
from jygproj.sample.plan import PREPARATORY
from jygproj.schema import LISTS

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
        "## 固定资产投资基数",
        "",
    ]
    base = {r.month: r for r in sample.baseline}
    last = base[sample.as_of_month]
    full = base[12].prior_cum_wan
    lines += [
        f"- 2022年全年（可比口径）{_yi(full)} 亿元；2023年目标（增长12%）{_yi(full * 1.12)} 亿元。",
        f"- 2023年1-{last.month}月累计 {_yi(last.current_cum_wan)} 亿元，累计增长 {last.growth_pct}%。",
    ]
    if sample.as_of_month < 11:
        nov = base[sample.as_of_month + 1]
        need = 1.12 * nov.prior_cum_wan - last.current_cum_wan
        prior_inc = nov.prior_cum_wan - last.prior_cum_wan
        lines.append(
            f"- 要使1-{nov.month}月累计增速达到12%（提前1个月完成，按增速口径），{nov.month}月当月需完成 "
            f"{_yi(need)} 亿元，较上年同月 {_yi(prior_inc)} 亿元增长 {100 * (need / prior_inc - 1):.1f}%："
            "可以实现，但并不确定。")
    lines += [
        "",
        "## 调度表中的表现分布",
        "",
    ]
    cats = defaultdict(int)
    for p in once:
        cats[sample.trajectories[p.pid].category] += 1
    names = {"on_pace": "基本符合序时进度", "behind": "滞后10-30个百分点", "worse": "滞后30个百分点以上",
             "ahead": "超序时进度", "not_started": "新建项目尚未开工", "preparatory": "预备项目"}
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
    lines += ["", f"## 文件清单（{len(files)} 个工作簿）", ""]
    lines += [f"- {f}" for f in files]
    lines.append("")
    return "\n".join(lines)
