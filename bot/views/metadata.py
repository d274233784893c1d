"""Typed private_metadata for modals, serialized as small JSON."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ConfigDict

M = TypeVar("M", bound="ViewMetadata")

PRIVATE_METADATA_LIMIT = 3000  # Slack's limit on private_metadata


class ViewMetadata(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    def dump(self) -> str:
        text = self.model_dump_json(exclude_defaults=True)
        assert len(text) <= PRIVATE_METADATA_LIMIT
        return text

    @classmethod
    def load(cls: type[M], text: str | None) -> M:
        return cls.model_validate_json(text) if text else cls()


class SignupMetadata(ViewMetadata):
    editing: bool = False
    program_name: str = ""
    from_home: bool = False  # opened from the App Home, which then shows the saved profile
