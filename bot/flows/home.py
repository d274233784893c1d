"""The App Home tab: rendered from what the database holds now, then published."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.deps import Deps
from bot.services.coordinators import is_listed_coordinator
from bot.services.dashboard import coordinator_dashboard
from bot.services.idempotency import claim_once
from bot.services.participation import status_of
from bot.services.programs import current_program
from bot.views.home import home_view


def refresh_home(
    deps: Deps,
    client: WebClient,
    *,
    team_id: str,
    user_id: str,
    coordinator: bool | None = None,
) -> None:
    """Publish the person's App Home; `coordinator` when known already (else Slack is asked
    whether they are a workspace admin, who are coordinators too)."""
    now = deps.clock()
    with deps.readers() as db_session:  # only reads: it draws beside sign-ups being saved
        report = status_of(db_session, team_id=team_id, user_id=user_id, now=now)
        listed = is_listed_coordinator(
            db_session, team_id=team_id, user_id=user_id, configured=deps.settings.coordinator_ids
        )
    if report.program is None:
        with deps.session_factory.begin() as db_session:
            if current_program(db_session, team_id=team_id, now=now):
                # The workspace's very first program, created as its Home is first shown.
                report = status_of(db_session, team_id=team_id, user_id=user_id, now=now)
    if coordinator is None:
        coordinator = listed or deps.admins.is_admin(client, team_id=team_id, user_id=user_id)
    if coordinator:
        with deps.readers() as db_session:
            view = home_view(report, coordinator_dashboard(db_session, team_id=team_id, now=now))
    else:
        view = home_view(report, None)
    client.views_publish(user_id=user_id, view=view)


def first_opening(deps: Deps, *, team_id: str, event_id: str) -> bool:
    """True the first time this `app_home_opened` event arrives (Slack retries events)."""
    with deps.session_factory.begin() as db_session:
        return claim_once(db_session, key=f"event:{event_id}", team_id=team_id, now=deps.clock())
