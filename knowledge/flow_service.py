"""Call scripts in use: publishing versions, running them on calls and requests, their figures.

A published version is stored whole (its YAML source) and never changed, so a run started on
version 3 keeps following version 3 after version 4 is published. A run is stored after every
step with its transcript (the questions asked and the answers given), on the call or the
request it was started for. Drop-off per node and outcome rates per version come from the
stored runs (``knowledge.flows.stats``).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Connection, func, insert, select, update

from knowledge import store
from knowledge.flows import runner
from knowledge.flows.library import FlowError, parse_flow
from knowledge.flows.model import Flow
from knowledge.flows.runner import FlowRun
from knowledge.flows.stats import flow_stats
from switchboard.core.errors import BadRequest, Conflict, NotFound, Unprocessable
from switchboard.core.outbox import Message


@dataclass(frozen=True, slots=True)
class RunTarget:
    """What a run's effects apply to: the call or request it runs on, the customer, who ran it."""

    call_id: str | None
    ticket: str | None
    customer_id: int | None
    by: str


class EffectApplier(Protocol):
    """Applies a finished run's effects (``set`` a field, ``create_ticket``) in the same
    transaction as the run; returns one result per effect (``applied`` true or false with an
    ``error``) and the channel messages to publish after the commit. Given by the composition
    root, which may write the customers and the requests."""

    def __call__(
        self, conn: Connection, effects: Sequence[dict[str, Any]], target: RunTarget, now: datetime
    ) -> tuple[list[dict[str, Any]], list[Message]]: ...


def no_effects(
    conn: Connection, effects: Sequence[dict[str, Any]], target: RunTarget, now: datetime
) -> tuple[list[dict[str, Any]], list[Message]]:
    return [
        {**e, "applied": False, "error": "no effects are applied by this server"} for e in effects
    ], []


#: Longest flow source accepted, in characters.
MAX_SOURCE_CHARS = 1_000_000


class FlowCache:
    """Parsed flows by (id, version): a stored version never changes, so it is parsed once."""

    def __init__(self, size: int = 256) -> None:
        self._flows: dict[tuple[str, int], Flow] = {}
        self._size = size
        self._lock = threading.Lock()

    def get(self, conn: Connection, flow_id: str, version: int) -> Flow | None:
        key = (flow_id, version)
        with self._lock:
            found = self._flows.get(key)
        if found is not None:
            return found
        row = conn.execute(
            select(store.flow_versions.c.source).where(
                store.flow_versions.c.flow_id == flow_id,
                store.flow_versions.c.version == version,
            )
        ).first()
        if row is None:
            return None
        try:
            flow = parse_flow(row.source, f"{flow_id}@{version}")
        except FlowError as exc:  # stored before a stricter check existed
            raise Unprocessable(
                f"flow {flow_id!r} version {version} no longer passes the checks: {exc};"
                " publish a corrected version",
                field="flow_id",
            ) from None
        with self._lock:
            if len(self._flows) >= self._size:
                self._flows.clear()
            self._flows[key] = flow
        return flow


def _parse(source: str) -> Flow:
    if len(source) > MAX_SOURCE_CHARS:
        raise BadRequest(
            f"the flow has {len(source):,} characters; the limit is {MAX_SOURCE_CHARS:,}",
            field="source",
        )
    try:
        return parse_flow(source, "source")
    except FlowError as exc:
        first = exc.problems[0] if exc.problems else None
        raise BadRequest(
            str(first) if first else "the flow cannot be read",
            field="source",
            problems=[
                {"line": p.line, "node": p.node, "code": p.code, "message": p.message}
                for p in exc.problems[:50]
            ],
        ) from None


def publish(conn: Connection, source: str, by: str, now: datetime) -> dict[str, Any]:
    """Store a new version of a flow (checked first: a flow with any problem is refused).
    Publishing the same source again changes nothing; another flow under a version already
    published is a conflict (publish it as the next version)."""
    flow = _parse(source)
    table = store.flow_versions
    existing = conn.execute(
        select(table.c.source).where(table.c.flow_id == flow.id, table.c.version == flow.version)
    ).first()
    if existing is not None:
        if existing.source == source:
            return {"id": flow.id, "version": flow.version, "created": False}
        raise Conflict(
            f"flow {flow.id!r} version {flow.version} is already published with other content:"
            " publish it as a new version",
            field="version",
        )
    conn.execute(
        insert(table).values(
            flow_id=flow.id,
            version=flow.version,
            title=flow.title,
            source=source,
            published_by=by,
            published_at=now,
        )
    )
    return {"id": flow.id, "version": flow.version, "created": True}


def current_version(conn: Connection, flow_id: str) -> int | None:
    table = store.flow_versions
    value = conn.execute(
        select(func.max(table.c.version)).where(table.c.flow_id == flow_id)
    ).scalar_one_or_none()
    return int(value) if value is not None else None


def list_flows(conn: Connection) -> list[dict[str, Any]]:
    table = store.flow_versions
    rows = conn.execute(
        select(table.c.flow_id, table.c.version, table.c.title, table.c.published_at).order_by(
            table.c.flow_id, table.c.version
        )
    ).all()
    flows: dict[str, dict[str, Any]] = {}
    for r in rows:
        entry = flows.setdefault(r.flow_id, {"id": r.flow_id, "versions": []})
        entry["versions"].append(r.version)
        entry["current_version"] = r.version
        entry["title"] = r.title
        entry["published_at"] = r.published_at.isoformat()
    return list(flows.values())


# --- runs ------------------------------------------------------------------------------------


def _view(flow: Flow, run: FlowRun, now: datetime) -> dict[str, Any]:
    data: dict[str, Any] = runner._jsonable(asdict(runner.view(flow, run, now=now)))
    return data


def _answer_error(run: FlowRun) -> None:
    error = run.error
    if error is None:
        return
    extra: dict[str, Any] = {"node": error.node, "kind": error.kind}
    if error.expression:
        extra["expression"] = error.expression
    if error.kind == "state":
        raise Conflict(error.message, field="value", **extra)
    raise Unprocessable(error.message, field="value", **extra)


APPLIED = "applied_effects"  # the key of the effects' results in a stored run's data


def _run_out(
    row_id: int,
    rev: int,
    interaction: dict[str, Any],
    flow: Flow,
    run: FlowRun,
    now: datetime,
    applied: list[dict[str, Any]] | None,
) -> dict[str, Any]:
    return {
        "id": row_id,
        "rev": rev,
        **interaction,
        "flow_id": run.flow_id,
        "flow_version": run.flow_version,
        "status": run.status,
        "outcome": run.outcome,
        "view": _view(flow, run, now),
        "transcript": runner.transcript(run),
        "effects": runner._jsonable([asdict(e) for e in run.effects]),
        "applied_effects": applied,
        "recommendations": runner._jsonable([asdict(r) for r in run.recommendations]),
    }


def _finish(
    conn: Connection,
    run: FlowRun,
    target: RunTarget,
    apply: EffectApplier,
    now: datetime,
) -> tuple[list[dict[str, Any]] | None, list[Message]]:
    """A run that has just finished has its effects applied (once: see :func:`step_run`)."""
    if run.status != runner.FINISHED:
        return None, []
    effects = [
        {"node": e.node, "kind": e.kind, "data": runner._jsonable(dict(e.data))}
        for e in run.effects
    ]
    return apply(conn, effects, target, now)


def _customer_id(run: FlowRun) -> int | None:
    value = run.customer.get("id")
    return (
        int(value)
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit())
        else None
    )


def start_run(
    conn: Connection,
    cache: FlowCache,
    flow_id: str,
    *,
    call_id: str | None,
    ticket: str | None,
    customer: dict[str, Any],
    call: dict[str, Any],
    by: str,
    now: datetime,
    apply: EffectApplier = no_effects,
) -> tuple[dict[str, Any], list[Message]]:
    """Start the current published version of ``flow_id`` on a call or a request."""
    version = current_version(conn, flow_id)
    if version is None:
        raise NotFound(f"no published flow {flow_id!r}", field="flow_id")
    flow = cache.get(conn, flow_id, version)
    assert flow is not None
    run = runner.start(flow, customer, call, now=now)
    if run.error is not None and run.status == runner.FAILED:
        raise Unprocessable(f"the flow failed at its start: {run.error.message}", field="flow_id")
    target = RunTarget(call_id, ticket, _customer_id(run), by)
    applied, messages = _finish(conn, run, target, apply, now)
    data = run.to_dict()
    if applied is not None:
        data[APPLIED] = applied
    row_id = conn.execute(
        insert(store.flow_runs)
        .values(
            flow_id=flow.id,
            flow_version=flow.version,
            call_id=call_id,
            ticket=ticket,
            status=run.status,
            current=run.current,
            outcome=run.outcome,
            data=data,
            transcript=runner.transcript(run),
            started_by=by,
            rev=1,
            created_at=now,
            updated_at=now,
        )
        .returning(store.flow_runs.c.id)
    ).scalar_one()
    where = {"call_id": call_id, "ticket": ticket}
    return _run_out(int(row_id), 1, where, flow, run, now, applied), messages


def _load(conn: Connection, cache: FlowCache, run_id: int) -> tuple[Any, Flow, FlowRun]:
    row = conn.execute(select(store.flow_runs).where(store.flow_runs.c.id == run_id)).first()
    if row is None:
        raise NotFound(f"no flow run {run_id}", field="run_id")
    flow = cache.get(conn, row.flow_id, row.flow_version)
    if flow is None:
        raise Conflict(
            f"flow {row.flow_id!r} version {row.flow_version} is no longer stored", field="run_id"
        )
    return row, flow, FlowRun.from_dict(row.data)


def get_run(conn: Connection, cache: FlowCache, run_id: int, now: datetime) -> dict[str, Any]:
    row, flow, run = _load(conn, cache, run_id)
    where = {"call_id": row.call_id, "ticket": row.ticket}
    return _run_out(row.id, row.rev, where, flow, run, now, row.data.get(APPLIED))


def step_run(
    conn: Connection,
    cache: FlowCache,
    run_id: int,
    action: str,
    now: datetime,
    *,
    value: Any = None,
    rev: int | None = None,
    by: str = "",
    apply: EffectApplier = no_effects,
) -> tuple[dict[str, Any], list[Message]]:
    """``action``: answer (with ``value``), back or abandon. ``rev``, when given, must be the
    run's current revision (two consoles on one run: the second gets a 409).

    When the run reaches its end its effects are applied, in this transaction, once: a run
    whose effects were applied cannot go back (409; start a new run instead)."""
    row, flow, run = _load(conn, cache, run_id)
    if rev is not None and rev != row.rev:
        raise Conflict(
            f"flow run {run_id} is at revision {row.rev}, not {rev}: reload it",
            field="rev",
            current_rev=row.rev,
        )
    applied: list[dict[str, Any]] | None = row.data.get(APPLIED)
    if action == "answer":
        after = runner.answer(flow, run, value, now=now)
    elif action == "back":
        if applied is not None:
            raise Conflict(
                f"flow run {run_id} is over and its effects were applied: start a new run",
                field="run_id",
            )
        after = runner.back(run)
    elif action == "abandon":
        after = runner.abandon(run, now=now)
    else:  # pragma: no cover - the routes pass known actions
        raise BadRequest(f"unknown action {action!r}", field="action")
    _answer_error(after)
    messages: list[Message] = []
    if applied is None and run.status != runner.FINISHED:
        target = RunTarget(row.call_id, row.ticket, _customer_id(after), by or row.started_by)
        applied, messages = _finish(conn, after, target, apply, now)
    data = after.to_dict()
    if applied is not None:
        data[APPLIED] = applied
    new_rev = row.rev + 1
    result = conn.execute(
        update(store.flow_runs)
        .where(store.flow_runs.c.id == run_id, store.flow_runs.c.rev == row.rev)
        .values(
            status=after.status,
            current=after.current,
            outcome=after.outcome,
            data=data,
            transcript=runner.transcript(after),
            rev=new_rev,
            updated_at=now,
        )
    )
    if result.rowcount != 1:
        raise Conflict(f"flow run {run_id} changed meanwhile: reload it", field="rev")
    where = {"call_id": row.call_id, "ticket": row.ticket}
    return _run_out(row.id, new_rev, where, flow, after, now, applied), messages


def runs_for(
    conn: Connection, *, call_id: str | None = None, ticket: str | None = None
) -> list[dict[str, Any]]:
    """The runs on a call or a request with their transcripts, oldest first."""
    table = store.flow_runs
    query = select(table).order_by(table.c.id)
    if call_id is not None:
        query = query.where(table.c.call_id == call_id)
    if ticket is not None:
        query = query.where(table.c.ticket == ticket)
    return [
        {
            "id": r.id,
            "flow_id": r.flow_id,
            "flow_version": r.flow_version,
            "call_id": r.call_id,
            "ticket": r.ticket,
            "status": r.status,
            "outcome": r.outcome,
            "transcript": r.transcript,
            "applied_effects": r.data.get(APPLIED),
            "started_by": r.started_by,
            "started_at": r.created_at.isoformat(),
            "updated_at": r.updated_at.isoformat(),
        }
        for r in conn.execute(query).all()
    ]


def stats(conn: Connection, flow_id: str) -> list[dict[str, Any]]:
    """Drop-off per node and outcome rates, per version, from the stored runs."""
    table = store.flow_runs
    rows = conn.execute(select(table.c.data).where(table.c.flow_id == flow_id)).all()
    if not rows and current_version(conn, flow_id) is None:
        raise NotFound(f"no published flow {flow_id!r}", field="id")
    result: list[dict[str, Any]] = runner._jsonable(
        [asdict(s) for s in flow_stats(FlowRun.from_dict(r.data) for r in rows)]
    )
    return result
