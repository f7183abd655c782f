"""The sample's project lists, allocated so they reconcile EXACTLY with the plan.

Order of allocation (each step fixes figures the next one must absorb):

1. the ten provincial major projects of 二(一), figures from the catalogue (sum 35.4 / 20亿);
2. the 44 provincial key projects of 二(二): quarterly plans apportioned column by column so every
   quarter adds up to the plan (1.3/6.3/8.2/3.8 and 0.25/4.2/14.75/18.2亿), planned starts 10/11/6
   in Q2/Q3/Q4; each one is placed on a city list (industrial, government, real estate) or none;
3. the city lists of 二(四)/二(五): the projects not already fixed absorb what is left of each
   count, total and annual plan, per construction nature;
4. the leader package of 二(三): every provincial project plus some city projects, with the
   package's own (accelerated) quarterly targets apportioned to 12.6/65.4/45.7/33.4亿.

All amounts are integer 万元; amounts shown in 亿元 are multiples of 100万 (0.01亿).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from jygproj.sample import catalogue as cat
from jygproj.sample.alloc import apportion, apportion_capped

CONTINUING, NEW, PREPARATORY = "续建", "新建", "预备"
YI = 10_000  # 万元 per 亿元


@dataclass
class Project:
    """One project, counted once city-wide, with the lists it sits on."""

    pid: str  # stable internal id, "P001"
    name: str
    nature: str
    sector: str
    responsible: str
    owner: str
    content: str
    total_wan: int
    annual_wan: int  # the plan figure shared by the provincial and city lists
    planned_start: str  # "YYYY-MM"; original start for continuing projects; "" when unknown
    lead: str = cat.LEAD_UNIT
    code: str | None = None
    leader: str | None = None
    quarters_wan: tuple[int, int, int, int] | None = None  # provincial quarterly plan
    stretch_wan: int | None = None  # 力争目标, provincial major only
    package_quarters_wan: tuple[int, int, int, int] | None = None  # 包抓目标
    lists: list[str] = field(default_factory=list)
    spelling: dict[str, str] = field(default_factory=dict)  # list -> name as that list writes it
    remark: str = ""

    def name_on(self, list_key: str) -> str:
        return self.spelling.get(list_key, self.name)


@dataclass
class Plan:
    projects: list[Project]

    def on(self, list_key: str) -> list[Project]:
        return [p for p in self.projects if list_key in p.lists]


#: City-list counts per nature that the plan does not fix (二(五) gives list totals only).
INDUSTRIAL_NATURE_COUNTS = {CONTINUING: 46, NEW: 47, PREPARATORY: 12}
REAL_ESTATE_NATURE_COUNTS = {CONTINUING: 5, NEW: 3, PREPARATORY: 1}

#: Where the 44 key projects sit: (nature, city list or None, planned start quarter, size in 亿).
#: Counts: continuing 12+3+1+1 = 17; new 18+5+2+2 = 27 with starts Q2 4+5+1 = 10,
#: Q3 9+1+1 = 11, Q4 5+1 = 6 (二(二)). Government new ones start by June (二(四)).
def _key_slots() -> list[tuple[str, str | None, int, float]]:
    slots: list[tuple[str, str | None, int, float]] = []
    slots += [(CONTINUING, "industrial", 1, 1.22)] * 12
    slots += [(CONTINUING, "government", 1, 0.6)] * 3
    slots += [(CONTINUING, "real_estate", 1, 1.5)]
    slots += [(CONTINUING, None, 1, 2.0)]
    slots += [(NEW, "industrial", 2, 1.4)] * 4 + [(NEW, "industrial", 3, 1.5)] * 9
    slots += [(NEW, "industrial", 4, 1.3)] * 5
    slots += [(NEW, "government", 2, 1.0)] * 5
    slots += [(NEW, "real_estate", 2, 1.6), (NEW, "real_estate", 3, 1.6)]
    slots += [(NEW, None, 3, 2.5), (NEW, None, 4, 2.5)]
    return slots


class _Namer:
    """Fills name templates with unique results (deterministic for a given rng)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def fill(self, pattern: str, sector: str) -> tuple[str, dict[str, object]]:
        rng = self.rng
        big = sector in ("光伏", "新能源")
        values = {
            "t": rng.choice(cat.TRADE),
            "n": rng.choice((50, 100, 150, 200, 300) if big else (2, 3, 5, 6, 8, 10, 12, 15, 20, 30)),
            "m": rng.choice((1, 2, 3, 4, 6, 9, 12)),
            "road": rng.choice(cat.ROADS),
            "town": rng.choice(cat.TOWNS),
            "street": rng.choice(cat.STREETS),
            "s": rng.choice(cat.REAL_ESTATE_SUFFIX),
        }
        return pattern.format(**values), values

    def make(self, templates, units: tuple[str, ...] | None = None) -> tuple[str, str, str, str]:
        """(name, sector, responsible unit, content) from a random template; names end in 项目."""
        pool = [t for t in templates if units is None or t[1] in units] or list(templates)
        for _ in range(200):
            sector, unit, pattern, content = self.rng.choice(pool)
            name, values = self.fill(pattern, sector)
            name = name + ("工程" if name.endswith(("改造", "治理")) and self.rng.random() < 0.3 else "项目")
            if name not in self.used:
                self.used.add(name)
                return name, sector, unit, content.format(**values)
        raise RuntimeError("could not find a unique project name")


def _owner(rng: random.Random, sector: str, unit: str, name: str, public: bool) -> str:
    """建设单位: the unit's own bureau or a city company for public works, a firm otherwise."""
    if name.startswith("酒钢"):
        return cat.JISCO
    trade = next((t for t in cat.TRADE if t in name), rng.choice(cat.TRADE))
    if public:
        if unit in ("工业园区管委会", "建投集团") or sector == "园区基础设施":
            return "嘉峪关市建设投资（集团）有限公司"
        if unit == "郊区工作办":
            return "嘉峪关市郊区工作办公室"
        if unit.startswith("大景区管委会"):
            return "嘉峪关市大景区管委会"
        full = {"市住建局": "市住房和城乡建设局", "市卫生健康委": "市卫生健康委员会",
                "市教育局": "市教育局", "市交通运输局": "市交通运输局"}.get(unit, unit)
        return "嘉峪关" + full if full.startswith("市") else "嘉峪关市" + full
    kind = {"房地产": "房地产开发有限公司", "光伏": "新能源有限公司", "新能源": "新能源有限公司",
            "文化旅游": "文化旅游发展有限公司", "冷链物流": "物流有限公司", "商贸": "商贸有限公司",
            "电力": "电力有限公司"}.get(sector, "实业有限公司")
    return f"嘉峪关{trade}{kind}"


def _month(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def _round_to(value: float, unit: int) -> int:
    return max(unit, int(round(value / unit)) * unit)


def _start_in_quarter(rng: random.Random, quarter: int) -> str:
    return _month(2023, rng.choice({1: (3,), 2: (4, 5, 6), 3: (7, 8, 9), 4: (10, 11)}[quarter]))


def _continuing_start(rng: random.Random) -> str:
    return _month(rng.choice((2020, 2021, 2021, 2022, 2022, 2022)), rng.randint(3, 10))


# --- steps --------------------------------------------------------------------------------------

def _major(projects: list[Project], next_id) -> None:
    for np_ in cat.MAJOR_PROJECTS:
        lists = ["provincial_major"]
        if np_.on_industrial:
            lists.append("industrial")
        if np_.on_government:
            lists.append("government")
        # names exactly as the plan writes them; quarters follow the seasonal construction
        # curve from the start quarter (二(一) asks for a monthly breakdown, not given in the plan)
        if np_.nature == CONTINUING:
            weights = list(_SEASON_Q)
        else:
            sq = (int(np_.planned_start[5:7]) - 1) // 3 + 1
            weights = [0.0 if q + 1 < sq else (0.5 if q + 1 == sq else 1.0) for q in range(4)]
        quarters = tuple(apportion(weights, np_.annual_wan, 100))
        projects.append(Project(
            pid=next_id(), name=np_.name, nature=np_.nature, sector=np_.sector,
            responsible=np_.responsible, owner=np_.owner, content=np_.content,
            total_wan=np_.total_wan, annual_wan=np_.annual_wan, planned_start=np_.planned_start,
            stretch_wan=np_.stretch_wan, lists=lists, quarters_wan=quarters))  # type: ignore[arg-type]


#: Quarter weights of a key project's raw plan, before column apportionment.
_SEASON_Q = (0.07, 0.32, 0.42, 0.19)


def _key(projects: list[Project], targets, rng: random.Random, namer: _Namer, next_id) -> None:
    slots = _key_slots()
    made: list[tuple[Project, int, float]] = []
    for nature, city_list, start_q, size in slots:
        if city_list is None:
            off = [o for o in cat.KEY_OFF_CITY if o[0] == nature and o[3] + "" not in namer.used]
            _, sector, unit, name, owner, content = off[0]
            namer.used.add(name)
            content = content.format(n=rng.choice((30, 45, 60, 86)))
        elif city_list == "industrial":
            name, sector, unit, content = namer.make(cat.INDUSTRIAL_TEMPLATES, cat.UNITS_KEY)
            owner = _owner(rng, sector, unit, name, public=False)
        elif city_list == "government":
            name, sector, unit, content = namer.make(cat.GOVERNMENT_TEMPLATES, cat.UNITS_KEY)
            owner = _owner(rng, sector, unit, name, public=True)
        else:
            name, sector, unit, content = namer.make(cat.REAL_ESTATE_TEMPLATES)
            owner = _owner(rng, sector, unit, name, public=False)
        start = _continuing_start(rng) if nature == CONTINUING else _start_in_quarter(rng, start_q)
        lists = ["provincial_key"] + ([city_list] if city_list else [])
        p = Project(pid=next_id(), name=name, nature=nature, sector=sector, responsible=unit,
                    owner=owner, content=content, total_wan=0, annual_wan=0, planned_start=start,
                    lists=lists)
        made.append((p, start_q, size * rng.uniform(0.7, 1.3)))
    # apportion each quarter column (二(二)); units of 100万 so the 亿元 list shows exact 0.01亿
    t = targets
    q_targets = {
        CONTINUING: [int(round(t.wan(f"provincial_key_continuing_q{q}_yi"))) for q in (1, 2, 3, 4)],
        NEW: [int(round(t.wan(f"provincial_key_new_q{q}_yi"))) for q in (1, 2, 3, 4)],
    }
    for nature in (CONTINUING, NEW):
        group = [(p, sq, size) for p, sq, size in made if p.nature == nature]
        raw = []
        for i, (p, sq, size) in enumerate(group):
            if nature == CONTINUING:
                w = list(_SEASON_Q)
            else:
                # nothing before the planned start quarter; a few Q2 starters spend on site
                # preparation in Q1 (the plan's 0.25亿 of Q1 for new projects)
                w = [0.0, 0.0, 0.0, 0.0]
                for q in range(sq, 5):
                    w[q - 1] = {2: 0.3, 3: 1.0, 4: 1.2}[q] if q >= sq else 0.0
                w[sq - 1] *= 0.6
                if sq == 2 and i % 3 == 0:
                    w[0] = 0.05
            raw.append([x * size for x in w])
        cols = [apportion([r[q] for r in raw], q_targets[nature][q], 100) for q in range(4)]
        for i, (p, _, _) in enumerate(group):
            quarters = tuple(cols[q][i] for q in range(4))
            if sum(quarters) == 0:  # cannot happen with positive weights, kept as a guard
                raise RuntimeError(f"key project {p.name} got no plan")
            p.quarters_wan = quarters  # type: ignore[assignment]
            p.annual_wan = sum(quarters)
            ratio = rng.uniform(3.0, 6.0) if nature == CONTINUING else rng.uniform(2.2, 4.5)
            if "government" in p.lists:
                ratio = rng.uniform(2.0, 3.0)
            p.total_wan = max(10_000 + 100 * rng.randint(1, 40), _round_to(p.annual_wan * ratio, 100))
        projects.extend(p for p, _, _ in group)


def _fill_city_group(projects: list[Project], rng: random.Random, namer: _Namer, next_id,
                     list_key: str, natures: dict[str, int], total_wan: int, annual_wan: int | None,
                     annual_by_nature: dict[str, int] | None, total_by_nature: dict[str, int] | None,
                     unit: int) -> None:
    """Add the free projects of one city list so its counts and sums match exactly."""
    templates = {"industrial": cat.INDUSTRIAL_TEMPLATES, "government": cat.GOVERNMENT_TEMPLATES,
                 "real_estate": cat.REAL_ESTATE_TEMPLATES}[list_key]
    fixed = [p for p in projects if list_key in p.lists]
    new: list[Project] = []
    for nature, count in natures.items():
        have = sum(1 for p in fixed if p.nature == nature)
        for _ in range(count - have):
            units = cat.UNITS_ENTERPRISE if list_key != "government" else None
            name, sector, resp, content = namer.make(templates, units)
            if nature == CONTINUING:
                start = _continuing_start(rng)
            elif nature == NEW:
                if list_key == "government":  # 二(四): Q1 where possible, all by end of June
                    start = _month(2023, rng.choice((3, 3, 3, 4, 5, 6)))
                else:
                    start = _month(2023, rng.choice((3, 4, 4, 5, 5, 6, 6, 7, 8, 9, 10)))
            else:
                start = rng.choice(("", "2024-03", "2024-04", "2023-11"))
            new.append(Project(pid=next_id(), name=name, nature=nature, sector=sector,
                               responsible=resp,
                               owner=_owner(rng, sector, resp, name, list_key == "government"),
                               content=content, total_wan=0, annual_wan=0, planned_start=start,
                               lists=[list_key]))
    # totals: by nature when the plan gives them (government), else pooled (enterprise lists)
    groups = ([[p for p in new if p.nature == n] for n in natures] if total_by_nature
              else [new])
    for group in groups:
        if not group:
            continue
        nature = group[0].nature if total_by_nature else None
        t_target = total_by_nature[nature] if total_by_nature else total_wan
        t_fixed = sum(p.total_wan for p in fixed if nature is None or p.nature == nature)
        rest = t_target - t_fixed
        floor = 500 if list_key == "government" else 2000
        weights = [rng.lognormvariate(0, 0.75) for _ in group]
        if list_key == "industrial":  # preparatory projects are big ideas not yet started
            weights = [w * (2.0 if p.nature == PREPARATORY else 1.0) for w, p in zip(weights, group)]
        parts = apportion(weights, rest - floor * len(group), unit)
        for p, part in zip(group, parts):
            p.total_wan = part + floor
        # annual plans: preparatory projects carry none (二(四) gives them a total only)
        a_target = annual_by_nature[nature] if annual_by_nature else annual_wan
        a_fixed = sum(p.annual_wan for p in fixed if nature is None or p.nature == nature)
        spenders = [p for p in group if p.nature != PREPARATORY]
        if not spenders:
            continue
        a_rest = a_target - a_fixed
        ratio = {CONTINUING: (0.25, 0.6), NEW: (0.25, 0.55)}
        weights = [p.total_wan * rng.uniform(*ratio[p.nature]) for p in spenders]
        caps = [int(p.total_wan * 0.85) for p in spenders]
        for p, a in zip(spenders, apportion_capped(weights, caps, a_rest, unit)):
            p.annual_wan = a
    projects.extend(new)


def _package(projects: list[Project], targets, rng: random.Random) -> None:
    """二(三): provincial major and key projects, plus some city projects (省市为民实事/市属重点)."""
    members = [p for p in projects if {"provincial_major", "provincial_key"} & set(p.lists)]
    gov = sorted((p for p in projects if p.lists == ["government"] and p.nature != PREPARATORY),
                 key=lambda p: (-p.annual_wan, p.pid))[:8]
    ind = sorted((p for p in projects if p.lists == ["industrial"] and p.nature != PREPARATORY),
                 key=lambda p: (-p.annual_wan, p.pid))[:6]
    res = sorted((p for p in projects if p.lists == ["real_estate"] and p.nature != PREPARATORY),
                 key=lambda p: (-p.annual_wan, p.pid))[:2]
    for p in gov:
        p.remark = "省市为民实事项目"
    for p in ind + res:
        p.remark = "市属重点项目"
    members += gov + ind + res
    # the package's targets are front-loaded: 推动项目提前完成年度投资计划 (二(三))
    shapes = {1: (0.10, 0.44, 0.28, 0.18), 2: (0.0, 0.45, 0.33, 0.22), 3: (0.0, 0.0, 0.55, 0.45),
              4: (0.0, 0.0, 0.0, 1.0)}
    raw = []
    for p in members:
        if p.nature == CONTINUING:
            q = 1
        else:
            month = int(p.planned_start[5:7]) if p.planned_start.startswith("2023") else 4
            q = 1 if month <= 3 else (month - 1) // 3 + 1
        raw.append([p.annual_wan * 1.1 * s * rng.uniform(0.85, 1.15) for s in shapes[q]])
    q_targets = [int(round(targets.wan(f"leader_package_q{q}_yi"))) for q in (1, 2, 3, 4)]
    cols = [apportion([r[q] for r in raw], q_targets[q], 10) for q in range(4)]
    for i, p in enumerate(members):
        p.package_quarters_wan = tuple(cols[q][i] for q in range(4))  # type: ignore[assignment]
        p.lists.append("leader_package")
        p.leader = cat.LEADER_BY_UNIT.get(p.responsible, "市级领导B")
        if p.pid in ("P001", "P006"):  # the biggest steel project and the airport: the mayor
            p.leader = "市级领导A"


def _codes(projects: list[Project], rng: random.Random) -> None:
    """National codes YYMM-620200-04-01-NNNNNN: every provincial project, most enterprise ones,
    some government ones (city lists often carry none, layout.md)."""
    used: set[str] = set()
    for p in projects:
        provincial = {"provincial_major", "provincial_key"} & set(p.lists)
        share = 1.0 if provincial else 0.85 if "industrial" in p.lists else (
            0.6 if "real_estate" in p.lists else 0.4)
        if rng.random() >= share:
            continue
        if p.nature == CONTINUING and p.planned_start:
            y, m = int(p.planned_start[:4]), int(p.planned_start[5:7])
            y, m = (y, m - 3) if m > 3 else (y - 1, m + 9)
        else:
            y, m = rng.choice(((2022, 9), (2022, 11), (2022, 12), (2023, 1), (2023, 2), (2023, 3)))
        while True:
            code = f"{y % 100:02d}{m:02d}-620200-04-01-{rng.randint(100000, 999999):06d}"
            if code not in used:
                used.add(code)
                p.code = code
                break


#: Lists whose workbooks carry a 项目代码 column (the leader package list has none).
CODED_LISTS = ("provincial_major", "provincial_key", "government", "industrial", "real_estate")


def _spellings(projects: list[Project], rng: random.Random) -> None:
    """A few projects are spelled slightly differently on another list (domain page).

    Where the project has a code and the other list shows it, the variant may add or drop a
    trailing 项目 (matched by code); otherwise only variants a name normaliser undoes (bracket
    width, an inner space, full-width digits), so name-keyed lists still match.
    """
    multi = [p for p in projects if len(p.lists) > 1]
    for p in rng.sample(multi, 8):
        lst = p.lists[-1]
        if p.code and lst in CODED_LISTS:
            p.spelling[lst] = cat.name_variant(p.name, 1)
        else:
            p.spelling[lst] = cat.soft_variant(p.name, rng.randint(1, 3))


def build_plan(targets, seed: int) -> Plan:
    """Allocate every list of the plan. ``targets`` is a :class:`jygproj.reference.Targets`."""
    rng = random.Random(seed)
    namer = _Namer(rng)
    counter = iter(range(1, 10_000))

    def next_id() -> str:
        return f"P{next(counter):03d}"

    projects: list[Project] = []
    _major(projects, next_id)
    namer.used.update(p.name for p in projects)
    _key(projects, targets, rng, namer, next_id)
    t = targets

    def w(key: str) -> int:
        return int(round(t.wan(key)))

    def n(key: str) -> int:
        return int(t.value(key))

    _fill_city_group(
        projects, rng, namer, next_id, "government",
        {CONTINUING: n("government_continuing_count"), NEW: n("government_new_count"),
         PREPARATORY: n("government_preparatory_count")},
        w("government_total_yi"), None,
        {CONTINUING: w("government_continuing_annual_yi"), NEW: w("government_new_annual_yi"),
         PREPARATORY: 0},
        {CONTINUING: w("government_continuing_total_yi"), NEW: w("government_new_total_yi"),
         PREPARATORY: w("government_preparatory_total_yi")}, unit=10)
    industrial = dict(INDUSTRIAL_NATURE_COUNTS)
    assert sum(industrial.values()) == n("industrial_count")
    _fill_city_group(projects, rng, namer, next_id, "industrial", industrial,
                     w("industrial_total_yi"), w("industrial_annual_yi"), None, None, unit=10)
    real_estate = dict(REAL_ESTATE_NATURE_COUNTS)
    assert sum(real_estate.values()) == n("real_estate_count")
    _fill_city_group(projects, rng, namer, next_id, "real_estate", real_estate,
                     w("real_estate_total_yi"), w("real_estate_annual_yi"), None, None, unit=100)
    _package(projects, targets, rng)
    _codes(projects, rng)
    _spellings(projects, rng)
    return Plan(projects)
