"""Demonstration places for the gazetteer: real-looking Beijing names at approximate points,
marked synthetic (source "demo"), so that the address box suggests something in `make run`.
They are no survey data: a city imports its own gazetteer."""

from datetime import datetime

from sqlalchemy.orm import Session

from hotline.services.places import gazetteer

# name, aliases, kind, lon, lat, district
DEMO_PLACES = [
    ("工体北路", "", "road", 116.4440, 39.9335, "朝阳区"),
    ("工人体育场", "工体", "other", 116.4470, 39.9300, "朝阳区"),
    ("三里屯太古里", "太古里", "market", 116.4545, 39.9350, "朝阳区"),
    ("团结湖北二条小区", "", "compound", 116.4640, 39.9295, "朝阳区"),
    ("北京朝阳医院", "朝阳医院", "hospital", 116.4525, 39.9240, "朝阳区"),
    ("朝阳门桥东路口", "", "junction", 116.4370, 39.9245, "朝阳区"),
    ("国贸桥", "国贸", "junction", 116.4595, 39.9085, "朝阳区"),
    ("望京西园三区", "", "compound", 116.4700, 40.0010, "朝阳区"),
    ("东直门公交枢纽站", "东直门站", "bus_stop", 116.4350, 39.9410, "东城区"),
    ("北京协和医院", "协和医院", "hospital", 116.4170, 39.9130, "东城区"),
    ("王府井百货大楼", "百货大楼", "building", 116.4110, 39.9140, "东城区"),
    ("东单北大街", "", "road", 116.4180, 39.9170, "东城区"),
    ("和平里北街小区", "", "compound", 116.4170, 39.9590, "东城区"),
    ("北京市第二中学", "二中", "school", 116.4230, 39.9260, "东城区"),
    ("簋街", "", "road", 116.4250, 39.9410, "东城区"),
    ("西单北大街", "", "road", 116.3740, 39.9150, "西城区"),
    ("金融街购物中心", "", "market", 116.3600, 39.9160, "西城区"),
    ("北京大学人民医院", "人民医院", "hospital", 116.3540, 39.9360, "西城区"),
    ("什刹海", "后海", "other", 116.3860, 39.9410, "西城区"),
    ("月坛北小街小区", "", "compound", 116.3480, 39.9180, "西城区"),
    ("新街口豁口路口", "", "junction", 116.3690, 39.9460, "西城区"),
    ("中关村大街", "", "road", 116.3160, 39.9800, "海淀区"),
    ("北京大学", "北大", "school", 116.3100, 39.9920, "海淀区"),
    ("清华大学", "清华", "school", 116.3260, 40.0030, "海淀区"),
    ("五道口购物中心", "五道口", "market", 116.3380, 39.9930, "海淀区"),
    ("北京大学第三医院", "北医三院", "hospital", 116.3580, 39.9830, "海淀区"),
    ("万泉河路小区", "", "compound", 116.3050, 39.9680, "海淀区"),
    ("公主坟", "", "junction", 116.3100, 39.9070, "海淀区"),
    ("丰台科技园", "", "building", 116.2950, 39.8300, "丰台区"),
    ("新发地农产品批发市场", "新发地", "market", 116.3720, 39.8120, "丰台区"),
    ("六里桥长途客运站", "六里桥", "bus_stop", 116.3100, 39.8850, "丰台区"),
    ("方庄芳城园一区", "芳城园", "compound", 116.4280, 39.8650, "丰台区"),
    ("鲁谷社区", "", "compound", 116.2350, 39.9040, "石景山区"),
    ("石景山游乐园", "", "other", 116.2050, 39.9110, "石景山区"),
    ("通州万达广场", "", "market", 116.6440, 39.9080, "通州区"),
    ("回龙观西大街", "", "road", 116.3260, 40.0770, "昌平区"),
    ("天通苑北一区", "天通苑", "compound", 116.4230, 40.0760, "昌平区"),
    ("亦庄同仁医院", "同仁医院亦庄院区", "hospital", 116.5050, 39.7910, "大兴区"),
    ("黄村西大街", "", "road", 116.3280, 39.7300, "大兴区"),
    ("顺义区医院", "", "hospital", 116.6550, 40.1300, "顺义区"),
]


def seed_places(session: Session, now: datetime) -> int:
    """Add (or refresh) the demonstration places; how many there are."""
    rows = gazetteer.rows_from(
        {"name": n, "aliases": a, "kind": k, "lon": lon, "lat": lat, "district": d}
        for n, a, k, lon, lat, d in DEMO_PLACES
    )
    gazetteer.upsert(session, rows, now=now, source="demo", synthetic=True)
    return len(rows)
