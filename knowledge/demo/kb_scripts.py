"""Demo content, part 5: call scripts (话术) agents read or adapt on the line."""

# ruff: noqa: E501  (Chinese text: a line of prose is kept whole)

from __future__ import annotations

from knowledge.demo.entry import E, Entry

ENTRIES: tuple[Entry, ...] = (
    E(
        "KB-SCR-001",
        "script",
        "scripts/opening",
        "标准开场白话术",
        """
        每通电话接起后3秒内开口，语速适中、面带微笑。

        > 您好，云海通信，工号XXXX很高兴为您服务，请问有什么可以帮您？

        - 已识别来电客户姓名时：“王先生您好，……”，不要直接说出客户全名。
        - 客户使用英文时，切换到《英文开场白》。
        - 夜间（22点后）可加一句“这么晚还打来，一定是遇到急事了，我来帮您看看”。
        """,
        tags="开场白 问候 接听 话术",
    ),
    E(
        "KB-SCR-002",
        "script",
        "scripts/closing",
        "结束语与满意度邀评话术",
        """
        问题处理完毕后：

        > 请问还有其他可以帮您的吗？……感谢您的来电，稍后会有一条满意度短信，麻烦您给我打个分，祝您生活愉快，再见！

        - 一定等客户先挂机。
        - 问题未解决、已建工单的，结束前复述工单编号和处理时限。
        - 不要诱导客户打满分。
        """,
        tags="结束语 满意度 邀评 挂机",
    ),
    E(
        "KB-SCR-003",
        "script",
        "scripts/verification",
        "来电身份核验话术",
        """
        查询详单、PUK码、余额明细，办理挂失、改密码前必须核验身份。

        > 为了保护您的信息安全，需要先核实一下您的身份，请您提供机主姓名和身份证号码的后六位，或者输入服务密码。

        - 服务密码验证通过即可；没有服务密码的，核对姓名 + 证件后六位 + 最近一次缴费金额。
        - 核验失败时：“很抱歉，信息核对不一致，为了您的号码安全，建议您携带身份证到营业厅办理。”
        - 不能提示客户哪一项错了。
        """,
        tags="身份核验 验证身份 服务密码 安全",
    ),
    E(
        "KB-SCR-004",
        "script",
        "scripts/complaint",
        "客户情绪激动时的安抚话术",
        """
        客户骂人、大声抱怨时，先处理情绪，再处理问题。

        1. 倾听，不打断：“嗯，我在听。”
        2. 共情：“遇到这种情况换了谁都会着急，我理解您的心情。”
        3. 致歉（为感受致歉，不随意承认责任）：“给您带来不好的体验，真的很抱歉。”
        4. 给出行动：“我现在马上帮您查一下具体原因，大概需要两分钟，请您稍等。”

        客户持续辱骂超过2分钟，可以提醒一次：“我非常想帮您解决问题，请您给我一点时间。”仍持续的，按规定礼貌结束通话并记录。
        """,
        tags="安抚 情绪激动 投诉 生气 骂人",
    ),
    E(
        "KB-SCR-005",
        "script",
        "scripts/billing",
        "话费争议与退款安抚话术",
        """
        客户认为被多扣了钱、要求退款时：

        > 您的心情我非常理解，钱的事情一定要弄清楚。我现在帮您逐项核对一下这个月的账单，如果确实是我们多收了，一定会给您退回。

        - 核对后确实多收：“经过核实，这笔费用确实有问题，我已经为您提交了退款申请，3到7个工作日原路退回，到账后会有短信提醒。”
        - 核对后费用正常：“我帮您看了一下，这笔是您X月X日通过短信订购的XX业务产生的费用。我先帮您把这个业务退订，以后就不会再扣了。”
        - 不要说“系统不会出错”。
        """,
        tags="退款 话费争议 多扣费 安抚 乱扣费",
    ),
    E(
        "KB-SCR-006",
        "script",
        "scripts/retention",
        "客户要求销户时的挽留话术",
        """
        先了解原因，再针对性挽留，客户坚持时尊重客户选择。

        - 嫌贵：“我帮您看一下，您每月实际用多少流量和通话，可能有更合适的套餐，每月能省不少。”
        - 不用了（第二个号码）：“如果只是想保留号码接电话，可以改成18元的保号套餐，比销户再重新办方便。”
        - 信号不好：“我先帮您登记一下信号问题，网络部门会在3个工作日内上门测试。”

        客户坚持销户：“好的，尊重您的选择。销户需要您本人携带身份证到营业厅办理，我把需要准备的材料给您说一下。”
        """,
        products="4G-BASIC-18",
        tags="挽留 销户 不想用了 嫌贵",
    ),
    E(
        "KB-SCR-007",
        "script",
        "scripts/retention",
        "携号转网挽留话术",
        """
        客户说要转网（携号转出）。

        > 您在云海已经X年了，非常感谢您一直以来的支持。方便告诉我是什么原因让您考虑转网吗？

        - 对方运营商有优惠：了解对方方案，对比我们当前可办理的活动（如老用户升级5G送视频会员）。
        - 服务问题：道歉，并承诺跟进处理。
        - 不得以任何理由拒绝或拖延客户的转网申请，不得说“转网很麻烦”“转了信号会更差”。

        客户坚持：“好的，我告诉您查询转网条件和获取授权码的方法。”
        """,
        tags="携号转网 转网 挽留 转出",
    ),
    E(
        "KB-SCR-008",
        "script",
        "scripts/sales",
        "推荐升级5G套餐话术",
        """
        适用于4G套餐、流量经常超出的客户。先问需求，再推荐。

        > 我看到您最近三个月流量都超出了，每月多花了二三十元。现在有个老用户升级活动，升级到5G畅享套餐129元，流量多了一倍，还送6个月的视频会员，算下来比现在还划算。您看要不要了解一下？

        - 客户没有5G手机：“5G套餐在4G手机上也能正常用，以后换了5G手机直接就能用5G。”
        - 客户拒绝：不要反复推销，“好的，没关系，有需要随时找我们。”
        """,
        products="5G-PLUS-129 5G-PLUS-199",
        tags="升级 推荐 营销 5g 外呼",
    ),
    E(
        "KB-SCR-009",
        "script",
        "scripts/general",
        "需要客户等待时的话术",
        """
        - 查询需要时间：“我需要查询一下，大概需要1到2分钟，请您稍等，不要挂机。”
        - 超过1分钟：回到线上，“让您久等了，还在为您查询，请再稍等一下。”
        - 需要转接：“这个问题需要专业的同事帮您处理，我现在为您转接，请不要挂机。”转接前把客户问题告诉接手同事，不要让客户重复描述。
        """,
        tags="等待 转接 稍等 保持",
    ),
    E(
        "KB-SCR-010",
        "script",
        "scripts/general",
        "无法当场解决、承诺回电的话术",
        """
        > 这个问题需要相关部门核实，我已经为您登记了工单，编号是XXXX。我们会在X小时内给您回电，回电号码是10010开头，请您注意接听。

        - 承诺的时限不能超过《投诉处理时限》的规定。
        - 记录客户方便接听的时间段。
        - 不要说“我也不知道什么时候能好”。
        """,
        tags="回电 工单 承诺 处理时限",
    ),
    E(
        "KB-SCR-011",
        "script",
        "scripts/network",
        "区域网络故障时的统一答复话术",
        """
        系统发布区域故障公告后，受影响区域来电统一答复：

        > 非常抱歉，您所在的XX区域目前因为光缆被施工挖断，部分用户的宽带和手机信号受到影响，维修人员正在抢修，预计XX点前恢复。给您带来不便，非常抱歉。

        - 不需要为每个客户单独建工单，只需在公告下登记受影响号码。
        - 故障超过24小时的，按规定为受影响客户减免当日月租，无需客户申请。
        """,
        tags="网络故障 断网 区域故障 公告 统一答复",
    ),
    E(
        "KB-SCR-012",
        "script",
        "scripts/security",
        "防诈骗提醒话术",
        """
        客户提到陌生人要求提供验证码、转账或下载App时：

        > 请您一定注意：云海的工作人员不会向您索要短信验证码，也不会让您转账或者共享屏幕。您遇到的很可能是诈骗电话，请不要提供任何信息。

        已被骗的：“请您立即联系银行冻结账户，并拨打110报警。我这边先帮您把号码挂失，防止对方继续使用您的验证码。”
        """,
        tags="诈骗 防骗 验证码 提醒",
    ),
    E(
        "KB-SCR-013",
        "script",
        "scripts/billing",
        "欠费提醒外呼话术",
        """
        > 您好，这里是云海通信，请问是XXX先生/女士吗？打扰您一下，您的号码目前欠费XX元，为了不影响您正常使用，请您在X月X日前缴费。您可以通过云海App或微信缴费，非常方便。

        - 客户说已缴费：“好的，可能有到账延迟，如果两小时后还是停机，您可以直接拨打10010。”
        - 客户有异议：记录并转账单核查，不要在外呼中争论。
        - 每个号码每月最多外呼2次，晚上8点后不外呼。
        """,
        tags="欠费 催缴 外呼 缴费提醒",
    ),
    E(
        "KB-SCR-014",
        "script",
        "scripts/device",
        "宽带上门维修预约话术",
        """
        > 我已经为您预约了宽带上门维修，装维师傅会在两个小时内给您打电话确认上门时间，一般24小时内上门。请您保持电话畅通，上门时需要家里有人。

        - 询问客户方便的时间段并记录。
        - 提醒客户师傅会出示工作证，不会收取上门费（人为损坏的材料费除外）。
        """,
        tags="上门 维修 预约 宽带 装维",
    ),
    E(
        "KB-SCR-015",
        "script",
        "scripts/sales",
        "宽带续约推荐话术",
        """
        适用于包年宽带到期前30天的客户。

        > 您家的宽带下个月X号到期，到期后会自动转为按月付费，每月费用会高一些。现在续约两年可以享受优惠价，还能免费升级到千兆，您看需要帮您办理吗？

        - 客户要考虑：“好的，到期前随时可以找我们续约。”
        - 客户要搬家：介绍宽带移机。
        """,
        products="BB-FIBER-100 BB-FIBER-500 BB-FIBER-1000",
        tags="续约 宽带 到期 推荐",
    ),
    E(
        "KB-SCR-016",
        "script",
        "scripts/complaint",
        "客户要求找领导、要投诉时的话术",
        """
        > 我理解您希望问题尽快得到解决。我先把您的情况完整记录下来，同时为您升级到投诉处理组，由专人在24小时内联系您。您看可以吗？

        - 不要推诿“领导不在”“这不归我管”。
        - 客户提到要向工信部申诉或找媒体的，立即按《工单升级规则》升级，通知当班主管。
        """,
        tags="投诉 找领导 升级 申诉",
    ),
    E(
        "KB-SCR-017",
        "script",
        "scripts/general",
        "客户听不清或信号不好时的话术",
        """
        > 不好意思，您那边的声音有些断断续续，请问您现在方便换到信号好一点的地方吗？

        - 连续三次听不清：“抱歉，现在实在听不清您的声音，我先挂断，稍后给您回拨。”记录号码后在5分钟内回拨。
        - 回拨未接通的，发送短信告知客户可以再次来电。
        """,
        tags="听不清 信号不好 回拨",
    ),
    E(
        "KB-SCR-018",
        "script",
        "scripts/sales",
        "推荐副卡给家人使用的话术",
        """
        适用于 5G-PLUS-199 及以上套餐、副卡额度未用的客户。

        > 您的套餐里包含一张免费的副卡，可以和您共享流量和通话。如果家里有老人或孩子在用别的号码，办一张副卡每月就能省下一个套餐的钱。

        提醒：副卡需持卡人本人实名办理。
        """,
        products="5G-PLUS-199 5G-PRO-299 5G-MAX-399",
        tags="副卡 推荐 家庭 共享",
    ),
    E(
        "KB-SCR-019",
        "script",
        "scripts/roaming",
        "出境前的漫游提醒话术",
        """
        客户来电咨询出国、或系统提示客户近期有出境计划时：

        > 出国前提醒您三件事：第一，确认已经开通国际漫游；第二，建议订购漫游日包，比如去日本韩国选亚洲日包，每天25元，不用不扣费；第三，到了以后要在手机设置里打开“数据漫游”。

        坐邮轮的客户：“邮轮上的卫星网络费用很高，建议在船上关闭数据漫游。”
        """,
        products="ROAM-ASIA-25 ROAM-EU-45 ROAM-GLOBAL-68",
        tags="漫游 出国 提醒 日包",
    ),
    E(
        "KB-SCR-020",
        "script",
        "scripts/verification",
        "代办人来电（非机主）的话术",
        """
        来电人不是机主（如子女替父母咨询）。

        > 为了保护机主的信息安全，涉及账户信息的查询和业务办理需要机主本人来电或授权。您可以让机主在旁边，由机主确认后我再为您办理。

        - 一般性咨询（资费、活动、故障排查步骤）可以直接解答。
        - 长辈卡客户预先登记了“代办人”的，代办人可以办理除销户、过户以外的业务。
        """,
        products="5G-SENIOR-19",
        tags="代办 非机主 家人 授权",
    ),
    E(
        "KB-SCR-101",
        "script",
        "scripts/opening",
        "English greeting",
        """
        > Thank you for calling Yunhai Telecom, my name is ___. How may I help you today?

        - If the caller's name is known: "Hello Mr Smith, ..." (family name only).
        - Speak a little slower than usual; avoid slang and Chinese-English abbreviations.
        - If you cannot continue in English, say: "One moment please, I will transfer you to an
          English-speaking colleague." and transfer to the English queue.
        """,
        tags="greeting opening english hello",
        language="en",
    ),
    E(
        "KB-SCR-102",
        "script",
        "scripts/closing",
        "English closing and satisfaction survey",
        """
        > Is there anything else I can help you with? ... Thank you for calling. You will receive
        > a short survey by SMS; I'd appreciate your feedback. Have a nice day, goodbye.

        Let the customer hang up first. If a ticket is open, repeat its number and the time
        frame before closing.
        """,
        tags="closing survey goodbye",
        language="en",
    ),
    E(
        "KB-SCR-103",
        "script",
        "scripts/verification",
        "Identity check (English)",
        """
        > For your security I need to verify your identity first. Could you give me the account
        > holder's name and the last six digits of the ID or passport number, or enter your
        > service password?

        If the check fails: "I'm sorry, the details don't match. For your security, please visit
        a store with your ID." Never say which detail was wrong.
        """,
        tags="identity verification security verify-identity",
        language="en",
    ),
    E(
        "KB-SCR-104",
        "script",
        "scripts/complaint",
        "Calming an angry customer",
        """
        1. Listen without interrupting.
        2. Acknowledge: "I understand how frustrating this is."
        3. Apologise for the experience, not blame: "I'm sorry this has caused you trouble."
        4. Act: "Let me check what happened right now; it will take about two minutes."

        After two minutes of continued abuse, say once: "I really want to help you; please give
        me a moment." If it continues, end the call politely and record it.
        """,
        tags="angry complaint calm de-escalation",
        language="en",
    ),
    E(
        "KB-SCR-105",
        "script",
        "scripts/billing",
        "Billing dispute and refund (English)",
        """
        > I completely understand, and we should get this right. Let me go through this month's
        > bill with you; if we charged you by mistake, you will get the money back.

        - Overcharged: "I've submitted a refund; it will be back on your original payment method
          within 3 to 7 working days, and you'll get an SMS."
        - Charge is correct: explain the service, when it was ordered, and cancel it on request.
        """,
        tags="refund billing dispute money-back overcharged",
        language="en",
    ),
    E(
        "KB-SCR-106",
        "script",
        "scripts/retention",
        "Customer wants to cancel: retention (English)",
        """
        Ask why, then answer the reason:

        - Too expensive: "Let me look at what you actually use; there may be a cheaper plan."
        - Second number rarely used: "The 18-yuan plan keeps the number for incoming calls."
        - Poor signal: "Let me log it; our engineers will test it within three working days."

        If they insist, respect it and explain what to bring to the store.
        """,
        products="4G-BASIC-18",
        tags="cancel retention close-account",
        language="en",
    ),
    E(
        "KB-SCR-107",
        "script",
        "scripts/general",
        "Putting a customer on hold or transferring (English)",
        """
        > I need to check this; it will take one or two minutes. May I put you on hold?

        Come back every minute: "Thank you for waiting, I'm still checking." Before transferring,
        brief the colleague so the customer does not repeat everything.
        """,
        tags="hold transfer wait",
        language="en",
    ),
    E(
        "KB-SCR-108",
        "script",
        "scripts/sales",
        "Suggesting the 5G upgrade (English)",
        """
        For 4G customers who keep running out of data:

        > Over the last three months you've gone over your data each time. If you move to the
        > 5G Plus plan at 129 yuan you'd get twice the data and six months of video membership,
        > which works out cheaper than what you pay now.

        No 5G phone? "The plan works on your current phone." If they decline, don't push.
        """,
        products="5G-PLUS-129 5G-PLUS-199",
        tags="upgrade 5g sales offer",
        language="en",
    ),
    E(
        "KB-SCR-109",
        "script",
        "scripts/network",
        "Area outage: the standard answer (English)",
        """
        > I'm very sorry: a cable in your area was cut by construction work and some customers
        > have no broadband or mobile signal. Engineers are on site and expect to restore it by
        > ___.

        No individual ticket: add the number to the outage notice. Outages over 24 hours earn
        that day's fee back automatically.
        """,
        tags="outage network-down area-fault",
        language="en",
    ),
    E(
        "KB-SCR-110",
        "script",
        "scripts/security",
        "Fraud warning (English)",
        """
        > Please be careful: Yunhai staff will never ask for your SMS codes, ask you to transfer
        > money or share your screen. This sounds like a scam; please don't give them anything.

        If money was already sent: call the bank, report it to the police, and block the line now.
        """,
        tags="fraud scam warning",
        language="en",
    ),
)
