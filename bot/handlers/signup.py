"""Sign-up: `/mentoring join` and `/mentoring profile`, the form, and its submission."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.handlers.commands import COMMAND, CommandCall, CommandRouter
from bot.handlers.deps import Deps, team_id_of, user_id_of
from bot.handlers.home import publish_home
from bot.handlers.slack_users import fetch_timezone
from bot.services.enrollment import find_participant, profile_of, save_profile, set_timezone
from bot.services.errors import SignupClosedError
from bot.services.idempotency import claim_once
from bot.services.profile import ProfileField, ProfileInput, validate_profile
from bot.services.programs import get_or_create_open_program
from bot.views.ids import ActionId, CallbackId
from bot.views.messages import HelpEntry, signup_confirmation
from bot.views.metadata import SignupMetadata
from bot.views.signup import errors_for_blocks, parse_signup_state, signup_modal
from bot.views.state import state_values

logger = logging.getLogger(__name__)


def open_signup_form(
    deps: Deps, client: WebClient, *, trigger_id: str, team_id: str, user_id: str
) -> None:
    """Open the sign-up form: blank to join, pre-filled when the user is already signed up."""
    with deps.session_factory.begin() as db_session:
        program = get_or_create_open_program(db_session, team_id=team_id, now=deps.clock())
        participant = find_participant(db_session, team_id=team_id, user_id=user_id)
        if participant is None and not program.signup_open:
            raise SignupClosedError(program.name)
        values = profile_of(participant) if participant else ProfileInput()
        metadata = SignupMetadata(editing=participant is not None, program_name=program.name)
    client.views_open(trigger_id=trigger_id, view=signup_modal(values=values, metadata=metadata))


def _open_form(call: CommandCall, deps: Deps) -> None:
    call.ack()
    open_signup_form(
        deps, call.client, trigger_id=call.trigger_id, team_id=call.team_id, user_id=call.user_id
    )


def _input_block_ids(view: dict[str, Any]) -> set[str]:
    return {b["block_id"] for b in view.get("blocks", []) if b.get("type") == "input"}


def register(app: App, deps: Deps, router: CommandRouter) -> None:
    router.add(
        "join",
        lambda call: _open_form(call, deps),
        HelpEntry(f"{COMMAND} join", "sign up for reverse mentoring (opens a short form)"),
    )
    router.add(
        "profile",
        lambda call: _open_form(call, deps),
        HelpEntry(f"{COMMAND} profile", "see and edit your mentoring profile"),
    )

    @app.action(ProfileField.LEARN_TOPICS)
    def on_learn_topics_changed(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        # Re-render the form so there is one self-rating field per topic chosen to learn.
        ack()
        view = body["view"]
        values = parse_signup_state(state_values(view))
        metadata = SignupMetadata.load(view.get("private_metadata"))
        try:
            client.views_update(
                view_id=view["id"],
                hash=view.get("hash"),
                view=signup_modal(values=values, metadata=metadata),
            )
        except SlackApiError as error:
            # A newer change already re-rendered the form; that render wins.
            if error.response.get("error") != "hash_conflict":
                raise

    @app.action(ActionId.OPEN_SIGNUP)
    def on_open_signup(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        open_signup_form(
            deps,
            client,
            trigger_id=body["trigger_id"],
            team_id=team_id_of(body),
            user_id=user_id_of(body),
        )

    @app.view(CallbackId.SIGNUP)
    def on_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        profile = parse_signup_state(state_values(view))
        errors = validate_profile(profile)
        if errors:
            ack(response_action="errors", errors=errors_for_blocks(errors, _input_block_ids(view)))
            return
        team_id, user_id = team_id_of(body), user_id_of(body)
        with deps.session_factory.begin() as db_session:
            if not claim_once(
                db_session, key=f"view:{view['id']}", team_id=team_id, now=deps.clock()
            ):
                ack()  # the same form submitted twice: saved and confirmed the first time
                return
            enrollment = save_profile(
                db_session,
                team_id=team_id,
                user_id=user_id,
                profile=profile,
                timezone=None,
                now=deps.clock(),
            )
            program_name, participant_id = enrollment.program.name, enrollment.participant.id
            timezone = enrollment.participant.timezone
        ack()
        fresh_timezone = fetch_timezone(client, user_id)
        if fresh_timezone and fresh_timezone != timezone:
            with deps.session_factory.begin() as db_session:
                set_timezone(db_session, participant_id=participant_id, timezone=fresh_timezone)
            timezone = fresh_timezone
        text, blocks = signup_confirmation(
            program_name=program_name,
            profile=profile,
            created=enrollment.created,
            timezone=timezone,
        )
        client.chat_postMessage(channel=user_id, text=text, blocks=blocks)
        publish_home(deps, client, team_id=team_id, user_id=user_id)
