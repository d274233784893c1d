"""`/mentoring end-pair`: a coordinator ends a pair that isn't working."""

from __future__ import annotations

from bot.flows import pair_fixes as flows
from bot.handlers.commands import COMMAND, CommandCall, SubCommand
from bot.services.errors import DomainError
from bot.slack.users import USER_MENTION, mentioned_users
from bot.views.messages import HelpEntry

USAGE = f"`{COMMAND} end-pair @person [@partner] why`"


def end_pair_command(call: CommandCall) -> None:
    users = mentioned_users(call.args)
    if not users:
        raise DomainError(f"Name someone in the pair with @, e.g. {USAGE}.")
    reason = USER_MENTION.sub("", call.args).strip()
    receipt = flows.end_pair(call.deps, team_id=call.team_id, users=users, reason=reason)
    call.ack(response_type="ephemeral", text=receipt)


COMMANDS = (
    SubCommand(
        "end-pair",
        end_pair_command,
        HelpEntry(
            f"{COMMAND} end-pair @person [@partner] why",
            "end a pair that isn't working; each partner gets a kind note, the reason stays "
            "with coordinators",
            coordinators_only=True,
        ),
    ),
)
