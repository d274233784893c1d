"""A pair's goals both ways and its shared ground rules, agreed by both people."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, joinedload

from bot.services.errors import DomainError
from bot.services.pairs import PUBLISHED
from bot.services.persistence import get_or_create
from bot.services.topics import TOPICS_BY_KEY
from models import Agreement, Goal, Pair, Participant, Program
from models.enums import Cadence, GoalStatus, Side

MAX_GOALS = 3  # open goals per side
GOAL_TEXT_LENGTH = 300
BOUNDARIES_LENGTH = 1000
MEETING_MODE_LENGTH = 200  # the column's width


class NoPairError(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "You don't have a mentoring partner yet. Once you're matched, you'll both be "
            "introduced in a group DM with a button to set your goals."
        )


class NotInPairError(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "Only the two people in this mentoring pair can see or change its goals and "
            "ground rules."
        )


class PairEndedError(DomainError):
    def __init__(self) -> None:
        super().__init__("This mentoring pair has ended, so its goals can no longer be changed.")


class AgreementField(StrEnum):
    """The ground rules' fields; the goal rows' fields are `goal_field(GoalField.X, row)`."""

    CONFIDENTIALITY = "confidentiality"
    BOUNDARIES = "boundaries"
    MEETING_MODE = "meeting_mode"
    CADENCE = "cadence"
    ENDS_ON = "ends_on"


class GoalField(StrEnum):
    TOPIC = "goal_topic"
    TEXT = "goal_text"
    TARGET_DATE = "goal_date"


def goal_field(field_: GoalField, row: int) -> str:
    """The field of one goal row, e.g. `goal_text:0` for the first goal's text."""
    return f"{field_}:{row}"


@dataclass(frozen=True)
class GoalInput:
    topic: str | None = None
    text: str = ""
    target_date: date | None = None

    @property
    def blank(self) -> bool:
        return not self.text.strip() and self.topic is None and self.target_date is None


@dataclass(frozen=True)
class RulesInput:
    confidentiality: bool = False
    boundaries: str = ""
    meeting_mode: str = ""
    cadence: Cadence | None = None
    ends_on: date | None = None

    def normalized(self) -> tuple[bool, str, str, Cadence | None, date | None]:
        """What counts when telling whether the rules changed (whitespace does not)."""
        return (
            self.confidentiality,
            " ".join(self.boundaries.split()),
            " ".join(self.meeting_mode.split()),
            self.cadence,
            self.ends_on,
        )


@dataclass(frozen=True)
class AgreementInput:
    """One person's form: their goals, row by row, and the pair's ground rules."""

    goals: tuple[GoalInput, ...] = ()
    rules: RulesInput = field(default_factory=RulesInput)


@dataclass(frozen=True)
class GoalLine:
    """A goal as people see it (plain data, for messages and lists)."""

    id: int
    side: Side
    topic: str | None
    text: str
    target_date: date | None
    status: GoalStatus

    @classmethod
    def of(cls, goal: Goal) -> GoalLine:
        return cls(goal.id, goal.side, goal.topic, goal.text, goal.target_date, goal.status)


@dataclass(frozen=True)
class Membership:
    """A person's place in a published pair: which side, and who the other person is."""

    pair: Pair
    side: Side
    me: Participant
    partner: Participant | None

    @property
    def partner_side(self) -> Side:
        return Side.MENTEE if self.side == Side.MENTOR else Side.MENTOR


def validate_agreement(*, values: AgreementInput, side: Side, now: datetime) -> dict[str, str]:
    """A message per field that breaks a rule; empty when the form may be saved."""
    today = now.date()
    errors: dict[str, str] = {}
    for row, goal in enumerate(values.goals[:MAX_GOALS]):
        errors.update(_goal_errors(goal, row, side=side, today=today, ends_on=values.rules.ends_on))
    if not values.goals:
        errors[goal_field(GoalField.TEXT, 0)] = "Please describe at least one goal."
    errors.update(_rules_errors(values.rules, today=today))
    return errors


def _goal_errors(
    goal: GoalInput, row: int, *, side: Side, today: date, ends_on: date | None
) -> dict[str, str]:
    errors: dict[str, str] = {}
    text = goal.text.strip()
    text_field = goal_field(GoalField.TEXT, row)
    if not text:
        if row == 0:
            errors[text_field] = "Please describe at least one goal."
        elif not goal.blank:
            errors[text_field] = "Describe this goal, or clear its topic and date."
    elif len(text) > GOAL_TEXT_LENGTH:
        errors[text_field] = f"Please keep each goal under {GOAL_TEXT_LENGTH} characters."
    topic_field = goal_field(GoalField.TOPIC, row)
    if goal.topic is not None and goal.topic not in TOPICS_BY_KEY:
        errors[topic_field] = "Please choose a topic from the list."
    elif side == Side.MENTEE and text and goal.topic is None:
        errors[topic_field] = "Choose the topic you want to learn about."
    date_field = goal_field(GoalField.TARGET_DATE, row)
    if goal.target_date is not None and goal.target_date < today:
        errors[date_field] = "Pick a target date from today on."
    elif goal.target_date is not None and ends_on is not None and goal.target_date > ends_on:
        errors[date_field] = "Pick a target date on or before the end date."
    return errors


def _rules_errors(rules: RulesInput, *, today: date) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not rules.confidentiality:
        errors[AgreementField.CONFIDENTIALITY] = (
            "Please agree to keep what you share confidential: it's what makes "
            "honest conversations possible."
        )
    if len(rules.boundaries.strip()) > BOUNDARIES_LENGTH:
        errors[AgreementField.BOUNDARIES] = (
            f"Please keep the boundaries under {BOUNDARIES_LENGTH} characters."
        )
    meeting_mode = rules.meeting_mode.strip()
    if not meeting_mode:
        errors[AgreementField.MEETING_MODE] = "Say how you'll meet, e.g. video call or coffee."
    elif len(meeting_mode) > MEETING_MODE_LENGTH:
        errors[AgreementField.MEETING_MODE] = (
            f"Please keep this under {MEETING_MODE_LENGTH} characters."
        )
    if rules.cadence is None:
        errors[AgreementField.CADENCE] = "Choose how often you'll meet."
    if rules.ends_on is None:
        errors[AgreementField.ENDS_ON] = "Choose when your mentoring ends."
    elif rules.ends_on <= today:
        errors[AgreementField.ENDS_ON] = "The end date must be in the future."
    return errors


# -- who may see and change a pair's agreement ---------------------------------------------------


def _membership(pair: Pair, user_id: str) -> Membership | None:
    if pair.mentor is not None and pair.mentor.slack_user_id == user_id:
        return Membership(pair=pair, side=Side.MENTOR, me=pair.mentor, partner=pair.mentee)
    if pair.mentee is not None and pair.mentee.slack_user_id == user_id:
        return Membership(pair=pair, side=Side.MENTEE, me=pair.mentee, partner=pair.mentor)
    return None


def membership_of(
    db_session: Session, *, team_id: str, user_id: str, pair_id: int, lock: bool = False
) -> Membership:
    """The user's place in the pair; refused unless they are one of its two people.

    `lock` holds the pair's row until the transaction ends, so two saves of one pair's
    agreement (one by each person, or a double submission) happen one after the other.
    """
    query = (
        select(Pair)
        .where(Pair.id == pair_id)
        .options(joinedload(Pair.mentor), joinedload(Pair.mentee))
    )
    if lock:
        query = query.with_for_update(of=Pair)
    pair = db_session.scalars(query).unique().one_or_none()
    membership = _membership(pair, user_id) if pair is not None else None
    if pair is None or pair.team_id != team_id or membership is None:
        raise NotInPairError
    if pair.status not in PUBLISHED:
        raise PairEndedError
    return membership


def memberships(db_session: Session, *, team_id: str, user_id: str) -> list[Membership]:
    """The user's published pairs (oldest first); a reverse mentor may have several."""
    mine = select(Participant.id).where(
        Participant.team_id == team_id, Participant.slack_user_id == user_id
    )
    pairs = db_session.scalars(
        select(Pair)
        .where(
            Pair.team_id == team_id,
            Pair.status.in_(PUBLISHED),
            or_(Pair.mentor_id.in_(mine), Pair.mentee_id.in_(mine)),
        )
        .options(joinedload(Pair.mentor), joinedload(Pair.mentee))
        .order_by(Pair.id)
    ).unique()
    found = [m for pair in pairs if (m := _membership(pair, user_id)) is not None]
    if not found:
        raise NoPairError
    return found


# -- reading ------------------------------------------------------------------------------------


def find_agreement(db_session: Session, *, pair_id: int) -> Agreement | None:
    """The pair's agreement, once either person has saved the form."""
    return db_session.scalars(select(Agreement).where(Agreement.pair_id == pair_id)).one_or_none()


def pair_goals(db_session: Session, *, pair_id: int) -> list[Goal]:
    """Every goal of the pair: the mentee's first, then the reverse mentor's, oldest first."""
    goals = db_session.scalars(select(Goal).where(Goal.pair_id == pair_id).order_by(Goal.id))
    return sorted(goals, key=lambda g: g.side != Side.MENTEE)


def _open_goals(db_session: Session, *, pair_id: int, side: Side) -> list[Goal]:
    return list(
        db_session.scalars(
            select(Goal)
            .where(Goal.pair_id == pair_id, Goal.side == side, Goal.status == GoalStatus.OPEN)
            .order_by(Goal.id)
        )
    )


def confirmed_at(agreement: Agreement | None, side: Side) -> datetime | None:
    """When that side agreed to the current rules; None if they have not (or not since)."""
    if agreement is None:
        return None
    return agreement.mentor_confirmed_at if side == Side.MENTOR else agreement.mentee_confirmed_at


def _set_confirmed(agreement: Agreement, side: Side, when: datetime | None) -> None:
    if side == Side.MENTOR:
        agreement.mentor_confirmed_at = when
    else:
        agreement.mentee_confirmed_at = when


def is_agreed(agreement: Agreement | None) -> bool:
    """Both people have confirmed the current ground rules."""
    return bool(
        agreement is not None and agreement.mentor_confirmed_at and agreement.mentee_confirmed_at
    )


def rules_of(agreement: Agreement) -> RulesInput:
    """The agreement's ground rules as the form holds them."""
    return RulesInput(
        confidentiality=agreement.confidentiality,
        boundaries=agreement.boundaries or "",
        meeting_mode=agreement.meeting_mode or "",
        cadence=agreement.cadence,
        ends_on=agreement.ends_on,
    )


@dataclass(frozen=True)
class AgreementForm:
    """What one person's form shows: their open goals and the rules, pre-filled."""

    values: AgreementInput
    goal_ids: tuple[int | None, ...]
    i_confirmed: bool
    partner_confirmed: bool
    proposed_by_partner: bool  # the rules shown are the partner's, not yet agreed by me


def agreement_form(db_session: Session, *, membership: Membership) -> AgreementForm:
    """One person's form: their own open goals; the shared rules, or the program's defaults."""
    pair = membership.pair
    agreement = find_agreement(db_session, pair_id=pair.id)
    goals = _open_goals(db_session, pair_id=pair.id, side=membership.side)[:MAX_GOALS]
    rows = tuple(GoalInput(topic=g.topic, text=g.text, target_date=g.target_date) for g in goals)
    padding = MAX_GOALS - len(rows)
    i_confirmed = confirmed_at(agreement, membership.side) is not None
    partner_confirmed = confirmed_at(agreement, membership.partner_side) is not None
    if agreement is not None:
        rules = rules_of(agreement)
        # Each person ticks confidentiality themselves, until they have agreed.
        rules = replace(rules, confidentiality=i_confirmed)
    else:
        program = db_session.get(Program, pair.program_id)
        assert program is not None
        rules = RulesInput(cadence=program.cadence, ends_on=program.ends_on)
    return AgreementForm(
        values=AgreementInput(goals=rows + (GoalInput(),) * padding, rules=rules),
        goal_ids=tuple(g.id for g in goals) + (None,) * padding,
        i_confirmed=i_confirmed,
        partner_confirmed=partner_confirmed,
        proposed_by_partner=partner_confirmed and not i_confirmed,
    )


# -- saving -------------------------------------------------------------------------------------


class PartnerNotice(StrEnum):
    """What the other person is told after a save."""

    NONE = "none"
    YOUR_TURN = "your_turn"  # the first of the two has saved: add your goals and confirm
    RECONFIRM = "reconfirm"  # the rules you agreed to changed: confirm them again


@dataclass(frozen=True)
class SaveOutcome:
    agreed: bool  # both have now confirmed the current rules
    rules_changed: bool
    notice: PartnerNotice
    partner_user: str | None  # Slack user to tell, when there is a notice


def _save_goals(
    db_session: Session,
    *,
    membership: Membership,
    goals: tuple[GoalInput, ...],
    goal_ids: tuple[int | None, ...],
    now: datetime,
) -> None:
    pair, side = membership.pair, membership.side
    existing = {
        g.id: g
        for g in db_session.scalars(select(Goal).where(Goal.pair_id == pair.id, Goal.side == side))
    }
    for row in range(MAX_GOALS):
        goal_input = goals[row] if row < len(goals) else GoalInput()  # a missing row is cleared
        goal_id = goal_ids[row] if row < len(goal_ids) else None
        goal = existing.get(goal_id) if goal_id is not None else None
        if goal is not None and goal.status != GoalStatus.OPEN:
            continue  # marked achieved or dropped while the form was open: that stands
        if goal_input.blank or not goal_input.text.strip():
            if goal is not None:
                db_session.delete(goal)  # the row was cleared
            continue
        if goal is None:
            goal = Goal(pair_id=pair.id, side=side, status=GoalStatus.OPEN, created_at=now)
            db_session.add(goal)
        goal.topic = goal_input.topic
        goal.text = goal_input.text.strip()
        goal.target_date = goal_input.target_date
        goal.updated_at = now


def save_agreement(
    db_session: Session,
    *,
    membership: Membership,
    values: AgreementInput,
    goal_ids: tuple[int | None, ...],
    now: datetime,
) -> SaveOutcome:
    """Save one person's goals and the shared rules, and record that they agree to the rules.

    Changing rules the other person had agreed to withdraws their agreement (they are asked to
    confirm again) and lets the summary be posted anew once they have.
    """
    pair, side = membership.pair, membership.side
    rules = values.rules
    assert rules.cadence is not None, "validate_agreement first"
    agreement, created = get_or_create(
        db_session,
        find=lambda: find_agreement(db_session, pair_id=pair.id),
        create=lambda: Agreement(pair_id=pair.id, cadence=rules.cadence, created_at=now),
    )
    rules_changed = not created and rules_of(agreement).normalized() != rules.normalized()
    agreement.confidentiality = rules.confidentiality
    agreement.boundaries = rules.boundaries.strip() or None
    agreement.meeting_mode = rules.meeting_mode.strip()
    agreement.cadence = rules.cadence
    agreement.ends_on = rules.ends_on
    agreement.updated_at = now

    notice = PartnerNotice.NONE
    partner_confirmed = confirmed_at(agreement, membership.partner_side) is not None
    if rules_changed and partner_confirmed:
        _set_confirmed(agreement, membership.partner_side, None)
        agreement.summary_posted_at = None  # the new rules get their own summary once agreed
        notice = PartnerNotice.RECONFIRM
    elif not partner_confirmed and confirmed_at(agreement, side) is None:
        notice = PartnerNotice.YOUR_TURN
    if rules_changed or confirmed_at(agreement, side) is None:
        # Saving only goals keeps the date this person agreed to the (unchanged) rules.
        _set_confirmed(agreement, side, now)

    _save_goals(db_session, membership=membership, goals=values.goals, goal_ids=goal_ids, now=now)
    db_session.flush()
    partner = membership.partner
    return SaveOutcome(
        agreed=is_agreed(agreement),
        rules_changed=rules_changed,
        notice=notice if partner is not None else PartnerNotice.NONE,
        partner_user=partner.slack_user_id if partner is not None else None,
    )


@dataclass(frozen=True)
class AgreementSummary:
    """What the pair agreed, for the message to their group DM."""

    channel: str
    mentor_user: str | None
    mentee_user: str | None
    mentee_goals: list[GoalLine]
    mentor_goals: list[GoalLine]
    rules: RulesInput


def claim_summary(db_session: Session, *, pair_id: int, now: datetime) -> AgreementSummary | None:
    """The summary to post, once: None unless both agreed and nobody has claimed it yet.

    The claim is one conditional UPDATE, so of two concurrent callers exactly one wins; it
    commits or rolls back with the caller's transaction, which queues the post with it.
    """
    pair = db_session.get(Pair, pair_id)
    if pair is None or pair.intro_channel is None:
        return None  # never introduced: nowhere to post yet
    claimed = db_session.execute(
        update(Agreement)
        .where(
            Agreement.pair_id == pair_id,
            Agreement.summary_posted_at.is_(None),
            Agreement.mentor_confirmed_at.is_not(None),
            Agreement.mentee_confirmed_at.is_not(None),
        )
        .values(summary_posted_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(claimed, "rowcount", 0) != 1:
        return None
    return agreement_summary(db_session, pair_id=pair_id, claimed_at=now)


def agreement_summary(
    db_session: Session, *, pair_id: int, claimed_at: datetime | None = None
) -> AgreementSummary | None:
    """What the pair agreed, as claimed at `claimed_at` (None once the rules changed since, or
    the pair can no longer be posted to)."""
    pair = db_session.scalars(
        select(Pair)
        .where(Pair.id == pair_id)
        .options(joinedload(Pair.mentor), joinedload(Pair.mentee))
    ).one_or_none()
    agreement = find_agreement(db_session, pair_id=pair_id)
    if pair is None or pair.intro_channel is None or agreement is None:
        return None
    db_session.refresh(agreement)
    if claimed_at is not None and agreement.summary_posted_at != claimed_at:
        return None
    goals = [g for g in pair_goals(db_session, pair_id=pair_id) if g.status != GoalStatus.DROPPED]
    return AgreementSummary(
        channel=pair.intro_channel,
        mentor_user=pair.mentor.slack_user_id if pair.mentor else None,
        mentee_user=pair.mentee.slack_user_id if pair.mentee else None,
        mentee_goals=[GoalLine.of(g) for g in goals if g.side == Side.MENTEE],
        mentor_goals=[GoalLine.of(g) for g in goals if g.side == Side.MENTOR],
        rules=rules_of(agreement),
    )


# -- progress -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoalChange:
    goal: GoalLine
    intro_channel: str | None  # the pair's group DM, where an achieved goal is announced
    changed: bool  # False when the goal already had that status (a double click)


def set_goal_status(
    db_session: Session,
    *,
    team_id: str,
    user_id: str,
    goal_id: int,
    status: GoalStatus,
    now: datetime,
) -> GoalChange:
    """Mark one of the pair's goals achieved or dropped (either person of the pair may)."""
    goal = db_session.get(Goal, goal_id)
    if goal is None:
        raise DomainError("That goal no longer exists.")
    membership = membership_of(db_session, team_id=team_id, user_id=user_id, pair_id=goal.pair_id)
    changed = goal.status != status
    if changed:
        goal.status, goal.updated_at = status, now
    return GoalChange(GoalLine.of(goal), membership.pair.intro_channel, changed)


@dataclass(frozen=True)
class PairGoals:
    """One of the person's pairs as the goals list shows it (plain data)."""

    pair_id: int
    me: str
    mentor: str | None  # Slack users; None for a side who asked to be forgotten
    mentee: str | None
    partner: str | None
    has_agreement: bool
    agreed: bool  # both confirmed the current rules
    i_confirmed: bool
    rules: RulesInput | None
    goals: list[GoalLine]


def goals_overview(db_session: Session, *, team_id: str, user_id: str) -> list[PairGoals]:
    """Each of the user's published pairs with its agreement and every goal, both sides."""
    overview = []
    for m in memberships(db_session, team_id=team_id, user_id=user_id):
        agreement = find_agreement(db_session, pair_id=m.pair.id)
        overview.append(
            PairGoals(
                pair_id=m.pair.id,
                me=m.me.slack_user_id,
                mentor=m.pair.mentor.slack_user_id if m.pair.mentor else None,
                mentee=m.pair.mentee.slack_user_id if m.pair.mentee else None,
                partner=m.partner.slack_user_id if m.partner else None,
                has_agreement=agreement is not None,
                agreed=agreement is not None and is_agreed(agreement),
                i_confirmed=confirmed_at(agreement, m.side) is not None,
                rules=rules_of(agreement) if agreement is not None else None,
                goals=[GoalLine.of(g) for g in pair_goals(db_session, pair_id=m.pair.id)],
            )
        )
    return overview
