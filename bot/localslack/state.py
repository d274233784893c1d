"""What a Slack workspace holds, as the local workspace keeps it: conversations and their
messages, files, each person's open modals and App Home tab.

Plain data guarded by the emulator's lock; every change bumps `version`, which the browser
waits on to redraw.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Literal

BOT_USER_ID = "UBOTMENTOR"
BOT_ID = "BMENTOR"

Kind = Literal["channel", "im", "mpim"]


@dataclass
class SlackUser:
    id: str
    name: str
    tz: str = "Europe/London"
    tz_offset: int = 0
    is_admin: bool = False
    is_owner: bool = False
    deleted: bool = False
    is_bot: bool = False
    real_name: str | None = None
    title: str = ""

    @property
    def display_name(self) -> str:
        return self.real_name or self.name.title()


@dataclass
class Conversation:
    id: str
    kind: Kind
    name: str = ""
    members: list[str] = field(default_factory=list)  # people; the app is in every one


@dataclass
class Message:
    ts: str
    channel: str
    user: str  # who wrote it: BOT_USER_ID, or a person
    text: str = ""
    blocks: list[dict[str, Any]] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    only_for: str | None = None  # an ephemeral message: shown to this person alone
    edited: bool = False


@dataclass
class UploadedFile:
    """A file uploaded the files_upload_v2 way; `channel` is set once it is shared."""

    id: str
    filename: str
    length: int
    content: bytes | None = None
    title: str | None = None
    channel: str | None = None
    initial_comment: str | None = None


@dataclass(frozen=True)
class ResponseContext:
    """Where a response_url's answers go: to whom, in which conversation, replacing what."""

    user: str
    channel: str
    message_ts: str | None = None


def dm_channel(user_id: str) -> str:
    """The app's DM with a person."""
    return "D" + user_id[1:]


def group_dm_id(users: list[str]) -> str:
    """A group DM's id: the same for the same people, whatever their order."""
    digest = hashlib.sha256(",".join(sorted(users)).encode()).hexdigest()[:10].upper()
    return "G" + digest


@dataclass
class WorkspaceState:
    conversations: dict[str, Conversation] = field(default_factory=dict)
    messages: dict[str, list[Message]] = field(default_factory=dict)
    # Each person's open modals, bottom first (view ids into the emulator's `views`).
    stacks: dict[str, list[str]] = field(default_factory=dict)
    # Inline errors a submission answered with, by view id: block id -> message.
    view_errors: dict[str, dict[str, str]] = field(default_factory=dict)
    version: int = 0

    def conversation(self, channel: str, *, kind: Kind = "channel") -> Conversation:
        found = self.conversations.get(channel)
        if found is None:
            found = self.conversations[channel] = Conversation(id=channel, kind=kind)
        return found

    def dm(self, user_id: str) -> Conversation:
        found = self.conversation(dm_channel(user_id), kind="im")
        if not found.members:
            found.members = [user_id]
        return found

    def post(self, message: Message) -> Message:
        self.messages.setdefault(message.channel, []).append(message)
        return message

    def find(self, channel: str, ts: str) -> Message | None:
        return next((m for m in self.messages.get(channel, []) if m.ts == ts), None)

    def remove(self, channel: str, ts: str) -> None:
        kept = [m for m in self.messages.get(channel, []) if m.ts != ts]
        self.messages[channel] = kept

    def open_modal(self, user: str, view_id: str, *, push: bool) -> None:
        stack = self.stacks.setdefault(user, [])
        if not push:
            stack.clear()
        stack.append(view_id)

    def close_modal(self, user: str, view_id: str | None = None) -> None:
        """Close the top modal (or the one named, and the ones above it)."""
        stack = self.stacks.get(user, [])
        if view_id is not None and view_id in stack:
            del stack[stack.index(view_id) :]
        elif stack:
            stack.pop()

    def modal_of(self, view_id: str) -> str | None:
        """Whose modal stack holds this view."""
        return next((u for u, stack in self.stacks.items() if view_id in stack), None)
