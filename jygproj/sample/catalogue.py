"""Names, units, leaders and sectors the sample data is drawn from.

Everything here is either quoted from the plan (嘉政办发〔2023〕39号) — the ten provincial major
projects of 二(一) and the responsible units of 二(一)…二(九) — or invented to look like what the
offices write. Invented companies use generic trade names; leaders are roles ("市级领导A"), never
real people. Nothing here is an official figure.
"""

from __future__ import annotations

from dataclasses import dataclass

# --- units from the plan's own lists -----------------------------------------------------------

LEAD_UNIT = "市发展改革委"  # 牵头单位 of 二(一)…二(九)
LEAD_UNIT_GOVERNMENT = "市发展改革委、市财政局"  # 二(四) names both

#: Responsible units of 二(一) (provincial major projects).
UNITS_MAJOR = ("市工信局", "工业园区管委会")
#: Responsible units of 二(二) (provincial key projects).
UNITS_KEY = ("市工信局", "市住建局", "市商务局", "市文旅局", "市卫生健康委", "工业园区管委会",
             "市房产服务中心")
#: Responsible units of 二(三) (leader package).
UNITS_PACKAGE = ("市工信局", "工业园区管委会", "市住建局", "市卫生健康委",
                 "大景区管委会(丝路长城文化研究院)", "市国资委", "市商务局", "市房产服务中心", "建投集团",
                 "市林草局", "市教育局", "市交通运输局", "市水务局", "市民政局")
#: Responsible units of 二(四) (government investment plan).
UNITS_GOVERNMENT = ("郊区工作办", "市教育局", "市公安局", "市民政局", "市自然资源局", "市住建局",
                    "市交通运输局", "市水务局", "市农业农村局", "市商务局", "市文旅局", "市卫生健康委",
                    "市林草局", "市体育局", "市粮食和物资储备局", "工业园区管委会", "市供销合作社",
                    "大景区管委会(丝路长城文化研究院)", "市房产服务中心", "市融媒体中心")
#: Responsible units of 二(五) (industrial and real-estate plans).
UNITS_ENTERPRISE = ("市工信局", "市自然资源局", "市住建局", "市水务局", "市商务局", "市文旅局",
                    "市政府国资委", "工业园区管委会", "市房产服务中心")
#: Responsible units of 二(六) (reserve pool).
UNITS_RESERVE = ("市教育局", "市科技局", "市工信局", "市公安局", "市民政局", "市自然资源局",
                 "市生态环境局", "市住建局", "市交通运输局", "市水务局", "市农业农村局", "市商务局",
                 "市文旅局", "市卫生健康委", "市退役军人局", "市应急局", "市林草局", "市体育局",
                 "市粮食和储备局", "市城管执法局", "市供销合作社", "市市容环境卫生总站",
                 "大景区管委会(丝路长城文化研究院)", "大友集团", "嘉恒集团", "文旅集团", "城投集团",
                 "交建集团", "建投集团", "智慧雄关", "水投公司")


def all_plan_units() -> tuple[str, ...]:
    """Every responsible unit named anywhere in 二(一)…二(九), first-seen order, no duplicates.

    The template's 责任单位 drop-down offers these (plus the lead units)."""
    seen: dict[str, None] = {}
    for group in (UNITS_MAJOR, UNITS_KEY, UNITS_PACKAGE, UNITS_GOVERNMENT, UNITS_ENTERPRISE,
                  UNITS_RESERVE, ("市发展改革委", "市财政局", "市政府金融办", "市招商引资服务中心",
                                  "市政府国资委", "市融媒体中心")):
        for unit in group:
            seen.setdefault(unit, None)
    return tuple(seen)


#: City-leader roles for the package mechanism 二(三). Roles, not names.
LEADERS = ("市级领导A", "市级领导B", "市级领导C", "市级领导D", "市级领导E", "市级领导F",
           "市级领导G", "市级领导H")
LEADER_ROLES = {
    "市级领导A": "市长",
    "市级领导B": "常务副市长",
    "市级领导C": "副市长（分管工业、园区）",
    "市级领导D": "副市长（分管城建、住房）",
    "市级领导E": "副市长（分管教育、卫健）",
    "市级领导F": "副市长（分管文旅、商务）",
    "市级领导G": "副市长（分管农业、水利、林草）",
    "市级领导H": "副市长（分管交通、国资）",
}
#: Which leader takes a project, by responsible unit (first match wins; default B).
LEADER_BY_UNIT = {
    "市工信局": "市级领导C", "工业园区管委会": "市级领导C", "市住建局": "市级领导D",
    "市房产服务中心": "市级领导D", "市卫生健康委": "市级领导E", "市教育局": "市级领导E",
    "市文旅局": "市级领导F", "市商务局": "市级领导F", "大景区管委会(丝路长城文化研究院)": "市级领导F",
    "市水务局": "市级领导G", "市林草局": "市级领导G", "市农业农村局": "市级领导G",
    "郊区工作办": "市级领导G", "市交通运输局": "市级领导H", "市国资委": "市级领导H",
    "市政府国资委": "市级领导H", "建投集团": "市级领导H", "市民政局": "市级领导E",
}

# --- places and invented trade names --------------------------------------------------------------

TOWNS = ("新城镇", "峪泉镇", "文殊镇")
STREETS = ("五一街道", "胜利街道", "前进街道", "建设街道", "新华街道", "峪苑街道", "朝阳街道", "钢城街道")
TRADE = ("雄关", "祁连", "丝路", "嘉禾", "峪泉", "金诚", "华瑞", "宏远", "天成", "恒丰", "鑫源", "瑞泽",
         "长城", "嘉信", "聚力", "中科", "绿源", "晟达", "汇通", "兴盛", "嘉润", "西部", "泰和", "安顺",
         "博远", "同创", "正阳", "广汇", "宏晟", "新锐")
ROADS = ("雄关东路", "兰新东路", "建设西路", "迎宾路", "五一北路", "新华南路", "峪泉路", "长城路",
         "胜利北路", "机场路", "讨赖河路", "南湖路")


# --- the ten provincial major projects, 二(一) --------------------------------------------------

@dataclass(frozen=True)
class NamedProject:
    """A project the plan names, with the sample's invented figures (万元, multiples of 100)."""

    name: str
    nature: str  # 续建 / 新建
    owner: str
    sector: str
    responsible: str
    total_wan: int
    annual_wan: int
    stretch_wan: int  # 力争目标 (大提速), not a plan
    planned_start: str  # "2023-04" for new projects, original start for continuing
    content: str
    on_industrial: bool
    on_government: bool


JISCO = "酒泉钢铁（集团）有限责任公司"
#: Annual plans add up to the plan: 6.0+5.2+3.4+8.6+7.4+4.8 = 35.4 (stretch 37.6) and
#: 6.5+4.5+6.2+2.8 = 20.0 (stretch 20.8), 二(一).
MAJOR_PROJECTS: tuple[NamedProject, ...] = (
    NamedProject("本部12号焦炉优化升级", "续建", JISCO, "钢铁", "市工信局", 185000, 60000, 64000,
                 "2022-04", "新建6米顶装焦炉1座及配套干熄焦、煤气净化设施", True, False),
    NamedProject("碳钢薄板厂产品结构优化升级热轧酸洗板镀锌铝镁", "续建", JISCO, "钢铁", "市工信局",
                 128000, 52000, 55000, "2022-06", "新建酸洗机组及镀锌铝镁生产线，年产高端板材80万吨",
                 True, False),
    NamedProject("储运部嘉东料场绿色智能化改造", "续建", JISCO, "钢铁", "市工信局", 96000, 34000,
                 36000, "2022-05", "原料场全封闭改造及智能化堆取料系统", True, False),
    NamedProject("索通770MW光伏发电", "续建", "嘉峪关索通新能源有限公司", "光伏", "工业园区管委会",
                 320000, 86000, 92000, "2022-08", "建设770MW光伏电站及配套升压站、储能设施", True,
                 False),
    NamedProject("索通20万吨锂电池高端负极材料及配套", "续建", "嘉峪关索通新材料有限公司", "锂电池材料",
                 "工业园区管委会", 450000, 74000, 79000, "2022-03",
                 "建设年产20万吨锂电池负极材料一体化生产线及配套石墨化", True, False),
    NamedProject("嘉峪关机场改扩建", "续建", "甘肃省民航机场集团有限公司嘉峪关机场", "民航",
                 "市交通运输局", 160000, 48000, 50000, "2021-09",
                 "新建航站楼2万平方米，扩建站坪及配套设施", False, False),
    NamedProject("炼铁工艺装备三化升级改造", "新建", JISCO, "钢铁", "市工信局", 240000, 65000, 68000,
                 "2023-04", "高炉工艺装备大型化、智能化、绿色化改造", True, False),
    NamedProject("炼铁厂烧结机工艺装备三化升级改造", "新建", JISCO, "钢铁", "市工信局", 150000, 45000,
                 47000, "2023-05", "烧结机大型化改造及烟气超低排放治理", True, False),
    NamedProject("甘肃嘉唐氧化铝生产", "新建", "甘肃嘉唐铝业有限公司", "有色金属", "工业园区管委会",
                 580000, 62000, 64000, "2023-06", "建设年产120万吨氧化铝生产线及配套设施", True,
                 False),
    NamedProject("高新技术产业开发区基础设施配套", "新建", "嘉峪关市建设投资（集团）有限公司",
                 "园区基础设施", "工业园区管委会", 80000, 28000, 29000, "2023-04",
                 "园区道路、给排水、供热及标准化厂房配套", False, True),
)


# --- name templates by list and sector -------------------------------------------------------------
# Each template is (sector, responsible unit, name pattern, content pattern). Patterns use
# {t} trade name, {n} a number, {road}, {town}, {street}, {m} a second number.

INDUSTRIAL_TEMPLATES = (
    ("钢铁", "市工信局", "酒钢{m}号高炉煤气综合利用发电", "建设煤气发电机组{n}MW"),
    ("钢铁", "市工信局", "酒钢不锈钢分公司{n}万吨精品冷轧板改造", "改造冷轧机组，提升精品板材产能"),
    ("钢铁", "市工信局", "{t}特钢年产{n}万吨合金钢棒材", "新建棒材生产线及配套设施"),
    ("有色金属", "工业园区管委会", "{t}铝业年产{n}万吨高端铝合金圆棒", "新建熔铸生产线{m}条"),
    ("有色金属", "工业园区管委会", "{t}新材料年产{n}万吨铝板带箔", "建设铝板带箔冷轧生产线"),
    ("有色金属", "工业园区管委会", "{t}铝业电解槽余热综合利用", "电解槽余热回收及供热改造"),
    ("光伏", "工业园区管委会", "{t}新能源{n}MW光伏发电", "建设{n}MW光伏电站及配套升压站"),
    ("光伏", "市工信局", "{t}{n}MW/{m}MWh储能电站", "建设电化学储能电站"),
    ("光伏", "工业园区管委会", "{t}光伏组件边框及支架制造", "建设铝边框及支架生产线"),
    ("新能源", "市工信局", "{t}风光储一体化{n}万千瓦", "建设风电、光伏及配套储能"),
    ("锂电池材料", "工业园区管委会", "{t}年产{n}万吨锂电池负极材料", "建设负极材料生产线"),
    ("锂电池材料", "工业园区管委会", "{t}年产{n}万吨石墨化加工", "建设石墨化厢式炉{m}台"),
    ("锂电池材料", "工业园区管委会", "{t}年产{n}万吨磷酸铁锂正极材料", "建设正极材料生产线"),
    ("化工", "工业园区管委会", "{t}化工年产{n}万吨预焙阳极", "建设焙烧炉及成型车间"),
    ("化工", "工业园区管委会", "{t}绿氢制备及综合利用示范", "建设电解水制氢装置{n}台套"),
    ("建材", "市工信局", "{t}建材年产{n}万吨装配式建筑构件", "建设构件生产线及堆场"),
    ("建材", "市工信局", "{t}固废综合利用年产{n}万吨新型建材", "利用冶金渣生产新型建材"),
    ("装备制造", "工业园区管委会", "{t}智能装备制造产业园", "建设标准化厂房{n}万平方米"),
    ("农产品加工", "市商务局", "{t}农业年产{n}万吨果蔬精深加工", "建设果蔬加工及冷藏车间"),
    ("冷链物流", "市商务局", "{t}物流冷链仓储中心", "建设冷库{n}万吨及配套分拣中心"),
    ("商贸", "市商务局", "{t}商贸综合体", "建设商业综合体{n}万平方米"),
    ("文化旅游", "市文旅局", "{t}文旅长城文化体验园", "建设文化体验及游客服务设施"),
    ("文化旅游", "市文旅局", "{town}{t}乡村旅游综合开发", "建设民宿、游客中心及配套"),
    ("水务", "市水务局", "{t}水务工业园区中水回用", "建设中水回用管网{n}公里"),
    ("数据中心", "市工信局", "{t}云计算数据中心", "建设数据中心机柜{n}个"),
)

GOVERNMENT_TEMPLATES = (
    ("教育", "市教育局", "嘉峪关市第{n}中学改扩建", "改扩建教学楼及运动场"),
    ("教育", "市教育局", "{street}幼儿园新建", "新建{m}班幼儿园"),
    ("教育", "市教育局", "嘉峪关市{t}小学新建", "新建教学楼{n}千平方米"),
    ("卫生健康", "市卫生健康委", "市第一人民医院{t}楼建设", "新建医技及住院楼"),
    ("卫生健康", "市卫生健康委", "市中医医院康复中心建设", "新建康复中心{n}千平方米"),
    ("卫生健康", "市卫生健康委", "{street}社区卫生服务中心建设", "新建社区卫生服务中心"),
    ("城市建设", "市住建局", "{street}老旧小区改造", "改造老旧小区{n}个、{m}万平方米"),
    ("城市建设", "市住建局", "城区集中供热管网改造（{road}段）", "改造供热管网{n}公里"),
    ("城市建设", "市住建局", "{road}道路及综合管廊改造", "道路改造{n}公里"),
    ("城市建设", "市住建局", "城区燃气老旧管网更新改造（{street}片区）", "更新燃气管网{n}公里"),
    ("交通", "市交通运输局", "{road}延伸段道路工程", "新建城市道路{n}公里"),
    ("交通", "市交通运输局", "{town}农村公路提质改造", "改造农村公路{n}公里"),
    ("水利", "市水务局", "讨赖河{town}段防洪治理", "新建堤防{n}公里"),
    ("水利", "市水务局", "城区供水管网改造（{street}片区）", "改造供水管网{n}公里"),
    ("水利", "市水务局", "{t}水厂提标改造", "水厂深度处理改造"),
    ("生态环保", "市林草局", "三北防护林{town}造林绿化", "营造防护林{n}千亩"),
    ("生态环保", "市自然资源局", "{town}历史遗留矿山生态修复", "修复矿山{n}公顷"),
    ("农业农村", "市农业农村局", "{town}高标准农田建设", "建设高标准农田{n}千亩"),
    ("农业农村", "郊区工作办", "{town}农村人居环境整治", "改厕、污水及垃圾治理"),
    ("民政", "市民政局", "{street}养老服务综合体", "建设养老床位{n}张"),
    ("公安", "市公安局", "公安{t}业务技术用房", "新建业务技术用房{n}千平方米"),
    ("体育", "市体育局", "全民健身中心（{street}）", "建设健身场馆{n}千平方米"),
    ("粮食储备", "市粮食和物资储备局", "{t}粮食储备库改造", "新建仓容{n}万吨"),
    ("商贸", "市商务局", "{town}县域商业体系建设", "建设乡镇商贸中心{n}个"),
    ("文化旅游", "大景区管委会(丝路长城文化研究院)", "长城文化公园{t}段保护展示", "长城本体保护及展示"),
    ("文化旅游", "市文旅局", "嘉峪关市{t}博物馆提升改造", "展陈提升及设施改造"),
    ("园区基础设施", "工业园区管委会", "工业园区{t}片区道路及管网", "新建道路及管网{n}公里"),
    ("供销", "市供销合作社", "{town}农村综合服务社", "建设为农服务中心"),
    ("住房保障", "市房产服务中心", "{street}保障性租赁住房", "建设保障性租赁住房{n}套"),
    ("融媒体", "市融媒体中心", "市融媒体中心应急广播体系建设", "建设应急广播终端{n}套"),
)

REAL_ESTATE_TEMPLATES = (
    ("房地产", "市房产服务中心", "{t}·{s}住宅小区", "建设住宅{n}万平方米"),
    ("房地产", "市住建局", "{t}{s}商住综合体", "建设商住楼{n}万平方米"),
)
REAL_ESTATE_SUFFIX = ("雄关府", "御景苑", "长城雅居", "锦绣园", "悦澜湾", "丝路壹号", "峪泉华府",
                      "南湖天地", "紫轩", "嘉和苑", "观澜", "和园")

#: Provincial key projects that sit on no city list (central / provincial enterprises).
KEY_OFF_CITY = (
    ("续建", "电力", "市工信局", "国网嘉峪关供电公司330千伏输变电工程", "国网甘肃省电力公司嘉峪关供电公司",
     "新建330千伏变电站1座、线路{n}公里"),
    ("新建", "电力", "市工信局", "嘉峪关750千伏变电站主变扩建工程", "国网甘肃省电力公司超高压公司",
     "扩建750千伏主变1台"),
    ("新建", "交通", "市交通运输局", "G312线嘉峪关过境段改建工程", "甘肃省公路交通建设集团有限公司",
     "改建一级公路{n}公里"),
)


def name_variant(name: str, variant: int = 1) -> str:
    """Another office's spelling that differs in words: a trailing 项目 added or dropped."""
    return name[:-2] if name.endswith("项目") else name + "项目"


_FULL_WIDTH = str.maketrans("0123456789MW", "０１２３４５６７８９ＭＷ")


def soft_variant(name: str, variant: int) -> str:
    """A spelling that differs only in width, brackets or spacing (a name normaliser undoes it)."""
    if variant == 1 and "（" in name:
        return name.replace("（", "(").replace("）", ")")
    if variant == 2 and any(ch.isdigit() for ch in name):
        return name.translate(_FULL_WIDTH)
    for word in ("年产", "改造", "建设", "项目"):
        k = name.find(word)
        if k > 1:
            return name[:k] + " " + name[k:]
    return name + " "
