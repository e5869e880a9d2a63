"""How to reach FreeSWITCH's event socket, and how to read its channels."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

_TEMPLATE_FIELD = re.compile(r"\{(\w*)\}")


class FreeswitchConfig(BaseModel):
    """The adapter's settings; the server fills them from ``SWITCHBOARD_FREESWITCH_*``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    host: str = Field(default="127.0.0.1", min_length=1, description="event socket address")
    port: int = Field(default=8021, ge=1, le=65535)
    password: SecretStr = Field(description="event_socket.conf.xml's password")
    source: str = Field(
        default="freeswitch",
        min_length=1,
        max_length=100,
        description="the event source name calls are kept under",
    )
    connect_timeout: float = Field(default=5.0, gt=0, description="seconds to connect and log in")
    command_timeout: float = Field(
        default=10.0, gt=0, description="seconds a command or a background job may take"
    )
    originate_timeout: int = Field(
        default=30, ge=1, le=600, description="seconds an agent's phone rings for an originate"
    )
    backoff_initial: float = Field(default=0.5, gt=0, description="first reconnect delay, s")
    backoff_max: float = Field(default=30.0, gt=0, description="longest reconnect delay, s")
    backoff_jitter: float = Field(
        default=0.2, ge=0, lt=1, description="each delay is shortened by up to this fraction"
    )
    reconcile_interval: float = Field(
        default=300.0,
        ge=0,
        description="seconds between checks of FreeSWITCH's channels while connected; 0: only "
        "after a (re)connect",
    )
    reconcile_grace: float = Field(
        default=30.0, ge=0, description="a call younger than this is not ended by a check"
    )
    agents: dict[str, str] = Field(
        default_factory=dict,
        description="SIP user, contact user or mod_callcenter agent name → agent extension "
        "(only where they differ); when set, a phone on an agent profile counts as an agent's "
        "only if listed here (as a key or an extension)",
    )
    agent_profiles: tuple[str, ...] = Field(
        default=("internal",), description="sofia profiles agents' phones register on"
    )
    agent_dial_string: str = Field(
        default="user/{extension}", description="how to ring an agent's phone for an originate"
    )
    outbound_bridge: str | None = Field(
        default=None,
        description="dial string for the customer's leg of an originate, e.g. "
        "sofia/gateway/carrier/{number}; unset: the number goes through the dialplan",
    )
    context: str = Field(
        default="default", pattern=r"^[A-Za-z0-9_.-]+$", description="dialplan context"
    )
    message_file: str = Field(
        default="{message}.wav",
        pattern=r"^[A-Za-z0-9_./${}-]*\{message\}[A-Za-z0-9_./${}-]*$",
        description="the recording play_message plays, {message} being its name; relative "
        "paths are found under FreeSWITCH's sound_prefix",
    )
    keep_queue_domain: bool = Field(
        default=False, description="report queue support@default as is, not as support"
    )

    @field_validator("password")
    @classmethod
    def _one_line(cls, value: SecretStr) -> SecretStr:
        secret = value.get_secret_value()
        if not secret or any(c in secret for c in "\r\n"):
            raise ValueError("the password must be one non-empty line")
        return value

    @field_validator("agent_dial_string")
    @classmethod
    def _agent_template(cls, value: str) -> str:
        return _dial_template(value, "extension")

    @field_validator("outbound_bridge")
    @classmethod
    def _bridge_template(cls, value: str | None) -> str | None:
        return None if value is None else _dial_template(value, "number")

    @model_validator(mode="after")
    def _backoff_order(self) -> FreeswitchConfig:
        if self.backoff_initial > self.backoff_max:
            raise ValueError("backoff_initial must not exceed backoff_max")
        return self


def _dial_template(value: str, placeholder: str) -> str:
    if not value or any(c in value for c in "\r\n "):
        raise ValueError("a dial string is one word: no spaces or line breaks")
    unknown = set(_TEMPLATE_FIELD.findall(value)) - {placeholder}
    if unknown:
        raise ValueError(f"unknown placeholder {{{sorted(unknown)[0]}}}; use {{{placeholder}}}")
    if "{" + placeholder + "}" not in value:
        raise ValueError(f"the dial string needs {{{placeholder}}}")
    return value
