"""The goals and ground rules form, the pair's agreement summary, and the goals list."""

from __future__ import annotations

from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ContextBlock,
    DatePickerElement,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    OptionGroup,
    OverflowMenuElement,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.services.agreements import (
    BOUNDARIES_LENGTH,
    GOAL_TEXT_LENGTH,
    MAX_GOALS,
    MEETING_MODE_LENGTH,
    AgreementForm,
    AgreementInput,
    AgreementSummary,
    GoalInput,
    GoalLine,
    PairGoals,
    PartnerNotice,
    RulesInput,
    SaveOutcome,
)
from bot.services.topics import TOPICS_BY_KEY, TopicKind, topic_label, topics_of_kind
from bot.views.ids import ActionId, CallbackId, GoalRowField, GoalsBlock, goal_block_id
from bot.views.metadata import ViewMetadata
from bot.views.signup import CADENCE_LABELS, TOPIC_GROUP_LABELS
from bot.views.text import escape, sections
from models.enums import Cadence, GoalStatus, Side

TITLE = "Goals and ground rules"
CONFIDENTIALITY_VALUE = "agree"
CONFIDENTIALITY_PROMISE = "I'll keep what we share between us, unless we both agree otherwise"
SOMEONE_WHO_LEFT = "(someone who left)"
CLOSED_GOALS_SHOWN = 4  # per pair in the goals list, newest first; open goals are all shown
GOAL_MENU_LABELS = {GoalStatus.ACHIEVED: "Mark achieved", GoalStatus.DROPPED: "Drop this goal"}
STATUS_MARKS = {
    GoalStatus.OPEN: "",
    GoalStatus.ACHIEVED: "  :white_check_mark: _achieved_",
    GoalStatus.DROPPED: "  _dropped_",
}


class GoalsMetadata(ViewMetadata):
    pair_id: int = 0
    # The id of the goal each row shows (None for a blank row), so a save edits those goals.
    goal_ids: tuple[int | None, ...] = ()


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def mention(user_id: str | None) -> str:
    return f"<@{user_id}>" if user_id else SOMEONE_WHO_LEFT


def _topic_groups(side: Side) -> list[OptionGroup]:
    # The mentee learns digital skills; the reverse mentor mostly asks for business experience.
    kinds = (
        [TopicKind.DIGITAL, TopicKind.BUSINESS]
        if side == Side.MENTEE
        else [TopicKind.BUSINESS, TopicKind.DIGITAL]
    )
    return [
        OptionGroup(
            label=TOPIC_GROUP_LABELS[kind],
            options=[Option(value=t.key, label=t.label) for t in topics_of_kind(kind)],
        )
        for kind in kinds
    ]


def _topic_option(key: str | None) -> Option | None:
    if key is None or key not in TOPICS_BY_KEY:
        return None
    return Option(value=key, label=topic_label(key))


def _goal_row(side: Side, row: int, goal: GoalInput) -> list[Block]:
    required = row == 0
    mentee = side == Side.MENTEE
    heading = f"*Goal {row + 1}*" + ("" if required else " _(optional)_")
    return [
        SectionBlock(text=MarkdownTextObject(text=heading)),
        InputBlock(
            block_id=goal_block_id(GoalRowField.TOPIC, row),
            label="Topic" if mentee else "Topic (optional)",
            optional=not (required and mentee),
            element=StaticSelectElement(
                action_id=goal_block_id(GoalRowField.TOPIC, row),
                placeholder="Choose a topic",
                option_groups=_topic_groups(side),
                initial_option=_topic_option(goal.topic),
            ),
        ),
        InputBlock(
            block_id=goal_block_id(GoalRowField.TEXT, row),
            label="What do you want to learn?" if mentee else "What would you like in return?",
            optional=not required,
            element=PlainTextInputElement(
                action_id=goal_block_id(GoalRowField.TEXT, row),
                multiline=True,
                max_length=GOAL_TEXT_LENGTH,
                initial_value=goal.text or None,
                placeholder=(
                    "e.g. Use generative AI to draft my team updates"
                    if mentee
                    else "e.g. Understand how the annual budget is decided"
                ),
            ),
        ),
        InputBlock(
            block_id=goal_block_id(GoalRowField.TARGET_DATE, row),
            label="Target date",
            optional=True,
            element=DatePickerElement(
                action_id=goal_block_id(GoalRowField.TARGET_DATE, row),
                initial_date=goal.target_date.isoformat() if goal.target_date else None,
            ),
        ),
    ]


def _rules_note(form: AgreementForm, partner: str) -> str:
    if form.i_confirmed and form.partner_confirmed:
        return (
            f"You both agreed to these. If you change them, {partner} is asked to confirm "
            "them again."
        )
    if form.i_confirmed:
        return f"Waiting for {partner} to confirm these."
    if form.proposed_by_partner:
        return f"{partner} proposed these. Saving means you agree to them."
    return f"They're shared by you both: {partner} sees what you choose and confirms it too."


def goals_modal(
    *, form: AgreementForm, side: Side, partner_user: str | None, metadata: GoalsMetadata
) -> View:
    """One person's goals and the pair's ground rules, pre-filled from `form`."""
    partner = mention(partner_user)
    rules = form.values.rules
    if side == Side.MENTEE:
        intro = (
            f"You're learning from {partner}. What do you want to learn? Add up to {MAX_GOALS} "
            "goals; a target date helps you both plan."
        )
    else:
        intro = (
            f"You're the reverse mentor for {partner}. Mentoring goes both ways: what would "
            "you like in return? Business experience, say: how strategy is set, leading "
            f"people, career advice. Add up to {MAX_GOALS} goals."
        )
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=intro))]
    goals = list(form.values.goals[:MAX_GOALS])
    goals += [GoalInput()] * (MAX_GOALS - len(goals))
    for row, goal in enumerate(goals):
        blocks += _goal_row(side, row, goal)
    cadences = [Option(value=str(c), label=label) for c, label in CADENCE_LABELS.items()]
    promise = Option(value=CONFIDENTIALITY_VALUE, label=CONFIDENTIALITY_PROMISE)
    blocks += [
        DividerBlock(),
        HeaderBlock(text="Ground rules for you both"),
        ContextBlock(elements=[MarkdownTextObject(text=_rules_note(form, partner))]),
        InputBlock(
            block_id=GoalsBlock.CONFIDENTIALITY,
            label="Confidentiality",
            element=CheckboxesElement(
                action_id=GoalsBlock.CONFIDENTIALITY,
                options=[promise],
                initial_options=[promise] if rules.confidentiality else None,
            ),
        ),
        InputBlock(
            block_id=GoalsBlock.MEETING_MODE,
            label="How you'll meet",
            element=PlainTextInputElement(
                action_id=GoalsBlock.MEETING_MODE,
                max_length=MEETING_MODE_LENGTH,
                initial_value=rules.meeting_mode or None,
                placeholder="e.g. video call, or coffee in the office",
            ),
        ),
        InputBlock(
            block_id=GoalsBlock.CADENCE,
            label="How often",
            element=StaticSelectElement(
                action_id=GoalsBlock.CADENCE,
                options=cadences,
                initial_option=next((o for o in cadences if o.value == rules.cadence), None),
            ),
        ),
        InputBlock(
            block_id=GoalsBlock.ENDS_ON,
            label="Until",
            element=DatePickerElement(
                action_id=GoalsBlock.ENDS_ON,
                initial_date=rules.ends_on.isoformat() if rules.ends_on else None,
            ),
        ),
        InputBlock(
            block_id=GoalsBlock.BOUNDARIES,
            label="Boundaries",
            optional=True,
            element=PlainTextInputElement(
                action_id=GoalsBlock.BOUNDARIES,
                multiline=True,
                max_length=BOUNDARIES_LENGTH,
                initial_value=rules.boundaries or None,
                placeholder="e.g. no calls after 6pm; our teams' results stay out of it",
            ),
        ),
    ]
    return View(
        type="modal",
        callback_id=CallbackId.GOALS,
        title=PlainTextObject(text=TITLE),
        submit=PlainTextObject(text="Save" if form.i_confirmed else "Agree and save"),
        close=PlainTextObject(text="Cancel"),
        private_metadata=metadata.dump(),
        blocks=blocks,
    )


def parse_goals_state(state: dict[str, dict[str, dict[str, Any]]]) -> AgreementInput:
    """Read the goals form's `view.state.values` back into an AgreementInput."""

    def el(block_id: str) -> dict[str, Any]:
        return state.get(block_id, {}).get(block_id) or {}

    def selected(block_id: str) -> str | None:
        option = el(block_id).get("selected_option")
        value = option.get("value") if isinstance(option, dict) else None
        return value if isinstance(value, str) else None

    def text(block_id: str) -> str:
        value = el(block_id).get("value")
        return value if isinstance(value, str) else ""

    def as_date(block_id: str) -> date | None:
        raw = el(block_id).get("selected_date")
        try:
            return date.fromisoformat(raw) if isinstance(raw, str) else None
        except ValueError:
            return None

    goals = tuple(
        GoalInput(
            topic=selected(goal_block_id(GoalRowField.TOPIC, row)),
            text=text(goal_block_id(GoalRowField.TEXT, row)),
            target_date=as_date(goal_block_id(GoalRowField.TARGET_DATE, row)),
        )
        for row in range(MAX_GOALS)
    )
    ticked = el(GoalsBlock.CONFIDENTIALITY).get("selected_options") or []
    cadence = selected(GoalsBlock.CADENCE)
    return AgreementInput(
        goals=goals,
        rules=RulesInput(
            confidentiality=any(
                isinstance(o, dict) and o.get("value") == CONFIDENTIALITY_VALUE for o in ticked
            ),
            boundaries=text(GoalsBlock.BOUNDARIES),
            meeting_mode=text(GoalsBlock.MEETING_MODE),
            cadence=Cadence(cadence) if cadence in set(Cadence) else None,
            ends_on=as_date(GoalsBlock.ENDS_ON),
        ),
    )


def saved_view(outcome: SaveOutcome) -> View:
    """What the form turns into once saved."""
    partner = mention(outcome.partner_user)
    if outcome.partner_user is None:
        text = "Saved."
    elif outcome.notice == PartnerNotice.RECONFIRM:
        text = (
            f"Saved. You changed the ground rules, so {partner} has been asked to confirm "
            "them again."
        )
    elif outcome.agreed:
        text = (
            f"Saved. You and {partner} have both agreed to your ground rules; the summary "
            "is in your group DM."
        )
    else:
        text = (
            f"Saved. Once {partner} has added their goals and confirmed the ground rules, "
            "a summary is posted in your group DM."
        )
    return View(
        type="modal",
        callback_id=CallbackId.GOALS,
        title=PlainTextObject(text=TITLE),
        close=PlainTextObject(text="Done"),
        blocks=[
            SectionBlock(text=MarkdownTextObject(text=text)),
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text="Change your goals or mark them achieved any time with "
                        "`/mentoring goals`."
                    )
                ]
            ),
        ],
    )


def _goal_line(goal: GoalLine, *, with_status: bool = False) -> str:
    line = f"*{topic_label(goal.topic)}*: {escape(goal.text)}" if goal.topic else escape(goal.text)
    if goal.target_date:
        line += f" _(by {long_date(goal.target_date)})_"
    if with_status:
        line += STATUS_MARKS[goal.status]
    return line


def _bullets(goals: list[GoalLine]) -> str:
    return "\n".join(f"• {_goal_line(g, with_status=True)}" for g in goals) or "_none yet_"


def _rules_lines(rules: RulesInput) -> str:
    lines = [
        "• *Confidential:* what you share stays between you two, unless you both agree otherwise",
        f"• *Meeting:* {escape(rules.meeting_mode)}, "
        + (CADENCE_LABELS[rules.cadence].lower() if rules.cadence else "as you agree"),
    ]
    if rules.ends_on:
        lines.append(f"• *Until:* {long_date(rules.ends_on)}")
    if rules.boundaries:
        lines.append(f"• *Boundaries:* {escape(rules.boundaries)}")
    return "\n".join(lines)


def summary_message(summary: AgreementSummary) -> tuple[str, list[Block]]:
    """The agreement both people confirmed, posted once in their group DM."""
    mentor, mentee = mention(summary.mentor_user), mention(summary.mentee_user)
    text = f"{mentor} and {mentee} have agreed their goals and ground rules"
    blocks: list[Block] = [
        HeaderBlock(text="Your mentoring agreement"),
        SectionBlock(
            text=MarkdownTextObject(
                text=f"{mentor} and {mentee}, you've both agreed. Here is what you're "
                "working towards, for the record."
            )
        ),
        # Each goal fits a section, but three of them escaped may not: as many as needed.
        *sections(f"*What {mentee} wants to learn*\n{_bullets(summary.mentee_goals)}"),
        *sections(f"*What {mentor} wants in return*\n{_bullets(summary.mentor_goals)}"),
        *sections(f"*Ground rules*\n{_rules_lines(summary.rules)}"),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="Change your goals or mark them achieved any time with `/mentoring goals`."
                )
            ]
        ),
    ]
    return text, blocks


def partner_notice(
    notice: PartnerNotice, *, from_user: str, pair_id: int
) -> tuple[str, list[Block]]:
    """The DM to the other person after a save: their turn, or the rules changed."""
    who = mention(from_user)
    if notice == PartnerNotice.RECONFIRM:
        text = (
            f"{who} changed the ground rules you'd agreed to. Please have a look and confirm "
            "them again."
        )
        button = "Review and confirm"
    else:
        text = (
            f"{who} has set their goals for your mentoring and proposed ground rules for you "
            "both. Add your own goals and confirm the ground rules."
        )
        button = "Set my goals"
    return text, [
        SectionBlock(text=MarkdownTextObject(text=text)),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text=button,
                    action_id=ActionId.START_GOALS,
                    style="primary",
                    value=str(pair_id),
                )
            ]
        ),
    ]


def _state_line(entry: PairGoals) -> str:
    if not entry.has_agreement or entry.rules is None:
        return "No goals or ground rules yet: start with the button below."
    if entry.agreed:
        rules = entry.rules
        until = f" until {long_date(rules.ends_on)}" if rules.ends_on else ""
        cadence = CADENCE_LABELS[rules.cadence].lower() if rules.cadence else "as you agree"
        return f":handshake: Ground rules agreed by you both: meeting {cadence}{until}."
    if not entry.i_confirmed:
        return "You haven't confirmed the ground rules yet."
    return f"Waiting for {mention(entry.partner)} to confirm the ground rules."


def _owner(entry: PairGoals, goal: GoalLine) -> str | None:
    return entry.mentor if goal.side == Side.MENTOR else entry.mentee


def goals_list(entries: list[PairGoals]) -> tuple[str, list[Block]]:
    """The person's pairs with every goal, a menu to mark open ones, and a button to edit."""
    blocks: list[Block] = []
    for index, entry in enumerate(entries):
        if index:
            blocks.append(DividerBlock())
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text=f"*Goals with {mention(entry.partner)}*\n{_state_line(entry)}"
                )
            )
        )
        open_goals = [g for g in entry.goals if g.status == GoalStatus.OPEN]
        closed = [g for g in entry.goals if g.status != GoalStatus.OPEN]
        shown = sorted(closed, key=lambda g: g.id, reverse=True)[:CLOSED_GOALS_SHOWN]
        for goal in open_goals + [g for g in closed if g in shown]:
            owner = _owner(entry, goal)
            you = owner == entry.me
            menu = None
            if goal.status == GoalStatus.OPEN:
                menu = OverflowMenuElement(
                    action_id=ActionId.GOAL_MENU,
                    options=[
                        Option(value=f"{status}:{goal.id}", label=label)
                        for status, label in GOAL_MENU_LABELS.items()
                    ],
                )
            blocks.append(
                SectionBlock(
                    block_id=f"goal:{goal.id}",
                    text=MarkdownTextObject(
                        text=f"{'You' if you else mention(owner)}: "
                        f"{_goal_line(goal, with_status=True)}"
                    ),
                    accessory=menu,
                )
            )
        if len(closed) > len(shown):
            earlier = len(closed) - len(shown)
            blocks.append(
                ContextBlock(
                    elements=[
                        MarkdownTextObject(
                            text=f"…and {earlier} earlier goal{'s' if earlier > 1 else ''} "
                            "achieved or dropped."
                        )
                    ]
                )
            )
        label = "Edit goals and ground rules" if entry.i_confirmed else "Set my goals"
        blocks.append(
            ActionsBlock(
                block_id=f"pair:{entry.pair_id}",
                elements=[
                    ButtonElement(
                        text=label,
                        action_id=ActionId.START_GOALS,
                        value=str(entry.pair_id),
                        style=None if entry.i_confirmed else "primary",
                    )
                ],
            )
        )
    blocks.append(
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="Only you can see this. Marking a goal achieved tells your partner "
                    "in your group DM."
                )
            ]
        )
    )
    return "Your mentoring goals", blocks


def achieved_note(*, user_id: str, goal: GoalLine) -> str:
    """Posted in the pair's group DM when a goal is marked achieved."""
    return f":tada: {mention(user_id)} marked a goal achieved: {_goal_line(goal)}"
