"""The `/mentoring` slash command: splits off the sub-command and hands it to its feature.

Feature modules list their sub-commands in a `COMMANDS` table; a coordinators-only one is
checked here, on the server, before its handler runs (a refusal is the command's answer).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.deps import Deps
from bot.flows.coordinators import is_listed, require_coordinator
from bot.handlers.payload import team_id_of
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
    deps: Deps


@dataclass(frozen=True)
class SubCommand:
    name: str
    handler: Callable[[CommandCall], None]
    help: HelpEntry


class CommandRouter:
    """Sub-commands from the feature modules; unknown ones get help, never silence."""

    def __init__(self, commands: Iterable[SubCommand] = ()) -> None:
        self._entries: dict[str, SubCommand] = {}
        self.add(SubCommand("help", self._help, HelpEntry(f"{COMMAND} help", "shows this list")))
        for command in commands:
            self.add(command)
        # The lists are the same for everyone of a kind, so each is rendered once (blocks as
        # dicts, as ack() would turn them) rather than on every `/mentoring help`.
        self._replies: dict[bool, tuple[str, list[dict[str, Any]]]] = {}

    def add(self, command: SubCommand) -> None:
        self._entries[command.name] = command

    def help_entries(self, *, coordinator: bool) -> list[HelpEntry]:
        return [
            c.help for c in self._entries.values() if coordinator or not c.help.coordinators_only
        ]

    def dispatch(self, call: CommandCall) -> None:
        entry = self._entries.get(call.name)
        if entry is None:
            entries = self.help_entries(coordinator=self._coordinator(call))
            call.ack(
                response_type="ephemeral",
                text=help_text(entries),
                blocks=help_blocks(entries, unknown=call.name),
            )
            return
        if entry.help.coordinators_only:
            require_coordinator(call.deps, call.client, team_id=call.team_id, user_id=call.user_id)
        entry.handler(call)

    @staticmethod
    def _coordinator(call: CommandCall) -> bool:
        """For what the help lists (rights are always checked afresh): named, or an admin
        as Slack said in the last few minutes."""
        return is_listed(call.deps, team_id=call.team_id, user_id=call.user_id) or (
            call.deps.admins.is_admin(call.client, team_id=call.team_id, user_id=call.user_id)
        )

    def _help(self, call: CommandCall) -> None:
        coordinator = self._coordinator(call)
        if coordinator not in self._replies:
            entries = self.help_entries(coordinator=coordinator)
            listing = help_blocks(entries, more_for_coordinators=not coordinator)
            self._replies[coordinator] = help_text(entries), [b.to_dict() for b in listing]
        text, blocks = self._replies[coordinator]
        call.ack(response_type="ephemeral", text=text, blocks=blocks)


def parse_command_text(text: str) -> tuple[str, str]:
    """`"join now"` -> `("join", "now")`; empty text means help."""
    name, _, args = text.strip().partition(" ")
    return (name.lower() or "help"), args.strip()


def register(app: App, router: CommandRouter) -> None:
    @app.command(COMMAND)
    def on_command(
        ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, context: BoltContext
    ) -> None:
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
                deps=Deps.of(context),
            )
        )
