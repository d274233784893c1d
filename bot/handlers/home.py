"""The App Home tab: published when opened and after the person changes something."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.handlers.deps import Deps
from bot.services.coordinators import is_listed_coordinator
from bot.services.dashboard import coordinator_dashboard
from bot.services.idempotency import claim_once
from bot.services.participation import status_of
from bot.services.programs import current_program
from bot.views.home import home_view


def publish_home(deps: Deps, client: WebClient, *, team_id: str, user_id: str) -> None:
    """Render and publish the user's App Home from what the database holds now."""
    now = deps.clock()
    with deps.session_factory.begin() as db_session:
        report = status_of(db_session, team_id=team_id, user_id=user_id, now=now)
        if report.program is None and current_program(db_session, team_id=team_id, now=now):
            # The workspace's very first program, created as its Home is first shown.
            report = status_of(db_session, team_id=team_id, user_id=user_id, now=now)
        listed = is_listed_coordinator(
            db_session, team_id=team_id, user_id=user_id, configured=deps.settings.coordinator_ids
        )
    # Admins and owners are coordinators too; Slack is asked outside the transaction.
    if listed or deps.admins.is_admin(client, team_id=team_id, user_id=user_id):
        with deps.session_factory.begin() as db_session:
            view = home_view(report, coordinator_dashboard(db_session, team_id=team_id, now=now))
    else:
        view = home_view(report, None)
    client.views_publish(user_id=user_id, view=view)


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
