"""Reference data for Beijing: the 12345 category tree (department kinds: core.units.kinds).

Categories of kind street_office are 属地 (接诉即办): the 街乡镇 where the matter is handles
them (占道经营, 物业管理, 垃圾清运). Category 9901 has no responsible kind on purpose:
web-mailbox letters land there and wait for an operator to classify them.

The category list follows the matters a 12345 hotline handles most; codes are our own.
"""

# (code, name, [(code, name, department kind, time limit in days, keywords)])
CATEGORIES: list[tuple[str, str, list[tuple[str, str, str | None, int, str]]]] = [
    ("01", "城乡建设", [
        ("0101", "违法建设", "urban_management", 15, "违建 私搭乱建 加盖"),
        ("0102", "道路破损", "transport", 10, "坑洼 路面 塌陷"),
        ("0103", "井盖缺失破损", "urban_management", 3, "井盖 窨井"),
        ("0104", "占道经营", "street_office", 10, "摆摊 游商"),
        ("0105", "路灯故障", "urban_management", 5, "路灯 不亮"),
    ]),
    ("02", "住房与物业", [
        ("0201", "物业管理", "street_office", 15, "物业费 物业服务"),
        ("0202", "房屋质量", "housing", 15, "漏水 墙体 开裂"),
        ("0203", "电梯故障", "market", 3, "电梯 困人"),
        ("0204", "老旧小区改造", "housing", 15, "改造 加装电梯"),
        ("0205", "房屋租赁", "housing", 15, "租房 中介 押金"),
    ]),
    ("03", "市政公用", [
        ("0301", "供暖不热", "heating_utility", 3, "暖气 供热 室温"),
        ("0302", "停水与供水", "water_utility", 2, "停水 水压 水质"),
        ("0303", "燃气问题", "gas_utility", 1, "燃气 天然气 漏气"),
        ("0304", "排水不畅", "water", 5, "下水道 积水 堵塞"),
        ("0305", "供电故障", "power_utility", 2, "停电 电压"),
    ]),
    ("04", "生态环境", [
        ("0401", "施工噪音", "urban_management", 5, "夜间施工 噪音"),
        ("0402", "社会生活噪音", "police", 5, "噪音 扰民 广场舞"),
        ("0403", "大气污染", "environment", 10, "烟尘 异味 露天烧烤"),
        ("0404", "水污染", "environment", 10, "排污 污水"),
        ("0405", "垃圾清运", "street_office", 5, "垃圾 分类 清运"),
    ]),
    ("05", "交通出行", [
        ("0501", "交通信号灯", "police", 3, "红绿灯 信号灯"),
        ("0502", "公交服务", "transport", 10, "公交 线路 站点"),
        ("0503", "出租车与网约车", "transport", 10, "出租车 拒载 网约车"),
        ("0504", "地铁服务", "subway", 10, "地铁 站务 票务"),
        ("0505", "违章停车", "police", 3, "乱停车 占用消防通道"),
    ]),
    ("06", "劳动保障", [
        ("0601", "拖欠工资", "hrss", 10, "欠薪 工资 农民工"),
        ("0602", "社会保险", "hrss", 15, "社保 缴纳 断缴"),
        ("0603", "劳动合同", "hrss", 15, "合同 辞退 加班"),
        ("0604", "养老服务", "civil_affairs", 15, "养老院 助餐"),
    ]),
    ("07", "市场监管", [
        ("0701", "食品安全", "market", 7, "食品 过期 餐馆 卫生"),
        ("0702", "消费纠纷", "market", 10, "退款 预付卡 商家"),
        ("0703", "价格违法", "market", 10, "价格 乱收费 标价"),
        ("0704", "无证经营", "market", 10, "无照 执照"),
    ]),
    ("08", "教育", [
        ("0801", "入学政策", "education", 10, "入学 学区 转学"),
        ("0802", "校外培训", "education", 10, "培训 退费"),
        ("0803", "学校收费", "education", 10, "收费 校服"),
    ]),
    ("09", "卫生健康", [
        ("0901", "医疗服务", "health", 10, "医院 挂号 医生"),
        ("0902", "公共卫生", "health", 7, "卫生 消毒 病媒"),
        ("0903", "疫苗接种", "health", 5, "疫苗 接种"),
    ]),
    ("10", "民政事务", [
        ("1001", "低保救助", "civil_affairs", 10, "低保 救助 困难"),
        ("1002", "婚姻登记", "civil_affairs", 10, "结婚 离婚 登记"),
        ("1003", "殡葬服务", "civil_affairs", 10, "殡葬 墓地"),
    ]),
    ("11", "社会治安(非紧急)", [
        ("1101", "宠物管理", "police", 10, "养犬 遛狗 犬只"),
        ("1102", "邻里纠纷", "government", 10, "邻居 纠纷 调解"),
        ("1103", "电动车充电隐患", "government", 5, "飞线充电 楼道"),
    ]),
    ("12", "水务", [
        ("1201", "河道治理", "water", 10, "河道 垃圾 黑臭"),
        ("1202", "用水违规", "water", 10, "偷水 私接"),
    ]),
    ("13", "政务服务", [
        ("1301", "办事指南", "government", 5, "办理 流程 材料"),
        ("1302", "工作人员作风", "government", 15, "态度 推诿"),
        ("1303", "政策咨询", "government", 3, "政策 补贴"),
    ]),
    ("99", "待分类", [
        ("9901", "网上信箱待分类", None, 15, "市长信箱"),
    ]),
]  # fmt: skip

# Extra questions (Open311 service-definition attributes) of some categories.
CATEGORY_ATTRIBUTES: dict[str, list[dict]] = {
    "0301": [
        {
            "code": "room_temperature",
            "datatype": "number",
            "required": True,
            "description": "室内温度（摄氏度）",
        }
    ],
    "0203": [
        {
            "code": "people_trapped",
            "datatype": "singlevaluelist",
            "required": True,
            "description": "是否有人被困",
            "values": [{"key": "yes", "name": "有人被困"}, {"key": "no", "name": "无人被困"}],
        }
    ],
}
