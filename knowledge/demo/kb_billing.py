"""Demo content, part 3: bills, charges, refunds, payments and invoices."""

# ruff: noqa: E501  (Chinese text: a line of prose is kept whole)

from __future__ import annotations

from knowledge.demo.entry import E, Entry

ENTRIES: tuple[Entry, ...] = (
    # --- the bill ----------------------------------------------------------------------------
    E(
        "KB-BILL-001",
        "faq",
        "billing/bill",
        "如何查询话费余额和本月账单",
        """
        客户可以通过以下方式自助查询话费余额和账单：

        - 发送短信 CXYE 到 10010 查询余额，发送 CXZD 查询本月已产生的费用。
        - 云海App首页“话费”卡片，点击可查看月账单和详单。
        - 拨打 10010 按 1 进入自助查询。

        月账单在每月3日出账，之前显示的是“实时话费”，可能与最终账单略有差异。
        """,
        tags="查询 余额 账单 话费查询",
    ),
    E(
        "KB-BILL-002",
        "faq",
        "billing/bill",
        "月账单各项费用说明",
        """
        帮客户逐项解释月账单：

        | 项目 | 说明 |
        |---|---|
        | 套餐月费 | 套餐的固定月费，按自然月收取 |
        | 套餐外费用 | 超出套餐的流量、通话、短信 |
        | 增值业务费 | 彩铃、云盘、会员等订购业务 |
        | 代收费 | 第三方服务通过话费支付的费用 |
        | 优惠减免 | 活动赠送、话费券抵扣，显示为负数 |

        新入网当月的套餐费按天折算，因此首月账单金额通常与套餐价格不同。
        """,
        tags="账单 费用说明 月费 套外 代收费",
    ),
    E(
        "KB-BILL-003",
        "solution",
        "billing/bill",
        "客户质疑本月话费突然变高",
        """
        客户说“这个月话费怎么比平时多了好多”。先安抚，再按账单逐项核对。

        ## 核对顺序
        1. 套餐外流量：查看详单中流量是否超出，是否在套餐用完后继续使用了高速流量（部分老套餐不限速、按量计费）。
        2. 国际漫游：有出境记录的，查看是否未订购漫游日包按标准资费计费。
        3. 增值业务：查看是否有新订购的会员、彩铃或代收费，确认订购渠道和时间。
        4. 套餐变更：当月变更套餐会按天折算两种套餐费用。

        ## 后续
        - 客户确认未订购的增值业务，按《增值业务误扣费退款》处理。
        - 超出流量的，推荐合适套餐或加油包，避免下月再发生。
        """,
        tags="话费高 扣费 乱扣费 账单异常",
    ),
    E(
        "KB-BILL-004",
        "solution",
        "billing/bill",
        "查询和退订增值业务（SP业务）",
        """
        客户发现账单里有不认识的增值业务扣费。

        1. 在系统“已订购业务”中查看业务名称、订购时间和订购渠道（短信、网页、App）。
        2. 客户要求退订的，当场退订，或指导发送 0000 到 10010 查询并退订全部增值业务。
        3. 对于客户否认订购的，按《增值业务误扣费退款》核实后退费。
        4. 建议客户开通“增值业务订购二次确认”，以后订购需短信回复确认。
        """,
        tags="增值业务 sp 退订 扣费 0000",
    ),
    E(
        "KB-BILL-005",
        "faq",
        "billing/bill",
        "如何打印或下载通话详单",
        """
        通话、短信、流量详单可以查询最近6个月。

        - App：我的 → 账单 → 详单，可导出PDF。
        - 营业厅：本人携带身份证打印，可打印最近一年的详单。
        - 他人代办需机主身份证原件和授权书。

        出于隐私保护，客服电话中不能逐条读出通话对方号码。
        """,
        tags="详单 通话记录 打印",
    ),
    E(
        "KB-BILL-006",
        "faq",
        "billing/bill",
        "电子账单和纸质账单的寄送",
        """
        云海默认发送电子账单（短信和App通知），每月3日推送。

        - 需要邮件账单的客户，在App中填写邮箱即可，每月自动发送PDF。
        - 纸质账单需申请，每月收取2元邮寄费，政企客户免费。
        - 长辈卡客户可以设置将账单同时推送给子女的号码。
        """,
        tags="电子账单 纸质账单 邮寄",
    ),
    # --- refunds -----------------------------------------------------------------------------
    E(
        "KB-BILL-010",
        "solution",
        "billing/refund",
        "重复扣费、重复充值的退款",
        """
        客户反映同一笔费用被扣了两次，或一次充值扣了两次银行卡的钱。

        ## 核实
        1. 在“缴费记录”中查看是否有两笔相同金额、时间相近的记录。
        2. 银行卡扣了两次但系统只有一笔到账：多为支付渠道掉单，第二笔通常会在3个工作日内由银行原路退回，请客户先等待。
        3. 系统确实到账两笔：客户可选择保留为话费余额，或申请退款。

        ## 退款
        - 建“退款申请”工单，类型选“重复缴费”，附上两笔流水号。
        - 原路退回到支付账户，3至7个工作日到账。
        """,
        tags="重复扣费 退款 重复充值 扣两次 double-charge",
    ),
    E(
        "KB-BILL-011",
        "solution",
        "billing/refund",
        "充错号码了能退款吗",
        """
        客户给别人的号码充了话费（充错号）。

        - 充错的号码如果是云海号码且为空号或未使用：可以申请退款，需提供充值凭证和本人身份证。
        - 充到了别人正在使用的号码：需要对方机主同意才能转回，我们不能直接扣回他人话费。可以协助联系（不能透露对方信息）。
        - 充到其他运营商号码：需联系对应运营商处理。

        退款申请通过后原路退回，7个工作日内到账。
        """,
        tags="充错号码 充错 退款 充值",
    ),
    E(
        "KB-BILL-012",
        "solution",
        "billing/refund",
        "增值业务误扣费退款",
        """
        客户否认订购某项增值业务（会员、彩铃、游戏点卡等）并要求退费。

        ## 处理规则
        1. 查询订购记录：没有二次确认记录的，直接退订并退还最近3个月费用。
        2. 有二次确认记录的：告知客户订购时间和方式，先退订；客户仍坚持未订购的，升级到投诉组核实。
        3. 代收费（第三方扣费）需联系第三方平台，系统中建“代收费争议”工单。

        退费以话费形式返还到账户，次月账单体现。
        """,
        products="CRBT-5 CLOUD-50G",
        tags="误扣费 退费 增值业务 乱扣费 退款",
    ),
    E(
        "KB-BILL-013",
        "policy",
        "billing/refund",
        "销户后账户余额退款",
        """
        号码销户后，账户内的余额可以退还。

        - 余额退还需要机主本人办理，携带身份证，提供本人银行卡号。
        - 赠送的话费、话费券和活动返还款不能退现。
        - 合约期内销户的，先扣除违约金后再退余额。
        - 退款在销户后15个工作日内转入银行卡。
        """,
        tags="销户 余额退款 退款 退费",
    ),
    E(
        "KB-BILL-014",
        "solution",
        "billing/refund",
        "套餐降档或取消业务后的差价退款",
        """
        客户当月降档套餐或取消业务后，问是否能退差价。

        - 套餐变更一般次月生效，当月按原套餐收费，不涉及退款。
        - 客户选择“立即生效”时，当月按天折算两种套餐的费用，多收部分自动在次月账单中减免，无需申请。
        - 已使用的会员权益（如视频会员月卡已领取）不能退费。
        """,
        tags="降档 差价 退款 套餐变更",
    ),
    E(
        "KB-BILL-015",
        "faq",
        "billing/refund",
        "退款多久到账？如何查询退款进度",
        """
        不同退款方式的到账时间：

        | 退款类型 | 到账时间 |
        |---|---|
        | 原路退回（微信、支付宝） | 1至3个工作日 |
        | 原路退回（银行卡） | 3至7个工作日 |
        | 退到话费余额 | 次月账单体现 |
        | 销户余额退款 | 15个工作日 |

        查询进度：在系统中按手机号查“退款工单”，状态为“财务已打款”表示已退出；客户可凭退款流水号向银行查询。
        """,
        tags="退款进度 到账时间 退款 查询",
    ),
    E(
        "KB-BILL-016",
        "solution",
        "billing/refund",
        "宽带未安装或无法安装的退款",
        """
        客户预付了宽带费用，但因地址无法覆盖或客户取消，宽带没有安装。

        1. 确认工单状态为“未装机”或“资源不足无法安装”。
        2. 因我方原因（无资源、超时未装）无法安装：全额退款，并致歉。
        3. 客户主动取消：未上门的全额退款；已上门布线的扣除100元布线费。
        4. 建“宽带退款”工单，原路退回。
        """,
        products="BB-FIBER-100 BB-FIBER-500 BB-FIBER-1000",
        tags="宽带退款 未安装 退费 取消宽带",
    ),
    E(
        "KB-BILL-017",
        "policy",
        "billing/refund",
        "退款总则：哪些费用可以退",
        """
        可以退：
        - 多收、错收的费用（重复缴费、系统计费错误）；
        - 未经客户确认订购的增值业务费用（最近3个月）；
        - 未开通或无法提供服务的预付费用（如宽带无法安装）；
        - 销户后的账户现金余额。

        不能退：
        - 赠送的话费、话费券、积分兑换的话费；
        - 已经使用的流量、通话和已领取的会员权益；
        - 合约活动中已享受的优惠（提前解约需退还）。

        所有退款原路返回；无法原路返回的，退到机主本人银行卡。
        """,
        tags="退款政策 退款规则 退费 可以退",
    ),
    E(
        "KB-BILL-018",
        "solution",
        "billing/refund",
        "国际漫游高额账单争议",
        """
        客户出境后收到几百甚至上千元的漫游账单。

        1. 查看漫游详单：国家、网络（是否海事卫星或机上网络）、使用量。
        2. 未订购漫游日包按标准资费计费的，向客户解释资费；首次出现且客户态度良好的，可申请一次性减免50%（需主管审批）。
        3. 邮轮、航班卫星网络的费用由合作方收取，不能减免，但可在工单中申请复核。
        4. 提醒客户下次出境前订购日包并了解《境外漫游时无法上网》。
        """,
        products="ROAM-ASIA-25 ROAM-EU-45 ROAM-GLOBAL-68",
        tags="漫游费 高额账单 减免 漫游 账单争议",
    ),
    # --- payment -----------------------------------------------------------------------------
    E(
        "KB-BILL-020",
        "faq",
        "billing/payment",
        "充值缴费的方式有哪些",
        """
        - 云海App、微信小程序、支付宝“生活缴费”，实时到账。
        - 营业厅现金或刷卡。
        - 银行卡自动扣款（代扣），每月5日从银行卡扣除上月费用。
        - 话费充值卡：拨打 10010 按 3 输入卡密。

        单笔充值最低10元。充值100元及以上可参加当期充值活动（如有）。
        """,
        tags="充值 缴费 交费 支付方式",
    ),
    E(
        "KB-BILL-021",
        "solution",
        "billing/payment",
        "充值后话费没到账",
        """
        客户已付款，但余额没有增加、号码仍然停机。

        1. 请客户提供支付时间、金额和支付渠道订单号。
        2. 在“缴费记录”中按时间查询：有记录说明已到账，可能被欠费抵扣了（欠费停机时先扣欠费）。
        3. 无记录：第三方渠道可能延迟，一般30分钟内到账；超过2小时仍未到账，建“充值未到账”工单，附订单号。
        4. 停机的号码充值后一般10分钟内自动复机，未复机可手动复机。
        """,
        tags="充值未到账 没到账 缴费 复机",
    ),
    E(
        "KB-BILL-022",
        "solution",
        "billing/payment",
        "设置或取消银行卡自动扣款",
        """
        自动扣款（代扣）让客户不用担心忘记缴费停机。

        ## 开通
        App：我的 → 缴费 → 自动扣款，绑定本人银行卡，选择“按账单全额扣”或“余额低于30元时充值100元”。

        ## 扣款失败
        银行卡余额不足或卡已挂失时扣款失败，系统会在第3天和第7天重试，同时短信提醒客户。

        ## 取消
        App中解绑即可，当月已发起的扣款不能撤回。
        """,
        tags="自动扣款 代扣 银行卡 扣款失败",
    ),
    E(
        "KB-BILL-023",
        "policy",
        "billing/payment",
        "欠费停机与复机规则",
        """
        - 账户余额低于0元时发送提醒短信；欠费超过信用额度（默认50元）后单向停机（只能接听）。
        - 单向停机15天后仍未缴费，双向停机。
        - 双向停机超过90天，号码进入预销户，180天后销号回收。
        - 缴清欠费后系统自动复机，一般10分钟内恢复。

        信用额度根据在网时长和缴费记录调整，最高500元。
        """,
        tags="欠费 停机 复机 信用额度 销号",
    ),
    E(
        "KB-BILL-024",
        "faq",
        "billing/payment",
        "话费券怎么使用",
        """
        活动赠送的话费券会在每月1日自动抵扣当月账单，无需手动操作。

        - 在App“我的卡券”中查看剩余话费券和到期时间。
        - 话费券只能抵扣通信费用，不能抵扣宽带费、终端款和代收费。
        - 号码停机或销户后，未使用的话费券作废。
        """,
        products="",
        tags="话费券 抵扣 卡券",
    ),
    E(
        "KB-BILL-025",
        "faq",
        "billing/payment",
        "积分兑换话费和流量",
        """
        每消费1元累计1积分，积分有效期为2年。

        - 1000积分可兑换10元话费或2GB流量。
        - 在App“积分商城”兑换，兑换的话费不能退，也不能转给其他号码。
        - 长辈卡、保号卡积分翻倍。
        """,
        tags="积分 兑换 积分商城",
    ),
    E(
        "KB-BILL-026",
        "policy",
        "billing/payment",
        "逾期缴费的滞纳金",
        """
        个人客户不收滞纳金。

        政企客户按合同约定：超过账单缴费截止日（每月20日）未缴的，按欠费金额每日万分之三收取滞纳金，最高不超过欠费本金的30%。
        """,
        products="BIZ-5G-499",
        tags="滞纳金 逾期 政企",
    ),
    # --- invoices ----------------------------------------------------------------------------
    E(
        "KB-BILL-030",
        "faq",
        "billing/invoice",
        "如何开具电子发票",
        """
        充值或月结后可以开具电子发票。

        1. App：我的 → 发票 → 选择月份或充值记录 → 填写抬头和税号。
        2. 发票在24小时内发送到客户预留的邮箱，也可在App下载PDF。
        3. 充值发票和月结发票只能二选一：按充值开过发票的金额，月结时不再开具。

        个人抬头填写姓名即可，不需要税号。
        """,
        tags="发票 电子发票 开票 抬头",
    ),
    E(
        "KB-BILL-031",
        "solution",
        "billing/invoice",
        "发票抬头开错了怎么重开",
        """
        电子发票开具后发现抬头或税号错误。

        - 开具后180天内可以在App申请“红冲重开”：原发票作废，重新开具正确抬头，原发票不能再报销。
        - 已经报销入账的发票不能红冲，需客户单位财务出具说明。
        - 跨年的发票只能在次年1月15日前红冲。
        """,
        tags="发票 重开 红冲 抬头错误",
    ),
    E(
        "KB-BILL-032",
        "faq",
        "billing/invoice",
        "增值税专用发票的开具",
        """
        政企客户可以开具增值税专用发票。

        - 需提供单位名称、税号、地址电话、开户行和账号，首次开具需上传营业执照。
        - 专票按月结开具，每月10日后可申请上月专票。
        - 个人客户只能开具普通发票。
        """,
        products="BIZ-5G-499",
        tags="专票 增值税专用发票 政企 发票",
    ),
    # --- English -----------------------------------------------------------------------------
    E(
        "KB-BILL-101",
        "faq",
        "billing/bill",
        "Checking the balance and this month's bill",
        """
        - Text CXYE to 10010 for the balance, CXZD for this month's charges so far.
        - The Yunhai app's home page shows the balance; tap it for the bill and itemised usage.
        - Call 10010 and press 1.

        Bills are issued on the 3rd; before that the app shows running charges, which may
        differ slightly from the final bill.
        """,
        tags="balance bill statement check",
        language="en",
    ),
    E(
        "KB-BILL-102",
        "solution",
        "billing/bill",
        "My bill is much higher than usual",
        """
        Reassure the customer, then go through the bill line by line:

        1. Data beyond the plan: did usage continue at full speed after the allowance (some old
           plans charge per GB instead of slowing down)?
        2. Roaming: any trips abroad without a day pass are billed at standard rates.
        3. Value-added services: new memberships, ringback tones or third-party charges, with
           when and how they were ordered.
        4. A plan change this month splits the month between two fees.

        Services the customer never ordered: follow "Refund of unauthorised value-added
        charges".
        """,
        tags="high-bill unexpected-charges overcharged",
        language="en",
    ),
    E(
        "KB-BILL-103",
        "solution",
        "billing/refund",
        "Refund for a double charge",
        """
        The customer was charged twice for the same payment.

        - Bank charged twice but only one payment arrived: the second is normally returned by
          the bank within three working days. Ask the customer to wait.
        - Two payments arrived: keep the extra as credit, or refund it.

        Refund: open a "Refund request" ticket of type "Duplicate payment" with both
        transaction numbers. Money goes back to the original account in 3 to 7 working days.
        """,
        tags="refund double-charge charged-twice duplicate-payment money-back",
        language="en",
    ),
    E(
        "KB-BILL-104",
        "policy",
        "billing/refund",
        "Refund policy: what can be refunded",
        """
        Refundable: overcharges and billing errors; value-added services ordered without the
        customer's confirmation (last three months); prepaid services we could not provide
        (broadband that could not be installed); the cash balance after closing a line.

        Not refundable: bonus credit, vouchers and points; data and minutes already used;
        memberships already claimed; discounts received under a contract (repaid on early
        termination).

        Refunds go back the way the money came, otherwise to the holder's own bank card.
        """,
        tags="refund policy money-back reimbursement rules",
        language="en",
    ),
    E(
        "KB-BILL-105",
        "faq",
        "billing/refund",
        "How long does a refund take?",
        """
        | Refund | Arrives |
        |---|---|
        | WeChat Pay, Alipay | 1 to 3 working days |
        | Bank card | 3 to 7 working days |
        | As credit on the line | on next month's bill |
        | Balance after closing a line | 15 working days |

        Look the ticket up by phone number: "Paid by finance" means the money has left; the
        customer can trace it with the refund reference.
        """,
        tags="refund status money-back timing",
        language="en",
    ),
    E(
        "KB-BILL-106",
        "solution",
        "billing/refund",
        "Refund of unauthorised value-added charges",
        """
        The customer denies ordering a membership, ringback tone or game credit.

        1. No double-confirmation record: cancel it and refund the last three months.
        2. A confirmation record exists: tell the customer when and how it was ordered and
           cancel it; escalate to the complaints team if they still deny it.
        3. Third-party charges: open a "Third-party charge dispute" ticket.

        Refunds are credited to the line and appear on next month's bill.
        """,
        products="CRBT-5 CLOUD-50G",
        tags="refund unauthorised value-added charges",
        language="en",
    ),
    E(
        "KB-BILL-107",
        "solution",
        "billing/payment",
        "Top-up not showing on the account",
        """
        The customer paid but the balance has not changed.

        1. Ask for the time, amount and the payment app's order number.
        2. Found in payment records: it arrived, and may have cleared an unpaid balance first.
        3. Not found: third-party channels can take 30 minutes; after two hours open a "Top-up
           not received" ticket with the order number.
        4. A suspended line comes back within about ten minutes of payment.
        """,
        tags="top-up recharge payment missing",
        language="en",
    ),
    E(
        "KB-BILL-108",
        "faq",
        "billing/invoice",
        "Getting an electronic invoice (fapiao)",
        """
        In the app: Me → Invoices → choose a month or a top-up → enter the title (and tax
        number for companies). The PDF arrives by email within 24 hours.

        A top-up can be invoiced or the monthly bill, not both. Company VAT special invoices:
        see the business plan articles.
        """,
        tags="invoice fapiao receipt e-invoice",
        language="en",
    ),
    E(
        "KB-BILL-109",
        "policy",
        "billing/payment",
        "Unpaid bills: suspension and reconnection",
        """
        - Below zero: a reminder SMS. Beyond the credit limit (50 yuan by default): one-way
          suspension, incoming calls only.
        - 15 days later: both ways suspended.
        - After 90 days suspended the number is scheduled for closure and recycled after 180.
        - Paying the arrears reconnects the line automatically within about ten minutes.
        """,
        tags="unpaid arrears suspended reconnect overdue",
        language="en",
    ),
    E(
        "KB-BILL-110",
        "solution",
        "billing/payment",
        "Setting up or cancelling autopay",
        """
        In the app: Me → Payments → Autopay, link the holder's bank card and choose "pay the
        full bill" or "top up 100 when the balance is under 30".

        A failed debit (insufficient funds, card cancelled) is retried on days 3 and 7 with an
        SMS each time. Unlinking the card in the app cancels autopay; a debit already started
        this month goes ahead.
        """,
        tags="autopay direct-debit bank-card",
        language="en",
    ),
    E(
        "KB-BILL-111",
        "solution",
        "billing/refund",
        "Disputed roaming bill",
        """
        A customer back from abroad has a bill of hundreds or thousands of yuan.

        1. Read the roaming records: country, network (satellite on ships and planes?), volume.
        2. Without a day pass usage is billed at standard rates: explain them. A first
           occurrence may get a one-off 50 % reduction with a supervisor's approval.
        3. Satellite charges are set by the partner and cannot be reduced; a review can be
           requested in the ticket.
        """,
        products="ROAM-ASIA-25 ROAM-EU-45 ROAM-GLOBAL-68",
        tags="roaming bill dispute",
        language="en",
    ),
)
