"""How to reach Asterisk's manager interface and read its channels."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

_DIALPLAN_NAME = re.compile(r"[A-Za-z0-9_\-.+*#]{1,80}")


class AsteriskConfig(BaseModel):
    """Settings of one Asterisk AMI connection (see docs/cti/asterisk.md)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    host: str = Field(default="127.0.0.1", min_length=1, description="Asterisk's address")
    port: int = Field(default=5038, ge=1, le=65535, description="manager port (5039 with TLS)")
    username: str = Field(min_length=1, max_length=80, description="the [user] in manager.conf")
    secret: SecretStr = Field(description="its secret")
    source: str = Field(
        default="asterisk",
        min_length=1,
        max_length=100,
        description="the event source name calls are kept under on the server",
    )
    tls: bool = Field(default=False, description="connect with TLS (manager.conf tlsenable)")
    tls_ca_file: Path | None = Field(default=None, description="CA bundle to check Asterisk by")
    connect_timeout: float = Field(default=5.0, gt=0)
    action_timeout: float = Field(default=10.0, gt=0, description="wait this long for answers")
    ping_interval: float = Field(default=20.0, gt=0, description="keepalive Ping every N s")
    ping_timeout: float = Field(default=10.0, gt=0, description="reconnect if no Pong by then")
    reconcile_interval: float = Field(
        default=600.0, gt=0, description="compare calls with CoreShowChannels every N s"
    )
    reconnect_initial: float = Field(default=0.5, gt=0, description="first reconnect delay, s")
    reconnect_max: float = Field(default=30.0, gt=0, description="longest reconnect delay, s")
    reconnect_jitter: float = Field(default=0.2, ge=0, le=1, description="± share of a delay")
    agents: dict[str, str] = Field(
        default_factory=dict,
        description="interface → agent extension, e.g. {'PJSIP/alice': '1001'}; needed only "
        "where the endpoint is not named by the extension",
    )
    extension_pattern: str = Field(
        default=r"\d{2,6}",
        description="an endpoint whose name matches this is the agent with that extension "
        "(PJSIP/1001 → 1001); empty: only the agents map",
    )
    originate_channel: str = Field(
        default="PJSIP/{extension}", description="the agent's phone for Originate"
    )
    originate_context: str = Field(default="agents", description="dialplan context to dial in")
    originate_timeout: float = Field(default=30.0, gt=0, description="agent's phone rings N s")
    transfer_context: str = Field(default="agents", description="context transfers dial in")
    message_context: str = Field(
        default="switchboard-messages",
        description="context a call is redirected to for a recorded message (play_message): "
        "its extension is the message's name; it plays the recording and hangs up",
    )

    @field_validator("extension_pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from None
        return value

    @field_validator("originate_context", "transfer_context", "message_context")
    @classmethod
    def _dialplan_name(cls, value: str) -> str:
        if not _DIALPLAN_NAME.fullmatch(value):
            raise ValueError("a dialplan context is letters, digits and _-.+*#")
        return value

    @field_validator("originate_channel")
    @classmethod
    def _has_extension(cls, value: str) -> str:
        if "{extension}" not in value or "\n" in value or "\r" in value:
            raise ValueError("originate_channel must contain {extension}, e.g. PJSIP/{extension}")
        return value

    @field_validator("agents")
    @classmethod
    def _agents(cls, value: dict[str, str]) -> dict[str, str]:
        for iface, extension in value.items():
            if "/" not in iface:
                raise ValueError(f"{iface!r} is not an interface such as PJSIP/alice")
            if not _DIALPLAN_NAME.fullmatch(extension):
                raise ValueError(f"{extension!r} is not an extension")
        return value

    @model_validator(mode="after")
    def _backoff(self) -> Self:
        if self.reconnect_max < self.reconnect_initial:
            raise ValueError("reconnect_max must be at least reconnect_initial")
        return self
