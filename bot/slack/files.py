"""Sharing files into Slack conversations: calendar invites, charts, CSV exports."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from slack_sdk import WebClient


@dataclass(frozen=True)
class Upload:
    filename: str
    content: bytes
    title: str


def dm_of(client: WebClient, user_id: str) -> str:
    """The id of the app's DM with a person: files are shared into a conversation, never to
    a user id."""
    return str(client.conversations_open(users=user_id)["channel"]["id"])


def share(client: WebClient, *, channel: str, uploads: Sequence[Upload], comment: str) -> None:
    """Upload the files and share them in `channel` with a comment.

    `comment` is message text: escape anything a person typed into it.
    """
    if len(uploads) == 1:
        upload = uploads[0]
        client.files_upload_v2(
            channel=channel,
            filename=upload.filename,
            content=upload.content,
            title=upload.title,
            initial_comment=comment,
        )
        return
    client.files_upload_v2(
        channel=channel,
        file_uploads=[
            {"filename": u.filename, "content": u.content, "title": u.title} for u in uploads
        ],
        initial_comment=comment,
    )
