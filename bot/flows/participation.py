"""Participants in control: status, pause, resume, leave, forget-me."""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import Block

from bot.deps import Deps
from bot.flows.effects import Effects, Post, RefreshHome
from bot.services import participation as participation_rules
from bot.views.participation import PARTNER_LEFT_TEXT, status_blocks


def status(deps: Deps, *, team_id: str, user_id: str) -> tuple[str, list[Block]]:
    """What the app holds about the person, as the status message."""
    with deps.session_factory.begin() as db_session:
        report = participation_rules.status_of(
            db_session, team_id=team_id, user_id=user_id, now=deps.clock()
        )
        return status_blocks(report)


def pause(deps: Deps, *, team_id: str, user_id: str, weeks: int) -> tuple[datetime, Effects]:
    with deps.session_factory.begin() as db_session:
        until = participation_rules.pause(
            db_session, team_id=team_id, user_id=user_id, weeks=weeks, now=deps.clock()
        )
    return until, Effects().add(RefreshHome(team_id, user_id))


def resume(deps: Deps, *, team_id: str, user_id: str) -> tuple[bool, Effects]:
    with deps.session_factory.begin() as db_session:
        was_paused = participation_rules.resume(
            db_session, team_id=team_id, user_id=user_id, now=deps.clock()
        )
    return was_paused, Effects().add(RefreshHome(team_id, user_id))


def _partners_told(partners: list[str]) -> list[Post]:
    return [Post(partner, PARTNER_LEFT_TEXT) for partner in partners]


def leave(deps: Deps, *, team_id: str, user_id: str) -> tuple[str, Effects]:
    """Leave the program; returns its name, and the partners are told kindly."""
    with deps.session_factory.begin() as db_session:
        departure = participation_rules.leave(
            db_session, team_id=team_id, user_id=user_id, now=deps.clock()
        )
    effects = Effects().add(*_partners_told(departure.partners_to_tell))
    return departure.program_name, effects.add(RefreshHome(team_id, user_id))


def forget(deps: Deps, *, team_id: str, user_id: str) -> Effects:
    with deps.session_factory.begin() as db_session:
        departure = participation_rules.forget(
            db_session, team_id=team_id, user_id=user_id, now=deps.clock()
        )
    effects = Effects().add(*_partners_told(departure.partners_to_tell))
    return effects.add(RefreshHome(team_id, user_id))
