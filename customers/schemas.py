"""Wire shapes of the customers API."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from customers.model import PhoneType, is_email
from switchboard.core.wire import CustomerSummary


class PhoneIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    number: str = Field(min_length=1, max_length=80)
    ext: str | None = Field(default=None, max_length=10, pattern=r"^\d{1,10}$")
    type: PhoneType = PhoneType.OTHER


def _phones(value: Any) -> Any:
    if isinstance(value, list):
        return [{"number": item} if isinstance(item, str) else item for item in value]
    return value


def _check_emails(value: list[str]) -> list[str]:
    for address in value:
        if not is_email(address):
            raise ValueError(f"{address!r} is not an email address")
    return value


class ContactIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    title: str | None = Field(default=None, max_length=100)
    phones: list[PhoneIn] = Field(default_factory=list, max_length=20)
    emails: list[str] = Field(default_factory=list, max_length=20)

    _phones = field_validator("phones", mode="before")(_phones)
    _emails = field_validator("emails")(_check_emails)


class CustomerIn(BaseModel):
    """A new customer. Phones are strings or {"number","ext","type"}."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: Literal["individual", "enterprise"]
    name: str = Field(min_length=1, max_length=200)
    external_id: str | None = Field(default=None, min_length=1, max_length=100)
    short_name: str | None = Field(default=None, max_length=100)
    industry: str | None = Field(default=None, max_length=100)
    province: str | None = Field(default=None, max_length=60)
    city: str | None = Field(default=None, max_length=60)
    tier: Literal["A", "B", "C"] | None = None
    tags: list[str] = Field(default_factory=list, max_length=50)
    phones: list[PhoneIn] = Field(default_factory=list, max_length=20)
    emails: list[str] = Field(default_factory=list, max_length=20)
    contacts: list[ContactIn] = Field(default_factory=list, max_length=200)

    _phones = field_validator("phones", mode="before")(_phones)
    _emails = field_validator("emails")(_check_emails)

    @model_validator(mode="after")
    def _contacts_for_enterprises(self) -> CustomerIn:
        if self.kind == "individual" and self.contacts:
            raise ValueError(
                "an individual customer is its own contact: 'contacts' is for enterprises"
            )
        return self


class CreatedOut(BaseModel):
    id: int


class LookupQuery(BaseModel):
    phone: str = Field(max_length=80)
    region: str | None = Field(default=None, min_length=2, max_length=2)
    dnis: str | None = Field(default=None, max_length=80)
    trunk: str | None = Field(default=None, max_length=100)


class SearchQuery(BaseModel):
    q: str = Field(max_length=200)
    limit: int = Field(default=10, ge=1, le=50)


class SearchResult(BaseModel):
    customer_id: int
    contact_id: int | None
    name: str
    customer_name: str
    kind: Literal["individual", "enterprise"]
    tier: str | None
    number: str | None
    email: str | None
    matched: str = Field(description="name, company, pinyin, initials, phone, email or typo")
    score: float


class SearchOut(BaseModel):
    query: str
    results: list[SearchResult]


class QuickCreatedOut(CustomerSummary):
    created: bool = Field(description="false when an earlier request made this customer")


class QuickCreateIn(BaseModel):
    """An unknown caller, made a customer in one call: the number and, if said, a name."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    number: str = Field(min_length=1, max_length=80)
    name: str | None = Field(default=None, min_length=1, max_length=200)
    ext: str | None = Field(default=None, max_length=10, pattern=r"^\d{1,10}$")
    dnis: str | None = Field(default=None, max_length=80, description="the number called")
    request_id: str | None = Field(
        default=None, min_length=1, max_length=100, description="a retry with it is a no-op"
    )


class BlockIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    number: str = Field(min_length=1, max_length=80)
    reason: str | None = Field(default=None, max_length=200)
