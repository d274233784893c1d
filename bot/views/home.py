"""The App Home tab: the person's own status, and for coordinators the program at a glance."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.services.dashboard import Dashboard
from bot.services.matching.rounds import RoundStatus
from bot.services.pair_results import BOARD_MIN_PAIRS, Board
from bot.services.participation import StatusReport
from bot.services.stats import ProgramStats
from bot.views.ids import ActionId
from bot.views.matching import round_line, undelivered_text
from bot.views.messages import profile_summary_fields
from bot.views.participation import local_date
from bot.views.polls import tally_lines
from bot.views.programs import program_line
from bot.views.stats import at_risk_line, one_decimal, percent
from bot.views.text import clip, escape, plural
from models.enums import GoalStatus, PairStatus, PollStatus, RoundState

INTRO = (
    "pairs digital natives with senior colleagues. Reverse mentors coach on technology, "
    "social media, AI and younger customers' culture; mentees share business experience back."
)
PAIR_LABELS = {
    PairStatus.PROPOSED: "proposed",
    PairStatus.ACTIVE: "active",
    PairStatus.AT_RISK: "at risk",
    PairStatus.COMPLETED: "completed",
    PairStatus.ENDED: "ended",
}


def _participant_blocks(report: StatusReport) -> list[Block]:
    if report.program is None:
        return [
            SectionBlock(
                text=MarkdownTextObject(
                    text="No program is open right now. "
                    "Your coordinators will announce the next one."
                )
            )
        ]
    program = escape(report.program.name)
    if report.profile is None or report.left:
        return [
            SectionBlock(text=MarkdownTextObject(text=f"*{program}* {INTRO}")),
            ActionsBlock(
                elements=[
                    ButtonElement(
                        text="Join the program", action_id=ActionId.OPEN_SIGNUP, style="primary"
                    )
                ]
            ),
        ]
    if report.paused_until:
        state = f"You're paused until {local_date(report.paused_until)}."
        toggle = ButtonElement(text="Resume now", action_id=ActionId.RESUME)
    else:
        state = "You're active."
        toggle = ButtonElement(text="Pause for 2 weeks", action_id=ActionId.PAUSE, value="2")
    partner = (
        "Your partner: " + ", ".join(f"<@{p}>" for p in report.partners)
        if report.partners
        else "You'll get a DM as soon as you're matched."
    )
    return [
        SectionBlock(
            text=MarkdownTextObject(text=f"You're signed up for *{program}*. {state}\n{partner}")
        ),
        SectionBlock(fields=profile_summary_fields(report.profile)),
        ActionsBlock(
            elements=[
                ButtonElement(text="Edit my profile", action_id=ActionId.OPEN_SIGNUP),
                toggle,
            ]
        ),
    ]


AT_RISK_ON_HOME = 5
BOARD_SHOWN = 10  # pairs on the board; the rest are counted


def _headline_blocks(stats: ProgramStats) -> list[Block]:
    """The report's headline figures and the pairs that need a coordinator now."""
    s, o = stats.sessions, stats.outcomes
    lines = [
        f"*Sessions:* {s.held} held · {s.cancelled} cancelled · {s.missed} missed · "
        f"{s.upcoming} upcoming · check-ins answered {percent(s.checkin_rate)}",
        f"*Outcomes:* session rating {one_decimal(o.session_rating)} / 5 · rate the program "
        f"effective {percent(o.effective_share)} · goals achieved "
        f"{o.goals[GoalStatus.ACHIEVED]}",
    ]
    at_risk = stats.pairs.at_risk
    if at_risk:
        lines.append(f"*Pairs at risk ({len(at_risk)}):*")
        lines += [at_risk_line(a) for a in at_risk[:AT_RISK_ON_HOME]]
        if len(at_risk) > AT_RISK_ON_HOME:
            lines.append(f"and {len(at_risk) - AT_RISK_ON_HOME} more: `/mentoring stats`")
    else:
        lines.append("*Pairs at risk:* none")
    return [SectionBlock(text=MarkdownTextObject(text=clip("\n".join(lines))))]


def _round_blocks(status: RoundStatus) -> list[Block]:
    """The latest round of matching: running, ready to review, failed, or how publishing went."""
    section = SectionBlock(text=MarkdownTextObject(text=round_line(status)))
    if status.state in (RoundState.READY, RoundState.FAILED, RoundState.PUBLISHING):
        label = {
            RoundState.READY: "Review the proposal",
            RoundState.FAILED: "Match again",
            RoundState.PUBLISHING: "Show progress",
        }[status.state]
        section.accessory = ButtonElement(
            text=label, action_id=ActionId.OPEN_PROPOSAL, value=str(status.program_id)
        )
    blocks: list[Block] = [section]
    if status.state == RoundState.PUBLISHED and status.progress is not None:
        missing = undelivered_text(status.progress)
        if missing:
            blocks.append(SectionBlock(text=MarkdownTextObject(text=missing)))
    return blocks


def _board_block(board: Board) -> SectionBlock:
    """Pairs by sessions held and goals achieved: only those that agreed, only from three."""
    if not board.rows:
        text = (
            f"*Participation board*\n{plural(board.agreed, 'pair')} agreed to be shown so far; "
            f"the board appears once {BOARD_MIN_PAIRS} have, so no one stands out alone."
        )
        return SectionBlock(text=MarkdownTextObject(text=text))
    lines = [
        f"{n}. {_pair_names(row.mentor_user, row.mentee_user)}: "
        f"{plural(row.sessions_held, 'session')} held, "
        f"{plural(row.goals_achieved, 'goal')} achieved"
        for n, row in enumerate(board.rows[:BOARD_SHOWN], start=1)
    ]
    if len(board.rows) > BOARD_SHOWN:
        lines.append(f"and {len(board.rows) - BOARD_SHOWN} more")
    return SectionBlock(
        text=MarkdownTextObject(
            text="*Participation board* (pairs who agreed to be named)\n" + "\n".join(lines)
        )
    )


def _pair_names(mentor_user: str | None, mentee_user: str | None) -> str:
    return " & ".join(f"<@{u}>" if u else "(someone who left)" for u in (mentor_user, mentee_user))


def _coordinator_blocks(dashboard: Dashboard) -> list[Block]:
    blocks: list[Block] = [DividerBlock(), HeaderBlock(text="Coordinator view")]
    if dashboard.program is None:
        blocks.append(SectionBlock(text=MarkdownTextObject(text="No program is open.")))
    else:
        pairs = ", ".join(f"{n} {PAIR_LABELS[s]}" for s, n in dashboard.pairs.items() if n)
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text=f"{program_line(dashboard.program)}\n*Pairs:* {pairs or 'none yet'}"
                )
            )
        )
    if dashboard.stats is not None:
        blocks += _headline_blocks(dashboard.stats)
    if dashboard.round is not None:
        blocks += _round_blocks(dashboard.round)
    if dashboard.board is not None and dashboard.board.agreed:
        blocks.append(_board_block(dashboard.board))
    buttons = [ButtonElement(text="New program", action_id=ActionId.NEW_PROGRAM)]
    if dashboard.program is not None:
        buttons.insert(0, ButtonElement(text="Edit program", action_id=ActionId.EDIT_PROGRAM))
    blocks.append(ActionsBlock(elements=buttons))
    if dashboard.poll is not None and dashboard.poll_tallies is not None:
        state = "open" if dashboard.poll.status == PollStatus.OPEN else "closed"
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text=f"*Latest interest poll* (in <#{dashboard.poll.channel_id}>, {state})\n"
                    + tally_lines(dashboard.poll_tallies)
                )
            )
        )
    else:
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text="No interest poll yet: `/mentoring poll #channel` asks who'd take part."
                )
            )
        )
    return blocks


def home_view(report: StatusReport, dashboard: Dashboard | None = None) -> View:
    """Home for one person; `dashboard` is given when they are a coordinator."""
    blocks: list[Block] = [HeaderBlock(text="Reverse mentoring"), *_participant_blocks(report)]
    if dashboard is not None:
        blocks += _coordinator_blocks(dashboard)
    blocks.append(
        ContextBlock(
            elements=[MarkdownTextObject(text="Type `/mentoring help` for every command.")]
        )
    )
    return View(type="home", blocks=blocks)
