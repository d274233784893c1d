"""Reading people's Slack profiles, and the mentions and channels typed after a command."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable

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
    return bool(_admin_or_unknown(client, user_id))


def _admin_or_unknown(client: WebClient, user_id: str) -> bool | None:
    try:
        user = client.users_info(user=user_id)["user"]
    except SlackApiError as error:
        logger.warning("users.info failed for %s: %s", user_id, error.response.get("error"))
        return None
    return bool(user.get("is_admin") or user.get("is_owner"))


ADMIN_SEEN_SECONDS = 300.0


class RecentAdmins:
    """Who is a workspace admin or owner, as users.info said in the last few minutes.

    For what the App Home shows only: every publish would otherwise ask Slack about the person
    (to show a coordinator's dashboard), and users.info allows about 100 calls a minute per
    workspace, which a busy Home alone exceeds. Rights are always checked afresh
    (`require_coordinator`), and an answer Slack could not give is not kept.
    """

    def __init__(
        self, seconds: float = ADMIN_SEEN_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._seconds, self._clock = seconds, clock
        self._seen: dict[tuple[str, str], tuple[float, bool]] = {}
        self._lock = threading.Lock()

    def is_admin(self, client: WebClient, *, team_id: str, user_id: str) -> bool:
        key, now = (team_id, user_id), self._clock()
        with self._lock:
            seen = self._seen.get(key)
        if seen is not None and seen[0] > now:
            return seen[1]
        admin = _admin_or_unknown(client, user_id)
        if admin is None:
            return False
        with self._lock:
            if len(self._seen) >= 10_000:  # keep memory bounded in a huge workspace
                self._seen = {k: v for k, v in self._seen.items() if v[0] > now}
            self._seen[key] = (now + self._seconds, admin)
        return admin
