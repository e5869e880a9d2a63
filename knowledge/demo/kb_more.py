"""Demo content, part 6: everyday questions, and articles written in mixed Chinese and English."""

# ruff: noqa: E501  (Chinese text: a line of prose is kept whole)

from __future__ import annotations

from knowledge.demo.entry import E, Entry

ENTRIES: tuple[Entry, ...] = (
    # --- mixed Chinese and English -----------------------------------------------------------
    E(
        "KB-MIX-001",
        "solution",
        "device/call",
        "iPhone 开启 VoLTE 和 Wi-Fi Calling",
        """
        iPhone 用户常问“HD 标志不出来”“Wi-Fi Calling 选项找不到”。

        ## VoLTE
        Settings（设置）→ Cellular（蜂窝网络）→ Cellular Data Options → Voice & Data，选择 **5G Auto / 4G, VoLTE On**。

        ## Wi-Fi Calling（VoWiFi）
        Settings → Phone → Wi-Fi Calling → 打开 “Wi-Fi Calling on This iPhone”。需要 iOS 16 以上，且号码已开通 VoWiFi（系统中可免费开通）。

        开启后状态栏显示 “Yunhai Wi-Fi”，室内信号差时通话走家里的 Wi-Fi。
        """,
        tags="iphone volte wifi-calling vowifi 高清通话",
        language="mixed",
    ),
    E(
        "KB-MIX-002",
        "solution",
        "device/call",
        "Android 手机 Wi-Fi Calling (VoWiFi) 设置",
        """
        安卓手机的 Wi-Fi 通话开关位置因品牌而异，一般在：

        - 设置 → 移动网络 → SIM 卡 → **WLAN 通话 / Wi-Fi Calling**；
        - 拨号盘 → 右上角菜单 → 设置 → Wi-Fi calling。

        首选项建议选 “Wi-Fi preferred（优先使用 Wi-Fi）”。部分海外版 Android 手机不支持国内 VoWiFi。
        """,
        tags="android vowifi wifi-calling 信号差",
        language="mixed",
    ),
    E(
        "KB-MIX-003",
        "solution",
        "service/app",
        "云海 App 登录失败：error code E1001 / E1002 / E2005",
        """
        | Error code | 含义 | 处理 |
        |---|---|---|
        | E1001 | 短信验证码错误或过期 | 重新获取，5分钟内输入 |
        | E1002 | 服务密码错误 | 见《服务密码忘记了怎么重置》 |
        | E2005 | 号码状态异常（停机、挂失） | 先恢复号码状态 |
        | E3001 | App 版本过低 | 升级到最新版 |

        清除 App 缓存（Android: 设置 → 应用 → 云海 → 存储 → Clear cache）也能解决部分登录问题。
        """,
        tags="app 登录 login error e1001 e2005",
        language="mixed",
    ),
    E(
        "KB-MIX-004",
        "faq",
        "device/network",
        "5G SA 和 NSA 是什么？手机显示 5G 但网速不快",
        """
        - **NSA**（Non-Standalone，非独立组网）：5G 依托 4G 核心网，早期 5G 手机只支持 NSA。
        - **SA**（Standalone，独立组网）：云海 5G 的主要模式，时延更低。

        手机显示 5G 但测速不快，常见原因：所在位置 5G 信号弱（RSRP 低于 -105dBm）、高峰期用户多、套餐流量已用完被限速。测速建议用 speed.yunhai.example，并对比 4G 下的速率。
        """,
        tags="5g sa nsa 网速 速度",
        language="mixed",
    ),
    E(
        "KB-MIX-005",
        "solution",
        "device/esim",
        "iPhone 实体 SIM 转 eSIM（eSIM transfer）",
        """
        iPhone XS 及以上的国行机型不支持 eSIM 手机号码，只有海外版 iPhone 可以把实体 SIM 转为 eSIM。

        - 国行手机：告知客户不支持，可使用一号双终端 IOT-WATCH-10 给手表用 eSIM。
        - 海外版：需到营业厅办理 “eSIM 转换”，现场扫码下载 eSIM profile，原实体卡失效。

        转换后更换手机需要重新到营业厅办理，不能自行 transfer。
        """,
        products="IOT-WATCH-10",
        tags="esim iphone 转换 transfer",
        language="mixed",
    ),
    E(
        "KB-MIX-006",
        "faq",
        "plans/broadband",
        "宽带 IPv6 和公网 IPv4 (public IP) 申请",
        """
        - IPv6：所有云海宽带默认开通，光猫 TX-1001 自动下发 IPv6 前缀。
        - Public IPv4：千兆宽带 BB-FIBER-1000 客户可免费申请，其他套餐每月10元。申请后需重启光猫，IP 为动态，每48小时可能变化。
        - 用于 NAS、远程监控的客户，建议使用 DDNS。

        政企专线提供固定公网 IP，需联系客户经理。
        """,
        products="TX-1001 BB-FIBER-1000",
        tags="ipv6 公网ip public-ip nas ddns",
        language="mixed",
    ),
    E(
        "KB-MIX-007",
        "solution",
        "device/broadband",
        "TX-1001 光猫端口映射 (port forwarding) 设置",
        """
        客户需要从外网访问家里的 NAS 或摄像头。

        1. 先确认已申请 public IPv4（见《宽带 IPv6 和公网 IPv4 申请》），否则端口映射无效。
        2. 浏览器登录 192.168.1.1 → Application → Port Forwarding → Add。
        3. 填写内网设备 IP、内部端口、外部端口，协议选 TCP/UDP。
        4. 80、443、8080 端口对家庭宽带封闭，请使用其他端口。
        """,
        products="TX-1001",
        tags="端口映射 port-forwarding nas 光猫",
        language="mixed",
    ),
    E(
        "KB-MIX-008",
        "faq",
        "device/broadband",
        "Wi-Fi 2.4GHz 和 5GHz 怎么选",
        """
        光猫 TX-1001 同时发出两个 Wi-Fi：名称不带后缀的是 **2.4GHz**，带 **-5G** 的是 5GHz。

        - 2.4GHz：穿墙好、覆盖远，但速度慢、干扰多；智能家居设备（smart plug、扫地机器人）通常只支持 2.4GHz。
        - 5GHz：速度快，适合电视、电脑和游戏，但隔两堵墙后信号明显下降。

        可以开启 “双频合一 (band steering)”，由光猫自动选择。
        """,
        products="TX-1001",
        tags="wifi 2.4g 5g 频段 智能家居",
        language="mixed",
    ),
    E(
        "KB-MIX-009",
        "faq",
        "service/value-added",
        "5G 消息（RCS）是什么",
        """
        5G 消息基于 RCS（Rich Communication Services）标准，在原生短信 App 中就可以发送图片、视频、位置，和企业 chatbot 互动。

        - 使用 5G 消息发送内容消耗流量，不按短信计费。
        - 需要手机支持 RCS，并在短信设置中打开 “5G 消息 / Chat features”。
        - 对方不支持时自动回落为普通短信。
        """,
        tags="5g消息 rcs 短信 chatbot",
        language="mixed",
    ),
    E(
        "KB-MIX-010",
        "solution",
        "device/esim",
        "Apple Watch 开通蜂窝网络（一号双终端）",
        """
        Apple Watch Series 3 及以上蜂窝版（Cellular）可以和 iPhone 共用号码。

        1. 确认主卡为 5G 套餐并已订购 IOT-WATCH-10。
        2. iPhone 打开 Watch App → Cellular → Set Up Cellular，按提示登录云海账号完成开通。
        3. 提示 “无法添加套餐 (Unable to add plan)” 时，检查 Watch 是否为国行版，以及 iPhone 是否已升级到最新 iOS。

        开通后 Watch 离开 iPhone 也能接打电话。
        """,
        products="IOT-WATCH-10",
        tags="apple-watch 手表 esim cellular 一号双终端",
        language="mixed",
    ),
    # --- everyday questions ------------------------------------------------------------------
    E(
        "KB-GEN-001",
        "faq",
        "service/number",
        "新办的SIM卡怎么激活",
        """
        网上办理邮寄到家的新卡需要激活后才能使用。

        1. 收到卡后，在云海App“新卡激活”中拍摄身份证并进行人脸识别。
        2. 激活成功后插入手机，等待约10分钟出现信号。
        3. 卡片背面有初始服务密码，激活后请修改。

        激活失败通常是人脸识别光线不足或证件照片反光，换个环境重试即可。超过30天未激活的卡会自动作废。
        """,
        tags="激活 新卡 邮寄 人脸识别",
    ),
    E(
        "KB-GEN-002",
        "faq",
        "service/number",
        "如何选号？靓号有什么要求",
        """
        - 普通号码：App或营业厅免费选号。
        - 靓号（如 AAAA、ABCD 结尾）：需签订靓号协议，承诺最低消费（如每月129元以上）和在网时长（一般24个月）。
        - 靓号协议期内不能降档到最低消费以下，也不能携号转出，除非支付违约金。
        """,
        tags="选号 靓号 号码 最低消费",
    ),
    E(
        "KB-GEN-003",
        "faq",
        "service/stores",
        "营业厅营业时间和预约取号",
        """
        - 营业厅一般为 9:00 至 18:00，旗舰厅延长至 21:00，节假日正常营业（春节除外）。
        - 可在App“营业厅”中查看附近营业厅的地址、排队人数，并提前预约取号。
        - 补卡、过户、销户等必须本人到厅的业务，建议预约避免排队。
        """,
        tags="营业厅 营业时间 预约 地址",
    ),
    E(
        "KB-GEN-004",
        "faq",
        "service/value-added",
        "来电显示和语音信箱",
        """
        - 来电显示：所有套餐免费提供，无需开通。
        - 语音信箱：每月3元，来电无人接听时可以留言，拨打 12590 收听。开通：发送 KTYY 到 10010。
        - 不需要语音信箱的，发送 QXYY 取消。误开通导致别人打来直接进信箱的，见《打不进来：别人打电话提示关机或无法接通》。
        """,
        tags="来电显示 语音信箱 留言",
    ),
    E(
        "KB-GEN-005",
        "faq",
        "service/value-added",
        "彩铃怎么设置和退订",
        """
        已订购个人彩铃 CRBT-5 的客户：

        - 在App“彩铃”频道选择歌曲设置，可为不同来电人设置不同彩铃。
        - 免费试听，设置后对方来电时生效。
        - 退订：发送 TDCL 到 10010，或在App中取消。当月费用不退。
        """,
        products="CRBT-5",
        tags="彩铃 设置 退订",
    ),
    E(
        "KB-GEN-006",
        "solution",
        "service/value-added",
        "视频会员权益没有到账",
        """
        客户办理了含视频会员的套餐（5G-PLUS-129、5G-PLUS-199）或 VIDEO-VIP-15，但会员没到。

        1. 会员每月1日发放，首月在办理后48小时内发放。
        2. 确认客户选择的平台（腾讯视频、爱奇艺、优酷）及绑定的手机号；客户用其他账号登录视频App时看不到会员。
        3. 在系统“权益发放记录”中查询，显示“已发放”但客户看不到的，提供兑换码让客户手动兑换。
        4. 发放失败的，点击“补发”。
        """,
        products="5G-PLUS-129 5G-PLUS-199 VIDEO-VIP-15",
        tags="视频会员 权益 没到账 会员",
    ),
    E(
        "KB-GEN-007",
        "faq",
        "plans/addon",
        "流量加油包买错了能退吗",
        """
        - 加油包（如 DATA-5G-10）订购后立即生效，已生效的加油包不能退订退费。
        - 订购后流量完全没有使用的，24小时内可以申请一次性退费（每个号码每年限一次）。
        - 日租包 DATA-DAY-1 可以随时取消，取消后次日起不再扣费。
        """,
        products="DATA-5G-10 DATA-DAY-1",
        tags="加油包 退订 退费 买错",
    ),
    E(
        "KB-GEN-008",
        "solution",
        "billing/bill",
        "日租包扣费投诉：没上网也扣了1元",
        """
        开通了 DATA-DAY-1 的客户投诉“没上网也被扣了1元”。

        - 日租包在当天产生任何流量时扣费，手机后台App（天气、同步、推送）会自动联网。
        - 在详单中查看当天流量记录，向客户说明具体时间和流量。
        - 建议客户不需要上网时关闭移动数据，或取消日租包改用 DATA-5G-10。
        - 详单中确实没有流量记录却扣费的，属于计费错误，退费并建工单。
        """,
        products="DATA-DAY-1 DATA-5G-10",
        tags="日租包 扣费 乱扣费 1元",
    ),
    E(
        "KB-GEN-009",
        "faq",
        "roaming/hk-macau-taiwan",
        "港澳台漫游怎么收费",
        """
        - 港澳台不属于亚洲漫游日包的范围，有单独的港澳台日包：每天15元，3GB高速流量。
        - 未订购日包的，流量按0.5元/MB计费，每天封顶60元。
        - 在港澳接听电话0.99元/分钟，拨打内地1.99元/分钟。

        去香港的客户同样需要先开通国际及港澳台漫游功能。
        """,
        tags="港澳台 香港 澳门 漫游 收费",
    ),
    E(
        "KB-GEN-010",
        "faq",
        "service/number",
        "外籍人士如何办理手机卡",
        """
        - 持有效护照（及签证或居留许可）到营业厅办理，需现场人像比对。
        - 可选择的套餐与国内客户相同，合约机需提供居留许可且剩余有效期超过合约期。
        - 证件到期后需在30天内到营业厅更新证件信息，否则号码将被停机。

        营业厅可提供英文服务的网点可在App中筛选。
        """,
        tags="外籍 护照 外国人 办卡",
    ),
    E(
        "KB-GEN-011",
        "faq",
        "service/account",
        "身份证过期了号码会停机吗",
        """
        身份证过期不会马上停机，但需要在到期后90天内更新证件信息。

        - 更新方式：App“实名信息更新”上传新证件并人脸识别，或到营业厅办理。
        - 超过90天未更新的，号码会被限制部分业务（不能补卡、过户、携号转网），但正常通话上网不受影响。
        """,
        tags="身份证 过期 实名 更新证件",
    ),
    E(
        "KB-GEN-012",
        "faq",
        "service/number",
        "号码被标记为“骚扰电话”怎么办",
        """
        客户打电话时对方手机显示“骚扰电话”“推销”等标记。

        - 标记来自手机厂商和安全App的用户举报，不是运营商标记。
        - 客户可以到对应平台（手机厂商、安全App）申诉取消标记，需提供实名信息。
        - 云海可以出具“号码实名使用证明”，在App“我的 → 证明开具”中申请，用于申诉。
        """,
        tags="标记 骚扰电话 申诉 号码标记",
    ),
    E(
        "KB-GEN-013",
        "solution",
        "device/tv",
        "机顶盒遥控器失灵、配对",
        """
        STB-4K-01 的遥控器不能控制机顶盒。

        1. 更换电池；遥控器指示灯不亮说明电池没电。
        2. 重新配对：对着机顶盒同时按住“返回”和“主页”键5秒，直到指示灯快闪。
        3. 蓝牙模式失效时，可以对准机顶盒使用红外模式。
        4. 遥控器损坏的，营业厅可购买，35元/个。
        """,
        products="STB-4K-01",
        tags="遥控器 机顶盒 配对 失灵",
    ),
    E(
        "KB-GEN-014",
        "faq",
        "service/value-added",
        "云盘照片如何恢复到新手机",
        """
        订购了云盘 CLOUD-50G 的客户换新手机后：

        1. 在新手机安装云海App，用原号码登录。
        2. 进入“云盘 → 备份与恢复”，选择要恢复的照片、通讯录和短信。
        3. 建议在 Wi-Fi 下恢复，照片较多时需要数小时。

        退订云盘后数据保留30天，超过30天无法恢复。
        """,
        products="CLOUD-50G",
        tags="云盘 恢复 照片 通讯录 换手机 备份",
    ),
    E(
        "KB-GEN-015",
        "faq",
        "service/number",
        "紧急呼叫：没有SIM卡或停机能打110吗",
        """
        可以。没有SIM卡、欠费停机、无服务（只要有任一运营商信号）时都可以拨打 110、119、120、122 等紧急号码，免费。

        在国外拨打 112 会自动转接当地紧急服务。
        """,
        tags="紧急呼叫 110 120 停机",
    ),
    E(
        "KB-GEN-016",
        "faq",
        "service/value-added",
        "国际短信的收费",
        """
        - 从内地发送国际短信：1元/条，港澳台0.5元/条。
        - 在境外接收短信免费，发送短信按漫游资费（约1元/条）。
        - 国际短信需开通国际业务，见《国际长途和国际漫游功能的开通》。
        """,
        tags="国际短信 短信 收费",
    ),
    E(
        "KB-GEN-017",
        "faq",
        "service/number",
        "固定电话（座机）的办理和收费",
        """
        - 宽带客户可加办固定电话，每月月租10元，市话0.1元/分钟。
        - BB-FIBER-500 可选赠送一部固话，免月租。
        - 固话通过光猫 TX-1001 的 PHONE 口连接普通电话机。
        - 固话号码可以设置呼叫转移到手机。
        """,
        products="BB-FIBER-500 TX-1001",
        tags="固话 座机 固定电话",
    ),
    E(
        "KB-GEN-018",
        "faq",
        "service/stores",
        "网上办理的手机卡配送多久到",
        """
        - 城区一般次日送达，偏远地区3至5天。
        - 配送需本人签收，签收时快递员会核对身份证。
        - 可在App“我的订单”查看物流；快递员联系不上客户的，订单保留7天。
        """,
        tags="配送 快递 物流 邮寄",
    ),
    E(
        "KB-GEN-019",
        "solution",
        "device/network",
        "双卡手机只有一张卡能上网",
        """
        双卡双待手机同一时间只有一张卡能用移动数据。

        - 在“双卡管理”中把“默认移动数据”设置为云海卡。
        - 打电话时另一张卡的数据会暂停（部分手机支持“通话时使用另一张卡数据”）。
        - 两张都是5G卡时，部分手机只有主卡槽支持5G。
        """,
        tags="双卡 默认上网 数据卡",
    ),
    E(
        "KB-GEN-020",
        "faq",
        "plans/usage",
        "流量被偷跑？为什么没怎么用流量就没了",
        """
        客户觉得自己没怎么用，但流量用得很快。

        - 查看详单按App分类的流量排行，常见原因：视频自动播放、系统更新、相册云同步、热点被他人连接。
        - 建议关闭App的“移动网络下自动播放”和“使用移动数据更新”。
        - 手机计流量的软件与运营商计费存在差异，以运营商详单为准。
        - 客户坚持有异议的，可以申请流量详单核查工单。
        """,
        tags="流量 偷跑 流量用得快 数据 异常",
    ),
    E(
        "KB-GEN-021",
        "faq",
        "billing/payment",
        "话费充值卡怎么使用",
        """
        实体或电子充值卡的使用方法：

        1. 拨打 10010 按 3，按语音提示输入18位卡密和要充值的号码。
        2. 或在App“充值 → 充值卡充值”输入卡密。
        3. 充值卡有有效期（卡面标注），过期不能使用也不能退换。

        提示“卡密已使用”的，记录卡号建工单核查使用记录。
        """,
        tags="充值卡 卡密 充值",
    ),
    E(
        "KB-GEN-022",
        "solution",
        "service/security",
        "号码因涉诈风险被停机，如何恢复",
        """
        号码被系统判定存在涉诈风险（如短时间大量拨打陌生号码）时会被关停，客户收到“涉诈风险停机”短信。

        1. 告知客户这是风险防控措施，不是欠费停机。
        2. 客户需本人携带身份证到营业厅进行“二次实名核验”，并说明号码用途。
        3. 核验通过后24小时内恢复；企业号码需提供单位证明。
        4. 客户对停机有异议的，可以在营业厅填写复核申请。

        客服电话中不能直接为此类号码复机。
        """,
        tags="涉诈 停机 二次实名 复机 风险",
    ),
    E(
        "KB-GEN-023",
        "faq",
        "plans/broadband",
        "地址无法安装宽带怎么办",
        """
        查询结果显示“暂无资源”或“不可装”。

        - 登记预约：资源建设后会短信通知客户，登记不收费。
        - 替代方案：推荐5G室内路由器 TX-2002 搭配 DATA-CARD-29，无需布线，即插即用。
        - 同一小区登记人数多的，会优先进行资源建设。
        """,
        products="TX-2002 DATA-CARD-29",
        tags="宽带 无法安装 没有资源 不可装 覆盖",
    ),
    E(
        "KB-GEN-024",
        "faq",
        "service/returns",
        "手机屏幕碎了怎么维修，多少钱",
        """
        屏幕碎裂属于人为损坏，不在三包保修范围内，可以付费维修。

        - 在营业厅或App预约售后网点，屏幕维修一般1小时内完成。
        - 价格按机型，国产中端机约300至600元，高端机型1000元以上，维修前会报价确认。
        - 购买了“碎屏保障”服务的客户，保障期内可免费换屏一次。
        """,
        tags="碎屏 屏幕 维修 换屏 价格",
    ),
    E(
        "KB-GEN-025",
        "faq",
        "device/phone",
        "换新手机后如何迁移通讯录和数据",
        """
        - 同品牌手机：使用手机自带的“手机克隆 / 换机助手”，用 Wi-Fi 直连传输。
        - 苹果与安卓之间：使用 iPhone 的“转移到 iOS”或云海云盘 CLOUD-50G 备份通讯录后恢复。
        - 通讯录存在SIM卡上的（老人机常见），在新手机“导入/导出联系人”中从SIM卡导入。

        换机前提醒客户备份微信聊天记录，这部分需在微信中单独迁移。
        """,
        products="CLOUD-50G",
        tags="换机 通讯录 迁移 数据 新手机",
    ),
    E(
        "KB-GEN-026",
        "solution",
        "device/signal",
        "高铁上信号不好、经常断网",
        """
        高铁车厢是金属密封结构，列车高速移动时频繁切换基站，信号会比平时差。

        - 高铁沿线有专网覆盖，手机会自动接入，不需要设置。
        - 建议在车厢连接处附近通话效果较好。
        - 穿过隧道和山区时短暂无信号属于正常现象。
        - 客户反映某段线路长期无信号的，记录车次、区间和时间，建网络优化工单。
        """,
        tags="高铁 火车 信号差 断网 隧道",
    ),
    E(
        "KB-GEN-027",
        "faq",
        "billing/payment",
        "话费余额可以转给别人吗",
        """
        可以转赠给同一机主名下的其他云海号码，或亲情网内号码。

        - App：话费 → 余额转赠，每次最低10元，每月最多转3次。
        - 赠送的话费、话费券不能转赠，只有现金充值的余额可以。
        - 欠费或停机的号码不能转出余额。
        """,
        tags="余额转赠 转话费 话费",
    ),
    E(
        "KB-GEN-028",
        "faq",
        "service/number",
        "副卡怎么取消",
        """
        - 主卡机主可以在App“家庭 → 副卡管理”中解除副卡，次月生效。
        - 解除后副卡号码可以保留为独立号码（需副卡持卡人实名选择新套餐），也可以直接销户。
        - 全家享融合套餐的副卡在合约期内减少数量的，不影响融合优惠。
        """,
        tags="副卡 取消 解除 删除副卡",
    ),
    E(
        "KB-GEN-029",
        "solution",
        "device/broadband",
        "宽带账号密码忘记了",
        """
        客户自购路由器需要拨号时，需要宽带账号和密码。

        1. 宽带账号通常是宽带开户时的号码，可在系统“宽带详情”中查看并告诉客户（需身份核验）。
        2. 密码不能查询，只能重置：在系统中“重置宽带密码”，新密码短信发送到机主手机。
        3. 重置后光猫 TX-1001 自动拨号的会自动同步，无需客户操作。
        """,
        products="TX-1001",
        tags="宽带密码 宽带账号 重置 拨号",
    ),
    E(
        "KB-GEN-030",
        "solution",
        "device/call",
        "通话中经常掉线、自动挂断",
        """
        打电话时通话突然中断（掉话）。

        1. 问清楚是固定地点还是移动中：移动中（开车、地铁）掉话多为基站切换问题。
        2. 开启 VoLTE 高清通话，VoLTE 掉话率低于传统语音。
        3. 检查手机是否开启了“智能省电”或第三方通话录音App。
        4. 固定地点经常掉话且多人反映的，按网络故障建工单，附掉话时间点。
        """,
        tags="掉线 掉话 自动挂断 通话中断",
    ),
    E(
        "KB-GEN-031",
        "faq",
        "service/value-added",
        "碎屏保障服务说明",
        """
        购买新手机时可以加购碎屏保障，12个月内意外碎屏可免费换屏一次。

        - 价格为手机售价的3%至5%，只能在购机后7天内购买。
        - 不包括进水、被盗和故意损坏。
        - 报修时需提供碎屏照片和购机发票。
        """,
        tags="碎屏保障 保险 换屏",
    ),
    # --- English ---------------------------------------------------------------------------------
    E(
        "KB-GEN-101",
        "faq",
        "service/number",
        "Activating a new SIM card delivered by post",
        """
        In the Yunhai app, open "Activate new SIM", photograph the ID and complete face
        verification. Insert the SIM: service appears within about ten minutes. The initial
        service password is on the back of the card: change it. Cards not activated within 30
        days expire.
        """,
        tags="activate new-sim delivery",
        language="en",
    ),
    E(
        "KB-GEN-102",
        "faq",
        "service/number",
        "Foreign nationals: opening a mobile line",
        """
        Bring a valid passport (with visa or residence permit) to a store for face verification.
        Plans are the same as for residents; contract phones need a residence permit valid for
        the whole term. Update the document within 30 days of its expiry or the line is
        suspended. The app lists stores with English-speaking staff.
        """,
        tags="foreigner passport expat open-account",
        language="en",
    ),
    E(
        "KB-GEN-103",
        "solution",
        "service/value-added",
        "Video membership not received",
        """
        Memberships from 5G-PLUS-129, 5G-PLUS-199 or VIDEO-VIP-15 are credited on the 1st (the
        first within 48 hours of joining). Check the chosen service and the phone number it is
        bound to: logged in with another account, the customer will not see it. "Credited" but
        not visible: give the redemption code. "Failed": press Re-send.
        """,
        products="5G-PLUS-129 5G-PLUS-199 VIDEO-VIP-15",
        tags="video membership missing benefits",
        language="en",
    ),
    E(
        "KB-GEN-104",
        "faq",
        "roaming/hk-macau-taiwan",
        "Roaming in Hong Kong, Macau and Taiwan",
        """
        They are not in the Asia day pass: a separate pass costs 15 yuan a day for 3 GB. Without
        it data is 0.5 yuan/MB, capped at 60 yuan a day. Receiving calls 0.99 yuan/min, calling
        the mainland 1.99. International roaming must be enabled first.
        """,
        tags="hong-kong macau taiwan roaming",
        language="en",
    ),
    E(
        "KB-GEN-105",
        "faq",
        "service/value-added",
        "Caller ID and voicemail",
        """
        Caller ID is free on every plan. Voicemail costs 3 yuan a month (text KTYY to 10010 to
        start, QXYY to stop; listen on 12590). If callers go straight to voicemail, see "Callers
        hear 'switched off'".
        """,
        tags="caller-id voicemail",
        language="en",
    ),
    E(
        "KB-GEN-106",
        "faq",
        "service/number",
        "Emergency calls without a SIM or when suspended",
        """
        110, 119, 120 and 122 can always be called free of charge, without a SIM, when suspended
        for non-payment, or on any operator's network. Abroad, 112 reaches local emergency
        services.
        """,
        tags="emergency 110 112",
        language="en",
    ),
    E(
        "KB-GEN-107",
        "faq",
        "plans/addon",
        "Can a data top-up be refunded?",
        """
        Top-ups such as DATA-5G-10 start at once and cannot be cancelled. If none of it was used,
        a one-off refund within 24 hours is possible (once a year per number). The DATA-DAY-1 day
        pass can be cancelled any time; charges stop the next day.
        """,
        products="DATA-5G-10 DATA-DAY-1",
        tags="top-up refund cancel",
        language="en",
    ),
    E(
        "KB-GEN-108",
        "faq",
        "plans/usage",
        "Data disappearing faster than expected",
        """
        Look at usage by app: autoplaying video, system updates, photo sync and a hotspot used by
        others are the usual culprits. Switch off autoplay and updates over mobile data. Phone
        counters differ from billing; the operator's records count. If the customer still
        disputes it, open a usage review ticket.
        """,
        tags="data usage fast disappearing",
        language="en",
    ),
    E(
        "KB-GEN-109",
        "faq",
        "service/stores",
        "Store opening hours and appointments",
        """
        Stores open 9:00 to 18:00, flagship stores until 21:00, every day except Spring Festival.
        The app shows nearby stores, queue length, and takes appointments: recommended for SIM
        replacement, transfers and closing a line, which need the holder in person.
        """,
        tags="store hours appointment",
        language="en",
    ),
    E(
        "KB-GEN-110",
        "solution",
        "device/network",
        "Dual-SIM phone: only one SIM has data",
        """
        Only one SIM at a time carries mobile data: set the Yunhai SIM as the default data SIM in
        the dual-SIM settings. During a call on the other SIM data pauses on many phones. With
        two 5G SIMs, some phones support 5G only in slot 1.
        """,
        tags="dual-sim data default",
        language="en",
    ),
    E(
        "KB-GEN-111",
        "solution",
        "service/security",
        "Line suspended for fraud risk: how to restore it",
        """
        Lines flagged for fraud risk (for example many calls to unknown numbers in a short time)
        are suspended with an SMS. This is not about payment: the holder must visit a store with
        ID for a second identity check and explain the line's use; service returns within 24
        hours. Agents cannot restore such lines over the phone.
        """,
        tags="fraud-risk suspended identity restore",
        language="en",
    ),
    E(
        "KB-GEN-112",
        "faq",
        "service/returns",
        "Cracked screen: repair and price",
        """
        A cracked screen is accidental damage, not covered by the warranty, but repairable for a
        fee: about 300 to 600 yuan for mid-range phones, over 1,000 for flagships, quoted before
        the work. Customers with screen protection cover get one free replacement within a year.
        """,
        tags="cracked-screen repair price",
        language="en",
    ),
    E(
        "KB-GEN-113",
        "faq",
        "billing/payment",
        "Transferring balance to another number",
        """
        Cash balance can be given to another Yunhai number of the same holder or in the same
        family group: at least 10 yuan, up to three times a month, in the app under Balance →
        Transfer. Bonus credit and vouchers cannot be transferred.
        """,
        tags="balance transfer credit",
        language="en",
    ),
    E(
        "KB-GEN-114",
        "solution",
        "device/signal",
        "Poor signal on high-speed trains",
        """
        Train carriages are sealed metal boxes and the phone changes cells constantly at speed.
        The line has dedicated coverage; calls work best near the carriage ends; tunnels cause
        short gaps. For a stretch that never works, note the train number, section and time and
        open a network optimisation ticket.
        """,
        tags="train signal dropped",
        language="en",
    ),
    E(
        "KB-GEN-115",
        "faq",
        "service/number",
        "Cancelling a secondary SIM",
        """
        The main line's holder removes a secondary SIM in the app (Family → Secondary SIMs); it
        takes effect next month. The number can become a line of its own (its user chooses a
        plan) or be closed.
        """,
        tags="secondary-sim cancel remove",
        language="en",
    ),
)
