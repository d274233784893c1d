"""`/mentoring coordinators add|remove|list`: who runs the program."""

from __future__ import annotations

from bot.flows.coordinators import change_coordinators, coordinators
from bot.handlers.commands import COMMAND, CommandCall, SubCommand
from bot.services.errors import DomainError
from bot.slack.users import mentioned_users
from bot.views.messages import HelpEntry

USAGE = f"`{COMMAND} coordinators add @person`, `remove @person` or `list`"


def manage_coordinators(call: CommandCall) -> None:
    action, _, rest = call.args.partition(" ")
    action = action.lower() or "list"
    if action == "list":
        listed = coordinators(call.deps, team_id=call.team_id)
        names = [f"<@{u}>" for u in listed.configured + listed.added]
        text = (
            "*Coordinators:* "
            + (", ".join(names) or "none named yet")
            + "\nWorkspace admins and owners are coordinators too."
        )
        call.ack(response_type="ephemeral", text=text)
        return
    if action not in ("add", "remove"):
        raise DomainError(f"Try {USAGE}.")
    users = mentioned_users(rest)
    if not users:
        raise DomainError(f"Mention the person with @, e.g. {USAGE}.")
    change_coordinators(
        call.deps, team_id=call.team_id, by=call.user_id, users=users, adding=action == "add"
    )
    who = ", ".join(f"<@{u}>" for u in users)
    change = "added to" if action == "add" else "removed from"
    call.ack(response_type="ephemeral", text=f"Done: {who} {change} the coordinators.")


COMMANDS = (
    SubCommand(
        "coordinators",
        manage_coordinators,
        HelpEntry(
            f"{COMMAND} coordinators add|remove|list @person",
            "manage who runs the program",
            coordinators_only=True,
        ),
    ),
)
