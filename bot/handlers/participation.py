"""Participants in control: pause, resume, leave, forget-me, status."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.deps import Deps
from bot.flows import effects
from bot.flows import participation as flows
from bot.handlers.commands import COMMAND, CommandCall, SubCommand
from bot.handlers.listen import action
from bot.handlers.payload import record_id, team_id_of, user_id_of
from bot.services.errors import DomainError
from bot.services.participation import DEFAULT_PAUSE_WEEKS, MAX_PAUSE_WEEKS
from bot.views.ids import ActionId
from bot.views.messages import HelpEntry
from bot.views.participation import (
    FORGOTTEN_TEXT,
    forget_confirmation,
    left_text,
    paused_text,
    resumed_text,
)


def _weeks(args: str) -> int:
    if not args:
        return DEFAULT_PAUSE_WEEKS
    word = args.split()[0]
    # ASCII digits only: "²" passes isdigit() but not int(), and a thousand digits would
    # make a number no pause could use.
    if not (word.isascii() and word.isdigit()) or len(word) > 3:
        raise DomainError(
            f"Say how many weeks, from 1 to {MAX_PAUSE_WEEKS}: e.g. `{COMMAND} pause 3`."
        )
    return int(word)


def show_status(call: CommandCall) -> None:
    text, blocks = flows.status(call.deps, team_id=call.team_id, user_id=call.user_id)
    call.ack(response_type="ephemeral", text=text, blocks=blocks)


def pause_command(call: CommandCall) -> None:
    until, then = flows.pause(
        call.deps, team_id=call.team_id, user_id=call.user_id, weeks=_weeks(call.args)
    )
    call.ack(response_type="ephemeral", text=paused_text(until))
    effects.run(then, deps=call.deps, client=call.client)


def resume_command(call: CommandCall) -> None:
    was_paused, then = flows.resume(call.deps, team_id=call.team_id, user_id=call.user_id)
    call.ack(response_type="ephemeral", text=resumed_text(was_paused))
    effects.run(then, deps=call.deps, client=call.client)


def leave_command(call: CommandCall) -> None:
    program_name, then = flows.leave(call.deps, team_id=call.team_id, user_id=call.user_id)
    call.ack(response_type="ephemeral", text=left_text(program_name))
    effects.run(then, deps=call.deps, client=call.client)


def forget_command(call: CommandCall) -> None:
    call.ack(response_type="ephemeral", text="Delete your data?", blocks=forget_confirmation())


def on_forget_confirmed(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    ack()
    deps = Deps.of(context)
    then = flows.forget(deps, team_id=team_id_of(body), user_id=user_id_of(body))
    respond(replace_original=True, text=FORGOTTEN_TEXT)
    effects.run(then, deps=deps, client=client)


def on_pause_button(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    pausing = action["action_id"] == ActionId.PAUSE
    weeks = record_id(action.get("value") or str(DEFAULT_PAUSE_WEEKS)) if pausing else 0
    ack()
    deps, team_id, user_id = Deps.of(context), team_id_of(body), user_id_of(body)
    if pausing:
        _, then = flows.pause(deps, team_id=team_id, user_id=user_id, weeks=weeks)
    else:
        _, then = flows.resume(deps, team_id=team_id, user_id=user_id)
    effects.run(then, deps=deps, client=client)


def _entry(usage: str, summary: str) -> HelpEntry:
    return HelpEntry(f"{COMMAND} {usage}", summary)


COMMANDS = (
    SubCommand(
        "status",
        show_status,
        _entry("status", "what the app holds about you and what happens next"),
    ),
    SubCommand(
        "pause",
        pause_command,
        _entry(
            "pause [weeks]",
            f"no matching or prompts for a while (default {DEFAULT_PAUSE_WEEKS} weeks)",
        ),
    ),
    SubCommand("resume", resume_command, _entry("resume", "end a pause early")),
    SubCommand(
        "leave", leave_command, _entry("leave", "leave the program (your partner is told kindly)")
    ),
    SubCommand(
        "forget-me",
        forget_command,
        _entry("forget-me", "delete everything the app holds about you"),
    ),
)
LISTENERS = (
    action(ActionId.FORGET_ME_CONFIRM, on_forget_confirmed),
    action(ActionId.PAUSE, on_pause_button),
    action(ActionId.RESUME, on_pause_button),
)
