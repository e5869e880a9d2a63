"""Demo content, part 4: numbers and accounts, returns and repairs, plan questions, rules."""

# ruff: noqa: E501  (Chinese text: a line of prose is kept whole)

from __future__ import annotations

from knowledge.demo.entry import E, Entry

ENTRIES: tuple[Entry, ...] = (
    # --- numbers -----------------------------------------------------------------------------
    E(
        "KB-SVC-001",
        "faq",
        "service/number",
        "携号转网：从云海转出的条件",
        """
        客户想把号码转到其他运营商（携号转出）。

        ## 转出条件
        - 号码已实名登记，状态正常（未停机、未欠费）；
        - 没有未到期的合约（合约机、宽带融合、靓号协议），或已支付违约金；
        - 在网满120天。

        ## 流程
        1. 客户发送 CXXZ#姓名#证件号 到 10086999 查询是否符合条件。
        2. 发送 SQXZ#姓名#证件号 获取授权码，授权码有效期4天。
        3. 凭授权码到新运营商办理。

        客户提出转出时，可先了解原因，尝试用《携号转网挽留话术》挽留，但不能设置障碍。
        """,
        tags="携号转网 转出 授权码 转网",
    ),
    E(
        "KB-SVC-002",
        "faq",
        "service/number",
        "携号转网：转入云海",
        """
        其他运营商的客户想带着号码转到云海。

        1. 客户先在原运营商获取授权码（发送 SQXZ 短信到 10086999）。
        2. 持身份证和授权码到云海营业厅，或在App“携号转入”提交。
        3. 选择套餐并领取新SIM卡，转网在次日凌晨生效，期间可能有约2小时无信号。

        转入并办理59元及以上套餐的客户，可参加《携号转入送100元话费》活动（活动期内）。
        """,
        tags="携号转网 转入 新用户",
    ),
    E(
        "KB-SVC-003",
        "faq",
        "service/number",
        "停机保号怎么办理",
        """
        客户出国或长期不用号码，但想保留号码。

        - 停机保号每月收取5元保号费，最长可保号24个月。
        - 保号期间不能打电话、上网和收短信，可以接收部分银行验证码（需另开通“保号接收短信”）。
        - 办理：App或营业厅，需机主实名。合约期内的号码不能办理。
        - 恢复使用：App一键复机，或发送 FJ 到 10010。

        长期保号的另一个选择是改为 4G-BASIC-18 保号套餐，能正常接打电话。
        """,
        products="4G-BASIC-18",
        tags="停机保号 保号 出国 暂停",
    ),
    E(
        "KB-SVC-004",
        "solution",
        "service/number",
        "手机丢了：挂失与补卡",
        """
        客户手机丢失或被盗。

        1. 立即为客户办理挂失（核验身份后），挂失后号码不能使用，防止被盗刷验证码。
        2. 提醒客户修改微信、支付宝和银行App的密码，必要时冻结支付。
        3. 补卡：本人携带身份证到任意营业厅，补卡免费，当场取卡；或App申请邮寄，需人脸识别。
        4. 补卡激活后原卡自动失效，挂失自动解除。
        """,
        tags="挂失 补卡 手机丢失 被盗 换卡",
    ),
    E(
        "KB-SVC-005",
        "faq",
        "service/number",
        "号码过户（转给家人）",
        """
        号码可以过户给他人，如父母的号码转到子女名下。

        - 原机主和新机主双方携带身份证到营业厅办理；原机主去世的，需提供死亡证明和亲属关系证明。
        - 过户前需结清欠费，合约期内的号码需新机主同意承接合约。
        - 过户后原号码的积分清零，余额随号码转给新机主。
        """,
        tags="过户 转让 家人 机主",
    ),
    E(
        "KB-SVC-006",
        "faq",
        "service/number",
        "销户需要什么条件",
        """
        销户（注销号码）必须由机主本人办理。

        - 结清所有费用，合约期内需支付违约金或等合约到期。
        - 融合套餐的主卡销户前需先拆分宽带和副卡。
        - 支持营业厅和App线上销户（需人脸识别），线上销户有24小时冷静期。
        - 销户后余额退款见《销户后账户余额退款》；号码90天后可能被重新分配。
        """,
        tags="销户 注销 停用号码",
    ),
    E(
        "KB-SVC-007",
        "faq",
        "service/account",
        "服务密码忘记了怎么重置",
        """
        服务密码是6位数字，用于客服电话身份验证和App登录。

        - App：登录页 → 忘记密码，通过短信验证码重置。
        - 拨打 10010 按 9，输入身份证号后重置，新密码通过短信发送。
        - 连续输错5次密码当天锁定，次日自动解锁。

        客服不能直接告诉客户原密码，只能协助重置。
        """,
        tags="服务密码 密码 重置 忘记密码",
    ),
    E(
        "KB-SVC-008",
        "policy",
        "service/account",
        "实名制登记规定",
        """
        按照电话用户实名登记的规定：

        - 办理入网、补卡、过户必须出示本人有效身份证件并现场人像比对。
        - 每个身份证在云海最多登记5个个人号码。
        - 未满16周岁的用户由监护人代为登记。
        - 发现“一证多号”异常或号码被他人冒名办理，客户可申请“一证通查”并要求注销不是本人办理的号码。
        """,
        tags="实名 实名认证 实名制 身份证 一证通查",
    ),
    E(
        "KB-SVC-009",
        "solution",
        "service/account",
        "身份证下面有不是自己办的号码",
        """
        客户通过一证通查发现名下有陌生号码。

        1. 核验客户身份后，查询该证件名下号码列表。
        2. 对于客户否认办理的号码，建“冒名办理”工单，营业厅3个工作日内核查办理记录。
        3. 核实为冒名办理的，号码立即停机并解除与该证件的关联，产生的费用不由客户承担。
        4. 建议客户报警并保留工单编号。
        """,
        tags="冒名 一证通查 身份证 陌生号码",
    ),
    E(
        "KB-SVC-010",
        "faq",
        "service/number",
        "副卡办理与共享规则",
        """
        副卡和主卡共享套餐内的流量和通话。

        - 支持副卡的套餐：5G-PLUS-129（1张，10元/月）、5G-PLUS-199（1张免费）、5G-PRO-299（2张免费）、5G-MAX-399（3张免费）、全家享融合套餐。
        - 副卡需持卡人本人实名，可以是家人。
        - 主卡可以在App给每张副卡设置每月流量上限。
        - 副卡不参与双十一等流量翻倍活动，不能单独开通国际漫游。
        """,
        products="5G-PLUS-129 5G-PLUS-199 5G-PRO-299 5G-MAX-399 FAM-5G-259 FAM-5G-359",
        tags="副卡 共享 家庭成员 主卡",
    ),
    E(
        "KB-SVC-011",
        "faq",
        "service/number",
        "亲情号和亲情网",
        """
        亲情号：爱心长辈卡 5G-SENIOR-19 可设置3个亲情号码，互相拨打免费。

        亲情网：同一个户主下最多10个云海号码组成亲情网，网内通话免费，每月3元（户主付费）。

        设置方法：App → 家庭 → 亲情号/亲情网，或发送 QQH#号码 到 10010。每月可修改一次。
        """,
        products="5G-SENIOR-19",
        tags="亲情号 亲情网 家庭 免费通话",
    ),
    E(
        "KB-SVC-012",
        "faq",
        "service/number",
        "呼叫转移怎么设置和取消",
        """
        | 类型 | 设置 | 取消 |
        |---|---|---|
        | 无条件转移 | **21*号码# | ##21# |
        | 遇忙转移 | **67*号码# | ##67# |
        | 无应答转移 | **61*号码# | ##61# |
        | 不可及转移 | **62*号码# | ##62# |
        | 取消全部 |  | ##002# |

        转移到其他号码时，转移部分按主叫计费。客户反映“别人打不进来”时，先让客户拨 ##002#。
        """,
        tags="呼叫转移 转接 002",
    ),
    E(
        "KB-SVC-013",
        "faq",
        "service/number",
        "国际长途和国际漫游功能的开通",
        """
        - 新入网号码默认不开通国际长途和国际漫游。
        - 开通条件：在网满3个月，或预存200元；政企客户免预存。
        - 开通方式：App“国际业务”一键开通，或发送 KTMY 到 10010，即时生效。
        - 长辈卡不支持开通。

        出境前推荐订购漫游日包，详见 ROAM-ASIA-25、ROAM-EU-45、ROAM-GLOBAL-68。
        """,
        products="ROAM-ASIA-25 ROAM-EU-45 ROAM-GLOBAL-68",
        tags="国际漫游 国际长途 开通 出国",
    ),
    E(
        "KB-SVC-014",
        "solution",
        "service/security",
        "客户接到冒充客服的诈骗电话",
        """
        客户说有人自称云海客服，要求下载App、共享屏幕或提供验证码。

        - 明确告诉客户：云海客服不会要求提供短信验证码、不会要求共享屏幕或转账。
        - 已提供验证码或转账的：立即挂失号码防止被继续利用，提醒客户联系银行冻结并报警（110 或 96110）。
        - 将诈骗号码记录到“诈骗号码举报”工单，网络侧会核查并拦截。
        - 推荐开通防骚扰拦截 SEC-GUARD-3。
        """,
        products="SEC-GUARD-3",
        tags="诈骗 冒充客服 验证码 骚扰电话",
    ),
    E(
        "KB-SVC-015",
        "faq",
        "service/security",
        "骚扰电话和垃圾短信太多怎么办",
        """
        - 开通防骚扰拦截 SEC-GUARD-3（3元/月，长辈卡免费），网络侧拦截被大量标记的号码。
        - 发送 0000 到 10010 退订不需要的营销短信；注意不要退订全部106短信，否则收不到验证码。
        - 在手机系统中开启“骚扰拦截”。
        - 可以举报：把骚扰号码和时间告诉客服建举报工单。
        """,
        products="SEC-GUARD-3",
        tags="骚扰电话 垃圾短信 拦截 营销短信",
    ),
    # --- returns and repairs -----------------------------------------------------------------
    E(
        "KB-RET-001",
        "policy",
        "service/returns",
        "七天无理由退货规定",
        """
        在云海网上营业厅购买的终端（手机、路由器、配件），签收之日起7天内可以无理由退货。

        - 商品完好、配件齐全、包装完整，未激活或激活未超过24小时。
        - 合约机需同时解除合约，已使用的话费按实际使用收取。
        - 退货运费：商品质量问题由我方承担，无理由退货由客户承担。
        - 营业厅现场购买的终端不适用无理由退货，按三包政策处理。
        """,
        tags="退货 七天无理由 无理由退货 退机",
    ),
    E(
        "KB-RET-002",
        "solution",
        "service/returns",
        "申请退货的操作步骤",
        """
        1. 核实订单：购买渠道、签收时间（系统物流记录为准）、是否合约机。
        2. 符合条件的，在系统中提交“退货申请”，选择退货原因。
        3. 告知客户快递员会在2个工作日内上门取件，请保持包装完整、附上发票。
        4. 仓库验货通过后，退款在3个工作日内原路退回。

        验货不通过（如有划痕、配件缺失）的，商品原样寄回，运费由客户承担。
        """,
        tags="退货 申请退货 取件 退款",
    ),
    E(
        "KB-RET-003",
        "policy",
        "service/returns",
        "十五天换货与质量问题",
        """
        签收15天内出现性能故障（非人为损坏），可以选择换货或维修。

        - 需售后网点出具检测报告。
        - 换同型号同颜色新机；缺货时可换同价位其他型号或退款。
        - 换货后保修期重新计算。
        """,
        tags="换货 质量问题 故障 15天",
    ),
    E(
        "KB-RET-004",
        "policy",
        "service/returns",
        "手机三包与保修",
        """
        在云海购买的手机享受国家三包政策：

        - 7天内性能故障：可退货、换货或修理；
        - 15天内性能故障：可换货或修理；
        - 1年内：主机免费保修，电池和充电器保修6个月至1年（以厂家说明为准）。

        不在保修范围：进水、摔坏、私自拆机、刷机导致的故障。保修凭购机发票，电子发票同样有效。
        """,
        tags="三包 保修 维修 质保",
    ),
    E(
        "KB-RET-005",
        "solution",
        "service/returns",
        "收到的商品破损或少配件",
        """
        客户签收后发现屏幕破裂、外包装破损或少了充电器。

        1. 请客户在签收48小时内反馈，并拍照或录像（外包装、快递单、商品）。
        2. 建“到货破损”工单，附上照片，我方承担全部运费。
        3. 可选择补发配件、换货或退货；换货新机发出前不需要客户先寄回。
        4. 超过48小时反馈的，按质量问题走检测流程。
        """,
        tags="破损 少配件 到货 坏了 签收",
    ),
    E(
        "KB-RET-006",
        "solution",
        "service/returns",
        "合约机退货和解约",
        """
        客户购买了合约机（如618活动的合约机）想退货。

        - 7天内、未激活或激活未超过24小时：可以退机同时解除合约，不收违约金。
        - 超过7天：不能退机，只能提前解约，需退还已享受的购机优惠并支付违约金（见《合约期规则与违约金》）。
        - 以旧换新获得的补贴需一并退还。
        """,
        products="5G-PLUS-199",
        tags="合约机 退货 解约 违约金",
    ),
    E(
        "KB-RET-007",
        "solution",
        "service/returns",
        "宽带拆机时归还光猫和路由器",
        """
        宽带拆机或套餐到期不续约时，租借的设备需要归还。

        - 需归还：光猫 TX-1001、Mesh 路由器 TX-3003、IPTV 机顶盒 STB-4K-01（融合套餐赠送的除外，以合同为准）。
        - 方式：营业厅归还，或预约装维人员上门回收。
        - 未归还的设备按折旧价收取：TX-1001 150元，TX-3003 300元，STB-4K-01 100元。
        - 客户自购的路由器不需要归还。
        """,
        products="TX-1001 TX-3003 STB-4K-01",
        tags="拆机 归还 光猫 路由器 退设备",
    ),
    E(
        "KB-RET-008",
        "faq",
        "service/returns",
        "维修进度怎么查",
        """
        - 系统中按手机号或维修单号查询“售后工单”，状态依次为：已取件 → 检测中 → 维修中 → 已寄回。
        - 保修内维修一般7个工作日，需要返厂的15个工作日。
        - 维修期间客户可以在营业厅免费借用备用机（需押金200元）。
        """,
        tags="维修进度 售后 备用机",
    ),
    E(
        "KB-RET-009",
        "faq",
        "service/returns",
        "以旧换新的流程",
        """
        1. 客户带旧手机到营业厅，现场评估回收价（需能开机、已退出云账号、已清除数据）。
        2. 选择新手机和套餐，回收价直接抵扣新机款。
        3. 活动期内另有补贴，见《以旧换新最高补贴800元》。

        旧手机一旦回收不能退回，请提醒客户提前备份数据。
        """,
        products="5G-PLUS-199 5G-PRO-299 5G-MAX-399",
        tags="以旧换新 换机 回收 旧手机",
    ),
    # --- plan questions ----------------------------------------------------------------------
    E(
        "KB-FAQ-001",
        "faq",
        "plans/change",
        "怎么更换套餐？什么时候生效",
        """
        - 升级套餐（换到更贵的套餐）：可选择立即生效（当月按天折算）或次月生效。
        - 降级套餐（降档）：只能次月生效。
        - 合约期内降档需补缴已享受的优惠；5G升级活动的客户12个月内不能降回4G。
        - 办理渠道：App“套餐变更”、10010、营业厅。每月只能变更一次。
        """,
        tags="换套餐 变更套餐 升级 降档 改套餐",
    ),
    E(
        "KB-FAQ-002",
        "faq",
        "plans/change",
        "套餐降档有什么限制",
        """
        客户想把套餐换成便宜的（降档）。

        - 降档次月1日生效。
        - 合约期内（如办理了合约机、以旧换新补贴）不能降到合约约定的最低档以下。
        - 参加“老用户升级5G送视频会员”的，12个月内降回4G会停止发放会员。
        - 已下架的套餐（如 4G-OLD-58）降档后不能再改回。

        如客户因为费用高想降档，可以先分析使用情况，推荐更合适的套餐或加油包。
        """,
        products="4G-OLD-58",
        tags="降档 降级 便宜套餐 套餐变更",
    ),
    E(
        "KB-FAQ-003",
        "faq",
        "plans/usage",
        "如何查询剩余流量",
        """
        - 发送 CXLL 到 10010，回复剩余通用流量、定向流量和加油包流量。
        - App首页“流量”卡片实时显示。
        - 流量使用有约30分钟的统计延迟，刚用完的流量可能还没计入。
        """,
        tags="剩余流量 查流量 流量查询 数据",
    ),
    E(
        "KB-FAQ-004",
        "faq",
        "plans/usage",
        "当月没用完的流量可以结转到下个月吗",
        """
        - 套餐内通用流量：当月未用完的部分可以结转到次月，次月月底失效，结转的流量优先使用。
        - 加油包 DATA-5G-10、活动赠送的流量：不能结转。
        - 定向流量：不能结转。
        - 5G青春校园卡在寒暑假期间的流量不清零。
        """,
        products="DATA-5G-10 5G-YOUTH-39",
        tags="流量结转 剩余流量 下个月 清零",
    ),
    E(
        "KB-FAQ-005",
        "faq",
        "plans/usage",
        "定向流量和通用流量的区别",
        """
        - 通用流量：任何App、浏览器都可以使用。
        - 定向流量：只能用于指定App（例如校园卡的学习App、视频包的视频App）。在指定App中观看广告、跳转到外部网页，仍消耗通用流量。
        - 使用热点分享时，定向流量不生效。

        客户反映“定向流量没用完但通用流量被扣了”，多半是以上情况。
        """,
        products="VIDEO-VIP-15 5G-YOUTH-39",
        tags="定向流量 通用流量 区别",
    ),
    E(
        "KB-FAQ-006",
        "faq",
        "plans/5g",
        "没有5G手机可以办5G套餐吗",
        """
        可以。5G套餐在4G手机上也能正常使用，流量和通话不受影响，只是网速为4G速率。

        等客户换了5G手机后，插卡即可使用5G，无需换卡（2019年以前的老SIM卡需免费更换为5G卡）。
        """,
        tags="5g套餐 4g手机 换卡",
    ),
    E(
        "KB-FAQ-007",
        "faq",
        "plans/5g",
        "学生如何办理5G青春校园卡",
        """
        - 办理条件：18至24周岁的全日制在校学生，凭学生证和身份证。
        - 渠道：校园营业厅，或App“校园专区”在线办理，邮寄到学校。
        - 毕业或满25岁后自动转为 5G-LITE-59，转换前会短信提醒，可以改选其他套餐。
        """,
        products="5G-YOUTH-39 5G-LITE-59",
        tags="校园卡 学生 办理",
    ),
    E(
        "KB-FAQ-008",
        "faq",
        "plans/family",
        "融合套餐可以拆分吗",
        """
        全家享融合套餐由宽带、主卡、副卡组成。

        - 拆分后宽带和手机分别按单独套餐计费，失去融合优惠。
        - 合约期内拆分需支付剩余月数的优惠差额。
        - 副卡可以单独拆出变成独立号码，选择新套餐。
        """,
        products="FAM-5G-259 FAM-5G-359",
        tags="融合套餐 拆分 全家享",
    ),
    E(
        "KB-FAQ-009",
        "faq",
        "plans/broadband",
        "宽带到期了会自动续费吗",
        """
        - 包年宽带到期前30天短信提醒，到期后自动转为按月付费（原价），不会断网。
        - 客户可以在到期前续约包年，续约价格以当时活动为准。
        - 不想续约的，需要在到期前申请拆机，否则会按月继续收费。
        """,
        products="BB-FIBER-100 BB-FIBER-500 BB-FIBER-1000",
        tags="宽带到期 续费 续约 包年",
    ),
    # --- policies ----------------------------------------------------------------------------
    E(
        "KB-POL-001",
        "policy",
        "policy/contract",
        "合约期规则与违约金",
        """
        办理合约机、以旧换新补贴或宽带包年优惠的客户，需在合约期内保持指定套餐。

        ## 提前解约违约金
        - 手机合约：退还已享受的购机优惠，并按剩余月数 × 月费的20%支付违约金。
        - 宽带：按剩余月数 × 10元收取，最高300元。
        - 搬迁到无覆盖地址、机主去世等情况可以免违约金，需提供证明。
        """,
        tags="合约 违约金 解约 提前解约",
    ),
    E(
        "KB-POL-002",
        "policy",
        "policy/complaints",
        "投诉处理时限",
        """
        - 普通投诉：24小时内首次联系客户，5个工作日内办结。
        - 紧急投诉（停机、无法通话影响生活）：2小时内响应，24小时内办结。
        - 工信部申诉转办：1个工作日内联系客户，7个工作日内答复。
        - 办结前需回访客户确认，客户不满意可以申请升级处理。
        """,
        tags="投诉 时限 工单 升级 申诉",
    ),
    E(
        "KB-POL-003",
        "policy",
        "policy/privacy",
        "客户个人信息保护规定",
        """
        - 只有通过身份核验的机主本人可以查询通话详单、余额、PUK码等信息。
        - 不得在电话中透露其他客户的任何信息，包括充错号码的对方机主姓名。
        - 不得向客户索取银行卡密码、短信验证码。
        - 录音和工单中不能记录客户的完整证件号码，只记录后四位。
        """,
        tags="个人信息 隐私 保护 身份核验",
    ),
    E(
        "KB-POL-004",
        "policy",
        "policy/tariff",
        "资费公示与标准资费",
        """
        未订购套餐或超出套餐的标准资费（个人客户）：

        | 项目 | 资费 |
        |---|---|
        | 国内通话 | 0.15元/分钟 |
        | 国内短信 | 0.1元/条 |
        | 国内流量 | 5元/GB（按KB计费，日封顶25元） |
        | 国际漫游流量（未订购日包） | 按国家，亚洲约3元/MB |
        | 来电显示 | 免费 |

        所有在售套餐的资费均在官网“资费公示”页面公布，编号以 YH 开头。
        """,
        tags="资费 标准资费 公示 套外资费",
    ),
    E(
        "KB-POL-005",
        "policy",
        "policy/minors",
        "未成年人办卡规定",
        """
        - 未满16周岁：由监护人携带户口簿、监护人身份证办理，号码登记在监护人名下。
        - 16至18周岁：可以本人办理，但不能办理合约机和开通代收费业务。
        - 未成年人号码默认关闭游戏等代收费支付功能。
        """,
        tags="未成年人 办卡 监护人 儿童",
    ),
    E(
        "KB-POL-006",
        "policy",
        "policy/escalation",
        "工单升级规则",
        """
        - 一线无法当场解决的问题，建立工单并告知客户处理时限。
        - 客户第二次来电催办同一问题：工单自动升级为“催办”，由班长跟进。
        - 第三次来电或客户要求找领导：升级到投诉组。
        - 涉及媒体、律师、12300申诉的，直接升级到客户关系部，并通知当班主管。
        """,
        tags="升级 工单 催办 主管",
    ),
    E(
        "KB-POL-007",
        "policy",
        "policy/tariff",
        "流量限速规则",
        """
        云海5G在售套餐在通用流量用完后均限速不停网，不再额外收费：

        | 套餐 | 限速后速率 |
        |---|---|
        | 5G-LITE-59 | 1Mbps |
        | 5G-PLUS-129 | 1Mbps |
        | 5G-PLUS-199 | 3Mbps |
        | 5G-PRO-299 | 5Mbps |
        | 5G-MAX-399 | 10Mbps |

        购买加油包后恢复高速。4G套餐及老套餐超出后按标准资费计费，日封顶25元。
        """,
        products="5G-LITE-59 5G-PLUS-129 5G-PLUS-199 5G-PRO-299 5G-MAX-399",
        tags="限速 流量用完 速率",
    ),
    # --- English -----------------------------------------------------------------------------
    E(
        "KB-SVC-101",
        "faq",
        "service/number",
        "Porting a number out to another operator",
        """
        Conditions: the line is registered in the holder's name, active and paid; no contract
        still running (contract phone, bundle, special number) unless the fee is paid; at
        least 120 days with us.

        1. Text CXXZ#name#ID to 10086999 to check eligibility.
        2. Text SQXZ#name#ID for the authorisation code (valid four days).
        3. Take the code to the new operator.

        Ask why they are leaving and try the retention script, but never put obstacles in the
        way.
        """,
        tags="port-out number-porting keep-my-number transfer",
        language="en",
    ),
    E(
        "KB-SVC-102",
        "faq",
        "service/number",
        "Porting a number in to Yunhai",
        """
        1. Get the authorisation code from the current operator (text SQXZ to 10086999).
        2. Bring ID and the code to a Yunhai store, or apply in the app under "Port in".
        3. Choose a plan and take the new SIM; the switch happens the next night, with up to two
           hours without service.

        Customers porting in to a plan of 59 yuan or more get the port-in credit while the offer
        runs.
        """,
        tags="port-in number-porting new-customer switch-operator",
        language="en",
    ),
    E(
        "KB-SVC-103",
        "faq",
        "service/number",
        "Suspending a number while abroad (keep the number)",
        """
        Suspension keeps a number for 5 yuan a month, up to 24 months. No calls, data or SMS
        meanwhile (some bank codes can be received with the "receive SMS while suspended"
        option). Not possible during a contract. Reactivate in the app or by texting FJ to 10010.

        Alternative: the 4G-BASIC-18 plan keeps the number working for 18 yuan.
        """,
        products="4G-BASIC-18",
        tags="suspend suspension keep-number abroad",
        language="en",
    ),
    E(
        "KB-SVC-104",
        "solution",
        "service/number",
        "Lost or stolen phone: block the line and replace the SIM",
        """
        1. After the identity check, report the SIM lost at once so that nobody can receive the
           customer's verification codes.
        2. Remind them to change WeChat, Alipay and banking passwords.
        3. A replacement SIM is free: in any store with ID, or posted after face verification in
           the app. Activating it cancels the old SIM and lifts the block.
        """,
        tags="lost-phone stolen replace-sim block",
        language="en",
    ),
    E(
        "KB-SVC-105",
        "faq",
        "service/account",
        "Resetting the service password",
        """
        The six-digit service password is used for phone identity checks and the app.

        - App: login page → Forgot password, with an SMS code.
        - Call 10010 and press 9, enter the ID number; the new password comes by SMS.
        - Five wrong attempts lock it for the day.

        Agents never read out the old password; they only help reset it.
        """,
        tags="password reset pin service-password",
        language="en",
    ),
    E(
        "KB-SVC-106",
        "faq",
        "service/number",
        "Secondary SIMs: who can have one and what they share",
        """
        Secondary SIMs share the main line's data and minutes.

        - 5G-PLUS-129: one at 10 yuan; 5G-PLUS-199: one free; 5G-PRO-299: two free;
          5G-MAX-399: three free; the family bundles: three or four.
        - Each is registered in its user's own name.
        - The main line can cap each secondary SIM's data in the app.
        - Secondary SIMs are left out of data-doubling offers and cannot roam on their own.
        """,
        products="5G-PLUS-129 5G-PLUS-199 5G-PRO-299 5G-MAX-399 FAM-5G-259 FAM-5G-359",
        tags="secondary-sim add-on-sim family-member sharing",
        language="en",
    ),
    E(
        "KB-SVC-107",
        "solution",
        "service/security",
        "Customer called by fraudsters pretending to be Yunhai",
        """
        Yunhai never asks for SMS codes, screen sharing or transfers: say so plainly.

        If the customer gave a code or sent money: block the line, tell them to call the bank
        and the police (110 or 96110), and record the number in a fraud report ticket. Suggest
        SEC-GUARD-3 spam blocking.
        """,
        products="SEC-GUARD-3",
        tags="fraud scam spam impersonation",
        language="en",
    ),
    E(
        "KB-SVC-108",
        "faq",
        "service/number",
        "Enabling international calls and roaming",
        """
        New lines have international calling and roaming switched off. They can be enabled
        after three months with us or with a 200 yuan deposit (business accounts: no deposit),
        in the app or by texting KTMY to 10010; the senior card cannot have them.

        Suggest a roaming day pass before the trip.
        """,
        products="ROAM-ASIA-25 ROAM-EU-45 ROAM-GLOBAL-68",
        tags="international roaming enable travel abroad",
        language="en",
    ),
    E(
        "KB-RET-101",
        "policy",
        "service/returns",
        "Seven-day no-reason returns",
        """
        Devices bought in the online store can be returned without a reason within seven days
        of delivery: undamaged, complete, in the original box, not activated or activated less
        than 24 hours earlier. Contract phones end the contract at the same time. Return postage
        is ours for faults, the customer's otherwise. Purchases in stores follow the warranty
        rules instead.
        """,
        tags="return send-back no-reason refund device",
        language="en",
    ),
    E(
        "KB-RET-102",
        "solution",
        "service/returns",
        "How to return a device",
        """
        1. Check the order: channel, delivery date (from the courier record), contract or not.
        2. If eligible, submit a "Return request" with the reason.
        3. A courier collects it within two working days: original box and invoice included.
        4. Once the warehouse accepts it, the money goes back within three working days.

        Items failing inspection (scratches, missing parts) are sent back at the customer's cost.
        """,
        tags="return pickup refund money-back",
        language="en",
    ),
    E(
        "KB-RET-103",
        "policy",
        "service/returns",
        "Phone warranty",
        """
        - Within 7 days, a fault: return, exchange or repair.
        - Within 15 days: exchange or repair.
        - Within a year: free repairs to the phone; battery and charger per the maker's terms.

        Not covered: water, drops, opening the phone, unofficial software. The invoice
        (electronic ones count) is the proof of purchase.
        """,
        tags="warranty repair exchange guarantee",
        language="en",
    ),
    E(
        "KB-RET-104",
        "solution",
        "service/returns",
        "Delivered damaged or incomplete",
        """
        Report within 48 hours of delivery with photos or video of the box, the label and the
        item. Open a "Damaged on delivery" ticket; we pay all postage. Options: the missing part
        sent, an exchange (the new phone ships before the old one comes back) or a refund.
        """,
        tags="damaged delivery missing exchange swap",
        language="en",
    ),
    E(
        "KB-RET-105",
        "solution",
        "service/returns",
        "Returning the modem and routers when broadband ends",
        """
        Loaned equipment goes back when broadband is cancelled: the TX-1001 modem, TX-3003 mesh
        routers and the STB-4K-01 box (unless the contract says they were a gift). Return them
        in a store or book a collection. Unreturned items are charged: TX-1001 150 yuan, TX-3003
        300, STB-4K-01 100.
        """,
        products="TX-1001 TX-3003 STB-4K-01",
        tags="return equipment modem router cancel-broadband",
        language="en",
    ),
    E(
        "KB-FAQ-101",
        "faq",
        "plans/change",
        "Changing plans: when does the new plan start?",
        """
        - Upgrades: at once (the month split by days) or from next month.
        - Downgrades: next month only; within a contract, discounts received are repaid; after the
          5G upgrade offer, going back to 4G within 12 months stops the membership.
        - In the app, by calling 10010 or in a store; once per month.
        """,
        tags="change-plan upgrade downgrade switch-plan",
        language="en",
    ),
    E(
        "KB-FAQ-102",
        "faq",
        "plans/usage",
        "Does unused data carry over?",
        """
        Unused general data in the plan carries over to the next month and expires at its end
        (it is used first). Top-ups like DATA-5G-10, bonus data and app-specific data do not
        carry over. The campus card keeps its data through the holidays.
        """,
        products="DATA-5G-10 5G-YOUTH-39",
        tags="rollover carry-over unused data",
        language="en",
    ),
    E(
        "KB-FAQ-103",
        "faq",
        "plans/usage",
        "Checking how much data is left",
        """
        Text CXLL to 10010 for the general, app-specific and top-up data left, or look at the
        app's Data card. Usage is counted with a delay of about 30 minutes.
        """,
        tags="data-left remaining usage check",
        language="en",
    ),
    E(
        "KB-POL-101",
        "policy",
        "policy/contract",
        "Contracts and early termination fees",
        """
        Contract phones, trade-in bonuses and yearly broadband deals require keeping the plan
        for the term.

        Early termination: phone contracts repay the device discount plus 20 % of the monthly
        fee for each remaining month; broadband 10 yuan per remaining month, at most 300.
        Moving to an address we cannot serve, or the holder's death, waives the fee with proof.
        """,
        tags="contract early-termination penalty termination-fee",
        language="en",
    ),
    E(
        "KB-POL-102",
        "policy",
        "policy/complaints",
        "Complaint handling times",
        """
        - Ordinary complaints: first contact within 24 hours, resolved within five working days.
        - Urgent ones (no service affecting daily life): response in two hours, resolved in 24.
        - Regulator referrals: contact within one working day, answer within seven.
        The customer is called back before closing; if unhappy, the case is escalated.
        """,
        tags="complaint escalation deadline",
        language="en",
    ),
    E(
        "KB-POL-103",
        "policy",
        "policy/privacy",
        "Customer privacy rules for agents",
        """
        Only the verified holder may hear itemised calls, balances or PUK codes. Never disclose
        anything about another customer. Never ask for bank passwords or SMS codes. Tickets and
        notes record only the last four digits of an ID number.
        """,
        tags="privacy personal-data identity",
        language="en",
    ),
)
