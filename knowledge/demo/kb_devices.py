"""Demo content, part 2: device and network faults (phones, SIM cards, modems, broadband)."""

# ruff: noqa: E501  (Chinese text: a line of prose is kept whole)

from __future__ import annotations

from knowledge.demo.entry import E, Entry

ENTRIES: tuple[Entry, ...] = (
    # --- mobile data -------------------------------------------------------------------------
    E(
        "KB-DEV-001",
        "solution",
        "device/network",
        "手机无法上网（移动数据）排查步骤",
        """
        客户反映手机有信号但无法上网、网页打不开、微信发不出消息时，按以下顺序排查，大部分问题在前三步解决。

        ## 排查步骤
        1. 确认号码状态正常：在系统中查看是否欠费停机、是否超出流量被限速。欠费请先引导充值。
        2. 请客户下拉状态栏，确认“移动数据”已打开、飞行模式已关闭。
        3. 重启手机；双卡手机确认默认上网卡选的是云海号码。
        4. 检查接入点（APN）：名称 yunhai，APN 为 3gnet，其他项保持默认。
        5. 仍无法上网时，将SIM卡插到其他手机测试，区分是卡的问题还是手机的问题。

        ## 升级处理
        以上步骤无效且同一小区多人反映，按“网络故障”建工单，附上客户位置和故障时间。
        """,
        tags="无法上网 移动数据 上不了网 apn",
    ),
    E(
        "KB-DEV-002",
        "solution",
        "device/network",
        "流量用完被限速，网速变慢怎么办",
        """
        套餐内通用流量用完后，云海5G套餐不会停网，而是自动限速（5G-LITE-59 限速1Mbps，5G-PLUS-199 限速3Mbps）。客户感觉“网速突然变慢”多数是这个原因。

        ## 处理
        1. 在系统“用量”页查看本月通用流量是否已用完，告知客户限速原因和限速标准。
        2. 推荐 DATA-5G-10 加油包（20元10GB，当月有效）；如果已经月底，推荐 DATA-30D-30（30天有效）。
        3. 流量经常不够的客户，建议升级套餐，并说明升级生效时间。

        购买加油包后约5分钟恢复高速，客户需要开关一次飞行模式。
        """,
        products="DATA-5G-10 DATA-30D-30 5G-LITE-59 5G-PLUS-199",
        tags="限速 网速慢 流量用完 加油包",
    ),
    E(
        "KB-DEV-003",
        "solution",
        "device/network",
        "手机不显示5G图标、只能用4G",
        """
        客户办了5G套餐，但手机状态栏只显示4G。

        ## 先确认三件事
        - 手机是否支持5G，以及是否支持云海的5G频段（n41、n78）；部分早期5G手机只支持NSA。
        - 手机设置中“启用5G”开关是否打开（各品牌位置不同，一般在“移动网络”中）。
        - 客户所在位置是否有5G覆盖：在覆盖查询工具中输入地址查看。

        ## 其他原因
        - 4G-DATA-38、4G-BASIC-18 等4G套餐只能使用4G网络。
        - 省电模式会自动关闭5G。
        - 副卡槽的号码在部分手机上不能使用5G，请把云海卡放到卡槽1。
        """,
        tags="5g 4g 不显示 5g图标 频段",
    ),
    E(
        "KB-DEV-004",
        "solution",
        "device/network",
        "个人热点打不开或其他设备连不上热点",
        """
        手机开了个人热点，电脑或平板搜不到，或连上后不能上网。

        ## 步骤
        1. 确认套餐支持热点：DATA-CARD-29 流量卡插在手机中会被限速，4G-BASIC-18 流量很少。
        2. 热点名称和密码不要包含特殊字符；把热点频段从5GHz改为2.4GHz再试（老电脑不支持5GHz）。
        3. 关闭手机的“省电模式”和“自动关闭热点”。
        4. 电脑端忘记该网络后重新连接。

        5G-PRO-299 的套餐内流量可用于热点，不限设备数量；其他套餐也不限制热点，只消耗通用流量。
        """,
        products="5G-PRO-299 DATA-CARD-29",
        tags="热点 个人热点 共享网络 hotspot",
    ),
    E(
        "KB-DEV-005",
        "solution",
        "device/network",
        "接入点APN设置（安卓与苹果）",
        """
        手动设置接入点可以解决换新手机或刷机后无法上网、无法发彩信的问题。

        ## 安卓
        设置 → 移动网络 → 接入点名称（APN）→ 新建：名称 yunhai，APN 3gnet，MCC 460，MNC 11，APN类型 default,supl,mms。保存后选中该接入点。

        ## 苹果 iPhone
        一般无需设置。如果出现“蜂窝数据网络”选项，APN 填 3gnet，用户名和密码留空。

        ## 彩信
        彩信APN为 3gwap，彩信中心 http://mmsc.yunhai.example。
        """,
        tags="apn 接入点 彩信 设置",
    ),
    E(
        "KB-DEV-006",
        "solution",
        "device/network",
        "境外漫游时无法上网",
        """
        客户在国外开机后有信号但不能上网。

        1. 确认出发前已开通国际漫游功能（长辈卡默认不能开通）。
        2. 请客户在手机设置中打开“数据漫游”开关，这是最常见的原因。
        3. 确认已订购漫游日包（ROAM-ASIA-25、ROAM-EU-45 或 ROAM-GLOBAL-68），未订购时按标准漫游资费计费。
        4. 手动选择网络：关闭“自动选择网络”，选择当地合作运营商。
        5. 重启手机；在邮轮或飞机上时提醒客户关闭数据漫游，卫星网络资费很高。
        """,
        products="ROAM-ASIA-25 ROAM-EU-45 ROAM-GLOBAL-68",
        tags="漫游 国外 出境 数据漫游 无法上网",
    ),
    # --- signal ------------------------------------------------------------------------------
    E(
        "KB-DEV-010",
        "solution",
        "device/signal",
        "室内信号差、家里信号弱",
        """
        客户反映在家里信号只有一两格，打电话断断续续。

        ## 建议
        1. 开启Wi-Fi通话（VoWiFi）：设置 → 移动网络 → Wi-Fi通话，有宽带时可以通过Wi-Fi打电话，不额外收费。
        2. 靠近窗户通话；钢筋混凝土墙和地下室会明显削弱信号。
        3. 在覆盖查询工具中查看该地址的信号强度等级。

        ## 需要报障的情况
        - 整栋楼或整个小区信号都差；
        - 以前正常、最近变差。
        报障工单需填写详细地址、楼层、故障开始时间和受影响号码，网络部门会在3个工作日内上门测试。
        """,
        tags="信号差 信号弱 室内 wifi通话 vowifi",
    ),
    E(
        "KB-DEV-011",
        "solution",
        "device/signal",
        "新建小区、地下室、电梯内没有信号",
        """
        新交付的小区、地下车库和电梯是信号盲区的常见地点。

        - 新小区：物业通常在交房后统一申请室内分布系统建设。可为客户登记“覆盖需求”，多位住户登记后会优先排期。
        - 地下车库、电梯：属于物业公共区域，需物业配合施工，请客户联系物业同时向我们提交需求。
        - 临时办法：开启Wi-Fi通话；重要电话提前告知对方。

        覆盖需求登记后不承诺完成时间，请不要向客户承诺具体日期。
        """,
        tags="没信号 无信号 地下室 电梯 新小区 覆盖",
    ),
    E(
        "KB-DEV-012",
        "solution",
        "device/signal",
        "手机显示“无服务”或“仅限紧急呼叫”",
        """
        手机左上角显示“无服务”或“仅限紧急呼叫”，说明手机没有注册到网络。

        1. 查看号码状态：欠费停机、挂失、停机保号状态都会显示无服务，恢复号码状态即可。
        2. 开关飞行模式，或重启手机。
        3. 取出SIM卡擦拭金属触点后重新插入。
        4. 换一部手机测试：仍然无服务说明SIM卡损坏，请客户携带身份证到营业厅免费补换卡。
        """,
        tags="无服务 紧急呼叫 没信号 sim卡",
    ),
    E(
        "KB-DEV-013",
        "solution",
        "device/signal",
        "通话断断续续、对方听不清",
        """
        通话中声音断续、有杂音、对方说听不清。

        - 先判断是否只在特定地点发生：是则按“室内信号差”处理。
        - 检查是否开启了VoLTE高清通话：未开启时通话会回落到2G/3G，质量较差。开启方法见《开启VoLTE高清通话》。
        - 清理手机听筒和麦克风的灰尘，取下遮挡麦克风的手机壳。
        - 蓝牙耳机连接时请断开蓝牙再试。

        多个号码在同一区域都有此问题时，按网络故障建工单。
        """,
        tags="通话 断断续续 杂音 听不清 volte",
    ),
    E(
        "KB-DEV-014",
        "solution",
        "device/call",
        "开启VoLTE高清通话",
        """
        VoLTE让电话走4G/5G网络，接通更快、音质更好，通话时还能继续上网。

        ## 开通
        1. 云海号码默认已开通VoLTE业务，如系统显示未开通，可直接为客户开通，免费。
        2. 手机端：设置 → 移动网络 → 打开“VoLTE高清通话”（苹果手机为“启用LTE → 语音与数据”）。
        3. 重启手机后，通话时状态栏显示HD标志即为成功。

        VoLTE通话按普通语音计费，不消耗流量。
        """,
        tags="volte 高清通话 hd 音质",
    ),
    E(
        "KB-DEV-015",
        "solution",
        "device/call",
        "打不进来：别人打电话提示关机或无法接通",
        """
        客户手机正常开机，但别人打来时提示“已关机”“无法接通”或直接进入语音信箱。

        ## 检查顺序
        1. 呼叫转移：拨打 ##002# 取消所有呼叫转移（这是最常见原因，客户可能误设了转移到语音信箱）。
        2. 黑名单和勿扰模式：请客户检查手机的骚扰拦截、勿扰模式和防骚扰App。
        3. 防骚扰拦截服务 SEC-GUARD-3 是否误拦截：在App白名单中加入该号码。
        4. 号码状态：单向停机（欠费）时只能接不能打，双向停机时都不行。
        5. 以上正常时，记录主叫号码和时间，建工单查询网络侧呼叫记录。
        """,
        products="SEC-GUARD-3",
        tags="打不进来 无法接通 呼叫转移 黑名单 来电",
    ),
    E(
        "KB-DEV-016",
        "solution",
        "device/sms",
        "收不到短信验证码",
        """
        客户登录App或银行时收不到验证码短信。

        1. 确认号码未停机，短信收件箱未满（部分老手机存满后不再接收）。
        2. 检查手机的“骚扰拦截”和短信过滤：验证码常被误判为垃圾短信，请查看拦截记录。
        3. 若客户开通过“短信呼叫转移”或“一号双终端”，验证码可能发到了手表。
        4. 让客户用本机给自己发一条短信测试。
        5. 确认是否开通了拒收营销短信（1065开头的号码）：验证码通常也从106号段发出，退订全部106短信会导致收不到。

        仍收不到时，记录发送方平台和时间，建工单。
        """,
        products="IOT-WATCH-10",
        tags="验证码 短信 收不到 106",
    ),
    # --- power and battery -------------------------------------------------------------------
    E(
        "KB-DEV-020",
        "solution",
        "device/power",
        "手机无法开机、开不了机",
        """
        客户的手机按电源键没有反应、黑屏开不了机。

        ## 指导客户
        1. 连接原装充电器充电至少30分钟，电量完全耗尽的手机需要充一会儿才会亮屏。
        2. 长按电源键15秒强制重启；部分安卓手机需要同时按住电源键和音量减键。
        3. 更换充电线和插座，排除充电器故障。
        4. 能显示品牌logo但一直重启，说明系统故障，见《手机卡在开机画面》。

        ## 售后
        从云海购买且在一年保修期内的手机，可预约上门取件检测，见《手机三包与保修》。进水、摔坏不在保修范围。
        """,
        tags="无法开机 开不了机 黑屏 不开机 充电",
    ),
    E(
        "KB-DEV-021",
        "solution",
        "device/power",
        "手机卡在开机画面、反复重启",
        """
        手机开机后停在品牌logo界面，或不停自动重启。

        1. 先让客户充电半小时，电量低时也会反复重启。
        2. 进入安全模式（开机时按住音量减键），如果安全模式能正常使用，说明是第三方App导致，卸载最近安装的App。
        3. 仍不行时可恢复出厂设置，但会清除手机数据，务必先提醒客户。开通了云盘 CLOUD-50G 的客户可在恢复后找回照片和通讯录。
        4. 无法进入系统的手机需送修。
        """,
        products="CLOUD-50G",
        tags="重启 卡logo 死机 恢复出厂设置",
    ),
    E(
        "KB-DEV-022",
        "solution",
        "device/power",
        "手机耗电快、电池不耐用",
        """
        客户抱怨新换的手机一天要充两三次电。

        - 5G网络比4G耗电更多：信号弱的地方手机会加大发射功率，耗电明显增加。可建议在信号差的地方关闭5G。
        - 查看“电池用量”找出后台耗电最多的App，限制其后台活动。
        - 屏幕亮度、常亮显示和高刷新率是主要耗电项。
        - 电池健康度低于80%建议更换电池；保修期内电池健康度低于80%可免费更换一次。
        """,
        tags="耗电快 电池 续航 耗电",
    ),
    E(
        "KB-DEV-023",
        "solution",
        "device/power",
        "手机发烫、发热严重",
        """
        使用中手机明显发烫，甚至提示“温度过高”。

        1. 充电时玩游戏、看视频最容易发热，建议充电时休息。
        2. 摘掉厚手机壳，避免阳光直射和放在被子上充电。
        3. 长时间使用热点、导航、5G大流量下载都会发热。
        4. 待机时也发烫，可能是App异常，重启或检查耗电排行。

        如果手机发烫伴随鼓包、异味，请客户立即停止使用并送修，不要继续充电。
        """,
        tags="发烫 发热 过热 温度",
    ),
    E(
        "KB-DEV-024",
        "solution",
        "device/power",
        "手机进水后怎么办",
        """
        手机不慎掉进水里。

        - 立即关机，不要按键、不要充电，也不要用吹风机热风吹。
        - 取出SIM卡和卡托，擦干表面，竖放在通风处。
        - 尽快送到售后检测；进水属于人为损坏，不在三包保修范围内，可付费维修。
        - 号码可先补卡到备用手机上使用，补卡免费。
        """,
        tags="进水 泡水 维修",
    ),
    # --- SIM ---------------------------------------------------------------------------------
    E(
        "KB-DEV-030",
        "solution",
        "device/sim",
        "SIM卡无法识别、提示“未插入SIM卡”",
        """
        手机提示未检测到SIM卡或“无SIM卡”。

        1. 关机后取出SIM卡，检查是否有划痕、弯折，擦拭金属触点后重新插入，注意卡的方向。
        2. 换另一个卡槽或另一部手机测试。
        3. 老的大卡剪成Nano卡后容易接触不良，建议免费换一张新卡。
        4. 补换卡需本人携带身份证到营业厅，或在App申请邮寄（邮寄需激活后原卡失效）。
        """,
        tags="sim卡 识别 无sim卡 换卡",
    ),
    E(
        "KB-DEV-031",
        "solution",
        "device/sim",
        "SIM卡被锁、需要输入PUK码",
        """
        客户连续三次输错PIN码后，手机要求输入PUK码。

        ## 处理
        1. 核验身份（见《来电身份核验话术》）后，在系统“号码详情 → SIM信息”查询PUK码并告知客户。
        2. PUK码输错10次SIM卡将永久锁死，只能补卡，请提醒客户仔细输入。
        3. 输入PUK后设置新的PIN码；建议客户关闭SIM卡PIN锁，避免再次锁卡。

        不能把PUK码告诉未通过身份核验的来电者。
        """,
        tags="puk pin 锁卡 密码",
    ),
    E(
        "KB-DEV-032",
        "solution",
        "device/esim",
        "eSIM智能手表激活失败",
        """
        客户办理了一号双终端 IOT-WATCH-10，但手表扫码后无法激活。

        ## 常见原因
        - 手表型号不在支持列表中（系统中可查询），或手表不是国行版本。
        - 主卡套餐不是5G套餐：IOT-WATCH-10 只能挂在5G套餐下。
        - 激活二维码已过期（生成后24小时有效），需在系统中重新生成。
        - 手机和手表的配套App不是最新版本。

        ## 步骤
        1. 核实主卡套餐和手表型号。
        2. 重新生成激活码，请客户在手表配套App中“添加蜂窝网络”后扫码。
        3. 激活后手表上打一个电话测试，确认来电能在手表上响铃。
        """,
        products="IOT-WATCH-10",
        tags="esim 手表 激活 一号双终端",
    ),
    # --- fibre and home devices --------------------------------------------------------------
    E(
        "KB-DEV-040",
        "solution",
        "device/broadband",
        "宽带断网：光猫TX-1001的LOS灯红色闪烁",
        """
        光猫 TX-1001 的 LOS 指示灯变红或闪烁，表示光信号中断，家里所有设备都无法上网。

        1. 检查光猫背面的黄色光纤有没有被拔出、弯折过度；重新插紧。
        2. 重启光猫（拔电10秒后再插上），等待3分钟。
        3. 询问小区是否有施工：同一小区多户断网时，查询“区域故障公告”，有公告时告知预计恢复时间，无需单独报障。
        4. LOS 灯仍为红色，建立“宽带上门维修”工单，一般24小时内上门。

        LOS 红灯是线路问题，客户无需自行更换路由器。
        """,
        products="TX-1001 BB-FIBER-100 BB-FIBER-500 BB-FIBER-1000",
        tags="宽带 断网 光猫 los 红灯",
    ),
    E(
        "KB-DEV-041",
        "solution",
        "device/broadband",
        "宽带网速慢、达不到签约速率",
        """
        千兆或500M宽带测速只有几十兆。

        ## 先区分Wi-Fi和有线
        1. 请客户用网线直连光猫 TX-1001 的千兆网口测速（测速网站 speed.yunhai.example）。有线速率正常、Wi-Fi慢，是无线环境问题。
        2. 千兆宽带需要超五类以上网线、千兆网卡；老电脑的百兆网卡最高只能跑约94Mbps。
        3. Wi-Fi 请连接5GHz频段（名称带 -5G），离光猫越远速率越低，大户型建议 Mesh 路由器 TX-3003。

        ## 有线也慢
        重启光猫后再测；仍低于签约速率的70%，建工单并附测速截图。
        """,
        products="TX-1001 TX-3003 BB-FIBER-500 BB-FIBER-1000",
        tags="网速慢 宽带 测速 千兆 wifi",
    ),
    E(
        "KB-DEV-042",
        "solution",
        "device/broadband",
        "宽带拨号错误691、678、651",
        """
        使用路由器或电脑拨号（PPPoE）时出现错误代码。

        | 错误码 | 含义 | 处理 |
        |---|---|---|
        | 691 | 账号或密码错误、宽带欠费 | 核对宽带账号；欠费先缴费；可在系统重置宽带密码 |
        | 678 / 651 | 对端无响应，线路不通 | 检查光猫LOS灯、网线连接，重启光猫 |
        | 619 | 重复拨号 | 关闭路由器拨号后等5分钟再拨 |

        云海新装宽带默认由光猫 TX-1001 自动拨号，用户的路由器设置为“自动获取IP”即可，无需再拨号。
        """,
        products="TX-1001",
        tags="691 678 651 拨号 pppoe 宽带",
    ),
    E(
        "KB-DEV-043",
        "solution",
        "device/broadband",
        "修改家里的Wi-Fi名称和密码",
        """
        客户想改Wi-Fi密码（例如怀疑被蹭网）。

        1. 手机连接家里Wi-Fi后，浏览器打开 192.168.1.1，输入光猫背面贴纸上的管理员账号密码。
        2. 进入“网络 → 无线设置”，修改 SSID 名称和密码（至少8位，建议字母加数字）。
        3. 保存后所有设备需重新连接。
        4. 使用 Mesh 路由器 TX-3003 的客户，在“云海智家”App中修改，修改后两只路由器自动同步。

        不要告诉客户光猫的超级管理员密码。
        """,
        products="TX-1001 TX-3003",
        tags="wifi密码 修改密码 蹭网 路由器",
    ),
    E(
        "KB-DEV-044",
        "solution",
        "device/broadband",
        "5G室内路由器TX-2002没有信号或频繁断线",
        """
        TX-2002 是插5G卡使用的室内路由器（CPE），适合没有光纤的房子。

        1. 看设备顶部信号灯：三格绿灯为好，红灯表示信号差。把设备放在靠窗的高处，远离微波炉和金属柜。
        2. 确认插入的卡有流量且未被限速；DATA-CARD-29 可以在 TX-2002 中使用。
        3. 在管理页面（192.168.8.1）查看 RSRP，低于 -110dBm 说明该位置5G覆盖弱，可切换为“4G优先”。
        4. 频繁断线时恢复出厂设置：用卡针按住 RESET 孔10秒。
        """,
        products="TX-2002 DATA-CARD-29",
        tags="cpe 5g路由器 断线 信号灯",
    ),
    E(
        "KB-DEV-045",
        "solution",
        "device/broadband",
        "Mesh路由器TX-3003子路由连不上主路由",
        """
        TX-3003 两只装中，子路由指示灯为黄色，表示没有连上主路由。

        - 子路由与主路由之间不要超过两堵墙，最好放在两者中间位置。
        - 按主路由的 Mesh 键，再在2分钟内按子路由的 Mesh 键，重新配对。
        - 有网线条件时用网线连接两只路由器（有线回程），速度更稳定。
        - 仍无法配对，在“云海智家”App中删除子路由后重新添加。
        """,
        products="TX-3003 FAM-5G-359",
        tags="mesh 子路由 配对 组网",
    ),
    E(
        "KB-DEV-046",
        "solution",
        "device/tv",
        "IPTV机顶盒STB-4K-01无信号、电视黑屏",
        """
        电视显示“无信号”或机顶盒卡在启动界面。

        1. 电视信号源要切换到机顶盒所接的 HDMI 口。
        2. 机顶盒的网线必须接在光猫 TX-1001 的 IPTV 口（通常是 LAN4），接错口会卡在“正在获取IP”。
        3. 遥控器对准机顶盒按“设置”，检查网络状态。
        4. 提示“账号未授权”时，确认融合套餐的IPTV是否欠费或已退订。
        """,
        products="STB-4K-01 TX-1001 FAM-5G-259",
        tags="iptv 机顶盒 电视 黑屏 无信号",
    ),
    E(
        "KB-DEV-047",
        "solution",
        "device/broadband",
        "随身WiFi MIFI-M5 使用常见问题",
        """
        MIFI-M5 需插入流量卡 DATA-CARD-29 使用。

        - 开机后等待约1分钟，信号灯常亮后再连接，Wi-Fi名称和密码在电池仓贴纸上。
        - 最多同时连接10台设备；连接数过多时速度明显下降。
        - 边充电边使用会发热，夏天建议不要放在车内。
        - 无法上网时先登录 192.168.0.1 查看流量卡状态，如显示“PIN锁定”，关闭PIN码即可。
        """,
        products="MIFI-M5 DATA-CARD-29",
        tags="随身wifi mifi 流量卡",
    ),
    E(
        "KB-DEV-048",
        "solution",
        "device/broadband",
        "宽带安装预约与上门时间",
        """
        新装宽带下单后，装维人员会在24小时内电话联系客户确认上门时间。

        - 城区一般48小时内完成安装，偏远地区最长5个工作日。
        - 需要客户或家人在家，并确认入户有光纤分线盒；老小区可能需要物业同意布线。
        - 安装时会调试光猫 TX-1001 和Wi-Fi，客户可以要求装维人员现场测速。
        - 超过预约时间未上门，可以加急，系统中选“安装超时催办”。
        """,
        products="TX-1001 BB-FIBER-100 BB-FIBER-500 BB-FIBER-1000",
        tags="宽带安装 装机 上门 预约",
    ),
    E(
        "KB-DEV-049",
        "faq",
        "device/broadband",
        "搬家后宽带可以移机吗",
        """
        可以。宽带移机需要新地址在云海光纤覆盖范围内。

        1. 在系统中查询新地址是否可装。
        2. 可装：办理移机，收取移机费50元（合约期内客户免费一次），原合约期继续计算。
        3. 不可装：可以办理拆机，合约期内拆机按《宽带提前拆机违约金》处理；搬到不可装地址的客户，出示租房合同或房产证明可免违约金。
        4. 光猫 TX-1001 可带到新地址继续使用。
        """,
        products="TX-1001",
        tags="移机 搬家 宽带",
    ),
    # --- English -----------------------------------------------------------------------------
    E(
        "KB-DEV-101",
        "solution",
        "device/network",
        "Phone has signal but no internet (mobile data)",
        """
        The customer has bars but web pages and apps do not load.

        ## Steps
        1. Check the line: suspended for an unpaid bill, or slowed after using the plan's data?
        2. Mobile data on, airplane mode off; on dual-SIM phones the Yunhai SIM must be the data SIM.
        3. Restart the phone.
        4. Check the access point (APN): name yunhai, APN 3gnet.
        5. Try the SIM in another phone to tell a SIM fault from a phone fault.

        If several customers in the same area report it, open a network fault ticket with the
        location and time.
        """,
        tags="no-internet mobile-data apn cannot-connect",
        language="en",
    ),
    E(
        "KB-DEV-102",
        "solution",
        "device/network",
        "Slow data after the monthly allowance is used",
        """
        Yunhai 5G plans never cut the data off: after the allowance the speed drops (1 Mbps on
        5G-LITE-59, 3 Mbps on 5G-PLUS-199). "My internet suddenly got slow" is usually this.

        - Check this month's usage and explain the slowdown.
        - Offer the DATA-5G-10 top-up (20 yuan, 10 GB, this month) or, late in the month,
          the DATA-30D-30 pass (30 days).
        - Customers who run out every month should move to a bigger plan.
        """,
        products="DATA-5G-10 DATA-30D-30 5G-LITE-59 5G-PLUS-199",
        tags="throttled slow-speed data-limit top-up",
        language="en",
    ),
    E(
        "KB-DEV-103",
        "solution",
        "device/signal",
        "Weak signal indoors",
        """
        One or two bars at home, calls breaking up.

        - Turn on Wi-Fi calling (VoWiFi): calls go over the home broadband at no extra cost.
        - Call near a window; concrete walls and basements weaken the signal a lot.
        - Look the address up in the coverage tool.

        Open a network ticket when the whole building is affected or the signal recently got
        worse: full address, floor, since when, and the numbers affected. Engineers visit
        within three working days.
        """,
        tags="weak-signal poor-reception indoor wifi-calling",
        language="en",
    ),
    E(
        "KB-DEV-104",
        "solution",
        "device/power",
        "Phone won't turn on",
        """
        The phone stays black when the power button is pressed.

        1. Charge it with the original charger for at least 30 minutes: a fully drained
           battery takes a while before the screen lights up.
        2. Hold the power button for 15 seconds to force a restart (on many Android phones,
           power and volume down together).
        3. Try another cable and socket.
        4. If it shows the logo and restarts again and again, see "Phone stuck on the logo".

        Phones bought from Yunhai are under warranty for one year; water and drop damage are
        not covered.
        """,
        tags="won't-turn-on dead-phone black-screen power charging",
        language="en",
    ),
    E(
        "KB-DEV-105",
        "solution",
        "device/sim",
        "SIM card not detected",
        """
        The phone says "No SIM card".

        1. Power off, take the SIM out, check it for scratches or bends, clean the contacts and
           put it back the right way round.
        2. Try the other slot or another phone.
        3. Old SIMs cut down to nano size often lose contact: replace it, free of charge.
        4. A replacement needs the holder's ID in a store, or can be posted after an in-app
           request (the old SIM stops working once the new one is activated).
        """,
        tags="sim not-detected replace-sim",
        language="en",
    ),
    E(
        "KB-DEV-106",
        "solution",
        "device/sim",
        "SIM locked: the phone asks for a PUK code",
        """
        After three wrong PIN entries the phone asks for the PUK.

        1. Verify the caller's identity first (see the identity check script), then read the
           PUK from Line details → SIM.
        2. Ten wrong PUK entries lock the SIM for good; only a replacement helps then.
        3. Suggest switching the SIM PIN off afterwards.

        Never give a PUK to a caller who has not passed the identity check.
        """,
        tags="puk pin locked-sim",
        language="en",
    ),
    E(
        "KB-DEV-107",
        "solution",
        "device/broadband",
        "Fibre down: red LOS light on the TX-1001 modem",
        """
        A red or blinking LOS light on the TX-1001 means the optical signal is lost: nothing in
        the home can go online.

        1. Check the yellow fibre cable at the back: plugged in, not bent sharply.
        2. Restart the modem (unplug for 10 seconds) and wait three minutes.
        3. Check the area outage notices: if the neighbourhood is affected, give the expected
           repair time; no separate ticket is needed.
        4. Still red: book a home repair visit, usually within 24 hours.
        """,
        products="TX-1001 BB-FIBER-100 BB-FIBER-500 BB-FIBER-1000",
        tags="broadband outage modem los fiber",
        language="en",
    ),
    E(
        "KB-DEV-108",
        "solution",
        "device/broadband",
        "Broadband slower than the contracted speed",
        """
        Gigabit or 500 Mbps fibre measures only a few dozen Mbps.

        - Test over a cable plugged into the TX-1001's gigabit port first. Fast on cable but slow
          on Wi-Fi means a wireless problem: use the 5 GHz network (name ending -5G), move closer,
          or suggest the TX-3003 mesh set for large homes.
        - Gigabit needs Cat5e cable or better; old 100 Mbps network cards top out around 94 Mbps.
        - Slow on cable too: restart the modem, test again, and open a ticket with a screenshot
          if it stays under 70 % of the contracted speed.
        """,
        products="TX-1001 TX-3003 BB-FIBER-500 BB-FIBER-1000",
        tags="slow broadband speed-test wifi gigabit",
        language="en",
    ),
    E(
        "KB-DEV-109",
        "solution",
        "device/broadband",
        "5G home router TX-2002: no signal or keeps dropping",
        """
        The TX-2002 is an indoor 5G router (CPE) for homes without fibre.

        1. Three green bars is good, red is poor: place it high, by a window, away from
           microwaves and metal cabinets.
        2. The SIM inside must have data left; DATA-CARD-29 works in the TX-2002.
        3. On the admin page (192.168.8.1), an RSRP below -110 dBm means weak 5G here: switch to
           "4G preferred".
        4. If it keeps dropping, reset it: hold the RESET hole for 10 seconds.
        """,
        products="TX-2002 DATA-CARD-29",
        tags="cpe router disconnects signal",
        language="en",
    ),
    E(
        "KB-DEV-110",
        "solution",
        "device/esim",
        "eSIM smartwatch will not activate",
        """
        The customer has IOT-WATCH-10 but the watch fails after scanning the code.

        - The watch model must be on the supported list and be a mainland model.
        - The main line must be on a 5G plan.
        - Activation codes expire 24 hours after they are generated: make a new one.
        - Update the watch's companion app.

        After activation, call the number and check that the watch rings.
        """,
        products="IOT-WATCH-10",
        tags="esim watch activation",
        language="en",
    ),
    E(
        "KB-DEV-111",
        "solution",
        "device/call",
        "Callers hear 'switched off' although the phone is on",
        """
        The phone is on, but callers are told it is switched off or go straight to voicemail.

        1. Call forwarding: dial ##002# to cancel all forwarding (the most common cause).
        2. Blocklists, do-not-disturb and spam-blocking apps on the phone.
        3. The SEC-GUARD-3 network blocking service: add the caller to the whitelist.
        4. Line status: a one-way suspension (unpaid bill) allows incoming calls only.
        5. Otherwise note the caller's number and the time and open a ticket.
        """,
        products="SEC-GUARD-3",
        tags="incoming-calls call-forwarding blocked voicemail",
        language="en",
    ),
    E(
        "KB-DEV-112",
        "solution",
        "device/sms",
        "Not receiving SMS verification codes",
        """
        Bank or app verification codes do not arrive.

        - Line active, inbox not full.
        - Check the phone's spam filter: codes are often filtered as junk.
        - With call or SMS forwarding or a paired watch (IOT-WATCH-10), the code may arrive on
          the watch.
        - Customers who blocked all 106 marketing numbers also block verification codes, which
          come from the same range.
        """,
        products="IOT-WATCH-10",
        tags="sms verification-code otp",
        language="en",
    ),
    E(
        "KB-DEV-113",
        "solution",
        "device/power",
        "Battery drains fast",
        """
        - 5G uses more power than 4G, especially where the signal is weak: switching 5G off in
          such places helps.
        - Check battery usage for apps running in the background.
        - Screen brightness, always-on display and high refresh rates cost the most.
        - Under warranty, a battery below 80 % health is replaced once free of charge.
        """,
        tags="battery drain charging",
        language="en",
    ),
    E(
        "KB-DEV-114",
        "solution",
        "device/network",
        "No data while roaming abroad",
        """
        The customer has signal abroad but no data.

        1. International roaming must have been enabled before leaving (never on the senior card).
        2. Turn on "Data roaming" in the phone's settings: the usual fix.
        3. Without a day pass (ROAM-ASIA-25, ROAM-EU-45, ROAM-GLOBAL-68) data is charged at
           standard roaming rates.
        4. Choose the partner network manually; restart.
        5. On ships and planes, remind them to switch data roaming off: satellite rates are high.
        """,
        products="ROAM-ASIA-25 ROAM-EU-45 ROAM-GLOBAL-68",
        tags="roaming abroad data-roaming travel",
        language="en",
    ),
    E(
        "KB-DEV-115",
        "solution",
        "device/call",
        "Turning on VoLTE HD calling",
        """
        VoLTE carries calls over 4G/5G: faster set-up, clearer sound, and data keeps working
        during the call.

        1. Yunhai lines have VoLTE by default; enable it in the system if it shows as off (free).
        2. On the phone: Settings → Mobile network → VoLTE (on iPhone: Enable LTE → Voice & Data).
        3. Restart; an HD mark during calls shows it works. VoLTE calls use minutes, not data.
        """,
        tags="volte hd-calling call-quality",
        language="en",
    ),
    E(
        "KB-DEV-116",
        "solution",
        "device/tv",
        "IPTV box STB-4K-01 shows no picture",
        """
        - Switch the TV's input to the HDMI port the box is plugged into.
        - The box's network cable must be in the TX-1001's IPTV port (usually LAN4); in another
          port it hangs at "Obtaining IP".
        - "Account not authorised": check that the bundle's IPTV is paid and not cancelled.
        """,
        products="STB-4K-01 TX-1001 FAM-5G-259",
        tags="iptv tv set-top-box",
        language="en",
    ),
)
