"""Reading people's Slack profiles, and the mentions and channels typed after a command."""

from __future__ import annotations

import logging
import re

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

logger = logging.getLogger(__name__)

# With `should_escape` on, Slack sends "@ana" as <@U123|ana> and "#general" as <#C123|general>.
USER_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
CHANNEL_MENTION = re.compile(r"<#([CG][A-Z0-9]+)(?:\|[^>]*)?>")


def mentioned_users(text: str) -> list[str]:
    return list(dict.fromkeys(USER_MENTION.findall(text)))


def mentioned_channel(text: str) -> str | None:
    found = CHANNEL_MENTION.search(text)
    return found.group(1) if found else None


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


def is_workspace_admin(client: WebClient, user_id: str) -> bool:
    """True for workspace admins and owners (users.info); False if Slack cannot say."""
    try:
        user = client.users_info(user=user_id)["user"]
    except SlackApiError as error:
        logger.warning("users.info failed for %s: %s", user_id, error.response.get("error"))
        return False
    return bool(user.get("is_admin") or user.get("is_owner"))
