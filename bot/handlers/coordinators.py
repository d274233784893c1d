"""Coordinator rights, checked on the server for every coordinator command and button."""

from __future__ import annotations

from slack_bolt import App
from slack_sdk import WebClient

from bot.handlers.commands import COMMAND, CommandCall, CommandRouter
from bot.handlers.deps import Deps
from bot.handlers.slack_users import is_workspace_admin, mentioned_users
from bot.services.coordinators import (
    NotCoordinatorError,
    add_coordinator,
    is_listed_coordinator,
    list_coordinators,
    remove_coordinator,
)
from bot.services.errors import DomainError
from bot.views.messages import HelpEntry

USAGE = f"`{COMMAND} coordinators add @person`, `remove @person` or `list`"


def is_coordinator(deps: Deps, client: WebClient, *, team_id: str, user_id: str) -> bool:
    with deps.session_factory.begin() as db_session:
        if is_listed_coordinator(
            db_session,
            team_id=team_id,
            user_id=user_id,
            configured=deps.settings.coordinator_ids,
        ):
            return True
    return is_workspace_admin(client, user_id)


def require_coordinator(deps: Deps, client: WebClient, *, team_id: str, user_id: str) -> None:
    """Raise NotCoordinatorError (a polite, private refusal) unless the user is a coordinator."""
    if not is_coordinator(deps, client, team_id=team_id, user_id=user_id):
        raise NotCoordinatorError


def _coordinators(call: CommandCall, deps: Deps) -> None:
    require_coordinator(deps, call.client, team_id=call.team_id, user_id=call.user_id)
    action, _, rest = call.args.partition(" ")
    action = action.lower() or "list"
    configured = deps.settings.coordinator_ids
    if action == "list":
        with deps.session_factory.begin() as db_session:
            listed = list_coordinators(db_session, team_id=call.team_id, configured=configured)
        names = [f"<@{u}>" for u in listed.configured + listed.added]
        text = (
            "*Coordinators:* "
            + (", ".join(names) or "none named yet")
            + "\nWorkspace admins and owners are coordinators too."
        )
        call.ack(response_type="ephemeral", text=text)
        return
    if action not in ("add", "remove"):
        raise DomainError(f"Try {USAGE}.")
    users = mentioned_users(rest)
    if not users:
        raise DomainError(f"Mention the person with @, e.g. {USAGE}.")
    with deps.session_factory.begin() as db_session:
        for user in users:
            if action == "add":
                add_coordinator(
                    db_session,
                    team_id=call.team_id,
                    user_id=user,
                    added_by=call.user_id,
                    now=deps.clock(),
                )
            else:
                remove_coordinator(
                    db_session, team_id=call.team_id, user_id=user, configured=configured
                )
    who = ", ".join(f"<@{u}>" for u in users)
    change = "added to" if action == "add" else "removed from"
    call.ack(response_type="ephemeral", text=f"Done: {who} {change} the coordinators.")


def register(app: App, deps: Deps, router: CommandRouter) -> None:
    router.add(
        "coordinators",
        lambda call: _coordinators(call, deps),
        HelpEntry(
            f"{COMMAND} coordinators add|remove|list @person",
            "manage who runs the program",
            coordinators_only=True,
        ),
    )
