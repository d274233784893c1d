"""Publishing's progress, shown where coordinators look: the modal they published from (if
still open) and their App Home. A round whose every message is delivered or failed for good
becomes published, and shows its summary."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot.flows.home import refresh_home
from bot.jobs import JobContext
from bot.services.matching.rounds import advance_publishing
from bot.views.matching import publishing_modal

logger = logging.getLogger(__name__)


def show_publishing_progress(context: JobContext) -> None:
    with context.session_factory.begin() as db_session:
        moved = advance_publishing(db_session, now=context.now)
    for status in moved:
        client = context.client_of(status.team_id)
        if client is None:
            continue
        view = publishing_modal(status)
        for _user, view_id in status.watching_views():
            try:
                client.views_update(view_id=view_id, view=view)
            except SlackApiError as error:  # closed: the App Home shows it
                logger.info(
                    "round %d: modal not updated: %s", status.id, error.response.get("error")
                )
        if status.published_by:  # they published: they are a coordinator
            refresh_home(
                context.deps(),
                client,
                team_id=status.team_id,
                user_id=status.published_by,
                coordinator=True,
            )
