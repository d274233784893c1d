"""What a flow asks of Slack once its transaction has committed, as data, and running it.

A flow returns effects instead of calling Slack: the handler (or job) runs them after the
commit, so no Web API call is ever made with a transaction open, and a flow's outcome can be
tested without Slack.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from slack_sdk import WebClient
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.deps import Deps
from bot.slack import files

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Post:
    """A message to a conversation, or to a person (their DM with the app)."""

    channel: str
    text: str
    blocks: Sequence[Block | dict[str, Any]] = ()


@dataclass(frozen=True)
class ShareFiles:
    """Files shared into a conversation (a DM's id from conversations.open: use `to_user`)."""

    files: Sequence[files.Upload]
    comment: str
    channel: str = ""
    to_user: str = ""  # open the person's DM and share there


@dataclass(frozen=True)
class RefreshHome:
    """Publish the person's App Home again from what the database holds now."""

    team_id: str
    user_id: str
    coordinator: bool | None = None  # known already; None: find out


@dataclass(frozen=True)
class SendNow:
    """Deliver a queued outbox message at once (a person is waiting for it)."""

    dedupe_key: str


@dataclass(frozen=True)
class UpdateView:
    view_id: str
    view: View
    hash: str | None = None


@dataclass(frozen=True)
class RewritePoll:
    """Bring a poll's message in step with its counts (coalesced with other votes')."""

    poll_id: int
    wait: bool = False


Effect = Post | ShareFiles | RefreshHome | SendNow | UpdateView | RewritePoll


@dataclass
class Effects:
    """Effects in the order they are to run."""

    items: list[Effect] = field(default_factory=list)

    def add(self, *effects: Effect) -> Effects:
        self.items.extend(effects)
        return self

    def __iter__(self) -> Any:
        return iter(self.items)


def run(effects: Iterable[Effect], *, deps: Deps, client: WebClient) -> None:
    """Run each effect in turn; a Slack refusal stops the rest and reaches the caller."""
    from bot.flows.home import refresh_home
    from bot.jobs.dispatcher import send_now

    for effect in effects:
        if isinstance(effect, Post):
            client.chat_postMessage(channel=effect.channel, text=effect.text, blocks=effect.blocks)
        elif isinstance(effect, ShareFiles):
            channel = effect.channel or files.dm_of(client, effect.to_user)
            files.share(client, channel=channel, uploads=effect.files, comment=effect.comment)
        elif isinstance(effect, RefreshHome):
            refresh_home(
                deps,
                client,
                team_id=effect.team_id,
                user_id=effect.user_id,
                coordinator=effect.coordinator,
            )
        elif isinstance(effect, SendNow):
            send_now(deps.session_factory, client, dedupe_key=effect.dedupe_key, now=deps.clock())
        elif isinstance(effect, UpdateView):
            client.views_update(view_id=effect.view_id, hash=effect.hash, view=effect.view)
        elif deps.poll_messages is not None:
            deps.poll_messages.refresh(client, effect.poll_id, wait=effect.wait)


def run_later(make: Callable[[], Effects], *, deps: Deps, client: WebClient, what: str) -> None:
    """Work out effects and run them on the later lane (`deps.later`): for what a listener
    leaves once it has answered and that can wait. A failure there has nobody to answer, so
    it is logged."""

    def work() -> None:
        try:
            run(make(), deps=deps, client=client)
        except Exception:
            logger.exception("%s failed after the answer", what)

    deps.later.submit(work)
