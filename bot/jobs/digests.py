"""Queue the weekly digests whose Monday morning has come, in each coordinator's zone."""

from __future__ import annotations

import logging

from bot.jobs import JobContext
from bot.services.digests import digest_programs, digest_recipients, plan_digests
from bot.slack.users import fetch_timezone

logger = logging.getLogger(__name__)


def queue_digests(context: JobContext) -> None:
    configured = context.settings.coordinator_ids
    with context.session_factory.begin() as db_session:
        teams = {program.team_id for program in digest_programs(db_session)}
        users = {
            (team, user)
            for team in teams
            for user in digest_recipients(db_session, team_id=team, configured=configured)
        }
    if not users:
        return
    # Asked of Slack outside any transaction: a profile's zone can change at any time.
    zones: dict[str, str | None] = {}
    for team, user in sorted(users):
        client = context.client_of(team)
        zones[user] = fetch_timezone(client, user) if client is not None else None
    with context.session_factory.begin() as db_session:
        queued = plan_digests(db_session, zones=zones, configured=configured, now=context.now)
    if queued:
        logger.info("%d weekly digests queued", queued)
