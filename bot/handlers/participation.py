"""Participants in control: pause, resume, leave, forget-me, status."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.handlers.commands import COMMAND, CommandCall, CommandRouter
from bot.handlers.deps import Deps, record_id, team_id_of, user_id_of
from bot.handlers.home import publish_home
from bot.services.errors import DomainError
from bot.services.participation import (
    DEFAULT_PAUSE_WEEKS,
    MAX_PAUSE_WEEKS,
    forget,
    leave,
    pause,
    resume,
    status_of,
)
from bot.views.ids import ActionId
from bot.views.messages import HelpEntry
from bot.views.participation import (
    FORGOTTEN_TEXT,
    PARTNER_LEFT_TEXT,
    forget_confirmation,
    left_text,
    paused_text,
    resumed_text,
    status_blocks,
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


def _tell_partners(client: WebClient, partners: list[str]) -> None:
    for partner in partners:
        client.chat_postMessage(channel=partner, text=PARTNER_LEFT_TEXT)


def register(app: App, deps: Deps, router: CommandRouter) -> None:
    def do_pause(call: CommandCall) -> None:
        weeks = _weeks(call.args)
        with deps.session_factory.begin() as db_session:
            until = pause(
                db_session,
                team_id=call.team_id,
                user_id=call.user_id,
                weeks=weeks,
                now=deps.clock(),
            )
        call.ack(response_type="ephemeral", text=paused_text(until))
        publish_home(deps, call.client, team_id=call.team_id, user_id=call.user_id)

    def do_resume(call: CommandCall) -> None:
        with deps.session_factory.begin() as db_session:
            was_paused = resume(
                db_session, team_id=call.team_id, user_id=call.user_id, now=deps.clock()
            )
        call.ack(response_type="ephemeral", text=resumed_text(was_paused))
        publish_home(deps, call.client, team_id=call.team_id, user_id=call.user_id)

    def do_leave(call: CommandCall) -> None:
        with deps.session_factory.begin() as db_session:
            departure = leave(
                db_session, team_id=call.team_id, user_id=call.user_id, now=deps.clock()
            )
        call.ack(response_type="ephemeral", text=left_text(departure.program_name))
        _tell_partners(call.client, departure.partners_to_tell)
        publish_home(deps, call.client, team_id=call.team_id, user_id=call.user_id)

    def do_forget(call: CommandCall) -> None:
        call.ack(response_type="ephemeral", text="Delete your data?", blocks=forget_confirmation())

    def do_status(call: CommandCall) -> None:
        with deps.session_factory.begin() as db_session:
            report = status_of(
                db_session, team_id=call.team_id, user_id=call.user_id, now=deps.clock()
            )
            text, blocks = status_blocks(report)
        call.ack(response_type="ephemeral", text=text, blocks=blocks)

    for name, handler, usage, summary in (
        ("status", do_status, "status", "what the app holds about you and what happens next"),
        (
            "pause",
            do_pause,
            "pause [weeks]",
            f"no matching or prompts for a while (default {DEFAULT_PAUSE_WEEKS} weeks)",
        ),
        ("resume", do_resume, "resume", "end a pause early"),
        ("leave", do_leave, "leave", "leave the program (your partner is told kindly)"),
        ("forget-me", do_forget, "forget-me", "delete everything the app holds about you"),
    ):
        router.add(name, handler, HelpEntry(f"{COMMAND} {usage}", summary))

    @app.action(ActionId.FORGET_ME_CONFIRM)
    def on_forget_confirmed(
        ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        team_id, user_id = team_id_of(body), user_id_of(body)
        with deps.session_factory.begin() as db_session:
            departure = forget(db_session, team_id=team_id, user_id=user_id, now=deps.clock())
        respond(replace_original=True, text=FORGOTTEN_TEXT)
        _tell_partners(client, departure.partners_to_tell)
        publish_home(deps, client, team_id=team_id, user_id=user_id)

    @app.action(ActionId.PAUSE)
    @app.action(ActionId.RESUME)
    def on_pause_button(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
    ) -> None:
        pausing = action["action_id"] == ActionId.PAUSE
        weeks = record_id(action.get("value") or str(DEFAULT_PAUSE_WEEKS)) if pausing else 0
        ack()
        team_id, user_id = team_id_of(body), user_id_of(body)
        with deps.session_factory.begin() as db_session:
            if pausing:
                pause(
                    db_session,
                    team_id=team_id,
                    user_id=user_id,
                    weeks=weeks,
                    now=deps.clock(),
                )
            else:
                resume(db_session, team_id=team_id, user_id=user_id, now=deps.clock())
        publish_home(deps, client, team_id=team_id, user_id=user_id)
