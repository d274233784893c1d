"""Interest polls: `/mentoring poll #channel`, votes, live tallies, follow-up DMs, closing."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, Args, BoltContext
from slack_sdk import WebClient

from bot.deps import Deps
from bot.flows import effects
from bot.flows import polls as flows
from bot.handlers.commands import COMMAND, CommandCall, SubCommand
from bot.handlers.listen import action
from bot.handlers.payload import OutOfDateError, record_id, team_id_of, user_id_of
from bot.services.errors import DomainError
from bot.slack.users import mentioned_channel
from bot.views.ids import POLL_VOTE_PREFIX, ActionId
from bot.views.messages import HelpEntry
from bot.views.polls import vote_receipt
from models.enums import PollAnswer


def poll_command(call: CommandCall) -> None:
    if call.args.lower() == "close":
        closed, then = flows.close(call.deps, team_id=call.team_id)
        effects.run(then, deps=call.deps, client=call.client)  # the final counts, first
        call.ack(
            response_type="ephemeral",
            text=f"Poll in <#{closed.channel_id}> closed: {closed.respondents} answered. "
            "The final totals stay on the message.",
        )
        return
    channel = mentioned_channel(call.args)
    if channel is None:
        raise DomainError(f"Which channel? Try `{COMMAND} poll #general`.")
    call.ack()
    flows.post_poll(
        call.deps, call.client, team_id=call.team_id, user_id=call.user_id, channel=channel
    )
    call.respond(
        response_type="ephemeral",
        text=f"Poll posted in <#{channel}>. The message shows live totals; close it with "
        f"`{COMMAND} poll close`.",
    )


def _vote_of(action: dict[str, Any]) -> tuple[int, PollAnswer]:
    """(poll id, answer) from a vote button; OutOfDateError for a value no poll of ours has."""
    poll_id, _, answer = str(action.get("value")).partition(":")
    if answer not in set(PollAnswer):
        raise OutOfDateError
    return record_id(poll_id), PollAnswer(answer)


def on_vote(args: Args) -> None:
    poll_id, answer = _vote_of(args.action or {})
    args.ack()
    deps, user_id = Deps.of(args.context), user_id_of(args.body)
    then = flows.vote(
        deps, team_id=team_id_of(args.body), poll_id=poll_id, user_id=user_id, answer=answer
    )
    follow_ups = [e for e in then if not isinstance(e, effects.RewritePoll)]
    effects.run(follow_ups, deps=deps, client=args.client)
    args.respond(response_type="ephemeral", replace_original=False, text=vote_receipt(answer))
    effects.run(
        [e for e in then if isinstance(e, effects.RewritePoll)], deps=deps, client=args.client
    )


def on_topics(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    poll_id = record_id(str(action.get("block_id")).partition(":")[2])
    chosen = action.get("selected_options")
    topics = [
        o["value"]
        for o in (chosen if isinstance(chosen, list) else [])
        if isinstance(o, dict) and isinstance(o.get("value"), str)
    ]
    ack()
    deps = Deps.of(context)
    then = flows.choose_topics(
        deps, team_id=team_id_of(body), poll_id=poll_id, user_id=user_id_of(body), topics=topics
    )
    effects.run(then, deps=deps, client=client)


COMMANDS = (
    SubCommand(
        "poll",
        poll_command,
        HelpEntry(
            f"{COMMAND} poll #channel | close",
            "ask a channel who'd take part, or close the open poll",
            coordinators_only=True,
        ),
    ),
)
LISTENERS = (
    action(re.compile(f"^{POLL_VOTE_PREFIX}"), on_vote),
    action(ActionId.POLL_TOPICS, on_topics),
)
