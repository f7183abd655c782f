"""The reserve pool 项目储备库 of 二(六): about 60 projects across the plan's domains and channels,
with the status and date of each pre-construction step (前期手续) and the rolling tier
5年储备 / 3年滚动 / 1年实施 (domain page)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from jygproj.schema import RESERVE_STEPS

#: (domain, funding channel, project type, responsible unit, owner, name pattern, total range 万元)
RESERVE_IDEAS = (
    ("交通", "中央预算内投资", "政府投资（审批）", "市交通运输局", "交建集团", "嘉峪关至{t}公路改扩建工程", (30000, 120000)),
    ("交通", "专项债券", "政府投资（审批）", "市交通运输局", "交建集团", "城区{road}快速通道工程", (20000, 60000)),
    ("交通", "政策性开发性金融工具", "政府投资（审批）", "市交通运输局", "城投集团", "嘉峪关国际港务区铁路专用线", (40000, 90000)),
    ("能源", "企业自筹", "企业投资（核准）", "市工信局", "大友集团", "{t}{n}万千瓦风电项目", (80000, 300000)),
    ("能源", "企业自筹", "企业投资（备案）", "市工信局", "嘉恒集团", "{t}{n}MW光伏治沙项目", (50000, 200000)),
    ("能源", "政策性开发性金融工具", "企业投资（备案）", "市工信局", "城投集团", "城区清洁供热热源改造（{street}）", (15000, 50000)),
    ("水利", "中央预算内投资", "政府投资（审批）", "市水务局", "水投公司", "讨赖河{town}段综合治理工程", (8000, 30000)),
    ("水利", "专项债券", "政府投资（审批）", "市水务局", "水投公司", "城乡供水一体化（{town}）工程", (10000, 40000)),
    ("水利", "中央预算内投资", "政府投资（审批）", "市水务局", "水投公司", "{town}灌区节水改造工程", (5000, 20000)),
    ("冷链物流", "专项债券", "政府投资（审批）", "市商务局", "城投集团", "嘉峪关冷链物流集散中心（{t}）", (15000, 60000)),
    ("冷链物流", "企业自筹", "企业投资（备案）", "市商务局", "嘉恒集团", "{t}农产品产地冷藏保鲜设施", (3000, 12000)),
    ("社会事业", "中央预算内投资", "政府投资（审批）", "市教育局", "建投集团", "嘉峪关市{t}学校新建工程", (8000, 25000)),
    ("社会事业", "专项债券", "政府投资（审批）", "市卫生健康委", "建投集团", "市妇幼保健院{t}院区建设", (15000, 45000)),
    ("社会事业", "中央预算内投资", "政府投资（审批）", "市民政局", "城投集团", "{street}居家养老服务中心", (2000, 8000)),
    ("社会事业", "专项债券", "政府投资（审批）", "市体育局", "文旅集团", "全民健身{t}体育公园", (5000, 20000)),
    ("社会事业", "中央预算内投资", "政府投资（审批）", "市退役军人局", "建投集团", "退役军人服务中心（{t}）", (2000, 6000)),
    ("生态环保", "中央预算内投资", "政府投资（审批）", "市生态环境局", "城投集团", "{town}污水处理及再生利用工程", (6000, 25000)),
    ("生态环保", "专项债券", "政府投资（审批）", "市林草局", "城投集团", "北部防风固沙林带建设（{town}）", (5000, 20000)),
    ("生态环保", "其他", "政府投资（审批）", "市市容环境卫生总站", "城投集团", "生活垃圾焚烧发电（{t}）项目", (20000, 60000)),
    ("乡村振兴", "中央预算内投资", "政府投资（审批）", "市农业农村局", "嘉恒集团", "{town}现代设施农业产业园", (5000, 30000)),
    ("乡村振兴", "专项债券", "政府投资（审批）", "市供销合作社", "嘉恒集团", "{town}乡村振兴示范村建设", (2000, 10000)),
    ("乡村振兴", "企业自筹", "企业投资（备案）", "市农业农村局", "嘉恒集团", "{t}肉牛养殖及屠宰加工", (8000, 30000)),
    ("产业", "企业自筹", "企业投资（备案）", "市工信局", "大友集团", "{t}年产{n}万吨新型碳材料", (30000, 150000)),
    ("产业", "政策性开发性金融工具", "企业投资（备案）", "市科技局", "智慧雄关", "嘉峪关{t}算力中心", (20000, 80000)),
)
TIERS = ("5年储备", "3年滚动", "1年实施")
TRADE = ("雄关", "祁连", "丝路", "嘉禾", "峪泉", "金诚", "华瑞", "宏远", "天成", "恒丰", "长城", "瑞泽")
ROADS = ("雄关东路", "兰新东路", "迎宾路", "机场路", "南湖路")
TOWNS = ("新城镇", "峪泉镇", "文殊镇")
STREETS = ("五一街道", "胜利街道", "前进街道", "建设街道", "峪苑街道")


@dataclass(frozen=True)
class ReserveProject:
    name: str
    code: str | None
    domain: str
    channel: str
    project_type: str
    total_wan: int
    first_year_wan: int
    responsible: str
    owner: str
    tier: str
    steps: dict[str, str]  # step key -> cell text ("已完成 2023.5.10", "办理中 预计2024年3月", ...)


def _fmt_done(d: dt.date, style: int) -> str:
    return (f"已完成 {d.year}.{d.month}.{d.day}", f"已办结 {d.year}年{d.month}月{d.day}日",
            f"已取得 {d.year}.{d.month:02d}.{d.day:02d}")[style % 3]


def _steps(rng: random.Random, tier: str, project_type: str, domain: str) -> dict[str, str]:
    """Statuses step by step: a 1-year project is far along, a 5-year idea barely started."""
    progress = {"1年实施": rng.randint(4, 8), "3年滚动": rng.randint(1, 4), "5年储备": rng.randint(0, 1)}[tier]
    out: dict[str, str] = {}
    day = dt.date(2022, rng.randint(6, 12), rng.randint(1, 28))
    done = 0
    for key in RESERVE_STEPS:
        if key == "energy" and domain not in ("能源", "产业") and rng.random() < 0.7:
            out[key] = rng.choice(("不涉及", "无需", "不涉及"))
            continue
        if key == "land" and project_type.endswith("（备案）") and rng.random() < 0.2:
            out[key] = "不涉及"
            continue
        if done < progress:
            day = min(day + dt.timedelta(days=rng.randint(15, 70)), dt.date(2023, 10, 28))
            out[key] = _fmt_done(day, rng.randint(0, 2))
            done += 1
        elif done == progress and rng.random() < 0.8:
            y, m = rng.choice(((2023, 12), (2024, 3), (2024, 5), (2024, 9), (2025, 4)))
            out[key] = rng.choice((f"办理中 预计{y}年{m}月", f"在办 预计{y}年{m}月"))
            done += 1
        else:
            out[key] = rng.choice(("未启动", "未启动", "未办理"))
            done = progress + 1
    return out


def build_reserve(seed: int, count: int = 60) -> list[ReserveProject]:
    rng = random.Random(seed * 11 + 3)
    out: list[ReserveProject] = []
    used: set[str] = set()
    codes: set[str] = set()
    i = 0
    while len(out) < count:
        idea = RESERVE_IDEAS[i % len(RESERVE_IDEAS)]
        i += 1
        domain, channel, ptype, unit, owner, pattern, (lo, hi) = idea
        name = pattern.format(t=rng.choice(TRADE), n=rng.choice((5, 10, 20, 50)),
                              road=rng.choice(ROADS), town=rng.choice(TOWNS),
                              street=rng.choice(STREETS))
        if name in used:
            continue
        used.add(name)
        tier = rng.choices(TIERS, weights=(0.3, 0.4, 0.3))[0]
        total = int(round(rng.uniform(lo, hi) / 100)) * 100
        first = int(round(total * rng.uniform(0.2, 0.45) / 100)) * 100
        code = None
        if tier != "5年储备" and rng.random() < 0.7:
            while True:
                code = f"23{rng.randint(1, 10):02d}-620200-04-01-{rng.randint(100000, 999999):06d}"
                if code not in codes:
                    codes.add(code)
                    break
        out.append(ReserveProject(name, code, domain, channel, ptype, total, first, unit, owner,
                                  tier, _steps(rng, tier, ptype, domain)))
    return out
