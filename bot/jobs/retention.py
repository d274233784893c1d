"""Purge the data of workspaces that uninstalled the app longer ago than the retention period."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.jobs import JobContext
from bot.services.workspace_lifecycle import due_for_purge, purge_workspace

logger = logging.getLogger(__name__)


def purge_uninstalled(context: JobContext) -> None:
    retention = timedelta(days=context.settings.mentorbot_retention_days)
    with context.session_factory.begin() as db_session:
        teams = due_for_purge(db_session, now=context.now, retention=retention)
    for team_id in teams:
        with context.session_factory.begin() as db_session:
            removed = purge_workspace(db_session, team_id=team_id)
        logger.info("purged workspace %s after uninstall: %s", team_id, removed)
