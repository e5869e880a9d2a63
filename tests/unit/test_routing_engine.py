"""The routing engine's rules, one at a time: strategies and tie-breaks, relaxation, A-class,
ageing, overflow, offers that time out or are rejected, wrap-up, capacity, escalation, the
trace, and the errors it refuses with."""

from __future__ import annotations

import pytest

from routing.engine import (
    Agent,
    Engine,
    Queue,
    Relaxation,
    RoutingError,
    UnknownId,
    WorkItem,
)


def agent(aid: str, idle: float = 0.0, **kw: object) -> Agent:
    kw.setdefault("skills", {"sales": 3})
    kw.setdefault("languages", frozenset({"zh", "en"}))
    kw.setdefault("state", "available")
    return Agent(aid, last_idle_since=idle, state_since=idle, **kw)  # type: ignore[arg-type]


def engine(*queues: Queue, agents: tuple[Agent, ...] = ()) -> Engine:
    e = Engine(queues or (Queue("sales", skills={"sales": 2}),))
    for a in agents:
        e.add_agent(a)
    return e


def call(item_id: str, queue: str = "sales", **kw: object) -> WorkItem:
    return WorkItem(item_id, queue, **kw)  # type: ignore[arg-type]


def offer_one(e: Engine, item: WorkItem, now: float) -> str | None:
    e.enqueue(item, now)
    offers = e.offer_next(now)
    assert len(offers) <= 1
    return offers[0].agent_id if offers else None


# --- strategies and tie-breaks -----------------------------------------------------------


def test_longest_idle_wins_and_ties_go_to_the_smaller_id() -> None:
    e = engine(agents=(agent("li", idle=30), agent("wang", idle=10), agent("zhao", idle=10)))
    assert offer_one(e, call("c1"), 100) == "wang"  # idle since 10, before zhao by id
    assert offer_one(e, call("c2"), 101) == "zhao"
    assert offer_one(e, call("c3"), 102) == "li"


def test_most_skilled_then_longest_idle_then_id() -> None:
    q = Queue("tech", skills={"net": 1, "unix": 1}, strategy="most_skilled")
    e = engine(
        q,
        agents=(
            agent("a", idle=5, skills={"net": 2, "unix": 2}),
            agent("b", idle=9, skills={"net": 5, "unix": 4}),
            agent("c", idle=1, skills={"net": 4, "unix": 5}),
            agent("d", idle=1, skills={"net": 5, "unix": 4}),
        ),
    )
    # b, c and d all sum 9; c and d idle since 1; c before d by id
    assert offer_one(e, call("t1", "tech"), 50) == "c"
    assert offer_one(e, call("t2", "tech"), 51) == "d"
    assert offer_one(e, call("t3", "tech"), 52) == "b"
    assert offer_one(e, call("t4", "tech"), 53) == "a"


def test_least_occupied_spreads_chats() -> None:
    q = Queue("chat", strategy="least_occupied")
    chat = {"chat": 2}
    e = engine(
        q,
        agents=(
            agent("a", idle=1, capacity=chat, skills={}),
            agent("b", idle=2, capacity=chat, skills={}),
        ),
    )
    picks = [offer_one(e, call(f"m{i}", "chat", channel="chat"), 10 + i) for i in range(4)]
    assert picks == ["a", "b", "a", "b"]
    assert offer_one(e, call("m5", "chat", channel="chat"), 20) is None  # all four units taken


def test_round_robin_cycles_in_id_order() -> None:
    q = Queue("rr", strategy="round_robin", a_class_strategy=None)
    e = engine(q, agents=tuple(agent(x, idle=i, skills={}) for i, x in enumerate("cab")))
    picks = []
    for i in range(6):
        who = offer_one(e, call(f"r{i}", "rr"), 10 + i)
        assert who is not None
        picks.append(who)
        e.accept(e.reservations()[-1].id, 10 + i)
        e.complete(f"r{i}", 10 + i)
    assert picks == ["a", "b", "c", "a", "b", "c"]


def test_weighted_skill_score_uses_the_queue_weights() -> None:
    q = Queue(
        "mix",
        skills={"x": 1, "y": 1},
        strategy="weighted",
        skill_weights={"x": 3.0, "y": 1.0},
        idle_weight=0.0,
    )
    e = engine(
        q,
        agents=(
            agent("strong_y", idle=0, skills={"x": 1, "y": 5}),  # 3 + 5 = 8
            agent("strong_x", idle=9, skills={"x": 4, "y": 1}),  # 12 + 1 = 13
        ),
    )
    assert offer_one(e, call("w1", "mix"), 20) == "strong_x"


# --- relaxation, class, ageing, overflow ------------------------------------------------


def test_requirements_relax_step_by_step_as_the_caller_waits() -> None:
    q = Queue(
        "vip",
        skills={"billing": 4},
        relaxation=(
            Relaxation(30, min_proficiency=2),
            Relaxation(60, drop_language=True),
            Relaxation(90, team="backoffice"),
        ),
    )
    e = engine(
        q,
        agents=(
            agent("junior_en", skills={"billing": 2}, languages=frozenset({"en"})),
            agent("clerk", skills={}, languages=frozenset({"fr"}), team="backoffice"),
        ),
    )
    e.set_state("clerk", "break", 0)
    e.enqueue(call("v1", "vip", language="zh"), 0)
    assert e.offer_next(0) == []
    e.tick(29.9)
    assert e.offer_next(29.9) == []
    notices = e.tick(30)
    assert [n.detail for n in notices] == ["step 1: min proficiency 2"]
    assert e.offer_next(30) == []  # proficiency fits now, the language does not
    e.tick(60)
    [res] = e.offer_next(60)
    assert res.agent_id == "junior_en"
    trace = e.explain(res.decision_id)
    assert trace.decision.step == 2
    assert "language dropped" in trace.decision.step_label

    # the team step admits an agent without the skill
    e.enqueue(call("v2", "vip", language="zh"), 100)
    e.set_state("clerk", "available", 100)
    e.tick(189)
    assert e.offer_next(189) == []
    e.tick(190)
    [res] = e.offer_next(190)
    assert res.agent_id == "clerk"


def test_a_class_first_and_to_the_most_skilled() -> None:
    e = engine(
        Queue("sales", skills={"sales": 2}, a_class_boost=5.0),
        agents=(agent("junior", idle=0, skills={"sales": 2}),),
    )
    e.set_state("junior", "break", 0)
    e.enqueue(call("b1", value_class="B", priority=1), 0)
    e.enqueue(call("a1", value_class="A", priority=0), 5)  # later, lower priority, class A
    e.add_agent(agent("senior", idle=50, skills={"sales": 5}))
    e.set_state("junior", "available", 6)
    offers = {r.item_id: r.agent_id for r in e.offer_next(60)}
    # a1 is served first and, being class A, by the most skilled; b1 gets the other
    assert offers == {"a1": "senior", "b1": "junior"}
    first = min(e.reservations(), key=lambda r: r.decision_id)
    assert first.item_id == "a1"


def test_ageing_lets_a_long_wait_outrank_a_newer_higher_priority() -> None:
    for per_min, expected in ((0.0, ["new1", "new2", "old"]), (1.0, ["new1", "old", "new2"])):
        e = engine(Queue("sales", skills={"sales": 2}, ageing_per_min=per_min))
        e.enqueue(call("old", priority=0), 0)
        e.enqueue(call("new1", priority=2), 60)  # 2 + 2 min > 0 + 3 min at 180
        e.enqueue(call("new2", priority=2), 180)  # 2 < 3: old has waited three minutes
        assert e.waiting(180) == expected
        e.add_agent(agent("wang"))
        e.add_agent(agent("li", idle=1))
        assert [r.item_id for r in e.offer_next(180)] == expected[:2]


def test_overflow_moves_the_item_and_keeps_its_arrival() -> None:
    e = engine(
        Queue("sales", skills={"sales": 4}, relaxation=(Relaxation(60, overflow_to="general"),)),
        Queue("general", skills={"service": 1}),
        agents=(agent("generalist", skills={"service": 2}),),
    )
    e.enqueue(call("c1", priority=3), 0)
    assert e.offer_next(0) == []
    notices = e.tick(61)
    assert [(n.kind, n.detail) for n in notices] == [("overflowed", "sales -> general")]
    [res] = e.offer_next(61)
    assert (res.item_id, res.agent_id, res.queue) == ("c1", "generalist", "general")
    view = e.item("c1")
    assert view.item.arrival == 0
    assert view.item.priority == 3
    assert view.queue_entered_at == 60


def test_the_freed_agent_takes_the_best_item_it_qualifies_for() -> None:
    e = engine(
        Queue("sales", skills={"sales": 2}),
        Queue("tech", skills={"net": 3}),
        agents=(agent("wang", skills={"sales": 5, "net": 3}),),
    )
    e.set_state("wang", "break", 0)
    e.enqueue(call("s1"), 1)
    e.enqueue(call("t1", "tech", priority=2), 2)
    e.enqueue(call("s2", priority=2), 3)
    e.enqueue(call("x1", "tech", skills={"net": 5}, priority=9), 4)  # wang lacks net 5
    assert e.offer_next(4) == []
    e.set_state("wang", "available", 10)
    [res] = e.offer_next(10)
    assert res.item_id == "t1"  # priority 2, earlier than s2
    decision = e.decision(res.decision_id)
    assert decision.trigger == "agent wang free"


# --- offers: timeout, reject, accept, complete, wrap-up ----------------------------------


def test_missed_offer_makes_the_agent_not_ready_and_the_item_goes_back_to_the_head() -> None:
    e = engine(
        Queue("sales", skills={"sales": 2}, offer_timeout_s=15),
        agents=(agent("wang", idle=0),),
    )
    e.enqueue(call("first"), 1)
    [res] = e.offer_next(1)
    assert res.expires_at == 16
    e.enqueue(call("urgent", priority=9), 2)  # would outrank "first" at the tail
    assert e.offer_next(2) == []
    assert e.timeout(15.9) == []
    assert e.timeout(16) == [res]
    wang = e.agent("wang")
    assert (wang.state, wang.reason, wang.missed, wang.load) == ("not_ready", "missed_offer", 1, {})
    assert e.item("first").at_head
    assert e.waiting(16) == ["first", "urgent"]
    e.add_agent(agent("li"))
    [again] = e.offer_next(17)
    assert (again.item_id, again.agent_id) == ("first", "li")
    with pytest.raises(UnknownId):
        e.accept(res.id, 17)


def test_reject_puts_the_item_at_the_head_and_never_back_to_that_agent() -> None:
    e = engine(agents=(agent("wang", idle=0), agent("li", idle=5)))
    e.set_state("li", "break", 0)
    e.enqueue(call("c1"), 1)
    [res] = e.offer_next(1)
    assert res.agent_id == "wang"
    e.reject(res.id, 2)
    assert e.agent("wang").state == "available"
    assert e.offer_next(2) == []  # wang declined c1; nobody else is ready
    trace = e.explain(e.decisions()[-1].id)
    assert trace.candidate("wang").rule == "declined"
    e.set_state("li", "available", 3)
    [res] = e.offer_next(3)
    assert res.agent_id == "li"


def test_accept_complete_and_timed_wrap_up() -> None:
    e = engine(
        Queue("sales", skills={"sales": 2}, wrap_up_s=30),
        agents=(agent("wang"),),
    )
    e.enqueue(call("c1"), 0)
    e.enqueue(call("c2"), 1)
    [res] = e.offer_next(1)
    assert e.agent("wang").state == "reserved"
    e.accept(res.id, 3)
    assert e.agent("wang").state == "on_call"
    assert e.item("c1").status == "active"
    assert e.complete("c1", 63) == "wang"
    wang = e.agent("wang")
    assert (wang.state, wang.wrap_until, wang.handled, wang.busy_s) == ("wrap_up", 93, 1, 60)
    assert e.offer_next(63) == []
    assert [n.kind for n in e.tick(93)] == ["wrap_up_ended"]
    [res] = e.offer_next(93)
    assert res.item_id == "c2"


def test_capacity_per_channel_and_exclusive_channels() -> None:
    e = engine(
        Queue("sales", skills={}),
        agents=(
            agent(
                "blend",
                skills={},
                capacity={"voice": 1, "chat": 2, "ticket": 1},
                exclusive=frozenset({"voice", "chat"}),
            ),
        ),
    )
    for i in range(3):
        e.enqueue(call(f"chat{i}", channel="chat"), i)
    e.enqueue(call("v1"), 3)
    e.enqueue(call("t1", kind="ticket", channel="ticket"), 4)
    offers = e.offer_next(5)
    assert sorted(r.item_id for r in offers) == ["chat0", "chat1", "t1"]  # no call mid-chat
    trace = e.explain_item("v1", 5)
    assert trace.candidate("blend").rule == "capacity"
    assert "exclusive" in trace.candidate("blend").detail
    for r in offers:
        e.accept(r.id, 6)
    e.complete("chat0", 7)
    e.complete("chat1", 7)
    [res] = e.offer_next(7)
    assert res.item_id == "chat2"  # the waiting chat is older than the call
    e.cancel("chat2", 8)
    [res] = e.offer_next(8)
    assert res.item_id == "v1"


def test_going_offline_hands_back_accepted_work_break_keeps_it() -> None:
    e = engine(agents=(agent("wang"), agent("li", idle=9)))
    e.enqueue(call("c1"), 0)
    e.enqueue(call("c2"), 0)
    for r in e.offer_next(0):
        e.accept(r.id, 1)
    assert e.set_state("li", "break", 2, reason="lunch") == []
    assert e.item("c2").status == "active"
    assert e.set_state("wang", "offline", 3) == ["c1"]
    assert e.item("c1").status == "waiting"
    assert e.item("c1").at_head
    e.complete("c2", 4)
    assert (e.agent("li").state, e.agent("li").reason) == ("break", "lunch")


def test_cancel_in_every_status() -> None:
    e = engine(agents=(agent("wang"),))
    e.enqueue(call("waiting"), 0)
    [res] = e.offer_next(0)
    e.enqueue(call("queued"), 1)
    assert e.cancel("queued", 2) == "waiting"
    assert e.cancel("waiting", 2) == "offered"  # the offered one: the caller hung up
    assert e.agent("wang").state == "available"
    with pytest.raises(UnknownId):
        e.accept(res.id, 3)
    e.enqueue(call("c3"), 4)
    [res] = e.offer_next(4)
    e.accept(res.id, 5)
    assert e.cancel("c3", 6) == "active"
    assert e.agent("wang").handled == 1
    assert e.items() == []


def test_escalation_raises_priority_and_moves_queues() -> None:
    e = engine(
        Queue("sales", skills={"sales": 2}),
        Queue("supervisors", skills={"lead": 1}),
        agents=(agent("boss", skills={"lead": 3}),),
    )
    e.set_state("boss", "break", 0)
    e.enqueue(call("c1"), 0)
    e.enqueue(call("c2"), 1)
    e.escalate("c2", to_priority=8, now=2)
    assert e.waiting(2) == ["c2", "c1"]
    e.escalate("c1", to_queue="supervisors", now=3)
    e.set_state("boss", "available", 4)
    [res] = e.offer_next(4)
    assert (res.item_id, res.queue) == ("c1", "supervisors")
    assert e.decision(res.decision_id).trigger == "escalated"
    with pytest.raises(UnknownId):
        e.escalate("c2", None, "nowhere", now=5)


def test_callback_offer_after_max_wait() -> None:
    e = engine(Queue("sales", skills={"sales": 2}, max_wait_s=120))
    e.enqueue(call("c1"), 0)
    e.enqueue(call("t1", kind="ticket", channel="ticket"), 0)
    assert e.tick(119) == []
    [notice] = e.tick(121)
    assert (notice.kind, notice.item_id, notice.at) == ("callback_offer", "c1", 120)
    assert e.tick(500) == []  # once


def test_set_queue_reranks_waiting_items() -> None:
    e = engine(Queue("sales", skills={"sales": 5}), agents=(agent("wang", skills={"sales": 3}),))
    e.enqueue(call("c1"), 0)
    assert e.offer_next(0) == []
    e.set_queue(Queue("sales", skills={"sales": 3}))
    [res] = e.offer_next(1)
    assert res.item_id == "c1"


# --- the trace -------------------------------------------------------------------------


def test_trace_names_the_rule_that_removed_each_candidate() -> None:
    q = Queue("sales", skills={"sales": 3}, strategy="most_skilled", a_class_strategy=None)
    e = engine(
        q,
        agents=(
            agent("wang", idle=5, skills={"sales": 5}),
            agent("li", idle=1, skills={"sales": 4}),
            agent("zhao", skills={"support": 5}),
            agent("qian", skills={"sales": 2}),
            agent("sun", skills={"sales": 5}, languages=frozenset({"en"})),
            agent("zhou", skills={"sales": 5}, capacity={"chat": 3}),
            agent("wu", skills={"sales": 5}, state="break"),
            agent("zheng", skills={"sales": 5}),
            agent("feng", skills={"sales": 5}),
        ),
    )
    e.set_state("wu", "break", 0, reason="lunch")
    e.enqueue(call("busy"), 0)
    [busy] = e.offer_next(0)
    assert busy.agent_id == "feng"  # skill 5 and idle since 0, like sun and zheng; then id
    e.accept(busy.id, 0)
    e.enqueue(call("c0", language="zh"), 0)
    [first] = e.offer_next(0)
    assert first.agent_id == "zheng"  # sun does not speak zh
    e.reject(first.id, 1)
    e.enqueue(call("c1", language="zh"), 2)
    offers = {r.item_id: r for r in e.offer_next(2)}
    res = offers["c0"]  # back at the head, so decided first
    assert res.agent_id == "wang"
    trace = e.explain(res.decision_id)
    rules = {c.agent_id: c.rule for c in trace.candidates}
    assert rules == {
        "wang": None,
        "li": None,
        "zhao": "missing_skill",
        "qian": "proficiency",
        "sun": "language",
        "zhou": "channel",
        "wu": "state",
        "feng": "capacity",
        "zheng": "declined",
    }
    assert trace.winner == "wang"
    assert [c.agent_id for c in trace.candidates if c.rank] == ["wang", "li"]
    assert trace.candidate("qian").detail == "sales at 2, needs 3"
    assert trace.candidate("zhao").detail == "has no skill sales"
    assert trace.candidate("wu").detail == "break (lunch)"
    assert trace.candidate("feng").detail == "1/1 voice in use"
    assert "rejected" in trace.candidate("zheng").detail
    decision = e.decision(res.decision_id)
    assert decision.trigger == "rejected"
    assert dict(decision.eliminated) == dict(trace.eliminated)
    assert dict(decision.eliminated) == {
        "missing_skill": 1,
        "proficiency": 1,
        "language": 1,
        "channel": 1,
        "state": 1,
        "capacity": 1,
        "declined": 1,
    }
    assert [aid for aid, _ in decision.top] == ["wang", "li"]
    assert decision.considered == 9
    assert decision.eligible == 2
    assert "li ranked 2" in trace.why_not("li")
    assert "wang ranked first" in trace.why_not("li")
    assert trace.why_not("qian").startswith("qian was not eligible: proficiency")
    assert trace.why_not("wang").startswith("wang got it")
    text = trace.render()
    assert "winner: wang" in text
    assert "qian: proficiency: sales at 2, needs 3" in text

    # c1 went to zheng: the most skilled of li and zheng, and zheng only declined c0
    c1_trace = e.explain(offers["c1"].decision_id)
    assert c1_trace.winner == offers["c1"].agent_id == "zheng"
    assert c1_trace.candidate("wang").rule == "capacity"
    assert c1_trace.candidate("li").rank == 2


def test_trace_is_rebuilt_as_things_stood_at_the_decision() -> None:
    e = engine(agents=(agent("wang", idle=1), agent("li", idle=2)))
    e.enqueue(call("c1"), 10)
    [res] = e.offer_next(10)
    before = e.explain(res.decision_id).render()
    # much happens afterwards
    e.accept(res.id, 11)
    e.set_state("li", "offline", 12)
    e.update_agent("li", skills={"other": 1})
    e.remove_agent("wang", 13)
    e.add_agent(agent("zhao"))
    trace = e.explain(res.decision_id)
    assert trace.render() == before
    assert {c.agent_id for c in trace.candidates} == {"wang", "li"}
    assert trace.candidate("li").rank == 2


def test_old_decisions_are_forgotten_with_their_history() -> None:
    e = Engine([Queue("sales")], history=3)
    e.add_agent(agent("wang", skills={}))
    for i in range(10):
        e.enqueue(call(f"c{i}"), i)
        [res] = e.offer_next(i)
        e.accept(res.id, i)
        e.complete(f"c{i}", i)
    ids = [d.id for d in e.decisions()]
    assert ids == [8, 9, 10]
    with pytest.raises(UnknownId):
        e.explain(1)
    assert e.explain(10).winner == "wang"


# --- refusals --------------------------------------------------------------------------


def test_bad_requests_are_refused_with_reasons() -> None:
    e = engine(agents=(agent("wang"),))
    with pytest.raises(RoutingError, match="engine sets it"):
        e.set_state("wang", "on_call", 0)
    with pytest.raises(RoutingError, match="unknown state"):
        e.set_state("wang", "sleeping", 0)
    with pytest.raises(UnknownId):
        e.set_state("nobody", "available", 0)
    with pytest.raises(RoutingError, match="exists"):
        e.add_agent(agent("wang"))
    with pytest.raises(RoutingError, match="levels are 1-5"):
        e.add_agent(agent("li", skills={"sales": 7}))
    with pytest.raises(UnknownId):
        e.enqueue(call("c0", "nowhere"), 0)
    with pytest.raises(RoutingError, match="value class"):
        e.enqueue(call("c0", value_class="D"), 0)
    e.enqueue(call("c1"), 0)
    with pytest.raises(RoutingError, match="already"):
        e.enqueue(call("c1"), 0)
    with pytest.raises(RoutingError, match="not accepted"):
        e.complete("c1", 1)
    [res] = e.offer_next(1)
    e.accept(res.id, 2)
    with pytest.raises(RoutingError, match="capacity cannot drop"):
        e.update_agent("wang", capacity={"voice": 0})
    with pytest.raises(UnknownId):
        e.reject("R999", 3)
    with pytest.raises(RoutingError, match="overflow step"):
        Engine([Queue("q", relaxation=(Relaxation(10, overflow_to="x", drop_language=True),))])
    with pytest.raises(RoutingError, match="strictly increasing"):
        Engine([Queue("q", relaxation=(Relaxation(10), Relaxation(5)))])
    with pytest.raises(RoutingError, match="strategy"):
        Engine([Queue("q", strategy="random")])


# --- indexes: walking the ordered index decides like scoring everyone ---------------------


def test_ordered_indexes_decide_exactly_like_a_full_scoring() -> None:
    import random

    rng = random.Random(5)
    queues = [
        Queue("idle", skills={"s1": 2}, a_class_strategy=None),
        Queue("skilled", skills={"s2": 1}, strategy="most_skilled"),
        Queue("spread", strategy="least_occupied", a_class_strategy=None),
        Queue("turns", skills={"s3": 1}, strategy="round_robin", a_class_strategy=None),
        Queue("score", skills={"s1": 1, "s2": 1}, strategy="weighted"),
    ]
    walking = Engine(queues, scan_limit=0)
    scoring = Engine(queues, scan_limit=10**6)
    for n in range(150):
        a = Agent(
            f"a{n:03d}",
            skills={f"s{k}": rng.randint(1, 5) for k in rng.sample(range(1, 5), 3)},
            languages=frozenset({"zh"}),
            capacity={"voice": 1, "chat": rng.choice((0, 2, 3))},
            state="available",
            last_idle_since=rng.choice((0.0, 1.0, 2.0)),  # many ties: the id decides
        )
        walking.add_agent(a)
        scoring.add_agent(a)
    active: list[str] = []
    now = 10.0
    for step in range(600):
        now += 1
        if active and rng.random() < 0.45:
            item_id = active.pop(rng.randrange(len(active)))
            for e in (walking, scoring):
                e.complete(item_id, now)
        else:
            item = WorkItem(
                f"w{step}",
                rng.choice(queues).id,
                channel=rng.choice(("voice", "chat")),
                value_class=rng.choice("ABC"),
                priority=rng.randint(0, 2),
            )
            for e in (walking, scoring):
                e.enqueue(item, now)
        first = walking.offer_next(now)
        second = scoring.offer_next(now)
        assert first == second
        for res in first:
            if rng.random() < 0.1:
                for e in (walking, scoring):
                    e.reject(res.id, now)
            else:
                for e in (walking, scoring):
                    e.accept(res.id, now)
                active.append(res.item_id)
    assert [d.top for d in walking.decisions()] == [d.top for d in scoring.decisions()]
    assert sum(1 for d in walking.decisions() if d.eligible > 5) > 50


def test_advance_runs_timeout_tick_and_offers_in_that_order() -> None:
    e = engine(
        Queue(
            "sales",
            skills={"sales": 4},
            offer_timeout_s=10,
            relaxation=(Relaxation(30, min_proficiency=3),),
        ),
        agents=(agent("wang", idle=0, skills={"sales": 5}), agent("li", idle=5)),
    )
    e.enqueue(call("c1"), 0)
    e.enqueue(call("c2"), 1)
    first = e.advance(1)
    assert [(r.item_id, r.agent_id) for r in first.offers] == [("c1", "wang")]
    later = e.advance(31)  # wang missed c1; c1 and c2 relax to sales 3, li qualifies
    assert [r.item_id for r in later.expired] == ["c1"]
    assert {n.item_id for n in later.notices if n.kind == "relaxed"} == {"c1", "c2"}
    assert [(r.item_id, r.agent_id) for r in later.offers] == [("c1", "li")]
