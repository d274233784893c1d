"""The App Home tab: published when opened and after the person changes something."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot import app_home
from bot.handlers.deps import Deps
from bot.services.idempotency import claim_once


def publish_home(deps: Deps, client: WebClient, *, team_id: str, user_id: str) -> None:
    """Render and publish the user's App Home from what the database holds now."""
    app_home.publish_home(
        deps.session_factory,
        client,
        team_id=team_id,
        user_id=user_id,
        now=deps.clock(),
        configured=deps.settings.coordinator_ids,
        # Admins and owners are coordinators too.
        is_admin=lambda: deps.admins.is_admin(client, team_id=team_id, user_id=user_id),
    )


def register(app: App, deps: Deps) -> None:
    @app.event("app_home_opened")
    def on_home_opened(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        if event.get("tab") != "home":
            return
        with deps.session_factory.begin() as db_session:
            first = claim_once(
                db_session,
                key=f"event:{body['event_id']}",
                team_id=body["team_id"],
                now=deps.clock(),
            )
        if first:  # a redelivered event (Slack retries) has no second effect
            publish_home(deps, client, team_id=body["team_id"], user_id=event["user"])
