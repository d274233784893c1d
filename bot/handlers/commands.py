"""The `/mentoring` slash command: splits off the sub-command and hands it to its feature."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.handlers.deps import Deps, team_id_of
from bot.views.messages import HelpEntry, help_blocks, help_text

COMMAND = "/mentoring"


@dataclass(frozen=True)
class CommandCall:
    """One `/mentoring <name> <args>` invocation, with what a sub-command needs to answer it."""

    name: str
    args: str
    user_id: str
    team_id: str
    channel_id: str
    trigger_id: str
    ack: Ack
    respond: Respond
    client: WebClient


SubCommand = Callable[[CommandCall], None]


@dataclass(frozen=True)
class _Entry:
    handler: SubCommand
    help: HelpEntry


class CommandRouter:
    """Sub-commands registered by the feature modules; unknown ones get help, never silence."""

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}
        # The list is the same for everyone, so it is rendered once (blocks as dicts, as
        # ack() would turn them) rather than on every `/mentoring help`.
        self._help_reply: tuple[str, list[dict[str, Any]]] | None = None
        self.add("help", self._help, HelpEntry(f"{COMMAND} help", "shows this list"))

    def add(self, name: str, handler: SubCommand, help_entry: HelpEntry) -> None:
        self._entries[name] = _Entry(handler, help_entry)
        self._help_reply = None

    @property
    def help_entries(self) -> list[HelpEntry]:
        return [e.help for e in self._entries.values()]

    def dispatch(self, call: CommandCall) -> None:
        entry = self._entries.get(call.name)
        if entry is None:
            call.ack(
                response_type="ephemeral",
                text=help_text(self.help_entries),
                blocks=help_blocks(self.help_entries, unknown=call.name),
            )
            return
        entry.handler(call)

    def _help(self, call: CommandCall) -> None:
        if self._help_reply is None:
            entries = self.help_entries
            self._help_reply = help_text(entries), [b.to_dict() for b in help_blocks(entries)]
        text, blocks = self._help_reply
        call.ack(response_type="ephemeral", text=text, blocks=blocks)


def parse_command_text(text: str) -> tuple[str, str]:
    """`"join now"` -> `("join", "now")`; empty text means help."""
    name, _, args = text.strip().partition(" ")
    return (name.lower() or "help"), args.strip()


def register(app: App, deps: Deps, router: CommandRouter) -> None:
    @app.command(COMMAND)
    def on_command(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        name, args = parse_command_text(body.get("text") or "")
        router.dispatch(
            CommandCall(
                name=name,
                args=args,
                user_id=body["user_id"],
                team_id=team_id_of(body),
                channel_id=body.get("channel_id", ""),
                trigger_id=body["trigger_id"],
                ack=ack,
                respond=respond,
                client=client,
            )
        )
