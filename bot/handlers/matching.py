"""`/mentoring match`: solve, review, adjust and publish pairs (coordinators only)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.deps import Deps
from bot.flows import matching as flows
from bot.handlers.commands import COMMAND, CommandCall, SubCommand
from bot.handlers.listen import action, view_closed
from bot.handlers.payload import (
    OutOfDateError,
    record_id,
    selected_value,
    team_id_of,
    user_id_of,
)
from bot.services.errors import DomainError
from bot.slack.users import mentioned_users
from bot.views.ids import ActionId, CallbackId
from bot.views.matching import MatchMetadata
from bot.views.messages import HelpEntry
from bot.views.text import escape


def match_command(call: CommandCall) -> None:
    if call.args.lower().startswith("forbid"):
        forbid_command(call)
        return
    call.ack()
    flows.start_round(
        call.deps,
        call.client,
        team_id=call.team_id,
        user_id=call.user_id,
        program_id=None,
        show=flows.opened(call.client, call.trigger_id),
        tell=lambda text: call.respond(response_type="ephemeral", text=text),
    )


def forbid_command(call: CommandCall) -> None:
    people = mentioned_users(call.args)
    if len(people) != 2:
        raise DomainError(f"Mention the two people: `{COMMAND} match forbid @one @other`.")
    name = flows.forbid(call.deps, team_id=call.team_id, people=(people[0], people[1]))
    call.ack(
        response_type="ephemeral",
        text=f"Done: <@{people[0]}> and <@{people[1]}> will not be paired in {escape(name)}.",
    )


def _metadata(body: dict[str, Any]) -> MatchMetadata:
    return MatchMetadata.load(body["view"].get("private_metadata"))


def on_pair_menu(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    verb, _, raw_pair_id = selected_value(action).partition(":")
    if verb not in ("remove", "pin", "unpin"):
        raise OutOfDateError
    pair_id = record_id(raw_pair_id)
    ack()
    review = flows.adjust(
        Deps.of(context),
        team_id=team_id_of(body),
        program_id=_metadata(body).program_id,
        pair_id=pair_id,
        verb=verb,
    )
    client.views_update(view_id=body["view"]["id"], hash=body["view"].get("hash"), view=review)


def on_rerun(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    ack()
    flows.start_round(
        Deps.of(context),
        client,
        team_id=team_id_of(body),
        user_id=user_id_of(body),
        program_id=_metadata(body).program_id,
        show=flows.updated(client, body["view"]["id"]),
    )


def on_open_proposal(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    program_id = record_id(action.get("value"))
    ack()
    flows.open_latest(
        Deps.of(context),
        client,
        team_id=team_id_of(body),
        user_id=user_id_of(body),
        program_id=program_id,
        trigger_id=body["trigger_id"],
    )


def on_publish(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    ack()
    metadata = _metadata(body)
    view_id = body["view"]["id"]
    progress = flows.publish(
        Deps.of(context),
        team_id=team_id_of(body),
        user_id=user_id_of(body),
        program_id=metadata.program_id,
        round_id=metadata.round_id or None,
        view_id=view_id,
    )
    # Published and queued: from here on the dispatcher sends, and the modal follows it.
    client.views_update(view_id=view_id, view=progress)


def on_closed(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
    ack()
    metadata = _metadata(body)
    if metadata.round_id:
        flows.closed(
            Deps.of(context),
            team_id=team_id_of(body),
            user_id=user_id_of(body),
            round_id=metadata.round_id,
            view_id=body["view"]["id"],
        )


COMMANDS = (
    SubCommand(
        "match",
        match_command,
        HelpEntry(
            f"{COMMAND} match",
            "propose pairs for review; nothing is sent until you publish",
            coordinators_only=True,
        ),
    ),
)
LISTENERS = (
    action(ActionId.MATCH_PAIR_MENU, on_pair_menu, coordinators_only=True),
    action(ActionId.MATCH_RERUN, on_rerun, coordinators_only=True),
    action(ActionId.OPEN_PROPOSAL, on_open_proposal, coordinators_only=True),
    action(ActionId.MATCH_PUBLISH, on_publish, coordinators_only=True),
    view_closed(CallbackId.MATCH_REVIEW, on_closed),
)
