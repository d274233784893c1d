"""The App Home tab: published when opened and after the person changes something."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.handlers.deps import Deps
from bot.services.enrollment import find_participant, profile_of
from bot.services.programs import get_or_create_open_program
from bot.views.home import home_view


def publish_home(deps: Deps, client: WebClient, *, team_id: str, user_id: str) -> None:
    """Render and publish the user's App Home from what the database holds now."""
    with deps.session_factory.begin() as db_session:
        program = get_or_create_open_program(db_session, team_id=team_id, now=deps.clock())
        participant = find_participant(db_session, team_id=team_id, user_id=user_id)
        view = home_view(
            program_name=program.name, profile=profile_of(participant) if participant else None
        )
    client.views_publish(user_id=user_id, view=view)


def register(app: App, deps: Deps) -> None:
    @app.event("app_home_opened")
    def on_home_opened(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        if event.get("tab") != "home":
            return
        publish_home(deps, client, team_id=body["team_id"], user_id=event["user"])
