"""`/mentoring goals`: each pair's goals both ways and its shared ground rules."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, Args, BoltContext
from slack_sdk import WebClient

from bot.deps import Deps
from bot.flows import effects
from bot.flows import goals as flows
from bot.handlers.commands import COMMAND, CommandCall, SubCommand
from bot.handlers.listen import action, once_key, refuse, view
from bot.handlers.payload import record_id, selected_value, team_id_of, user_id_of
from bot.services.errors import DomainError
from bot.views.goals import GoalsMetadata, mention, parse_goals_state
from bot.views.ids import ActionId, CallbackId
from bot.views.messages import HelpEntry
from bot.views.state import state_values
from models.enums import GoalStatus


def goals_command(call: CommandCall) -> None:
    editing = call.args.lower() == "edit"
    if call.args and not editing:
        raise DomainError(f"Try `{COMMAND} goals`, or `{COMMAND} goals edit`.")
    answer = flows.goals(call.deps, team_id=call.team_id, user_id=call.user_id, editing=editing)
    if answer.listing is not None:
        text, blocks = answer.listing
        call.ack(response_type="ephemeral", text=text, blocks=blocks)
        return
    assert answer.form_pair_id is not None
    call.ack()
    form = flows.goals_form(
        call.deps, team_id=call.team_id, user_id=call.user_id, pair_id=answer.form_pair_id
    )
    call.client.views_open(trigger_id=call.trigger_id, view=form)
    if answer.pairs > 1:
        call.respond(
            response_type="ephemeral",
            text=f"You have {answer.pairs} mentoring pairs: this form is for the one "
            f"with {mention(answer.partner)}. "
            f"`{COMMAND} goals` lists them all, each with its own button.",
        )


def on_start_goals(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    pair_id = record_id(action.get("value"))
    ack()
    form = flows.goals_form(
        Deps.of(context), team_id=team_id_of(body), user_id=user_id_of(body), pair_id=pair_id
    )
    client.views_open(trigger_id=body["trigger_id"], view=form)


def on_submit(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    deps = Deps.of(context)
    errors, saved, then = flows.save_goals(
        deps,
        team_id=team_id_of(body),
        user_id=user_id_of(body),
        metadata=GoalsMetadata.load(view.get("private_metadata")),
        values=parse_goals_state(state_values(view)),
        once=once_key(view),
    )
    refuse(errors)
    ack(response_action="update", view=saved)
    effects.run(then, deps=deps, client=client)


def on_goal_menu(args: Args) -> None:
    verb, _, goal_id = selected_value(args.action or {}).partition(":")
    if verb not in (GoalStatus.ACHIEVED, GoalStatus.DROPPED):
        raise DomainError("That goal menu is out of date. Try `/mentoring goals` again.")
    goal = record_id(goal_id)
    args.ack()
    deps = Deps.of(args.context)
    (text, blocks), then = flows.mark_goal(
        deps,
        team_id=team_id_of(args.body),
        user_id=user_id_of(args.body),
        goal_id=goal,
        status=GoalStatus(verb),
    )
    args.respond(replace_original=True, response_type="ephemeral", text=text, blocks=blocks)
    effects.run(then, deps=deps, client=args.client)


COMMANDS = (
    SubCommand(
        "goals",
        goals_command,
        HelpEntry(
            f"{COMMAND} goals [edit]",
            "your pair's goals and ground rules: set them, edit them, mark goals achieved",
        ),
    ),
)
LISTENERS = (
    action(ActionId.START_GOALS, on_start_goals),
    view(CallbackId.GOALS, on_submit),
    action(ActionId.GOAL_MENU, on_goal_menu),
)
