"""Configuration from ``SWITCHBOARD_*`` environment variables or a TOML file.

The TOML file is named by ``SWITCHBOARD_CONFIG``; environment variables win over it.
Defaults serve the demo: SQLite and the search index under ``./var``, bound to loopback.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)


class PhoneSettings(BaseModel):
    """Phone identity: ``SWITCHBOARD_PHONE__REGION_BY_DNIS='{"85230012345": "HK"}'`` etc."""

    region_by_dnis: dict[str, str] = Field(
        default_factory=dict,
        description="region for numbers without a country code, by the number dialled (DNIS)",
    )
    region_by_trunk: dict[str, str] = Field(
        default_factory=dict,
        description="the same by trunk: the telephony source the call came from; wins over DNIS",
    )
    shared_number_contacts: int = Field(
        default=5,
        ge=2,
        description="contacts of one customer sharing a number that make it "
        "a company line: the lookup shows the company with them, not each one",
    )
    quick_create_window_s: float = Field(
        default=300.0,
        ge=0,
        description="a quick-create of the same number within this many "
        "seconds returns the customer made first",
    )

    @field_validator("region_by_dnis", "region_by_trunk")
    @classmethod
    def _regions(cls, value: dict[str, str]) -> dict[str, str]:
        for key, region in value.items():
            if len(region) != 2 or not region.isalpha():
                raise ValueError(f"{key!r}: {region!r} is not a two-letter region code")
        return {k: v.upper() for k, v in value.items()}


class ValueSettings(BaseModel):
    """Thresholds of ``switchboard segments refresh`` (docs/customers.md explains each)."""

    model_config = ConfigDict(extra="forbid")

    abc_a_share: float = Field(default=0.80, gt=0, le=1)
    abc_b_share: float = Field(default=0.95, gt=0, le=1)
    clv_margin_rate: float = Field(default=0.3, ge=0, le=1)
    clv_discount_rate: float = Field(default=0.1, ge=0, lt=10)
    clv_horizon_periods: int = Field(default=5, ge=1, le=50)
    clv_period_days: int = Field(default=365, ge=1)
    clv_default_retention: float = Field(default=0.6, ge=0, lt=1)
    rules_min_support: float = Field(default=0.01, gt=0, le=1)
    rules_min_confidence: float = Field(default=0.2, gt=0, le=1)
    rules_min_lift: float = Field(default=1.2, ge=0)
    rules_max_antecedent: int = Field(default=2, ge=1, le=4)
    rules_min_count: int = Field(default=3, ge=1)
    churn_silence_factor: float = Field(default=2.0, gt=0)
    churn_window_days: int = Field(default=180, ge=1)
    churn_frequency_drop: float = Field(default=0.5, gt=0, le=1)
    churn_complaints_threshold: int = Field(default=2, ge=1)
    recommendations: int = Field(default=3, ge=0, le=20)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SWITCHBOARD_", extra="forbid", env_nested_delimiter="__"
    )

    data_dir: Path = Field(default=Path("var"), description="holds the SQLite file and the index")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; default sqlite+aiosqlite:///<data_dir>/switchboard.db",
    )
    database_schema: str | None = Field(
        default=None, description="PostgreSQL schema (search_path) to keep Switchboard's tables in"
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    default_region: str = Field(default="CN", min_length=2, max_length=2)
    phone: PhoneSettings = Field(default_factory=PhoneSettings)
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    outbox_retention_hours: float = Field(default=72.0, gt=0)
    replay_limit: int = Field(default=1000, ge=1, description="messages replayed on reconnect")
    log_level: str = "INFO"
    floor_timezone: str = Field(
        default="Asia/Shanghai",
        description="the business day of the wallboard's and reports' 'today' (IANA zone name)",
    )
    targets_file: Path | None = Field(
        default=None,
        description="TOML file of targets per team, region, agent or queue (docs/metrics.md): "
        "attainment on the wallboard and in `switchboard report leaderboard|targets`",
    )
    cti_rate: float = Field(default=1000.0, gt=0, description="events/s each CTI source may post")
    cti_burst: float = Field(default=2000.0, ge=1, description="events a CTI source may burst")
    cti_secrets: dict[str, SecretStr] = Field(
        default_factory=dict,
        description="per CTI source (its token's name): the secret its JSON posts are signed "
        "with (X-Switchboard-Signature, hex HMAC-SHA256 of the body), e.g. "
        "SWITCHBOARD_CTI_SECRETS__PBX1",
    )
    sweep_interval: float = Field(
        default=30.0, gt=0, description="seconds between sweeps for calls that cannot be live"
    )
    sweep_ringing_after: float = Field(
        default=600.0, gt=0, description="a ringing call silent this many seconds is ended"
    )
    sweep_live_after: float = Field(
        default=14400.0,
        gt=0,
        description="an answered or held call silent this many seconds is ended",
    )
    adapter_watch_interval: float = Field(
        default=5.0, gt=0, description="seconds between checks that phone-system links are up"
    )
    public_url: str | None = Field(
        default=None,
        description="the URL the outside world reaches this server by (behind a proxy); "
        "webhook signatures are checked against it",
    )
    twilio_auth_token: SecretStr | None = Field(
        default=None, description="the Twilio account's auth token; webhooks are refused without"
    )
    twilio_source: str = Field(default="twilio", min_length=1, max_length=100)
    twilio_queue: str = Field(default="default", min_length=1, max_length=64)
    asterisk: dict[str, Any] | None = Field(
        default=None,
        description="Asterisk manager (AMI) connection, e.g. SWITCHBOARD_ASTERISK__HOST; "
        "the server connects when a username is set",
    )
    freeswitch: dict[str, Any] | None = Field(
        default=None,
        description="FreeSWITCH event socket connection, e.g. SWITCHBOARD_FREESWITCH__PASSWORD; "
        "the server connects when a password is set",
    )
    lead_scoring_rules: Path | None = Field(
        default=None, description="lead scoring rules (TOML); default: the packaged rules"
    )

    value: ValueSettings = Field(
        default_factory=ValueSettings,
        description="customer value thresholds, e.g. SWITCHBOARD_VALUE__RULES_MIN_SUPPORT=0.02",
    )

    @field_validator("default_region")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()

    @field_validator("floor_timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"unknown time zone {value!r} (an IANA name like Asia/Shanghai)"
            ) from exc
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = os.environ.get("SWITCHBOARD_CONFIG")
        if config_file:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(config_file)))
        return tuple(sources)

    @property
    def resolved_database_url(self) -> str:
        """The URL with its async driver: plain postgresql:// and sqlite:/// are accepted."""
        if self.database_url:
            url = self.database_url
            for plain, driver in (
                ("postgresql://", "postgresql+asyncpg://"),
                ("postgres://", "postgresql+asyncpg://"),
                ("sqlite://", "sqlite+aiosqlite://"),
            ):
                if url.startswith(plain):
                    return driver + url[len(plain) :]
            return url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'switchboard.db').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")

    def with_overrides(self, **changes: Any) -> Settings:
        return self.model_copy(update=changes)


class ConfigError(Exception):
    """The configuration cannot be used; the message says which file or variable and why."""


def load_settings(**overrides: Any) -> Settings:
    """Read the settings, turning validation problems into one readable ConfigError."""
    from pydantic import ValidationError

    config_file = os.environ.get("SWITCHBOARD_CONFIG")
    if config_file and not Path(config_file).is_file():
        raise ConfigError(f"SWITCHBOARD_CONFIG names {config_file}, which is not a file")
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        where = config_file or "SWITCHBOARD_* environment"
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"bad configuration in {where}: {problems}") from None
    except Exception as exc:  # a TOML syntax error names file, line and column
        raise ConfigError(f"cannot read {config_file}: {exc}") from None
