"""Realistic, deterministic test data: enterprises, staff and hazards with Chinese names."""

from __future__ import annotations

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
