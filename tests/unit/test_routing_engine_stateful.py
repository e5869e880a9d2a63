"""The routing engine under random traffic: its four invariants hold after every step.

Arrivals, offers, accepts, rejects, timeouts, logouts, breaks, hangups, completions,
escalations, roster changes and the passing of time, in any order. After every step:

1. capacity: no agent holds more units of a channel than it has (nor mixes exclusive channels),
   and its counters match the items it holds;
2. one agent per item: every offered or accepted item is held by exactly one agent;
3. nothing lost: the engine's live items are exactly those enqueued and not yet finished;
4. after offer_next: no free agent qualifies for a waiting item (checked by brute force with
   this file's own reading of the rules, not the engine's indexes).

Every decision offer_next makes is also rebuilt with explain() and must agree.
"""

from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from routing.engine import Agent, Engine, Queue, Relaxation, RoutingError, WorkItem

ROUTABLE = {"available", "reserved", "on_call"}

QUEUES = [
    Queue(
        "q1",
        skills={"a": 2},
        relaxation=(
            Relaxation(10, min_proficiency=1),
            Relaxation(20, drop_language=True),
            Relaxation(30, team="t1"),
            Relaxation(45, overflow_to="q2"),
        ),
        offer_timeout_s=5,
        ageing_per_min=1.0,
    ),
    Queue(
        "q2",
        skills={"b": 1},
        strategy="most_skilled",
        relaxation=(Relaxation(15, drop_language=True),),
        wrap_up_s=2,
        max_wait_s=30,
        offer_timeout_s=5,
    ),
    Queue("q3", strategy="round_robin", a_class_strategy=None, offer_timeout_s=8),
    Queue("q4", skills={"c": 3}, strategy="least_occupied", offer_timeout_s=6),
    Queue("q5", skills={"a": 1}, strategy="weighted", skill_weights={"a": 2.0, "c": 1.0}),
]
QUEUE_BY_ID = {q.id: q for q in QUEUES}

levels = st.integers(1, 5)
skills = st.dictionaries(st.sampled_from(["a", "b", "c"]), st.sampled_from([1, 2, 3, 4, 5, 5]))
languages = st.sampled_from([{"en"}, {"zh"}, {"en", "zh"}, {"en", "zh"}, set()]).map(frozenset)
capacities = st.fixed_dictionaries(
    {
        "voice": st.sampled_from([1, 1, 1, 0]),
        "chat": st.integers(0, 3),
        "ticket": st.integers(0, 2),
    }
)
exclusives = st.sampled_from([frozenset(), frozenset({"voice", "chat"})])
teams = st.sampled_from([None, "t1", "t2"])


def requirement(item: WorkItem, step: int) -> tuple[dict[str, int], str | None, set[str]]:
    """This test's own reading of a queue's requirement at a relaxation step."""
    queue = QUEUE_BY_ID[item.queue]
    need = dict(queue.skills)
    for name, level in item.skills.items():
        need[name] = max(need.get(name, 0), level)
    language = item.language
    admitted: set[str] = set()
    for step_rule in queue.relaxation[:step]:
        if step_rule.min_proficiency is not None:
            need = {k: min(v, step_rule.min_proficiency) for k, v in need.items()}
        if step_rule.drop_language:
            language = None
        if step_rule.team is not None:
            admitted.add(step_rule.team)
    return need, language, admitted


def free_units(agent: Agent, channel: str) -> int:
    if channel in agent.exclusive and any(
        agent.load.get(other, 0) for other in agent.exclusive if other != channel
    ):
        return 0
    return agent.capacity.get(channel, 0) - agent.load.get(channel, 0)


def could_take(agent: Agent, item: WorkItem, step: int, declined: frozenset[str]) -> bool:
    if agent.state not in ROUTABLE or agent.id in declined:
        return False
    if free_units(agent, item.channel) <= 0:
        return False
    need, language, admitted = requirement(item, step)
    if agent.team not in admitted and any(agent.skills.get(k, 0) < v for k, v in need.items()):
        return False
    return language is None or language in agent.languages


class RoutingMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.engine = Engine(QUEUES, history=500)
        self.now = 0.0
        self.live: set[str] = set()
        self.next_item = 0
        self.just_offered = False

    def _step(self) -> None:
        self.just_offered = False

    @initialize(
        roster=st.lists(
            st.tuples(skills, languages, capacities, exclusives, teams), min_size=2, max_size=5
        ),
        scan_limit=st.sampled_from([0, 1, 48]),
    )
    def roster(
        self,
        roster: list[tuple[dict[str, int], frozenset[str], dict[str, int], frozenset[str], str]],
        scan_limit: int,
    ) -> None:
        # scan_limit 0: decisions walk the engine's ordered indexes; 48: they score everyone
        self.engine = Engine(QUEUES, history=500, scan_limit=scan_limit)
        for n, (skills, languages, capacity, exclusive, team) in enumerate(roster):
            self.engine.add_agent(
                Agent(
                    f"a{n}",
                    skills=skills,
                    languages=languages,
                    team=team,
                    capacity=capacity,
                    exclusive=exclusive,
                    state="available",
                )
            )

    # --- roster ---------------------------------------------------------------------

    @rule(
        n=st.integers(0, 7),
        skills=skills,
        languages=languages,
        capacity=capacities,
        exclusive=exclusives,
        team=teams,
        state=st.sampled_from(["available", "available", "available", "offline", "break"]),
    )
    def add_agent(
        self,
        n: int,
        skills: dict[str, int],
        languages: frozenset[str],
        capacity: dict[str, int],
        exclusive: frozenset[str],
        team: str | None,
        state: str,
    ) -> None:
        self._step()
        agent = Agent(
            f"a{n}",
            skills=skills,
            languages=languages,
            team=team,
            capacity=capacity,
            exclusive=exclusive,
            state=state,
            state_since=self.now,
            last_idle_since=self.now,
        )
        if agent.id in {a.id for a in self.engine.agents()}:
            return
        self.engine.add_agent(agent)

    @precondition(lambda self: len(self.engine.agents()) > 2)
    @rule(data=st.data())
    def remove_agent(self, data: st.DataObject) -> None:
        self._step()
        agent = data.draw(st.sampled_from(self.engine.agents()))
        back = self.engine.remove_agent(agent.id, self.now)
        assert set(back) <= self.live

    @precondition(lambda self: self.engine.agents())
    @rule(data=st.data(), skills=skills, languages=languages, team=teams)
    def update_agent(
        self,
        data: st.DataObject,
        skills: dict[str, int],
        languages: frozenset[str],
        team: str | None,
    ) -> None:
        self._step()
        agent = data.draw(st.sampled_from(self.engine.agents()))
        self.engine.update_agent(agent.id, skills=skills, languages=languages, team=team or "")

    @precondition(lambda self: self.engine.agents())
    @rule(
        data=st.data(),
        state=st.sampled_from(["available"] * 4 + ["break", "not_ready", "offline", "wrap_up"]),
    )
    def set_state(self, data: st.DataObject, state: str) -> None:
        self._step()
        agent = data.draw(st.sampled_from(self.engine.agents()))
        until = self.now + 4 if state == "wrap_up" else None
        self.engine.set_state(agent.id, state, self.now, reason="lunch", until=until)

    # --- work -------------------------------------------------------------------------

    @rule(
        queue=st.sampled_from([q.id for q in QUEUES]),
        channel=st.sampled_from(["voice", "voice", "voice", "chat", "ticket"]),
        skills=st.dictionaries(st.sampled_from(["a", "b", "c"]), st.integers(1, 3), max_size=1),
        language=st.sampled_from([None, None, "en", "zh"]),
        priority=st.integers(0, 3),
        value_class=st.sampled_from(["A", "B", "C"]),
        kind=st.sampled_from(["call", "ticket", "callback"]),
        then_offer=st.booleans(),
    )
    def arrive(
        self,
        queue: str,
        channel: str,
        skills: dict[str, int],
        language: str | None,
        priority: int,
        value_class: str,
        kind: str,
        then_offer: bool,
    ) -> None:
        self._step()
        self.next_item += 1
        item_id = f"w{self.next_item}"
        item = WorkItem(
            item_id,
            queue,
            kind=kind,
            channel=channel,
            skills=skills,
            language=language,
            priority=priority,
            value_class=value_class,
        )
        self.engine.enqueue(item, self.now)
        self.live.add(item_id)
        if then_offer:
            self._offer()

    @rule()
    def offer(self) -> None:
        self._offer()

    def _offer(self) -> None:
        before = len(self.engine.decisions())
        last = self.engine.decisions()[-1].id if before else 0
        offers = self.engine.offer_next(self.now)
        self.just_offered = True
        assert len({r.item_id for r in offers}) == len(offers)
        for decision in self.engine.decisions():
            if decision.id <= last:
                continue
            trace = self.engine.explain(decision.id)
            assert trace.winner == decision.winner
            assert dict(trace.eliminated) == dict(decision.eliminated)
            ranked = [c.agent_id for c in trace.candidates if c.rank is not None]
            assert ranked[: len(decision.top)] == [aid for aid, _ in decision.top]

    @precondition(lambda self: self.engine.reservations())
    @rule(data=st.data())
    def accept(self, data: st.DataObject) -> None:
        self._step()
        res = data.draw(st.sampled_from(self.engine.reservations()))
        self.engine.accept(res.id, self.now)
        assert self.engine.item(res.item_id).status == "active"

    @precondition(lambda self: self.engine.reservations())
    @rule()
    def everyone_answers(self) -> None:
        self._step()
        for res in self.engine.reservations():
            self.engine.accept(res.id, self.now)

    @precondition(lambda self: self.engine.reservations())
    @rule(data=st.data())
    def reject(self, data: st.DataObject) -> None:
        self._step()
        res = data.draw(st.sampled_from(self.engine.reservations()))
        self.engine.reject(res.id, self.now)
        view = self.engine.item(res.item_id)
        assert view.status == "waiting"
        assert view.at_head
        assert res.agent_id in view.declined_by

    @rule(dt=st.floats(0, 12), then_offer=st.booleans())
    def time_passes(self, dt: float, then_offer: bool) -> None:
        self._step()
        self.now += dt
        for res in self.engine.timeout(self.now):
            view = self.engine.item(res.item_id)
            assert view.status == "waiting"
            assert view.at_head
        self.engine.tick(self.now)
        if then_offer:
            self._offer()

    @precondition(lambda self: self.live)
    @rule(data=st.data())
    def hang_up(self, data: st.DataObject) -> None:
        self._step()
        item_id = data.draw(st.sampled_from(sorted(self.live)))
        self.engine.cancel(item_id, self.now)
        self.live.discard(item_id)

    @precondition(lambda self: any(v.status == "active" for v in self.engine.items()))
    @rule(data=st.data(), wrap=st.sampled_from([None, 0.0, 3.0]))
    def complete(self, data: st.DataObject, wrap: float | None) -> None:
        self._step()
        active = [v.item.id for v in self.engine.items() if v.status == "active"]
        item_id = data.draw(st.sampled_from(active))
        self.engine.complete(item_id, self.now, wrap_up_s=wrap)
        self.live.discard(item_id)

    @precondition(lambda self: self.live)
    @rule(
        data=st.data(),
        priority=st.sampled_from([None, 5, 9]),
        queue=st.sampled_from([None, "q1", "q2", "q3"]),
    )
    def escalate(self, data: st.DataObject, priority: int | None, queue: str | None) -> None:
        self._step()
        item_id = data.draw(st.sampled_from(sorted(self.live)))
        self.engine.escalate(item_id, to_priority=priority, to_queue=queue, now=self.now)

    @precondition(lambda self: any(v.status != "active" for v in self.engine.items()))
    @rule(data=st.data())
    def complete_unaccepted_is_refused(self, data: st.DataObject) -> None:
        self._step()
        pending = [v.item.id for v in self.engine.items() if v.status != "active"]
        item_id = data.draw(st.sampled_from(pending))
        try:
            self.engine.complete(item_id, self.now)
        except RoutingError:
            return
        raise AssertionError("completing an item nobody accepted must be refused")

    # --- invariants -----------------------------------------------------------------------

    @invariant()
    def capacity_never_oversold(self) -> None:
        views = {v.item.id: v for v in self.engine.items()}
        for agent in self.engine.agents():
            held = self.engine.held(agent.id)
            per_channel = Counter(views[i].item.channel for i in held)
            assert dict(per_channel) == {k: v for k, v in agent.load.items() if v}
            for channel, used in per_channel.items():
                assert used <= agent.capacity.get(channel, 0), (agent, channel)
            busy_exclusive = [c for c in agent.exclusive if per_channel.get(c)]
            assert len(busy_exclusive) <= 1, agent
            offered = sum(1 for i in held if views[i].status == "offered")
            assert agent.offers == offered
            if agent.state in ROUTABLE:
                expected = "reserved" if offered else "on_call" if held else "available"
                assert agent.state == expected, agent

    @invariant()
    def one_agent_per_item(self) -> None:
        owners: dict[str, str] = {}
        for agent in self.engine.agents():
            for item_id in self.engine.held(agent.id):
                assert item_id not in owners, f"{item_id} held by {owners[item_id]} and {agent.id}"
                owners[item_id] = agent.id
        reservations = self.engine.reservations()
        assert len({r.item_id for r in reservations}) == len(reservations)
        for res in reservations:
            view = self.engine.item(res.item_id)
            assert view.status == "offered"
            assert view.reservation_id == res.id
            assert owners.get(res.item_id) == res.agent_id
        for view in self.engine.items():
            if view.status == "waiting":
                assert view.agent_id is None
                assert view.item.id not in owners
            else:
                assert owners.get(view.item.id) == view.agent_id

    @invariant()
    def no_item_lost(self) -> None:
        assert {v.item.id for v in self.engine.items()} == self.live

    @invariant()
    def requirement_agrees(self) -> None:
        for view in self.engine.items():
            need, language, admitted = requirement(view.item, view.step)
            req = view.requirement
            assert dict(req.skills) == need
            assert req.language == language
            assert set(req.teams) == admitted

    @invariant()
    def nobody_idle_while_work_they_can_take_waits(self) -> None:
        if not self.just_offered:
            return
        agents = self.engine.agents()
        for view in self.engine.items():
            if view.status != "waiting":
                continue
            for agent in agents:
                assert not could_take(agent, view.item, view.step, view.declined_by), (
                    f"{agent.id} is free and qualified for waiting {view.item.id}"
                )


RoutingMachine.TestCase.settings = settings(
    max_examples=150,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestRoutingInvariants = RoutingMachine.TestCase
