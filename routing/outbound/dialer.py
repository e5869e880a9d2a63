"""The dialer in the server: each active campaign's hopper, pacing and lines, once a second.

Progressive and predictive campaigns dial through the telephony command port (``originate``);
a progressive line is placed for one free agent, a predictive line for the campaign
(``agent="campaign-<id>"``, :func:`campaign_line`) and put through to whichever campaign
agent is free when a person answers (``transfer``). If none is free within the
abandon-message time the call is abandoned: the recorded message is commanded at once
(``play_message`` where the phone system has it) and the number is blocked for 72 h.
Preview campaigns push a ``preview_card`` to the agent's console channel (``agent:<id>``)
and dial when the agent says so.

Every dial passes compliance first; refusals are counted per reason in the campaign's stats.
The dialer runs in one server process (the routing leader's); state that must survive a
restart (attempts, outcomes, abandons, the do-not-call list) is in the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web

from customers.leads.config import load_scoring_config
from customers.leads.scoring import ScoringConfig
from customers.leads.store import recycle_untouched
from routing import calls
from routing.outbound import campaigns, store
from routing.outbound.compliance import (
    AbandonLedger,
    CompliancePolicy,
    abandon_command,
)
from routing.outbound.hopper import Callback, Hopper
from routing.outbound.model import DialMode, DialTarget, Disposition, Refusal, RefusalCode
from routing.outbound.pacing import MeanEstimate, PacingInput, RateEstimate, decide
from routing.outbound.retry import RetryPolicy, next_attempt
from routing.outbound.schedule import (
    WAIT_FOR_HOURS,
    CampaignSchedule,
    check_campaign_dial,
    wait_for_hours,
)
from routing.service import ROUTING, TELEPHONY
from switchboard.core import outbox
from switchboard.core.clock import Clock
from switchboard.core.db import Database
from switchboard.core.errors import BadRequest, Conflict, NotFound
from switchboard.core.http import CLOCK, DATABASE, PUBLISHER, Publisher
from switchboard.core.telephony import RecordedMessages, TelephonyCommands, campaign_line
from switchboard.core.wire import CallEvent

log = logging.getLogger(__name__)

ABANDON_MESSAGE = "outbound-abandon"
BUSY_STATES = frozenset({"reserved", "on_call", "wrap_up"})
PREVIEW_SKIP_DELAY = timedelta(minutes=30)  # a skipped lead comes back on a card after this
STALE_LINE_S = 60.0  # after the ring time, a line never reported answered is given up
# How a phone system's call events say an answering machine picked up: the event's cause, or
# the answering-machine detection's variable passed through (Asterisk AMD(): AMDSTATUS).
MACHINE_CAUSES = frozenset({"answering_machine", "machine"})
MACHINE_VARIABLES = ("amd_status", "AMDSTATUS")
BUSY_CAUSES = frozenset({"busy", "congestion"})
# Refusals after which the lead is dropped from this campaign's hopper (never dialed again).
DROP = frozenset(
    {
        RefusalCode.INVALID_NUMBER,
        RefusalCode.UNKNOWN_TIME_ZONE,
        RefusalCode.DO_NOT_CALL,
        RefusalCode.NO_CONSENT,
        RefusalCode.ATTEMPTS_PER_LEAD,
        RefusalCode.CAMPAIGN_ENDED,
    }
)


@dataclass
class Line:
    call_id: str
    lead_id: str
    number: str
    agent: str | None  # None: a predictive line for whichever agent is free
    dialed_at: datetime
    answered_at: datetime | None = None


@dataclass
class CampaignRun:
    id: str
    mode: DialMode
    agents: list[str]
    caller_id: str | None
    policy: CompliancePolicy
    retry: RetryPolicy
    schedule: CampaignSchedule | None = None  # the campaign's own windows, on top of the law
    hopper: Hopper = field(default_factory=Hopper)
    targets: dict[str, DialTarget] = field(default_factory=dict)
    attempts: dict[str, list[datetime]] = field(default_factory=dict)
    scores: dict[str, float] = field(default_factory=dict)
    do_not_call: set[str] = field(default_factory=set)
    abandoned: dict[str, datetime] = field(default_factory=dict)
    ledger: AbandonLedger = field(default_factory=AbandonLedger)
    answer_rate: RateEstimate = field(default_factory=lambda: RateEstimate(prior=0.25))
    handle: MeanEstimate = field(default_factory=lambda: MeanEstimate(120.0))
    answer_delay: MeanEstimate = field(default_factory=lambda: MeanEstimate(10.0))
    lines: dict[str, Line] = field(default_factory=dict)
    holds: dict[str, str] = field(default_factory=dict)  # agent -> call id or "card:<lead>"
    refusals: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)

    def problem(self, text: str) -> None:
        if text not in self.problems:
            self.problems.append(text)
            log.warning("campaign %s: %s", self.id, text)


class Dialer:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        publisher: Publisher,
        *,
        commands: Callable[[], TelephonyCommands | None],
        scoring: ScoringConfig | None = None,
    ) -> None:
        self.database = database
        self.clock = clock
        self.publisher = publisher
        self.commands = commands
        self.scoring = scoring or load_scoring_config()
        self.runs: dict[str, CampaignRun] = {}
        self._lock = asyncio.Lock()
        self.rounds = 0  # rounds of the server's loop, ticked or not (not the leader)
        self._pending: dict[str, asyncio.Task[None]] = {}  # call id -> its events' work

    # --- loading -------------------------------------------------------------------------

    async def start(self) -> None:
        rows = await self.database.read(
            lambda c: list(
                c.execute(store.campaigns_t.select().where(store.campaigns_t.c.status == "active"))
            )
        )
        for row in rows:
            await self.load(row.id)

    async def load(self, campaign_id: str) -> CampaignRun:
        """(Re)build the campaign's run from the database."""
        now = self.clock.now()

        def read(conn: Any) -> tuple[Any, list[Any], set[str], dict[str, datetime], list[Any]]:
            row = store.get_campaign(conn, campaign_id)
            if row is None:
                raise NotFound(f"no campaign {campaign_id!r}", field="id")
            lead_rows = campaigns.campaign_leads(conn, campaign_id)
            numbers = [r.phone_e164 for r in lead_rows if r.phone_e164]
            dnc, abandoned = campaigns.do_not_call_and_abandoned(conn, numbers)
            return row, lead_rows, dnc, abandoned, campaigns.ledger_history(conn, campaign_id, now)

        row, lead_rows, dnc, abandoned, history = await self.database.read(read)
        policy, retry = campaigns.policies(row)
        run = CampaignRun(
            row.id,
            DialMode(row.mode),
            list(row.agents),
            row.caller_id,
            policy,
            retry,
            campaigns.schedule_of(row),
        )
        run.ledger = AbandonLedger(policy.abandon_cap)
        for at, was_abandoned in history:
            run.ledger.record(at, abandoned=was_abandoned)
        run.do_not_call = dnc
        run.abandoned = abandoned
        self._admit(run, lead_rows, now)
        if row.status == "active":
            self.runs[campaign_id] = run
        else:
            self.runs.pop(campaign_id, None)
        return run

    async def admit(self, campaign_id: str, lead_ids: Sequence[str]) -> int:
        """Leads that joined a running campaign (a refresh of its segment) go into its
        hopper; the lines and holds in flight are kept. Returns how many were added."""
        run = self.runs.get(campaign_id)
        if run is None or not lead_ids:
            return 0
        wanted = [lead_id for lead_id in dict.fromkeys(lead_ids) if lead_id not in run.targets]
        fresh = await self.database.read(
            lambda c: campaigns.campaign_leads_by_id(c, campaign_id, wanted)
        )
        numbers = [r.phone_e164 for r in fresh if r.phone_e164]
        dnc, abandoned = await self.database.read(
            lambda c: campaigns.do_not_call_and_abandoned(c, numbers)
        )
        run.do_not_call |= dnc
        run.abandoned.update(abandoned)
        self._admit(run, fresh, self.clock.now())
        return len(fresh)

    def _admit(self, run: CampaignRun, lead_rows: Sequence[Any], now: datetime) -> None:
        ready: list[tuple[str, float]] = []
        for lead in lead_rows:
            run.targets[lead.id] = DialTarget(
                lead.id,
                lead.phone_e164,
                tuple(lead.zones or ()),
                bool(lead.consent),
                number_problem=lead.number_problem,
            )
            run.attempts[lead.id] = [datetime.fromisoformat(a) for a in lead.attempts or []]
            run.scores[lead.id] = float(lead.score)
            if lead.callback_agent is not None and lead.next_attempt_at is not None:
                run.hopper.add_callback(
                    Callback(lead.id, lead.next_attempt_at, lead.callback_agent)
                )
            elif lead.next_attempt_at is not None and lead.next_attempt_at > now:
                run.hopper.add(lead.id, float(lead.score), not_before=lead.next_attempt_at)
            else:
                ready.append((lead.id, float(lead.score)))
        run.hopper.add_many(ready)

    def unload(self, campaign_id: str) -> None:
        self.runs.pop(campaign_id, None)

    async def recycle(self) -> int:
        """Recycle leads untouched for the configured days; running campaigns drop them."""
        now = self.clock.now()
        before = now - timedelta(days=self.scoring.recycle_after_days)
        rows = await self.database.writer.run(lambda c: recycle_untouched(c, before, now))
        for lead_id, campaign_id in rows:
            run = self.runs.get(campaign_id) if campaign_id else None
            if run is not None:
                run.hopper.remove(lead_id)
        if rows:
            log.info("recycled %d leads untouched since %s", len(rows), before.isoformat())
        return len(rows)

    # --- the tick ------------------------------------------------------------------------

    async def tick(self) -> None:
        async with self._lock:
            for run in list(self.runs.values()):
                try:
                    await self._tick(run)
                except Exception:
                    log.exception("dialer tick of campaign %s failed", run.id)

    def _sweep(self, run: CampaignRun, now: datetime) -> None:
        """Forget lines never reported answered long after the ring time (a lost report):
        their agents are free to dial again. The call's record waits for its end report."""
        limit = timedelta(seconds=run.policy.ring_time_s + STALE_LINE_S)
        for call_id, line in list(run.lines.items()):
            if line.answered_at is None and now - line.dialed_at > limit:
                del run.lines[call_id]
                if line.agent is not None and run.holds.get(line.agent) == call_id:
                    del run.holds[line.agent]
                run.problem("calls dialed but never reported answered or ended")

    async def _tick(self, run: CampaignRun) -> None:
        now = self.clock.now()
        self._sweep(run, now)
        if not run.agents:
            run.problem("no agents: nothing is dialed")
            return
        if run.schedule is not None and run.schedule.refusal(now) is not None:
            return  # outside the campaign's own windows: nothing is taken from the hopper
        states = await self.database.read(lambda c: campaigns.agent_states(c, run.agents))
        free = [a for a in run.agents if states.get(a) == "available" and a not in run.holds]
        busy = sum(1 for a in run.agents if states.get(a) in BUSY_STATES or a in run.holds)
        if run.mode is DialMode.PREVIEW:
            await self._preview(run, free, now)
            return
        commands = self.commands()
        if commands is None:
            run.problem("no phone system that takes commands: nothing is dialed")
            return
        for callback in run.hopper.due_callbacks(now):
            agent = callback.agent if callback.agent in free else None
            if agent is None and now - callback.due > run.retry.callback_agent_grace and free:
                agent = free[0]
            if agent is None:
                continue
            run.hopper.take_callback(callback.lead_id)
            if self._allowed(run, callback.lead_id, now):
                free.remove(agent)
                await self._originate(run, commands, callback.lead_id, agent, now)
        pool_lines = sum(1 for line in run.lines.values() if line.agent is None)
        decision = decide(
            PacingInput(
                mode=run.mode,
                free_agents=len(free),
                busy_agents=busy,
                lines_in_flight=pool_lines,
                answer_rate=run.answer_rate.value,
                handle_s=run.handle.value,
                answer_delay_s=run.answer_delay.value,
                abandon_budget=run.ledger.budget(now),
            )
        )
        for _ in range(decision.dials):
            lead_id = self._next_lead(run, now)
            if lead_id is None:
                break
            agent = free.pop(0) if run.mode is DialMode.PROGRESSIVE and free else None
            await self._originate(run, commands, lead_id, agent, now)

    def _refusal(self, run: CampaignRun, lead_id: str, now: datetime) -> Refusal | None:
        """The law first, then the campaign's schedule: the stricter wins."""
        target = run.targets[lead_id]
        return check_campaign_dial(
            target,
            now=now,
            policy=run.policy,
            schedule=run.schedule,
            do_not_call=run.do_not_call,
            attempts=run.attempts.get(lead_id, ()),
            last_abandoned_at=run.abandoned.get(target.number or ""),
        )

    def _allowed(self, run: CampaignRun, lead_id: str, now: datetime) -> bool:
        return self._refused(run, lead_id, now) is None

    def _refused(self, run: CampaignRun, lead_id: str, now: datetime) -> Refusal | None:
        """None when the lead may be dialed now; else the refusal, counted, and the lead
        put back to wait for when it may be (or dropped, when it never may)."""
        refusal = self._refusal(run, lead_id, now)
        if refusal is None:
            return None
        target = run.targets[lead_id]
        run.refusals[refusal.code.value] += 1
        if refusal.code in DROP:
            return refusal
        retry_at: datetime | None = now + timedelta(hours=1)
        if refusal.code in WAIT_FOR_HOURS:
            retry_at = wait_for_hours(target, now, run.policy, run.schedule)
        elif refusal.code is RefusalCode.ABANDONED_RECENTLY and target.number:
            retry_at = run.abandoned[target.number] + run.policy.abandon_redial_block
        if retry_at is not None:
            run.hopper.add(lead_id, run.scores.get(lead_id, 0.0), not_before=retry_at)
        return refusal

    def _next_lead(self, run: CampaignRun, now: datetime) -> str | None:
        while (lead_id := run.hopper.pop(now)) is not None:
            if self._allowed(run, lead_id, now):
                return lead_id
        return None

    async def _originate(
        self,
        run: CampaignRun,
        commands: TelephonyCommands,
        lead_id: str,
        agent: str | None,
        now: datetime,
    ) -> str | None:
        target = run.targets[lead_id]
        assert target.number is not None
        try:
            call_id = await commands.originate(
                number=target.number, agent=agent or campaign_line(run.id), caller_id=run.caller_id
            )
        except Exception as exc:
            run.problem(f"originate failed: {type(exc).__name__}: {exc}")
            run.hopper.add(
                lead_id, run.scores.get(lead_id, 0.0), not_before=now + timedelta(minutes=1)
            )
            return None
        run.lines[call_id] = Line(call_id, lead_id, target.number, agent, now)
        run.attempts.setdefault(lead_id, []).append(now)
        if agent is not None:
            run.holds[agent] = call_id
        await self.database.writer.run(
            lambda c: campaigns.record_dial(
                c,
                campaign_id=run.id,
                lead_id=lead_id,
                call_id=call_id,
                number=target.number or "",
                agent=agent,
                now=now,
            )
        )
        return call_id

    async def _preview(self, run: CampaignRun, free: list[str], now: datetime) -> None:
        free = list(free)
        for callback in run.hopper.due_callbacks(now):  # rescheduled cards first
            agent = callback.agent if callback.agent in free else None
            if agent is None and now - callback.due > run.retry.callback_agent_grace and free:
                agent = free[0]
            if agent is None:
                continue
            run.hopper.take_callback(callback.lead_id)
            if self._allowed(run, callback.lead_id, now):
                free.remove(agent)
                await self._card(run, agent, callback.lead_id, now)
        for agent in free:
            lead_id = self._next_lead(run, now)
            if lead_id is None:
                return
            await self._card(run, agent, lead_id, now)

    async def _card(self, run: CampaignRun, agent: str, lead_id: str, now: datetime) -> None:
        run.holds[agent] = f"card:{lead_id}"
        body = {
            "campaign": run.id,
            "lead": lead_id,
            "number": run.targets[lead_id].number,
            "score": run.scores.get(lead_id),
            "attempts": len(run.attempts.get(lead_id, [])),
        }

        def write(c: Any) -> Any:
            return [outbox.append(c, outbox.agent_channel(agent), "preview_card", body, now)]

        messages = await self.database.writer.run(write)
        await self.publisher.publish(messages)

    # --- what the phone system and the agents report ----------------------------------

    def _run(self, campaign_id: str) -> CampaignRun:
        run = self.runs.get(campaign_id)
        if run is None:
            raise Conflict(f"campaign {campaign_id!r} is not running", field="id")
        return run

    async def preview_dial(self, campaign_id: str, lead_id: str, agent: str) -> str:
        """The agent dials the lead on its card."""
        run = self._run(campaign_id)
        if run.holds.get(agent) != f"card:{lead_id}":
            raise Conflict(f"lead {lead_id!r} is not on agent {agent!r}'s card", field="lead")
        commands = self.commands()
        if commands is None:
            raise Conflict("no phone system that takes commands", field="telephony")
        now = self.clock.now()
        del run.holds[agent]
        refusal = self._refused(run, lead_id, now)  # the law may have changed since the card
        if refusal is not None:
            raise Conflict(
                f"the lead may not be dialed now: {refusal.text} ({refusal.code.value})",
                field="lead",
            )
        call_id = await self._originate(run, commands, lead_id, agent, now)
        if call_id is None:
            raise Conflict("the phone system refused the call", field="telephony")
        return call_id

    def _take_card(self, campaign_id: str, lead_id: str, agent: str) -> CampaignRun:
        run = self._run(campaign_id)
        if run.holds.get(agent) != f"card:{lead_id}":
            raise Conflict(f"lead {lead_id!r} is not on agent {agent!r}'s card", field="lead")
        del run.holds[agent]
        return run

    async def preview_skip(self, campaign_id: str, lead_id: str, agent: str) -> dict[str, Any]:
        """The agent passes on the lead on its card: the next tick brings another card, and
        this lead comes back (to anyone) after ``PREVIEW_SKIP_DELAY``."""
        run = self._take_card(campaign_id, lead_id, agent)
        at = self.clock.now() + PREVIEW_SKIP_DELAY
        await self.database.writer.run(
            lambda c: campaigns.set_next_attempt(c, lead_id, at, None, self.clock.now())
        )
        run.hopper.add(lead_id, run.scores.get(lead_id, 0.0), not_before=at)
        return {"lead": lead_id, "next_attempt_at": at.isoformat(), "agent": None}

    async def preview_reschedule(
        self, campaign_id: str, lead_id: str, agent: str, at: datetime
    ) -> dict[str, Any]:
        """The agent books the lead for later: at ``at`` it comes back on this agent's card
        (as a callback; compliance is checked again then)."""
        now = self.clock.now()
        if at <= now:
            raise BadRequest("the new time must be in the future", field="at")
        run = self._take_card(campaign_id, lead_id, agent)
        await self.database.writer.run(
            lambda c: campaigns.set_next_attempt(c, lead_id, at, agent, now)
        )
        run.hopper.add_callback(Callback(lead_id, at, agent))
        return {"lead": lead_id, "next_attempt_at": at.isoformat(), "agent": agent}

    async def answered(self, campaign_id: str, call_id: str) -> dict[str, Any]:
        """A person answered: put the call through to an agent, or abandon it within 2 s."""
        run = self._run(campaign_id)
        line = run.lines.get(call_id)
        if line is None:
            raise NotFound(f"no live line {call_id!r} in campaign {campaign_id!r}", field="call_id")
        if line.answered_at is not None:  # told twice (the phone system and an HTTP call)
            return {"call_id": call_id, "abandoned": False, "agent": line.agent}
        answered_at = self.clock.now()
        run.answer_rate.add(True)
        run.answer_delay.add((answered_at - line.dialed_at).total_seconds())
        agent = line.agent
        if agent is None:
            agent = await self._free_agent(run, run.policy.abandon_message_within_s * 0.75)
        commands = self.commands()
        now = self.clock.now()
        if agent is None:
            del run.lines[call_id]
            command = abandon_command(call_id, line.number, answered_at, run.policy)
            if isinstance(commands, RecordedMessages):
                await commands.play_message(call_id=call_id, message=ABANDON_MESSAGE)
            elif commands is not None:
                run.problem("the phone system cannot play the abandon message: hanging up")
                await commands.hangup(call_id=call_id, cause="abandoned")
            run.ledger.record(now, abandoned=True)
            run.abandoned[line.number] = now
            run.hopper.add(
                line.lead_id,
                run.scores.get(line.lead_id, 0.0),
                not_before=now + run.policy.abandon_redial_block,
            )
            await self.database.writer.run(
                lambda c: campaigns.record_answered(
                    c, campaign_id, call_id, agent=None, abandoned=True, now=now
                )
            )
            return {
                "call_id": call_id,
                "abandoned": True,
                "message_by": command.play_by.isoformat(),
            }
        run.holds[agent] = call_id
        line.answered_at = answered_at
        run.ledger.record(now, abandoned=False)
        if line.agent is None and commands is not None:
            await commands.transfer(call_id=call_id, to=agent)
        line.agent = agent
        await self.database.writer.run(
            lambda c: campaigns.record_answered(
                c, campaign_id, call_id, agent=agent, abandoned=False, now=now
            )
        )
        return {"call_id": call_id, "abandoned": False, "agent": agent}

    async def _free_agent(self, run: CampaignRun, wait_s: float) -> str | None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait_s
        while True:
            states = await self.database.read(lambda c: campaigns.agent_states(c, run.agents))
            for agent in run.agents:
                if states.get(agent) == "available" and agent not in run.holds:
                    return agent
            if loop.time() >= deadline:
                return None
            await asyncio.sleep(min(0.1, max(0.0, deadline - loop.time())))

    async def ended(
        self,
        campaign_id: str,
        call_id: str,
        disposition: Disposition,
        *,
        talk_s: float,
        callback_at: datetime | None,
        agent: str | None,
    ) -> dict[str, Any]:
        run = self.runs.get(campaign_id)
        line = run.lines.pop(call_id, None) if run is not None else None
        now = self.clock.now()
        if disposition is Disposition.CALLBACK and callback_at is None:
            raise BadRequest("a callback needs callback_at", field="callback_at")
        if run is not None and line is not None:
            if line.agent is not None and run.holds.get(line.agent) == call_id:
                del run.holds[line.agent]
            if disposition in (
                Disposition.BUSY,
                Disposition.NO_ANSWER,
                Disposition.ANSWERING_MACHINE,
            ):
                run.answer_rate.add(False)
            else:
                run.handle.add(talk_s)
        policy = run.retry if run is not None else RetryPolicy()
        target = run.targets.get(line.lead_id) if run is not None and line is not None else None
        decision = next_attempt(
            disposition,
            now=now,
            policy=policy,
            zones=target.zones if target else (),
            compliance=run.policy if run is not None else None,
            callback_at=callback_at,
            agent=agent or (line.agent if line else None),
        )
        result = await self.database.writer.run(
            lambda c: campaigns.record_end(
                c,
                campaign_id,
                call_id,
                disposition=disposition,
                talk_s=talk_s,
                decision=decision,
                config=self.scoring,
                now=now,
            )
        )
        if run is not None and line is not None:
            lead_id = line.lead_id
            if decision.add_to_do_not_call:
                run.do_not_call.add(line.number)
            if result.get("status") != "outbound" or decision.at is None:
                run.hopper.remove(lead_id)
            elif disposition is Disposition.CALLBACK:
                run.hopper.add_callback(Callback(lead_id, decision.at, decision.agent))
            else:
                run.scores[lead_id] = float(result.get("score", 0.0))
                run.hopper.add(lead_id, run.scores[lead_id], not_before=decision.at)
        return {
            "call_id": call_id,
            "disposition": disposition.value,
            **result,
            "next_attempt_at": decision.at.isoformat() if decision.at else None,
        }

    # --- the phone system's call events (CTI) ------------------------------------------

    async def on_call_events(
        self, source: str, events: Sequence[tuple[calls.Prepared, calls.Ingested]]
    ) -> None:
        """Stored call events: those of campaign calls answer and end them, as the campaign
        endpoints would. The work runs after the events are acknowledged, in order per call
        (an answer may wait for a free agent); :meth:`settle` waits for it."""
        for prepared, result in events:
            event = prepared.event
            kind = event.type.value
            if result.duplicate or kind not in ("answered", "ended", "abandoned"):
                continue
            found = self._line_of(event.call_id)
            if found is None and (kind == "answered" or event.direction.value != "outbound"):
                continue  # not a call this dialer placed (ends are looked up in the database)
            talk = result.call.talk_seconds if result.call is not None else None
            self._follow(event.call_id, self._on_event(event, found, talk or 0.0))

    def _line_of(self, call_id: str) -> tuple[str, Line] | None:
        for run in self.runs.values():
            line = run.lines.get(call_id)
            if line is not None:
                return run.id, line
        return None

    def _follow(self, call_id: str, work: Coroutine[Any, Any, None]) -> None:
        before = self._pending.get(call_id)

        async def in_turn() -> None:
            if before is not None:
                with contextlib.suppress(Exception):
                    await before
            try:
                await work
            except Exception:
                log.exception("dialer: following call %s failed", call_id)
            finally:
                if self._pending.get(call_id) is task:
                    del self._pending[call_id]

        task = asyncio.create_task(in_turn(), name=f"dialer-call-{call_id}")
        self._pending[call_id] = task

    async def settle(self) -> None:
        """Wait until the call events received so far have been followed."""
        while self._pending:
            await asyncio.gather(*list(self._pending.values()), return_exceptions=True)

    async def _on_event(
        self, event: CallEvent, found: tuple[str, Line] | None, talk_s: float
    ) -> None:
        kind = event.type.value
        machine = _machine(event)
        if kind == "answered":
            assert found is not None
            campaign_id, line = found
            if machine:
                commands = self.commands()
                if commands is not None:
                    await commands.hangup(call_id=line.call_id, cause="normal")
                await self._ended_by_phone(campaign_id, line.call_id, Disposition.ANSWERING_MACHINE)
            elif line.answered_at is None:
                await self.answered(campaign_id, line.call_id)
            return
        # ended or abandoned: the line as it stands once the answer (if any) was followed
        now_found = self._line_of(event.call_id)
        if now_found is not None:
            campaign_id, line = now_found
            if line.answered_at is None:
                await self._ended_by_phone(campaign_id, line.call_id, _unanswered(event, machine))
            else:
                await self._hung_up(campaign_id, line, talk_s)
            return
        row = await self.database.read(lambda c: campaigns.open_call(c, event.call_id))
        if row is None:
            return  # not a campaign call, or its end is already recorded (an abandon)
        if row.answered_at is None:
            await self._ended_by_phone(row.campaign_id, row.call_id, _unanswered(event, machine))
        elif row.ended_at is None:
            now = self.clock.now()
            await self.database.writer.run(
                lambda c: campaigns.record_hangup(
                    c, row.campaign_id, row.call_id, talk_s=talk_s, now=now
                )
            )

    async def _ended_by_phone(
        self, campaign_id: str, call_id: str, disposition: Disposition
    ) -> None:
        # Conflict: its end was recorded already (the campaign endpoint was quicker).
        with contextlib.suppress(Conflict):
            await self.ended(
                campaign_id, call_id, disposition, talk_s=0.0, callback_at=None, agent=None
            )

    async def _hung_up(self, campaign_id: str, line: Line, talk_s: float) -> None:
        """A call put through to an agent ended: free the line; the agent gives the outcome."""
        run = self.runs.get(campaign_id)
        if run is not None and run.lines.pop(line.call_id, None) is not None:
            if line.agent is not None and run.holds.get(line.agent) == line.call_id:
                del run.holds[line.agent]
            run.handle.add(talk_s)
        now = self.clock.now()
        await self.database.writer.run(
            lambda c: campaigns.record_hangup(c, campaign_id, line.call_id, talk_s=talk_s, now=now)
        )

    def runtime_stats(self, campaign_id: str) -> dict[str, Any]:
        run = self.runs.get(campaign_id)
        now = self.clock.now()
        if run is None:
            return {"refusals": {}, "problems": [], "rates": None}
        rates = {
            window: (abandoned / answered if answered else 0.0)
            for window, answered, abandoned in run.ledger.rates(now)
        }
        return {
            "refusals": dict(run.refusals),
            "problems": list(run.problems),
            "schedule": schedule_state(run.schedule, now),
            "rates": rates,
            "cap": run.policy.abandon_cap,
            "agents": len(run.agents),
        }


def schedule_state(schedule: CampaignSchedule | None, now: datetime) -> dict[str, Any] | None:
    """Whether the campaign's schedule lets it dial now, why not, and when it opens next."""
    if schedule is None:
        return None
    refusal = schedule.refusal(now)
    opening = schedule.next_open(now)
    return {
        "timezone": schedule.timezone,
        "open": refusal is None,
        "reason": None if refusal is None else refusal.as_json(),
        "next_open": None if opening is None else opening.isoformat(),
    }


def _machine(event: CallEvent) -> bool:
    if (event.cause or "").lower() in MACHINE_CAUSES:
        return True
    return any(event.ivr.get(name, "").upper() == "MACHINE" for name in MACHINE_VARIABLES)


def _unanswered(event: CallEvent, machine: bool) -> Disposition:
    """The outcome of a campaign call that ended before it was put through."""
    if machine:
        return Disposition.ANSWERING_MACHINE
    if (event.cause or "").lower() in BUSY_CAUSES:
        return Disposition.BUSY
    return Disposition.NO_ANSWER


DIALER = web.AppKey("dialer", Dialer)


async def dialer_ctx(app: web.Application) -> AsyncIterator[None]:
    """Cleanup context: the dialer loads active campaigns and, on the routing leader (every
    SQLite server is one), ticks once a second."""
    dialer = Dialer(app[DATABASE], app[CLOCK], app[PUBLISHER], commands=lambda: app.get(TELEPHONY))
    await dialer.start()
    app[DIALER] = dialer
    routing = app.get(ROUTING)
    if routing is not None:
        routing.follow_calls(dialer.on_call_events)  # the phone system's events drive it

    async def loop() -> None:
        # With several servers on PostgreSQL only the routing leader dials: two dialers would
        # dial the same leads and each spend the abandon budget. A node that takes over reloads
        # the campaigns as the database has them (what the old leader did is stored there).
        was_leading = True
        while True:
            leading = routing is None or routing.leading
            if leading and not was_leading:
                await dialer.start()
            if leading:
                await dialer.tick()
            was_leading = leading
            dialer.rounds += 1
            await asyncio.sleep(1.0)

    task = asyncio.create_task(loop(), name="outbound-dialer")
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    for pending in list(dialer._pending.values()):
        pending.cancel()
