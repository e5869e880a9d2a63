"""The console's own settings: language, theme, keymap, break reasons, dispositions.

Read from a TOML file (``SWITCHBOARD_CONSOLE_CONFIG``, else ``$XDG_CONFIG_HOME/switchboard/
console.toml``, else ``~/.config/switchboard/console.toml``) and from environment variables
``SWITCHBOARD_CONSOLE__<FIELD>`` (which win), e.g.
``SWITCHBOARD_CONSOLE__KEYMAP='{"console.available": "f7"}'``.

A keymap maps binding ids (shown in docs/console.md) to keys, comma-separated for several.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

CONFIG_ENV = "SWITCHBOARD_CONSOLE_CONFIG"
THEMES = ("textual-dark", "textual-light")


def config_path(environ: Mapping[str, str] = os.environ) -> Path:
    """Where the console looks for its TOML file."""
    if environ.get(CONFIG_ENV):
        return Path(environ[CONFIG_ENV])
    base = environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "switchboard" / "console.toml"


class ConsoleConfig(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SWITCHBOARD_CONSOLE__", extra="ignore")

    language: str | None = Field(default=None, description="en or zh; default from LANG")
    theme: str = Field(default="textual-dark", description="a Textual theme name")
    keymap: dict[str, str] = Field(default_factory=dict, description="binding id → keys")
    default_flow: str = Field(default="complaint-intake", description="the script to run")
    break_reasons: list[str] = Field(
        default_factory=lambda: ["lunch", "rest", "training", "meeting"]
    )
    dispositions: list[str] = Field(
        default_factory=lambda: ["resolved", "request_created", "callback", "complaint", "other"]
    )
    notes_required_for: list[str] = Field(default_factory=lambda: ["callback", "complaint"])
    wrap_up_seconds: float = Field(
        default=300.0,
        gt=0,
        description="after-call work once a call ends; then the server makes the agent available",
    )

    @field_validator("language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        if value is not None and not value.lower().startswith(("en", "zh")):
            raise ValueError("language must be en or zh")
        return value


def load_config(path: Path | None = None, **overrides: Any) -> ConsoleConfig:
    """The settings from ``path`` (default ``config_path()``), the environment and overrides."""
    toml_file = path or config_path()

    class _WithFile(ConsoleConfig):
        @classmethod
        def settings_customise_sources(
            cls,
            settings_cls: type[BaseSettings],
            init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            return (
                init_settings,
                env_settings,
                TomlConfigSettingsSource(settings_cls, toml_file=toml_file),
            )

    return ConsoleConfig.model_validate(_WithFile(**overrides).model_dump())
