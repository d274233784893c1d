"""A coordinator fixes a pair that isn't working: `/mentoring end-pair`, `/mentoring rematch`
and `/mentoring swap`. Re-matching and swapping open a form first: nothing changes, and no
participant hears of it, until the coordinator confirms there."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext

from bot.deps import Deps
from bot.flows import pair_fixes as flows
from bot.flows import rematching as rematch_flows
from bot.handlers.commands import COMMAND, CommandCall, SubCommand
from bot.handlers.listen import once_key, refuse, view
from bot.handlers.payload import team_id_of
from bot.services.errors import DomainError
from bot.slack.users import USER_MENTION, mentioned_users
from bot.views.ids import CallbackId, RematchBlock
from bot.views.messages import HelpEntry
from bot.views.rematching import RematchMetadata, SwapMetadata
from bot.views.state import state_values

USAGE = f"`{COMMAND} end-pair @person [@partner] why`"


def end_pair_command(call: CommandCall) -> None:
    users = mentioned_users(call.args)
    if not users:
        raise DomainError(f"Name someone in the pair with @, e.g. {USAGE}.")
    reason = USER_MENTION.sub("", call.args).strip()
    receipt = flows.end_pair(call.deps, team_id=call.team_id, users=users, reason=reason)
    call.ack(response_type="ephemeral", text=receipt)


def rematch_command(call: CommandCall) -> None:
    users = mentioned_users(call.args)
    if len(users) != 1:
        raise DomainError(f"Name the one person to re-match with @: `{COMMAND} rematch @person`.")
    # Answered first: working out the list reads the whole program; a refusal follows privately.
    call.ack()
    form = rematch_flows.rematch_form(call.deps, team_id=call.team_id, user_id=users[0])
    call.client.views_open(trigger_id=call.trigger_id, view=form)


def swap_command(call: CommandCall) -> None:
    call.ack()  # as for rematch: the rules are checked on the whole program, after the answer
    form = rematch_flows.swap_form(
        call.deps, team_id=call.team_id, users=mentioned_users(call.args)
    )
    call.client.views_open(trigger_id=call.trigger_id, view=form)


def on_rematch(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
    chosen = state_values(view).get(RematchBlock.PARTNER, {}).get(RematchBlock.PARTNER, {})
    errors, done = rematch_flows.rematch(
        Deps.of(context),
        team_id=team_id_of(body),
        metadata=RematchMetadata.load(view.get("private_metadata")),
        chosen=(chosen.get("selected_option") or {}).get("value"),
        once=once_key(view),
    )
    refuse(errors, {"partner": RematchBlock.PARTNER})
    ack(response_action="update", view=done)


def on_swap(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
    done = rematch_flows.swap(
        Deps.of(context),
        team_id=team_id_of(body),
        metadata=SwapMetadata.load(view.get("private_metadata")),
        once=once_key(view),
    )
    ack(response_action="update", view=done)


COMMANDS = (
    SubCommand(
        "end-pair",
        end_pair_command,
        HelpEntry(
            f"{COMMAND} end-pair @person [@partner] why",
            "end a pair that isn't working; each partner gets a kind note, the reason stays "
            "with coordinators",
            coordinators_only=True,
        ),
    ),
    SubCommand(
        "rematch",
        rematch_command,
        HelpEntry(
            f"{COMMAND} rematch @person",
            "choose a new partner for someone, from everyone who fits, best first",
            coordinators_only=True,
        ),
    ),
    SubCommand(
        "swap",
        swap_command,
        HelpEntry(
            f"{COMMAND} swap @someone @someone-else",
            "swap the mentors of two pairs (one person from each), if both new pairs fit",
            coordinators_only=True,
        ),
    ),
)
# A form is no proof its submitter is still a coordinator: checked again on submission.
LISTENERS = (
    view(CallbackId.REMATCH, on_rematch, coordinators_only=True),
    view(CallbackId.SWAP, on_swap, coordinators_only=True),
)
