"""``switchboard import leads FILE``: a CSV of leads, validated line by line, scored, stored.

Columns: ``id`` and ``phone`` (required), ``name``, ``source`` (the channel: web_form,
mini_program, live_stream, ad, fair, ...), ``owner``, ``consent`` (yes/no, true/false, 1/0;
empty means no), ``events`` (``kind@YYYY-MM-DD`` separated by ``;``, e.g.
``mini_program_visit@2026-11-20;h5_open@2026-11-02``). Every other column is an attribute
the scoring rules can match (``industry``, ``segment``, ``province`` ...).

A line with an error (no id, a bad consent or event) is rejected; a lead whose number cannot
be dialed (unreadable, or no known time zone) is stored with the reason and never dialed.
Every problem names the file, the line and the field. Re-importing the same file is
idempotent: leads are matched by id.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

from customers.leads.numbers import read_number
from customers.leads.scoring import LeadEvent, LeadFacts, ScoringConfig, score_lead

REQUIRED = ("id", "phone")
KNOWN = ("id", "name", "phone", "source", "owner", "consent", "events")
TRUE = {"yes", "y", "true", "1", "是", "同意"}
FALSE = {"no", "n", "false", "0", "", "否", "不同意"}


@dataclass(frozen=True, slots=True)
class Problem:
    path: str
    line: int
    field: str
    message: str
    severity: str = "error"  # "error": the line is rejected; "warning": stored, not dialed

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.field}: {self.message} ({self.severity})"


@dataclass
class LeadFile:
    rows: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    lines: int = 0

    @property
    def rejected(self) -> int:
        return len({(p.line) for p in self.problems if p.severity == "error"})


def read_leads(path: str | Path, *, config: ScoringConfig, region: str, now: datetime) -> LeadFile:
    """Every line of the file checked; the good ones as rows ready to store."""
    name = str(path)
    out = LeadFile()
    try:
        text = Path(path).read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        out.problems.append(Problem(name, 0, "file", f"cannot read: {exc}"))
        return out
    reader = csv.DictReader(text.splitlines())
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        out.problems.append(Problem(name, 1, missing[0], "required column missing"))
        return out
    seen: dict[str, int] = {}
    for line, raw in _numbered(reader):
        out.lines += 1
        record = {(k or "").strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        row, problems = _lead_row(name, line, record, config, region, now)
        out.problems.extend(problems)
        if row is None:
            continue
        if row["id"] in seen:
            out.problems.append(
                Problem(name, line, "id", f"duplicate of line {seen[row['id']]}; line ignored")
            )
            continue
        seen[row["id"]] = line
        out.rows.append(row)
    return out


def _numbered(reader: csv.DictReader[str]) -> Iterator[tuple[int, dict[str, str]]]:
    for record in reader:
        yield reader.line_num, record


def _lead_row(
    path: str,
    line: int,
    record: dict[str, str],
    config: ScoringConfig,
    region: str,
    now: datetime,
) -> tuple[dict[str, Any] | None, list[Problem]]:
    problems: list[Problem] = []
    lead_id = record.get("id", "")
    if not lead_id:
        return None, [Problem(path, line, "id", "empty")]
    if len(lead_id) > 64:
        return None, [Problem(path, line, "id", "longer than 64 characters")]
    phone = record.get("phone", "")
    if not phone:
        return None, [Problem(path, line, "phone", "empty")]
    consent_text = record.get("consent", "").lower()
    if consent_text not in TRUE | FALSE:
        return None, [Problem(path, line, "consent", f"yes or no, not {consent_text!r}")]
    consent = consent_text in TRUE
    events: list[LeadEvent] = []
    for item in filter(None, (p.strip() for p in record.get("events", "").split(";"))):
        kind, _, day = item.partition("@")
        try:
            at = datetime.combine(datetime.fromisoformat(day).date(), time(), tzinfo=UTC)
        except ValueError:
            return None, [Problem(path, line, "events", f"{item!r} is not kind@YYYY-MM-DD")]
        events.append(LeadEvent(kind.strip(), at))
    number = read_number(phone, region)
    if number.problem is not None:
        problems.append(
            Problem(path, line, "phone", f"{number.problem}; stored, never dialed", "warning")
        )
    if not consent:
        problems.append(
            Problem(path, line, "consent", "no consent to calls; stored, never dialed", "warning")
        )
    attributes = {k: v for k, v in record.items() if k not in KNOWN and v}
    scored = score_lead(LeadFacts(attributes, events), config, now)
    row = {
        "id": lead_id,
        "name": record.get("name", "")[:200],
        "phone_raw": phone[:80],
        "phone_e164": number.e164 if number.problem is None else None,
        "zones": list(number.zones),
        "number_problem": number.problem,
        "source_channel": (record.get("source") or "import")[:40],
        "owner": record.get("owner") or None,
        "status": "sales" if scored.destination == "sales" else "outbound",
        "score": scored.score,
        "lead_class": scored.lead_class,
        "contributions": scored.as_json()["contributions"],
        "attributes": attributes,
        "events": [{"kind": e.kind, "at": e.at.isoformat()} for e in events],
        "outcomes": [],
        "consent": consent,
        "campaign_id": None,
        "attempts": [],
        "next_attempt_at": None,
        "callback_agent": None,
        "last_touched_at": now,
        "created_at": now,
        "updated_at": now,
    }
    return row, problems
