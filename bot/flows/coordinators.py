"""Coordinator rights, checked on the server, and the list of coordinators."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.deps import Deps
from bot.services.coordinators import (
    CoordinatorList,
    NotCoordinatorError,
    add_coordinator,
    is_listed_coordinator,
    list_coordinators,
    remove_coordinator,
)
from bot.slack.users import is_workspace_admin


def is_coordinator(deps: Deps, client: WebClient, *, team_id: str, user_id: str) -> bool:
    """Named a coordinator (settings or `/mentoring coordinators add`), or a workspace admin
    or owner (asked of Slack, with no transaction open)."""
    return is_listed(deps, team_id=team_id, user_id=user_id) or is_workspace_admin(client, user_id)


def is_listed(deps: Deps, *, team_id: str, user_id: str) -> bool:
    """Named a coordinator, in the settings or with `/mentoring coordinators add`."""
    with deps.session_factory.begin() as db_session:
        return is_listed_coordinator(
            db_session, team_id=team_id, user_id=user_id, configured=deps.settings.coordinator_ids
        )


def require_coordinator(deps: Deps, client: WebClient, *, team_id: str, user_id: str) -> None:
    """Raise NotCoordinatorError (a polite, private refusal) unless the user is a coordinator."""
    if not is_coordinator(deps, client, team_id=team_id, user_id=user_id):
        raise NotCoordinatorError


def coordinators(deps: Deps, *, team_id: str) -> CoordinatorList:
    with deps.session_factory.begin() as db_session:
        return list_coordinators(
            db_session, team_id=team_id, configured=deps.settings.coordinator_ids
        )


def change_coordinators(
    deps: Deps, *, team_id: str, by: str, users: list[str], adding: bool
) -> None:
    with deps.session_factory.begin() as db_session:
        for user in users:
            if adding:
                add_coordinator(
                    db_session, team_id=team_id, user_id=user, added_by=by, now=deps.clock()
                )
            else:
                remove_coordinator(
                    db_session,
                    team_id=team_id,
                    user_id=user,
                    configured=deps.settings.coordinator_ids,
                )
