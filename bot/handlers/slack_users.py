"""Reading people's Slack profiles."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

logger = logging.getLogger(__name__)


def fetch_timezone(client: WebClient, user_id: str) -> str | None:
    """The user's IANA time zone from users.info, or None if Slack cannot tell us right now."""
    try:
        response = client.users_info(user=user_id)
    except SlackApiError as error:
        # Sign-up must not fail because a profile lookup did; the time zone is refreshed later.
        logger.warning("users.info failed for %s: %s", user_id, error.response.get("error"))
        return None
    tz = response["user"].get("tz")
    return str(tz) if tz else None
