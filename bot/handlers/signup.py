"""Sign-up: `/mentoring join` and `/mentoring profile`, the form, and its submission."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.deps import Deps
from bot.flows import effects
from bot.flows.signup import confirm, sign_up, signup_form
from bot.handlers.commands import COMMAND, CommandCall, SubCommand
from bot.handlers.listen import action, once_key, refuse, view
from bot.handlers.payload import team_id_of, user_id_of
from bot.services.profile import ProfileField, validate_profile
from bot.views.ids import ActionId, CallbackId
from bot.views.messages import HelpEntry
from bot.views.metadata import SignupMetadata
from bot.views.signup import errors_for_blocks, parse_signup_state, signup_view
from bot.views.state import state_values


def open_form(call: CommandCall) -> None:
    call.ack()
    form = signup_form(call.deps, team_id=call.team_id, user_id=call.user_id)
    call.client.views_open(trigger_id=call.trigger_id, view=form)


def on_open_signup(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    ack()
    form = signup_form(
        Deps.of(context),
        team_id=team_id_of(body),
        user_id=user_id_of(body),
        from_home=(body.get("view") or {}).get("type") == "home",
    )
    client.views_open(trigger_id=body["trigger_id"], view=form)


def on_learn_topics_changed(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    """Re-render the form so there is one self-rating field per topic chosen to learn."""
    ack()
    form = body["view"]
    values = parse_signup_state(state_values(form))
    metadata = SignupMetadata.load(form.get("private_metadata"))
    try:
        client.views_update(
            view_id=form["id"],
            hash=form.get("hash"),
            view=signup_view(values=values, metadata=metadata),
        )
    except SlackApiError as error:
        # A newer change already re-rendered the form; that render wins.
        if error.response.get("error") != "hash_conflict":
            raise


def _input_block_ids(form: dict[str, Any]) -> set[str]:
    return {b["block_id"] for b in form.get("blocks", []) if b.get("type") == "input"}


def on_submit(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    profile = parse_signup_state(state_values(view))
    refuse(errors_for_blocks(validate_profile(profile), _input_block_ids(view)))
    deps = Deps.of(context)
    signed = sign_up(
        deps,
        team_id=team_id_of(body),
        user_id=user_id_of(body),
        profile=profile,
        once=once_key(view),
        from_home=SignupMetadata.load(view.get("private_metadata")).from_home,
    )
    ack()  # once saved: the form closes on what the database holds
    # The confirmation can wait: the listener threads stay free for forms to open in time.
    effects.run_later(
        lambda: confirm(deps, client, signed), deps=deps, client=client, what="confirming a sign-up"
    )


COMMANDS = (
    SubCommand(
        "join",
        open_form,
        HelpEntry(f"{COMMAND} join", "sign up for reverse mentoring (opens a short form)"),
    ),
    SubCommand(
        "profile", open_form, HelpEntry(f"{COMMAND} profile", "see and edit your mentoring profile")
    ),
)
LISTENERS = (
    action(ProfileField.LEARN_TOPICS, on_learn_topics_changed),
    action(ActionId.OPEN_SIGNUP, on_open_signup),
    view(CallbackId.SIGNUP, on_submit),
)
