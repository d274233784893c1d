"""Publishing a person's App Home: from a listener after a change, or from a job.

Everything it shows is read in short transactions, and Slack is asked (who is an admin) and
told (views.publish) with none open.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.services.coordinators import is_listed_coordinator
from bot.services.dashboard import coordinator_dashboard
from bot.services.participation import status_of
from bot.services.programs import current_program
from bot.views.home import home_view


def publish_home(
    session_factory: sessionmaker[Session],
    client: WebClient,
    *,
    team_id: str,
    user_id: str,
    now: datetime,
    configured: frozenset[str],
    is_admin: Callable[[], bool],
) -> None:
    """Render and publish the user's App Home from what the database holds now; `is_admin`
    asks Slack whether the person is a workspace admin (a coordinator too)."""
    with session_factory.begin() as db_session:
        report = status_of(db_session, team_id=team_id, user_id=user_id, now=now)
        if report.program is None and current_program(db_session, team_id=team_id, now=now):
            # The workspace's very first program, created as its Home is first shown.
            report = status_of(db_session, team_id=team_id, user_id=user_id, now=now)
        listed = is_listed_coordinator(
            db_session, team_id=team_id, user_id=user_id, configured=configured
        )
    if listed or is_admin():
        with session_factory.begin() as db_session:
            view = home_view(report, coordinator_dashboard(db_session, team_id=team_id, now=now))
    else:
        view = home_view(report, None)
    client.views_publish(user_id=user_id, view=view)
