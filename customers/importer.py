"""``switchboard import customers FILE``: CSV or XLSX rows in, a validation report out.

Columns are found by header: every field has aliases in English and Chinese (姓名, 手机, 公司 …),
and a mapping file (``--map``, YAML or JSON ``{"file header": "field"}``) adds or overrides
them. Each row is validated completely (numbers normalised, emails and amounts checked) before
anything of it is written, and written in one transaction of its own: a row is in whole or not
at all. A row matches an existing customer by external id, then by a phone number (E.164), then
by email; a matched row whose values are already stored changes nothing, so importing the same
file twice leaves the database as the first import left it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, select, update

from customers import records, search_keys, service
from customers.model import is_email
from customers.phones import NotAPhoneNumber, normalise
from customers.profile_store import channel_ids_t, customer_tags_t, profiles_t, tags_t
from customers.schemas import CustomerIn
from customers.store import contacts_t, customers_t, emails_t, phones_t

# field -> header aliases (compared case-, space- and underscore-insensitively)
ALIASES: dict[str, tuple[str, ...]] = {
    "external_id": (
        "external_id",
        "external id",
        "id",
        "customer id",
        "客户编号",
        "编号",
        "外部编号",
    ),
    "kind": ("kind", "type", "customer type", "类型", "客户类型"),
    "name": ("name", "full name", "contact", "姓名", "名字", "客户名称", "联系人"),
    "company": (
        "company",
        "company name",
        "organisation",
        "organization",
        "公司",
        "公司名称",
        "单位",
        "企业名称",
    ),
    "short_name": ("short_name", "short name", "简称", "公司简称"),
    "phone": (
        "phone",
        "mobile",
        "cell",
        "telephone",
        "手机",
        "手机号",
        "手机号码",
        "电话",
        "联系电话",
    ),
    "office_phone": ("office_phone", "office phone", "work phone", "办公电话", "座机", "公司电话"),
    "email": ("email", "e-mail", "mail", "邮箱", "电子邮件", "电子邮箱"),
    "industry": ("industry", "行业"),
    "country": ("country", "国家"),
    "province": ("province", "state", "省", "省份"),
    "city": ("city", "城市", "市"),
    "tier": ("tier", "等级", "客户等级"),
    "tags": ("tags", "tag", "标签"),
    "credit_code": ("credit_code", "credit code", "uscc", "统一社会信用代码", "信用代码"),
    "website": ("website", "web", "url", "网站", "网址"),
    "size": ("size", "规模", "企业规模"),
    "company_type": ("company_type", "company type", "企业类型"),
    "source_channel": ("source_channel", "source", "channel", "来源", "来源渠道"),
    "owner": ("owner", "负责人", "归属", "客户经理"),
    "credit_limit": ("credit_limit", "credit limit", "信用额度"),
    "do_not_call": ("do_not_call", "do not call", "dnc", "拒绝来电", "免打扰", "勿扰"),
    "wechat_openid": ("wechat_openid", "openid", "wechat", "微信", "微信openid"),
}
FIELDS = tuple(ALIASES)
KIND_WORDS = {
    "individual": "individual",
    "person": "individual",
    "个人": "individual",
    "enterprise": "enterprise",
    "company": "enterprise",
    "企业": "enterprise",
    "公司": "enterprise",
}
YES = {"yes", "y", "true", "1", "是", "√", "x"}
NO = {"no", "n", "false", "0", "否", ""}
_CREDIT_CODE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check(first17: str) -> str:
    """The 18th character of a unified social credit code (GB 32100-2015)."""
    total = sum(CODE_CHARS.index(c) * w for c, w in zip(first17, _CODE_WEIGHTS, strict=True))
    return CODE_CHARS[(31 - total % 31) % 31]


def is_credit_code(code: str) -> bool:
    return bool(_CREDIT_CODE.match(code)) and credit_code_check(code[:17]) == code[17]


_SPLIT = re.compile(r"[;,；，、|]")


def _key(header: str) -> str:
    return re.sub(r"[\s_\-]+", " ", header.strip().lower())


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.reason}"


@dataclass
class Row:
    """One valid row, ready to write."""

    line: int
    customer: CustomerIn
    prepared: dict[str, Any]
    profile: dict[str, Any]
    tags: list[str]
    openid: str | None


@dataclass
class ImportReport:
    file: str
    rows: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def invalid(self) -> int:
        return len({p.line for p in self.problems})

    def __str__(self) -> str:
        return (
            f"{self.file}: {self.rows} rows: {self.added} added, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.invalid} invalid"
        )


class ImportFileError(Exception):
    """The file as a whole cannot be read (not a row problem)."""


def load_mapping(path: Path) -> dict[str, str]:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ImportFileError(f"cannot read the mapping {path}: {exc}") from None
    if not isinstance(data, dict):
        raise ImportFileError(f"{path}: the mapping is an object of 'file header: field'")
    mapping: dict[str, str] = {}
    for header, target in data.items():
        if target not in FIELDS:
            raise ImportFileError(
                f"{path}: {header!r} maps to unknown field {target!r}; fields: {', '.join(FIELDS)}"
            )
        mapping[_key(str(header))] = str(target)
    return mapping


def read_table(path: Path) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """Headers and (line, cells) of a CSV (UTF-8, with or without BOM, or GB18030) or XLSX."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise ImportFileError(f"{path}: not UTF-8 or GB18030 text")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        headers = next(reader)
    except StopIteration:
        raise ImportFileError(f"{path}: the file is empty") from None

    def rows() -> Iterator[tuple[int, list[str]]]:
        start = reader.line_num + 1
        for cells in reader:
            line, start = start, reader.line_num + 1
            if any(c.strip() for c in cells):
                yield line, cells

    return headers, rows()


def _read_xlsx(path: Path) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise ImportFileError(f"{path}: not a readable XLSX workbook ({exc})") from None
    sheet = book.worksheets[0]
    cells = sheet.iter_rows(values_only=True)
    try:
        headers = [_cell(v) for v in next(cells)]
    except StopIteration:
        raise ImportFileError(f"{path}: the first sheet is empty") from None

    def rows() -> Iterator[tuple[int, list[str]]]:
        for line, values in enumerate(cells, start=2):
            row = [_cell(v) for v in values]
            if any(c.strip() for c in row):
                yield line, row
        book.close()

    return headers, rows()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a phone number typed into a number cell
    return str(value)


def columns(headers: list[str], mapping: Mapping[str, str], file: str) -> dict[str, int]:
    """field -> column index; unknown headers are ignored, a field found twice is refused."""
    lookup = {_key(alias): name for name, aliases in ALIASES.items() for alias in aliases}
    lookup.update(mapping)
    found: dict[str, int] = {}
    for index, header in enumerate(headers):
        name = lookup.get(_key(header))
        if name is None:
            continue
        if name in found:
            raise ImportFileError(
                f"{file}: columns {headers[found[name]]!r} and {header!r} are both {name!r}"
            )
        found[name] = index
    if "name" not in found and "company" not in found:
        raise ImportFileError(
            f"{file}: no name column (姓名/name or 公司/company); headers: {', '.join(headers)}"
        )
    return found


def validate(
    file: str, line: int, cells: list[str], cols: Mapping[str, int], region: str
) -> tuple[Row | None, list[Problem]]:
    def get(name: str) -> str:
        index = cols.get(name)
        if index is None or index >= len(cells):
            return ""
        return cells[index].strip()

    problems: list[Problem] = []

    def bad(name: str, reason: str) -> None:
        problems.append(Problem(file, line, name, reason))

    name, company = get("name"), get("company")
    kind_text = get("kind")
    kind = KIND_WORDS.get(kind_text.lower()) if kind_text else None
    if kind_text and kind is None:
        bad("kind", f"{kind_text!r} is not individual/个人 or enterprise/企业")
    if kind is None:
        kind = "enterprise" if company else "individual"
    if kind == "enterprise" and not (company or name):
        bad("company", "an enterprise needs a name")
    if kind == "individual" and not name:
        bad("name", "missing")
    phones: list[dict[str, Any]] = []
    for column, phone_type in (("phone", "mobile"), ("office_phone", "office")):
        for number in [n.strip() for n in _SPLIT.split(get(column)) if n.strip()]:
            try:
                normalise(number, region)
            except NotAPhoneNumber as exc:
                bad(column, str(exc))
                continue
            phones.append({"number": number, "type": phone_type})
    emails = [e.strip().lower() for e in _SPLIT.split(get("email")) if e.strip()]
    for address in emails:
        if not is_email(address):
            bad("email", f"{address!r} is not an email address")
    profile: dict[str, Any] = {}
    code = get("credit_code").upper()
    if code:
        if not _CREDIT_CODE.match(code):
            bad("credit_code", f"{code!r} is not an 18-character unified social credit code")
        elif not is_credit_code(code):
            bad(
                "credit_code",
                f"{code!r}: the check character should be {credit_code_check(code[:17])}",
            )
        profile["credit_code"] = code
    limit = get("credit_limit").replace(",", "")
    if limit:
        try:
            amount = Decimal(limit)
            if amount < 0 or not amount.is_finite():
                raise InvalidOperation
            profile["credit_limit"] = amount.quantize(Decimal("0.01"))
        except InvalidOperation:
            bad("credit_limit", f"{limit!r} is not an amount ≥ 0")
    dnc = get("do_not_call").lower()
    if dnc not in YES | NO:
        bad("do_not_call", f"{dnc!r} is not yes/no (是/否)")
    elif dnc in YES:
        profile["do_not_call"] = True
    for name_ in ("country", "website", "size", "company_type", "source_channel", "owner"):
        if get(name_):
            profile[name_] = get(name_)
    if "country" in profile:
        profile["country"] = profile["country"].upper()
        if len(profile["country"]) != 2:
            bad("country", "a two-letter country code (CN, HK, US …)")
    tier = get("tier").upper() or None
    contact_name = name if kind == "enterprise" and company and name else None
    data: dict[str, Any] = {
        "kind": kind,
        "name": (company or name) if kind == "enterprise" else name,
        "external_id": get("external_id") or None,
        "short_name": get("short_name") or None,
        "industry": get("industry") or None,
        "province": get("province") or None,
        "city": get("city") or None,
        "tier": tier,
        "tags": [t.strip() for t in _SPLIT.split(get("tags")) if t.strip()],
    }
    if contact_name:
        data["contacts"] = [{"name": contact_name, "phones": phones, "emails": emails}]
    else:
        data["phones"] = phones
        data["emails"] = emails
    if problems:
        return None, problems
    try:
        customer = CustomerIn.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            loc = [str(p) for p in error["loc"]]
            column = {"phones": "phone", "emails": "email", "contacts": "name"}.get(
                loc[0] if loc else "", loc[0] if loc else "row"
            )
            bad(column, error["msg"].removeprefix("Value error, "))
        return None, problems
    prepared = service.prepare(customer, region)
    return Row(
        line, customer, prepared, profile, list(customer.tags), get("wechat_openid") or None
    ), []


def _numbers_of(row: Row) -> list[str]:
    keys = list(row.prepared["phones"])
    for contact_keys in row.prepared["contacts"]:
        keys.extend(contact_keys)
    return [key.e164 for _, key in keys]


def _emails_of(row: Row) -> list[str]:
    emails = [e.lower() for e in row.customer.emails]
    for contact in row.customer.contacts:
        emails.extend(e.lower() for e in contact.emails)
    return emails


def _is_mobile(e164: str) -> bool:
    import phonenumbers

    kind = phonenumbers.number_type(phonenumbers.parse(e164))
    return kind in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )


def find_existing(conn: Connection, row: Row) -> int | None:
    """The customer this row describes, if stored: by external id, else by phone or email.

    Landlines are shared (a family's home phone, a company switchboard), so a match must not
    merge two people: a customer holding another external id than the row's is someone else;
    among the holders of the row's numbers and emails the one with the row's name wins;
    failing that, a single holder of one of its mobile numbers or emails; else the row is new.
    """
    wanted_id = row.customer.external_id
    if wanted_id:
        found = conn.scalar(select(customers_t.c.id).where(customers_t.c.external_id == wanted_id))
        if found is not None:
            return int(found)
    by_number: dict[int, set[str]] = {}
    numbers = _numbers_of(row)
    if numbers:
        for r in conn.execute(
            select(phones_t.c.customer_id, phones_t.c.e164).where(phones_t.c.e164.in_(numbers))
        ):
            by_number.setdefault(int(r.customer_id), set()).add(r.e164)
    personal = {cid for cid, held in by_number.items() if any(_is_mobile(n) for n in held)}
    emails = _emails_of(row)
    if emails:
        personal.update(
            int(r[0])
            for r in conn.execute(
                select(emails_t.c.customer_id).where(emails_t.c.address.in_(emails)).distinct()
            )
        )
    holders = set(by_number) | personal
    if not holders:
        return None
    candidates = list(
        conn.execute(
            select(customers_t.c.id, customers_t.c.name, customers_t.c.external_id)
            .where(customers_t.c.id.in_(sorted(holders)))
            .order_by(customers_t.c.id)
        )
    )
    if wanted_id:
        candidates = [c for c in candidates if c.external_id in (None, wanted_id)]
    named = [c for c in candidates if c.name == row.customer.name]
    if named:
        return int(named[0].id)
    personal_candidates = [c for c in candidates if c.id in personal]
    if len(personal_candidates) == 1:
        return int(personal_candidates[0].id)
    return None


def apply_row(conn: Connection, row: Row, now: datetime) -> str:
    """Write one valid row: ``added``, ``updated`` or ``unchanged``."""
    existing = find_existing(conn, row)
    if existing is None:
        customer_id = service.create_customer(conn, row.customer, row.prepared, now)
        _extras(conn, customer_id, row, now, new=True)
        return "added"
    changed = _update(conn, existing, row, now)
    changed |= _extras(conn, existing, row, now)
    return "updated" if changed else "unchanged"


def _update(conn: Connection, customer_id: int, row: Row, now: datetime) -> bool:
    current = conn.execute(select(customers_t).where(customers_t.c.id == customer_id)).one()
    data = row.customer
    wanted = {
        name: getattr(data, name)
        for name in ("name", "short_name", "industry", "province", "city", "tier", "external_id")
        if getattr(data, name) is not None
    }
    changes = {k: v for k, v in wanted.items() if getattr(current, k) != v}
    if changes:
        conn.execute(
            update(customers_t)
            .where(customers_t.c.id == customer_id)
            .values(updated_at=now, **changes)
        )
    # numbers and emails the customer does not have yet go on the customer itself
    have_numbers = {
        (r.e164, r.ext)
        for r in conn.execute(
            select(phones_t.c.e164, phones_t.c.ext).where(phones_t.c.customer_id == customer_id)
        )
    }
    contact_id = conn.scalar(
        select(contacts_t.c.id)
        .where(contacts_t.c.customer_id == customer_id)
        .order_by(contacts_t.c.is_primary.desc(), contacts_t.c.id)
        .limit(1)
    )
    new_phones = [
        (phone, key)
        for phone, key in row.prepared["phones"]
        + [k for keys in row.prepared["contacts"] for k in keys]
        if (key.e164, key.ext) not in have_numbers
    ]
    have_emails = {
        r.address
        for r in conn.execute(
            select(emails_t.c.address).where(emails_t.c.customer_id == customer_id)
        )
    }
    new_emails = [e for e in dict.fromkeys(_emails_of(row)) if e not in have_emails]
    if new_phones or new_emails:
        service.insert_numbers(conn, customer_id, contact_id, new_phones, new_emails)
    changed = bool(changes or new_phones or new_emails)
    if changed:
        search_keys.write_keys(conn, customer_id)  # a new name or number is searchable at once
    return changed


def _extras(
    conn: Connection, customer_id: int, row: Row, now: datetime, *, new: bool = False
) -> bool:
    changed = False
    if row.profile:
        current = conn.execute(
            select(profiles_t).where(profiles_t.c.customer_id == customer_id)
        ).first()
        differs = {
            k: v for k, v in row.profile.items() if current is None or getattr(current, k) != v
        }
        if differs:
            if differs.get("do_not_call"):
                differs.setdefault("do_not_call_at", now)
                differs.setdefault("do_not_call_source", "import")
            records.set_profile(conn, customer_id, now, **differs)
            changed = True
    # a tag the customer has, as a counted tag or in the record's own list, is not applied again
    have = {
        r.name
        for r in conn.execute(
            select(tags_t.c.name)
            .join(customer_tags_t, tags_t.c.id == customer_tags_t.c.tag_id)
            .where(customer_tags_t.c.customer_id == customer_id)
        )
    }
    if not new:  # a new customer's tags are in its list already, and get counted once here
        own = conn.scalar(select(customers_t.c.tags).where(customers_t.c.id == customer_id))
        have.update(own or [])
    for name in row.tags:
        if name not in have:
            records.apply_tag(conn, customer_id, "import", name, now)
            changed = True
    if row.openid:
        present = conn.scalar(
            select(channel_ids_t.c.customer_id).where(
                channel_ids_t.c.channel == "wechat_openid", channel_ids_t.c.value == row.openid
            )
        )
        if present is None:
            conn.execute(
                channel_ids_t.insert().values(
                    customer_id=customer_id, channel="wechat_openid", value=row.openid
                )
            )
            changed = True
    return changed


def apply_row_safely(conn: Connection, row: Row, now: datetime, file: str) -> str | Problem:
    """:func:`apply_row` inside a savepoint: a row the database refuses leaves no trace."""
    from sqlalchemy.exc import IntegrityError

    from switchboard.core.errors import SwitchboardError

    savepoint = conn.begin_nested()
    try:
        outcome = apply_row(conn, row, now)
    except IntegrityError as exc:
        savepoint.rollback()
        detail = str(exc.orig).splitlines()[0] if exc.orig else "constraint"
        return Problem(file, row.line, "row", f"refused by the database: {detail}")
    except SwitchboardError as exc:
        savepoint.rollback()
        return Problem(file, row.line, exc.field or "row", exc.message)
    savepoint.commit()
    return outcome


async def import_file(
    database: Any,
    path: Path,
    *,
    region: str,
    now: datetime,
    mapping: Mapping[str, str] | None = None,
    batch: int = 200,
) -> ImportReport:
    """Validate every row of ``path``, write the valid ones, report the rest."""
    import asyncio

    file = path.name
    report = ImportReport(file=str(path))
    headers, rows = read_table(path)
    cols = columns(headers, mapping or {}, file)
    pending: list[Row] = []

    async def flush() -> None:
        outcomes = await asyncio.gather(
            *(
                database.writer.run(lambda c, r=r: apply_row_safely(c, r, now, file))
                for r in pending
            )
        )
        for outcome in outcomes:
            if isinstance(outcome, Problem):
                report.problems.append(outcome)
            else:
                setattr(report, outcome, getattr(report, outcome) + 1)
        pending.clear()

    for line, cells in rows:
        report.rows += 1
        row, problems = validate(file, line, cells, cols, region)
        report.problems.extend(problems)
        if row is not None:
            pending.append(row)
            if len(pending) >= batch:
                await flush()
    if pending:
        await flush()
    report.problems.sort(key=lambda p: (p.line, p.field))
    return report
