"""Demo content, part 1: the operator's plans, add-ons and promotions (product articles).

The operator is fictional ("云海通信 / Yunhai Telecom"); prices, codes and dates are made up.
Each entry is written out here with its own facts and notes; ``knowledge.demo.generate`` turns
them into articles (Chinese and, for most, English).
"""

# ruff: noqa: E501  (Chinese text: a line of prose is kept whole)

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Plan:
    code: str
    zh: str
    en: str
    price: int  # yuan a month
    data: str  # e.g. "80GB"
    minutes: int
    segment: str  # plans/5g, plans/4g, plans/family, plans/broadband, plans/iot, plans/business
    audience_zh: str
    audience_en: str
    perks_zh: tuple[str, ...] = ()
    perks_en: tuple[str, ...] = ()
    notes_zh: tuple[str, ...] = ()
    notes_en: tuple[str, ...] = ()
    overage_zh: str = "套外流量 5元/GB，国内通话 0.15元/分钟，短信 0.1元/条。"
    overage_en: str = "Beyond the plan: data 5 yuan/GB, domestic calls 0.15 yuan/min, SMS 0.1 yuan."
    tags: tuple[str, ...] = ()
    status: str = "published"
    valid_from: date | None = None
    valid_to: date | None = None
    english: bool = True


PLANS: tuple[Plan, ...] = (
    Plan(
        "5G-LITE-59",
        "5G轻享套餐 59元",
        "5G Lite plan, 59 yuan",
        59,
        "20GB",
        200,
        "plans/5g",
        "流量需求不大、主要用微信和导航的用户，以及从4G套餐首次升级5G的老用户。",
        "Light users (messaging, maps) and 4G customers trying 5G for the first time.",
        ("来电显示免费", "5G网络优先接入（标准速率）"),
        ("Free caller ID", "5G access at standard speed"),
        (
            "流量用完后不停网，自动限速至 1Mbps，可另购加油包 DATA-5G-10 恢复高速。",
            "本套餐不含副卡，如需副卡请升级至 5G-PLUS-129 及以上。",
        ),
        (
            "When the data runs out the line is slowed to 1 Mbps, not cut; a DATA-5G-10 top-up"
            " restores full speed.",
            "No secondary SIM; upgrade to 5G-PLUS-129 or above for one.",
        ),
        tags=("入门", "轻量", "lite"),
    ),
    Plan(
        "5G-PLUS-129",
        "5G畅享套餐 129元",
        "5G Plus plan, 129 yuan",
        129,
        "40GB",
        500,
        "plans/5g",
        "日常刷视频、每月通话较多的上班族。",
        "Commuters who stream video daily and call a lot.",
        ("视频会员月卡二选一（腾讯视频或爱奇艺）", "可加办1张副卡，副卡月费10元"),
        ("A monthly video membership (Tencent Video or iQiyi)", "One secondary SIM at 10 yuan"),
        ("合约期12个月内降档需补缴已享受的优惠。", "视频会员在每月1日自动发放到绑定的手机号。"),
        (
            "Moving to a cheaper plan within the 12-month term repays the discounts received.",
            "The video membership is credited on the 1st of each month.",
        ),
        tags=("畅享", "视频会员"),
    ),
    Plan(
        "5G-PLUS-199",
        "5G畅享套餐 199元",
        "5G Plus plan, 199 yuan",
        199,
        "80GB",
        1000,
        "plans/5g",
        "重度流量用户、经常出差的商务人士，以及需要一张副卡给家人使用的客户。",
        "Heavy data users, frequent travellers, and customers who want a SIM for a family member.",
        (
            "视频会员月卡（腾讯视频、爱奇艺、优酷三选一）",
            "1张副卡免月租，共享主卡流量和通话",
            "5G网络高速优先（峰值速率更高）",
        ),
        (
            "A monthly video membership (one of three services)",
            "One free secondary SIM sharing the plan's data and minutes",
            "Priority 5G speed",
        ),
        (
            "流量超出80GB后限速至 3Mbps，不另收费；当月可叠加流量加油包。",
            "副卡需本人实名办理，副卡不能单独办理国际漫游。",
            "从 5G-PLUS-129 升级到本套餐次月生效，也可申请立即生效（当月按天折算）。",
        ),
        (
            "Beyond 80 GB the line is slowed to 3 Mbps at no charge; top-ups can be added.",
            "The secondary SIM is registered in the holder's own name and cannot roam on its own.",
            "An upgrade from 5G-PLUS-129 applies next month, or at once with pro-rated fees.",
        ),
        tags=("畅享", "副卡", "主推"),
    ),
    Plan(
        "5G-PRO-299",
        "5G尊享套餐 299元",
        "5G Pro plan, 299 yuan",
        299,
        "150GB",
        2000,
        "plans/5g",
        "高端商务客户和经常使用热点办公的用户。",
        "Business customers who work on the phone's hotspot.",
        ("2张副卡免月租", "每年2次机场贵宾厅", "专属客服热线 10010-9", "视频会员年卡"),
        (
            "Two free secondary SIMs",
            "Airport lounge access twice a year",
            "A dedicated service line",
            "A yearly video membership",
        ),
        ("贵宾厅权益需提前24小时在App预约。", "套餐内流量可用于个人热点，不限设备数量。"),
        (
            "Lounge visits are booked in the app 24 hours ahead.",
            "Plan data may be shared through the hotspot with any number of devices.",
        ),
        tags=("尊享", "商务", "贵宾厅"),
    ),
    Plan(
        "5G-MAX-399",
        "5G至尊套餐 399元",
        "5G Max plan, 399 yuan",
        399,
        "300GB",
        3000,
        "plans/5g",
        "经常出境、对网络质量要求最高的客户。",
        "Customers who travel abroad often and want the best network.",
        ("每月3天全球漫游日包（ROAM-GLOBAL-68）", "3张副卡免月租", "新机以旧换新额外补贴200元"),
        (
            "Three days of global roaming (ROAM-GLOBAL-68) every month",
            "Three free secondary SIMs",
            "An extra 200 yuan on trade-ins",
        ),
        ("未使用的漫游天数不累计到下月。", "本套餐不参与充值赠送活动。"),
        (
            "Unused roaming days do not carry over.",
            "This plan is excluded from top-up bonus promotions.",
        ),
        tags=("至尊", "漫游", "出境"),
    ),
    Plan(
        "5G-YOUTH-39",
        "5G青春校园卡 39元",
        "5G Campus card, 39 yuan",
        39,
        "40GB（含30GB校园定向）",
        100,
        "plans/5g",
        "18至24岁的在校学生，需凭学生证办理。",
        "Students aged 18 to 24, with a student card.",
        ("30GB校园定向流量（学习、视频App）", "10GB通用流量", "寒暑假流量不清零"),
        ("30 GB for campus apps", "10 GB for anything", "Holiday data does not reset"),
        (
            "年满25周岁后次月自动转为 5G-LITE-59，转换前会短信提醒。",
            "每个学生证限办1张。",
            "定向流量仅限指定App，使用其他App消耗通用流量。",
        ),
        (
            "At 25 the card becomes 5G-LITE-59 the next month, after an SMS notice.",
            "One card per student ID.",
        ),
        tags=("校园", "学生", "campus", "student"),
    ),
    Plan(
        "5G-SENIOR-19",
        "爱心长辈卡 19元",
        "Senior card, 19 yuan",
        19,
        "5GB",
        300,
        "plans/4g",
        "60岁以上的老年用户，子女可代为办理。",
        "Customers over 60; their children may apply for them.",
        ("3个亲情号码免费互打", "来电显示、防骚扰拦截免费", "营业厅爱心窗口优先办理"),
        ("Three free family numbers", "Free caller ID and spam blocking", "Priority in stores"),
        ("不支持开通国际漫游和增值业务（防止误订）。", "字体放大版App可在设置中开启。"),
        ("Roaming and value-added services are blocked to prevent accidental purchases.",),
        tags=("老年", "长辈", "亲情号", "senior"),
    ),
    Plan(
        "FAM-5G-259",
        "5G全家享融合套餐 259元",
        "5G Family bundle, 259 yuan",
        259,
        "100GB（全家共享）",
        1500,
        "plans/family",
        "三到四口之家：手机、宽带、电视一起办。",
        "Families of three or four who want mobile, broadband and TV on one bill.",
        ("300M光纤宽带", "3张副卡", "IPTV高清电视（STB-4K-01机顶盒）", "光猫 TX-1001 免费使用"),
        (
            "300 Mbps fibre",
            "Three secondary SIMs",
            "HD IPTV with the STB-4K-01 box",
            "TX-1001 modem",
        ),
        ("宽带与主卡绑定，拆分需先解除融合。", "副卡共享主卡流量，可在App为每张副卡设置流量上限。"),
        (
            "Broadband is tied to the main line; splitting the bundle ends the bundle price.",
            "Secondary SIMs share the main line's data; a cap per SIM can be set in the app.",
        ),
        tags=("融合", "全家", "宽带", "family"),
    ),
    Plan(
        "FAM-5G-359",
        "5G全家享融合套餐 359元",
        "5G Family bundle, 359 yuan",
        359,
        "200GB（全家共享）",
        3000,
        "plans/family",
        "大户型或多层住宅的家庭，需要全屋Wi-Fi覆盖。",
        "Families in large or multi-storey homes who need Wi-Fi in every room.",
        ("千兆光纤宽带", "4张副卡", "Mesh路由器 TX-3003 两只装", "IPTV与视频会员"),
        ("Gigabit fibre", "Four secondary SIMs", "A two-unit TX-3003 mesh set", "IPTV and video"),
        ("TX-3003 为租借设备，拆机时需归还。",),
        ("The TX-3003 set is on loan and is returned when the service ends.",),
        tags=("融合", "千兆", "mesh", "family"),
    ),
    Plan(
        "BB-FIBER-100",
        "百兆光纤宽带 50元",
        "100 Mbps fibre broadband, 50 yuan",
        50,
        "不限流量",
        0,
        "plans/broadband",
        "只需要家庭宽带、不办手机套餐的用户，如出租屋。",
        "Homes that need broadband only, such as rented flats.",
        ("年付500元（相当于月付约42元）", "免费上门安装"),
        ("500 yuan paid yearly (about 42 a month)", "Free installation"),
        ("安装需48小时内预约，偏远地区最长5个工作日。",),
        ("Installation is booked within 48 hours; remote areas up to 5 working days.",),
        overage_zh="宽带不限流量，无套外费用。",
        overage_en="Unlimited data; nothing beyond the plan.",
        tags=("宽带", "光纤", "broadband"),
    ),
    Plan(
        "BB-FIBER-500",
        "500M光纤宽带 99元",
        "500 Mbps fibre broadband, 99 yuan",
        99,
        "不限流量",
        0,
        "plans/broadband",
        "在家办公、多人同时看高清视频的家庭。",
        "Homes with remote workers or several people streaming.",
        ("Wi-Fi 6 光猫 TX-1001", "固定电话一部（可选）"),
        ("Wi-Fi 6 TX-1001 modem", "An optional landline"),
        ("实际速率受终端和Wi-Fi环境影响，网线直连测速为准。",),
        ("Speeds are measured over a cable; Wi-Fi speeds depend on the room and the device.",),
        overage_zh="宽带不限流量，无套外费用。",
        overage_en="Unlimited data; nothing beyond the plan.",
        tags=("宽带", "光纤"),
    ),
    Plan(
        "BB-FIBER-1000",
        "千兆光纤宽带 149元",
        "Gigabit fibre broadband, 149 yuan",
        149,
        "不限流量",
        0,
        "plans/broadband",
        "电竞玩家、家庭NAS用户和小型工作室。",
        "Gamers, home NAS owners and small studios.",
        ("千兆光猫 TX-1001（2.5G网口）", "公网IPv4地址（需申请）", "一年内免费提速体验"),
        ("TX-1001 gigabit modem with a 2.5G port", "A public IPv4 address on request"),
        ("千兆速率需使用超五类及以上网线和支持千兆的设备。",),
        ("Gigabit speed needs Cat5e cable or better and a gigabit device.",),
        overage_zh="宽带不限流量，无套外费用。",
        overage_en="Unlimited data; nothing beyond the plan.",
        tags=("千兆", "宽带", "电竞"),
    ),
    Plan(
        "4G-BASIC-18",
        "4G保号套餐 18元",
        "4G Keep-my-number plan, 18 yuan",
        18,
        "1GB",
        50,
        "plans/4g",
        "只用来接电话、收验证码的备用号码。",
        "Spare numbers that only receive calls and verification codes.",
        ("来电显示",),
        ("Caller ID",),
        ("不能作为副卡使用；办理后6个月内不能变更为其他保号类套餐。",),
        ("Cannot be a secondary SIM; no other keep-number plan for six months after joining.",),
        tags=("保号", "备用号"),
    ),
    Plan(
        "4G-DATA-38",
        "4G流量王 38元",
        "4G Data King, 38 yuan",
        38,
        "30GB",
        0,
        "plans/4g",
        "主要上网、很少打电话的用户，以及平板电脑。",
        "Customers who mostly use data, and tablets.",
        ("通话按0.1元/分钟计费",),
        ("Calls at 0.1 yuan a minute",),
        ("本套餐为4G网络，5G手机使用时只能接入4G。",),
        ("4G only: a 5G phone connects at 4G.",),
        tags=("流量", "上网卡"),
    ),
    Plan(
        "IOT-WATCH-10",
        "智能手表一号双终端 10元",
        "Smartwatch number sharing, 10 yuan",
        10,
        "共享主卡",
        0,
        "plans/iot",
        "使用支持eSIM的智能手表、希望手表和手机同号接听的用户。",
        "eSIM smartwatch owners who want the watch to ring on the phone's number.",
        ("手表与手机共用一个号码", "手表单独上网，共享主卡流量"),
        ("The watch uses the phone's number", "The watch goes online on the phone's data"),
        ("仅支持 5G 套餐主卡办理；手表需支持云海eSIM。", "激活失败时请参考《eSIM手表激活失败》。"),
        ("Only for lines on a 5G plan; the watch must support Yunhai eSIM.",),
        tags=("esim", "手表", "一号双终端", "watch"),
    ),
    Plan(
        "DATA-CARD-29",
        "随身WiFi流量卡 29元",
        "Pocket Wi-Fi data card, 29 yuan",
        29,
        "60GB",
        0,
        "plans/iot",
        "配合随身WiFi设备 MIFI-M5 使用，适合租房、出差临时上网。",
        "Used in the MIFI-M5 pocket Wi-Fi: for renters and business trips.",
        ("不能打电话和发短信",),
        ("No calls or SMS",),
        ("只能插在随身WiFi或平板中使用，插入手机会被限速。",),
        ("Works only in a pocket Wi-Fi or tablet; in a phone it is slowed down.",),
        tags=("随身wifi", "mifi", "流量卡"),
    ),
    Plan(
        "BIZ-5G-499",
        "政企5G专享套餐 499元",
        "5G Business plan, 499 yuan",
        499,
        "500GB",
        5000,
        "plans/business",
        "企业客户，按单位统一付费，10个号码起办。",
        "Companies paying for 10 or more lines on one account.",
        ("专属客户经理", "增值税专用发票", "集团内部通话免费", "统一账单与分账"),
        ("A named account manager", "VAT special invoices", "Free calls inside the company"),
        ("需提供营业执照和经办人授权书。",),
        ("Requires a business licence and a letter of authority.",),
        tags=("政企", "集团", "企业", "business"),
    ),
    Plan(
        "4G-OLD-58",
        "4G飞享套餐 58元（已下架）",
        "4G Fly plan, 58 yuan (withdrawn)",
        58,
        "10GB",
        300,
        "plans/4g",
        "2023年前入网的老用户（新用户不能再办理）。",
        "Customers who joined before 2023 (closed to new customers).",
        (),
        (),
        ("已下架：老用户可继续使用，变更后不能改回。",),
        ("Withdrawn: existing customers keep it; once changed it cannot be chosen again.",),
        tags=("下架",),
        status="archived",
        valid_to=date(2025, 12, 31),
    ),
    Plan(
        "5G-ULTRA-599",
        "5G极速套餐 599元（筹备中）",
        "5G Ultra plan, 599 yuan (in preparation)",
        599,
        "不限量",
        5000,
        "plans/5g",
        "计划2027年推出的高端套餐，资费待定。",
        "A premium plan planned for 2027; terms not final.",
        ("不限量高速流量",),
        ("Unlimited high-speed data",),
        ("内部草稿，未经审核，请勿对客户承诺。",),
        ("Internal draft, not approved: promise nothing to customers.",),
        tags=("草稿",),
        status="draft",
        valid_from=date(2027, 3, 1),
    ),
)


@dataclass(frozen=True)
class AddOn:
    code: str
    zh: str
    en: str
    price_zh: str
    price_en: str
    body_zh: tuple[str, ...]
    body_en: tuple[str, ...]
    tags: tuple[str, ...] = ()
    category: str = "plans/addon"


ADDONS: tuple[AddOn, ...] = (
    AddOn(
        "DATA-5G-10",
        "10GB流量加油包",
        "10 GB data top-up",
        "20元，当月有效",
        "20 yuan, valid to the end of the month",
        (
            "流量不够用时最常推荐的加油包：订购后立即生效，当月月底失效，不能结转。",
            "每月最多叠加订购5次；限速状态下订购后约5分钟恢复高速。",
            "办理方式：发送短信 JYB10 到 10010，或在App“流量”页面购买。",
        ),
        (
            "The usual answer when a customer runs out of data: active at once, expires at the"
            " end of the month, no carry-over.",
            "Up to five per month; a slowed line returns to full speed about five minutes after.",
            "Order by texting JYB10 to 10010 or in the app's Data page.",
        ),
        ("加油包", "流量包", "top-up"),
    ),
    AddOn(
        "DATA-30D-30",
        "30GB月包（30天）",
        "30 GB 30-day pass",
        "30元，自订购起30天有效",
        "30 yuan, 30 days from purchase",
        (
            "与自然月加油包不同，本包从订购时刻起计算30天，跨月仍然有效。",
            "适合月底订购的客户，避免月底加油包只用几天就清零。",
        ),
        (
            "Unlike the monthly top-up it runs 30 days from purchase, across month ends.",
            "Suggest it to customers buying late in the month.",
        ),
        ("月包", "流量包"),
    ),
    AddOn(
        "DATA-DAY-1",
        "1元日租流量包",
        "1-yuan day pass",
        "1元/天，当天1GB",
        "1 yuan a day for 1 GB",
        (
            "开通后只在使用流量的当天扣1元，不用不扣费，当天24点失效。",
            "适合偶尔上网的保号卡和长辈卡用户；超出1GB后按套外资费计费。",
            "很多客户投诉“日租包乱扣费”，其实是手机后台App自动联网产生了流量，可指导关闭移动数据。",
        ),
        (
            "Charged 1 yuan only on days data is used; expires at midnight.",
            "Complaints about unexpected day charges usually come from apps using data in the"
            " background: guide the customer to switch mobile data off.",
        ),
        ("日租", "day pass"),
    ),
    AddOn(
        "VIDEO-VIP-15",
        "视频会员定向流量包",
        "Video membership with streaming data",
        "15元/月",
        "15 yuan a month",
        (
            "包含视频会员月卡和30GB视频App定向流量（抖音、快手、腾讯视频、爱奇艺）。",
            "定向流量不能用于浏览器和其他App；投屏到电视时同样计入定向流量。",
        ),
        (
            "A monthly video membership plus 30 GB for video apps only.",
            "Browsers and other apps use the plan's general data.",
        ),
        ("视频", "定向流量", "会员"),
    ),
    AddOn(
        "CALL-300",
        "300分钟国内语音包",
        "300-minute call pack",
        "15元/月",
        "15 yuan a month",
        (
            "套餐通话分钟数不够的客户可加办，次月生效，按月自动续订。",
            "只含国内主叫通话，不含国际长途和港澳台。",
        ),
        (
            "For customers who run out of minutes; starts next month and renews monthly.",
            "Domestic calls only.",
        ),
        ("语音包", "通话", "分钟"),
    ),
    AddOn(
        "ROAM-ASIA-25",
        "亚洲漫游日包",
        "Asia roaming day pass",
        "25元/天",
        "25 yuan a day",
        (
            "覆盖日本、韩国、泰国、新加坡、马来西亚、越南等14个国家和地区，每天3GB高速流量，超出后限速不断网。",
            "按当地时间自然日计费，只在产生流量的当天扣费。",
            "出发前需确认已开通国际漫游功能，抵达后打开手机的“数据漫游”开关。",
        ),
        (
            "14 destinations including Japan, Korea, Thailand and Singapore: 3 GB at full speed"
            " per day, then slowed, never cut.",
            "Charged per local calendar day, only on days with data.",
            "International roaming must be enabled before departure; switch on data roaming"
            " on arrival.",
        ),
        ("漫游", "出境", "日本", "韩国", "roaming"),
        "roaming/packs",
    ),
    AddOn(
        "ROAM-EU-45",
        "欧洲漫游日包",
        "Europe roaming day pass",
        "45元/天",
        "45 yuan a day",
        (
            "覆盖欧盟27国及英国、瑞士、挪威，每天2GB高速流量，含100分钟回国通话。",
            "在邮轮和飞机上不适用，海事卫星网络按标准漫游资费计费，费用很高，请提醒客户关闭数据漫游。",
        ),
        (
            "EU countries plus the UK, Switzerland and Norway: 2 GB a day and 100 minutes of calls"
            " home.",
            "Not on cruise ships or planes: satellite networks are billed at standard roaming"
            " rates, which are very high.",
        ),
        ("漫游", "欧洲", "roaming", "europe"),
        "roaming/packs",
    ),
    AddOn(
        "ROAM-GLOBAL-68",
        "全球漫游日包",
        "Global roaming day pass",
        "68元/天",
        "68 yuan a day",
        (
            "覆盖全球160个国家和地区，每天1GB高速流量。5G-MAX-399 每月赠送3天。",
            "美国、加拿大、澳大利亚的高速流量为每天2GB。",
        ),
        (
            "160 destinations, 1 GB a day at full speed (2 GB in the US, Canada and Australia).",
            "5G-MAX-399 includes three days a month.",
        ),
        ("漫游", "全球", "美国", "roaming"),
        "roaming/packs",
    ),
    AddOn(
        "CRBT-5",
        "个性彩铃",
        "Ringback tones",
        "5元/月",
        "5 yuan a month",
        (
            "来电时主叫方听到的音乐可自选，每月可更换不限次数。",
            "退订：发送短信 TDCL 到 10010；退订后当月费用不退。",
        ),
        (
            "Callers hear a chosen song instead of the ring; change it any time.",
            "Cancel by texting TDCL to 10010; the current month is not refunded.",
        ),
        ("彩铃", "增值业务"),
        "service/value-added",
    ),
    AddOn(
        "CLOUD-50G",
        "云盘50GB",
        "50 GB cloud storage",
        "10元/月",
        "10 yuan a month",
        (
            "手机相册自动备份，换机时可一键恢复照片和通讯录。",
            "退订后数据保留30天，期间重新订购可恢复。",
        ),
        (
            "Backs up photos automatically; restore photos and contacts on a new phone.",
            "After cancelling, files are kept 30 days.",
        ),
        ("云盘", "备份", "cloud"),
        "service/value-added",
    ),
    AddOn(
        "SEC-GUARD-3",
        "防骚扰拦截服务",
        "Spam call blocking",
        "3元/月（长辈卡免费）",
        "3 yuan a month (free on the senior card)",
        (
            "网络侧拦截被大量标记的推销、诈骗号码，手机无需安装App。",
            "被拦截的来电会在每天晚上8点通过短信汇总。误拦截可在App中加入白名单。",
        ),
        (
            "Blocks numbers widely reported as sales or fraud in the network; no app needed.",
            "Blocked calls are summarised by SMS at 8 pm; whitelist a number in the app.",
        ),
        ("骚扰电话", "拦截", "诈骗", "spam"),
        "service/value-added",
    ),
)


@dataclass(frozen=True)
class Promotion:
    id: str
    zh: str
    en: str | None
    valid_from: date
    valid_to: date
    products: tuple[str, ...]
    body_zh: tuple[str, ...]
    body_en: tuple[str, ...] = ()
    tags: tuple[str, ...] = field(default=())
    category: str = "promotions"


PROMOTIONS: tuple[Promotion, ...] = (
    Promotion(
        "PROMO-DOUBLE11-2026",
        "双十一流量翻倍活动",
        "Double Eleven: double data",
        date(2026, 11, 1),
        date(2026, 11, 30),
        ("5G-PLUS-129", "5G-PLUS-199"),
        (
            "活动期间订购或已在用 5G-PLUS-129、5G-PLUS-199 的客户，当月套餐内通用流量翻倍。",
            "无需报名，系统在11月5日前自动发放；翻倍部分当月有效，不结转。",
            "客户问“为什么流量没翻倍”：先确认套餐编码，再确认是否为副卡（副卡不参与）。",
        ),
        (
            "Customers on 5G-PLUS-129 or 5G-PLUS-199 get double the plan's data in November.",
            "No sign-up: credited automatically by 5 November; the extra data expires at the"
            " end of the month. Secondary SIMs are not included.",
        ),
        ("双十一", "翻倍", "流量"),
        "promotions/data",
    ),
    Promotion(
        "PROMO-SPRING-2026",
        "春节回家流量包 10元20GB",
        "Spring Festival travel data: 20 GB for 10 yuan",
        date(2026, 1, 20),
        date(2026, 2, 28),
        ("DATA-5G-10",),
        (
            "春运期间限时流量包：10元得20GB，7天有效，每个号码限购2次。",
            "活动已结束的，客户可改订 DATA-30D-30。",
        ),
        ("A travel-season pack: 20 GB for 10 yuan, valid 7 days, twice per number.",),
        ("春节", "春运", "流量包"),
        "promotions/data",
    ),
    Promotion(
        "PROMO-SCHOOL-2026",
        "开学季校园卡首月免费",
        None,
        date(2026, 8, 15),
        date(2026, 9, 30),
        ("5G-YOUTH-39",),
        (
            "新办 5G-YOUTH-39 的学生首月月租全免，第二个月起正常收费。",
            "需在校园营业厅或App“校园专区”凭学生证办理，线下办理赠送手机壳。",
        ),
        (),
        ("开学", "校园", "学生"),
        "promotions/new-customers",
    ),
    Promotion(
        "PROMO-NEWUSER-2026",
        "新入网用户首月月租全免",
        "New customers: first month free",
        date(2026, 1, 1),
        date(2026, 12, 31),
        ("5G-LITE-59", "5G-PLUS-129", "5G-PLUS-199", "5G-PRO-299"),
        (
            "2026年新入网（新号码）并选择5G套餐的客户，首月月租减免，流量和通话按整月提供。",
            "携号转入的客户不参与本活动，另有《携号转入送话费》活动。",
            "如果客户首月被扣了月租，通常是办理时选择了“次月生效”，需核实生效方式后再申请退费。",
        ),
        (
            "New numbers joining on a 5G plan in 2026 pay no fee for the first month and get the"
            " full month's data and minutes.",
            "Numbers ported in are excluded (see the port-in offer).",
        ),
        ("新用户", "首月免费", "入网"),
        "promotions/new-customers",
    ),
    Promotion(
        "PROMO-UPGRADE-5G",
        "老用户升级5G送6个月视频会员",
        "Upgrade to 5G and get six months of video membership",
        date(2026, 6, 1),
        date(2027, 5, 31),
        ("5G-PLUS-129", "5G-PLUS-199", "5G-PRO-299"),
        (
            "在网满12个月的4G用户升级到 5G-PLUS-129 及以上套餐，赠送6个月视频会员（每月发放）。",
            "升级后12个月内不能降回4G套餐，否则停止发放会员。",
            "推荐话术见《推荐升级5G套餐话术》。",
        ),
        (
            "4G customers of 12 months or more who move to 5G-PLUS-129 or above get six months of"
            " video membership, credited monthly.",
            "Going back to a 4G plan within 12 months stops the membership.",
        ),
        ("升级", "5g", "视频会员", "upgrade"),
        "promotions/upgrade",
    ),
    Promotion(
        "PROMO-TOPUP-100",
        "充100送20话费",
        "Top up 100, get 20 free",
        date(2026, 11, 1),
        date(2026, 12, 31),
        (),
        (
            "活动期间单笔充值100元及以上，赠送20元话费券，分4个月每月返5元。",
            "话费券不能用于缴纳宽带费和购买终端；销户时未返还部分作废。",
            "5G-MAX-399 和政企套餐不参与。",
        ),
        (
            "A single top-up of 100 yuan or more earns 20 yuan of credit, 5 yuan a month for"
            " four months.",
            "The credit cannot pay broadband or devices; 5G-MAX-399 and business plans are"
            " excluded.",
        ),
        ("充值", "送话费", "话费券", "top up"),
        "promotions/billing",
    ),
    Promotion(
        "PROMO-PORTIN-2026",
        "携号转入送100元话费",
        "Port your number in: 100 yuan credit",
        date(2026, 3, 1),
        date(2026, 12, 31),
        (),
        (
            "从其他运营商携号转入云海并办理月费59元及以上套餐，送100元话费，分10个月返还。",
            "转入后12个月内转出的，未返还部分作废。",
            "转入流程见《携号转网：转入云海》。",
        ),
        (
            "Customers porting a number in to a plan of 59 yuan or more get 100 yuan of credit"
            " over ten months; porting out within a year forfeits the rest.",
        ),
        ("携号转网", "转入", "送话费"),
        "promotions/new-customers",
    ),
    Promotion(
        "PROMO-TRADEIN-2026",
        "以旧换新最高补贴800元",
        "Trade in your old phone: up to 800 yuan",
        date(2026, 9, 1),
        date(2027, 2, 28),
        ("5G-PLUS-199", "5G-PRO-299", "5G-MAX-399"),
        (
            "旧手机按评估价回收，另加补贴：5G-PLUS-199 补200元、5G-PRO-299 补500元、5G-MAX-399 补800元。",
            "需在营业厅现场评估，旧机需能正常开机并已退出云账号。",
            "补贴以话费形式发放，24个月合约，提前解约需退还补贴。",
        ),
        (
            "Old phones are bought at their assessed value plus a bonus: 200 yuan on"
            " 5G-PLUS-199, 500 on 5G-PRO-299, 800 on 5G-MAX-399.",
            "Assessed in store; the phone must power on and be signed out of its cloud account.",
        ),
        ("以旧换新", "换机", "补贴", "trade-in"),
        "promotions/devices",
    ),
    Promotion(
        "PROMO-NATIONAL-2026",
        "国庆出境漫游日包半价",
        "National Day: roaming passes at half price",
        date(2026, 9, 25),
        date(2026, 10, 8),
        ("ROAM-ASIA-25", "ROAM-EU-45", "ROAM-GLOBAL-68"),
        (
            "国庆期间漫游日包半价：亚洲12.5元/天、欧洲22.5元/天、全球34元/天。",
            "需在出发前通过App预约出行日期。",
        ),
        ("Roaming passes at half price over the holiday; book the travel dates in the app.",),
        ("国庆", "漫游", "半价"),
        "promotions/roaming",
    ),
    Promotion(
        "PROMO-BB-RENEW-2026",
        "宽带续约8折",
        None,
        date(2026, 4, 1),
        date(2026, 6, 30),
        ("BB-FIBER-100", "BB-FIBER-500", "BB-FIBER-1000"),
        (
            "宽带到期前60天内续约两年，月费打8折，并免费更换 Wi-Fi 6 光猫。",
            "已提前续约的客户不能重复享受。",
        ),
        (),
        ("宽带", "续约", "打折"),
        "promotions/broadband",
    ),
    Promotion(
        "PROMO-NEWYEAR-2027",
        "元旦百兆宽带免费升级千兆",
        "New Year: free upgrade to gigabit fibre",
        date(2027, 1, 1),
        date(2027, 1, 31),
        ("BB-FIBER-100", "BB-FIBER-1000"),
        (
            "2027年1月，百兆宽带客户可免费升级千兆一年，到期后恢复原速率，不自动续费。",
            "需上门更换光猫 TX-1001，预约后3个工作日内完成。",
        ),
        (
            "In January 2027, 100 Mbps customers get gigabit speed free for a year; the modem is"
            " swapped for a TX-1001 within three working days.",
        ),
        ("元旦", "千兆", "宽带升级"),
        "promotions/broadband",
    ),
    Promotion(
        "PROMO-FAMILY-ADD",
        "全家享加副卡首年免月租",
        None,
        date(2026, 7, 1),
        date(2026, 12, 31),
        ("FAM-5G-259", "FAM-5G-359"),
        (
            "全家享融合套餐客户新增副卡，首年免副卡月租（原10元/月）。",
            "副卡数量不能超过套餐上限；新增副卡需持卡人本人实名。",
        ),
        (),
        ("副卡", "全家享", "家庭"),
        "promotions/family",
    ),
    Promotion(
        "PROMO-SENIOR-DAY-2026",
        "重阳节长辈卡送30元话费",
        None,
        date(2026, 10, 20),
        date(2026, 10, 31),
        ("5G-SENIOR-19",),
        ("重阳节期间新办爱心长辈卡，送30元话费，子女代办同样享受。",),
        (),
        ("重阳节", "长辈卡", "老年"),
        "promotions/new-customers",
    ),
    Promotion(
        "PROMO-WINTER-2026",
        "冬季畅享：199套餐加送50GB",
        "Winter bonus: 50 GB extra on the 199 plan",
        date(2026, 11, 15),
        date(2027, 2, 28),
        ("5G-PLUS-199",),
        (
            "活动期内 5G-PLUS-199 用户每月额外获得50GB通用流量，最多3个月。",
            "需在App“活动”页领取，领取次月起发放；与双十一流量翻倍可同时享受。",
        ),
        (
            "Customers on 5G-PLUS-199 can claim 50 GB extra per month for up to three months in"
            " the app; it adds to the Double Eleven bonus.",
        ),
        ("冬季", "加送流量", "199"),
        "promotions/data",
    ),
    Promotion(
        "PROMO-618-2026",
        "618合约机直降500元",
        "618 sale: 500 yuan off contract phones",
        date(2026, 6, 1),
        date(2026, 6, 20),
        ("5G-PLUS-199",),
        (
            "签约 5G-PLUS-199 两年，指定5G手机直降500元。",
            "活动已结束；已购机客户的合约条款不变。",
        ),
        ("Sign 5G-PLUS-199 for two years and take 500 yuan off selected 5G phones.",),
        ("618", "合约机", "直降"),
        "promotions/devices",
    ),
    Promotion(
        "PROMO-BLACKFRIDAY-2025",
        "黑五国际漫游包买一送一",
        "Black Friday 2025: buy one roaming day, get one free",
        date(2025, 11, 20),
        date(2025, 12, 5),
        ("ROAM-GLOBAL-68",),
        ("2025年黑五活动：全球漫游日包买一天送一天，已结束。",),
        ("Black Friday 2025: two global roaming days for the price of one. Ended.",),
        ("黑五", "漫游"),
        "promotions/roaming",
    ),
)
