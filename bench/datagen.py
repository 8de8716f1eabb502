"""Realistic, deterministic test data: enterprises, staff and hazards with Chinese names."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator

from scheduler.vocab import Category

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志刚晓燕海燕文博宇轩浩然子涵欣怡梓萱思远"
PLACES = ["晋阳", "并州", "龙城", "云冈", "五台", "平遥", "壶口", "绵山", "王莽岭", "皇城", "太行", "汾河", "雁门", "恒山",
          "运城", "临汾", "长治", "晋城", "忻州", "吕梁", "朔州", "阳泉", "大同", "晋中", "河东", "三晋", "黄河", "娘子关"]
KINDS = {
    Category.SCENIC_AREA: ["风景区", "旅游区", "文化旅游景区", "森林公园", "古镇景区"],
    Category.ENTERTAINMENT: ["KTV", "歌舞厅", "娱乐会所", "量贩式KTV"],
    Category.INTERNET_CAFE: ["网咖", "网络会所", "电竞馆"],
    Category.SCRIPT_GAME: ["剧本杀", "密室逃脱", "推理馆"],
    Category.PERFORMANCE: ["大剧院", "演艺中心", "音乐厅", "小剧场"],
    Category.TRAVEL_AGENCY: ["国际旅行社", "旅行社", "旅游服务公司"],
    Category.PUBLIC_CULTURE: ["博物馆", "图书馆", "文化馆", "美术馆"],
}
REGIONS = ["140105", "140106", "140109", "140213", "140402", "140525", "140702", "140728", "140802", "140902", "141002", "141102"]


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def mobile(rng: random.Random) -> str:
    return "1" + rng.choice("3589") + "".join(rng.choice("0123456789") for _ in range(9))


def enterprises(count: int, seed: int = 1) -> Iterator[dict[str, object]]:
    """Rows for the enterprise table (all categories, spread over Shanxi's regions)."""
    rng = random.Random(seed)
    categories = list(KINDS)
    for i in range(count):
        category = categories[i % len(categories)]
        principal, manager = person(rng), person(rng)
        yield {
            "code": f"91140{i:07d}BENCH{i % 10}",
            "name": f"{rng.choice(PLACES)}{rng.choice(KINDS[category])}（{i}）",
            "category": category.value,
            "grade": rng.choice(["3A", "4A", "5A"]) if category is Category.SCENIC_AREA else "",
            "region": rng.choice(REGIONS),
            "principal_name": principal,
            "principal_mobile": mobile(rng),
            "principal_email": f"p{i}@ent.example.com",
            "safety_manager_name": manager,
            "safety_manager_mobile": mobile(rng),
            "safety_manager_email": f"s{i}@ent.example.com",
            "warning_contact_name": "",
            "warning_contact_mobile": "",
            "warning_contact_email": "",
            "bot_channel": "",
            "active": True,
        }


def staff(count: int, seed: int = 2) -> Iterator[dict[str, object]]:
    """Rows for the staff table: about 1 leader in 4, the rest officers; a few supervisors."""
    rng = random.Random(seed)
    names: set[str] = set()
    for i in range(count):
        name = person(rng)
        while name in names:
            name = person(rng)
        names.add(name)
        roles = ["leader"] if i % 4 == 0 else ["officer"]
        if i % 10 == 1:
            roles.append("supervisor")
        if i == 0:
            roles.append("section_head")
        if i == 2:
            roles += ["bureau_leader"]
        if i == 3:
            roles += ["admin"]
        yield {
            "code": f"S{i:04d}",
            "name": name,
            "roles": ",".join(sorted(roles)),
            "team": f"第{i % 6 + 1}组",
            "mobile": mobile(rng),
            "email": f"staff{i}@wlt.example.gov.cn",
            "feishu_open_id": "",
            "supervises_categories": "",
            "supervises_regions": "",
            "active": True,
        }


HAZARDS = [  # (title, category: thing 物 / person 人 / management 管理, location)
    ("消防通道被杂物堵塞", "thing", "后勤通道"),
    ("安全出口上锁", "thing", "一层东侧安全出口"),
    ("应急照明灯不亮", "thing", "演出厅"),
    ("疏散指示标志缺失", "thing", "二层走廊"),
    ("灭火器压力不足", "thing", "包厢区"),
    ("电气线路私拉乱接", "thing", "配电间"),
    ("游乐设施定期检验过期", "thing", "游乐区"),
    ("索道钢丝绳磨损超标", "thing", "索道上站"),
    ("玻璃栈道护栏松动", "thing", "玻璃栈道"),
    ("临水临崖区域无警示标识", "thing", "观景台"),
    ("燃气报警装置失效", "thing", "后厨"),
    ("舞台吊杆未定期检测", "thing", "主舞台"),
    ("特种作业人员无证上岗", "person", "设备间"),
    ("员工不会使用灭火器", "person", "营业大厅"),
    ("游客翻越护栏无人劝阻", "person", "瀑布景点"),
    ("未落实24小时值班", "management", "值班室"),
    ("应急预案未演练", "management", "办公室"),
    ("安全管理台账缺失", "management", "办公室"),
    ("最大承载量未核定", "management", "景区入口"),
    ("安全培训记录不全", "management", "办公室"),
]
SOURCES = ["self_inspection", "inspection", "random_inspection", "report", "assigned"]
OPEN = ("registered", "rectifying")
DONE = ("rectified", "verified", "closed")


def hazards(count: int, enterprise_ids: list[int], moment: dt.date, *, major_share: float = 0.05,
            seed: int = 6) -> Iterator[dict[str, object]]:
    """Rows for the hazard table: ``major_share`` of them major (重大), deadlines spread from a
    year before ``moment`` to half a year after it; most whose deadline passed were dealt with,
    most still ahead are open. Every major hazard has its five items (五到位) in place."""
    rng = random.Random(seed)
    registered = dt.datetime.combine(moment - dt.timedelta(days=400), dt.time(1, 0), tzinfo=dt.UTC)
    for n in range(count):
        major = rng.random() < major_share
        title, category, location = rng.choice(HAZARDS)
        deadline = moment + dt.timedelta(days=rng.randint(-365, 180))
        found = deadline - dt.timedelta(days=rng.randint(30, 120) if major else rng.randint(0, 30))
        still_open = rng.random() < (0.08 if deadline < moment else 0.75)
        yield {
            "code": f"HZ-{n:06d}",
            "enterprise_id": rng.choice(enterprise_ids),
            "title": title,
            "description": f"{location}{title}，需限期整改。",
            "location": location,
            "category": category,
            "level": "major" if major else "general",
            "source": rng.choice(SOURCES),
            "found_on": found,
            "measures": "制定整改方案，落实专人负责，整改期间加强巡查" if major else "立即整改",
            "funds_yuan": rng.randint(1, 50) * 1000,
            "funds_source": "企业自筹",
            "deadline": deadline,
            "responsible_name": person(rng),
            "responsible_mobile": mobile(rng),
            "responsible_email": f"r{n}@ent.example.com",
            "contingency_plan": "已制定专项应急预案" if major else "",
            "reported_to_regulator_at": registered if major else None,
            "reported_to_congress_at": registered if major else None,
            "listed_by": "",
            "listing_notice": "",
            "status": rng.choice(OPEN) if still_open else rng.choice(DONE),
            "registered_at": registered,
            "registered_on": registered.date(),
            "updated_at": registered,
        }
