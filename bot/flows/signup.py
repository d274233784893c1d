"""Sign-up: the form (blank to join, pre-filled to edit) and saving it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.deps import Deps
from bot.flows.base import transaction
from bot.flows.effects import Effects, Post, RefreshHome
from bot.services.enrollment import (
    find_participant,
    find_participation,
    profile_of,
    save_profile,
    set_timezone,
)
from bot.services.errors import SignupClosedError
from bot.services.next_steps import returning_profile
from bot.services.profile import ProfileInput
from bot.services.programs import get_or_create_open_program
from bot.slack.users import fetch_timezone
from bot.views.messages import signup_confirmation
from bot.views.metadata import SignupMetadata
from bot.views.signup import signup_view
from models import Participant, Program


def signup_form(
    deps: Deps, *, team_id: str, user_id: str, from_home: bool = False
) -> dict[str, Any]:
    """Blank to join, pre-filled when the person is signed up already."""
    # Only read: on launch day the form opens while others' sign-ups are being saved.
    with deps.readers() as db_session:
        program, participant = find_participation(db_session, team_id=team_id, user_id=user_id)
        if program is not None:
            return _form(db_session, program, participant, user_id=user_id, from_home=from_home)
    with deps.session_factory.begin() as db_session:  # first contact: the first program
        program = get_or_create_open_program(db_session, team_id=team_id, now=deps.clock())
        participant = find_participant(db_session, team_id=team_id, user_id=user_id)
        return _form(db_session, program, participant, user_id=user_id, from_home=from_home)


def _form(
    db_session: Session,
    program: Program,
    participant: Participant | None,
    *,
    user_id: str,
    from_home: bool,
) -> dict[str, Any]:
    if participant is None and not program.signup_open:
        raise SignupClosedError(program.name)
    if participant is not None:
        values = profile_of(participant)
    else:  # someone back from an earlier program starts from their answers there
        values = (
            returning_profile(db_session, team_id=program.team_id, user_id=user_id)
            or ProfileInput()
        )
    metadata = SignupMetadata(
        editing=participant is not None, program_name=program.name, from_home=from_home
    )
    return signup_view(values=values, metadata=metadata)


@dataclass(frozen=True)
class SignedUp:
    team_id: str
    user_id: str
    participant_id: int
    program_name: str
    profile: ProfileInput
    created: bool
    timezone: str | None
    from_home: bool = False


def sign_up(
    deps: Deps,
    *,
    team_id: str,
    user_id: str,
    profile: ProfileInput,
    once: str,
    from_home: bool = False,
) -> SignedUp:
    """Save the profile, once per form (a second submission raises AlreadyDone)."""
    with transaction(deps, once=once, team_id=team_id) as db_session:
        enrollment = save_profile(
            db_session,
            team_id=team_id,
            user_id=user_id,
            profile=profile,
            timezone=None,
            now=deps.clock(),
        )
        return SignedUp(
            team_id=team_id,
            user_id=user_id,
            participant_id=enrollment.participant.id,
            program_name=enrollment.program.name,
            profile=profile,
            created=enrollment.created,
            timezone=enrollment.participant.timezone,
            from_home=from_home,
        )


def confirm(deps: Deps, client: WebClient, signed: SignedUp) -> Effects:
    """After the answer to the form: keep the person's time zone as Slack tells it (a
    reminder's times depend on it), then confirm by DM (and refresh the App Home the form
    came from)."""
    timezone = signed.timezone
    fresh = fetch_timezone(client, signed.user_id)
    if fresh and fresh != timezone:
        with deps.session_factory.begin() as db_session:
            set_timezone(db_session, participant_id=signed.participant_id, timezone=fresh)
        timezone = fresh
    text, blocks = signup_confirmation(
        program_name=signed.program_name,
        profile=signed.profile,
        created=signed.created,
        timezone=timezone,
    )
    confirmed = Effects().add(Post(signed.user_id, text, blocks))
    # The App Home is drawn afresh whenever it is opened (app_home_opened); drawn now only
    # for someone looking at it. On launch day that also keeps views.publish, which Slack
    # rate-limits per workspace, to the people who open their Home.
    if signed.from_home:
        confirmed.add(RefreshHome(signed.team_id, signed.user_id))
    return confirmed
