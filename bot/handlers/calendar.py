"""Sending a calendar invite (.ics) into a Slack conversation."""

from __future__ import annotations

from slack_sdk import WebClient


def send_invite(
    client: WebClient,
    *,
    channel: str,
    filename: str,
    content: bytes,
    title: str,
    initial_comment: str,
) -> None:
    """Upload the invite and share it in `channel` (a DM or group DM id) with a comment.

    `initial_comment` is message text: escape anything a person typed into it.
    """
    client.files_upload_v2(
        channel=channel,
        filename=filename,
        content=content,
        title=title,
        initial_comment=initial_comment,
    )
