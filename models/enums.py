"""Values stored in the database, as string enums (stored as VARCHAR, not native enums)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    MENTOR = "mentor"  # reverse mentor: shares digital skills
    MENTEE = "mentee"  # senior colleague: wants to learn them
    BOTH = "both"


class CareerStage(StrEnum):
    """Years-of-experience bands, in career order (matching compares their positions)."""

    EARLY = "0-2"
    DEVELOPING = "3-5"
    ESTABLISHED = "6-10"
    SENIOR = "11-20"
    VETERAN = "20+"


class Personality(StrEnum):
    INTROVERT = "introvert"
    AMBIVERT = "ambivert"
    EXTROVERT = "extrovert"


class Cadence(StrEnum):
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"


class TopicDirection(StrEnum):
    TEACH = "teach"
    LEARN = "learn"


class ProgramStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    FINISHED = "finished"


class ParticipantStatus(StrEnum):
    # A pause is `paused_until` on an active participant: it ends by itself when that passes.
    ACTIVE = "active"
    LEFT = "left"


class PollStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class PollAnswer(StrEnum):
    MENTOR = "mentor"  # I'd mentor
    MENTEE = "mentee"  # I'd like a mentor
    MORE = "more"  # Tell me more
    NO = "no"  # Not for me


class PairStatus(StrEnum):
    PROPOSED = "proposed"
    ACTIVE = "active"
    AT_RISK = "at_risk"
    COMPLETED = "completed"
    ENDED = "ended"


class Side(StrEnum):
    """Which side of a pair someone is on."""

    MENTOR = "mentor"
    MENTEE = "mentee"


class SessionStatus(StrEnum):
    SCHEDULED = "scheduled"
    HAPPENED = "happened"
    CANCELLED = "cancelled"
    MISSED = "missed"  # both said it did not happen, or it was moved after the fact


class CheckInOutcome(StrEnum):
    HAPPENED = "happened"
    RESCHEDULED = "rescheduled"
    CANCELLED = "cancelled"


class GoalStatus(StrEnum):
    OPEN = "open"
    ACHIEVED = "achieved"
    DROPPED = "dropped"


class OutboxState(StrEnum):
    PENDING = "pending"  # waiting for its due time (or a retry)
    SENDING = "sending"  # claimed by a dispatcher; its lease expires if that process dies
    SENT = "sent"
    FAILED = "failed"  # a permanent Slack error; never retried
    CANCELLED = "cancelled"  # no longer wanted (the session was cancelled or moved)


class RoundState(StrEnum):
    """Where a round of matching is: solving in the background, then reviewed, then sent."""

    SOLVING = "solving"
    READY = "ready"  # the proposal is there to review
    FAILED = "failed"  # the solve failed or stopped; `error` says why
    PUBLISHING = "publishing"  # introductions and notes queued, the dispatcher sending them
    PUBLISHED = "published"  # every message of the round delivered or failed for good


class NextStep(StrEnum):
    """What a person chose in their pair's close-out."""

    INFORMAL = "informal"  # keep meeting on their own; the app stays quiet
    NEXT = "next"  # join the next program, in the same role
    OTHER_ROLE = "other_role"  # join the next program, in the other role


class SurveyKind(StrEnum):
    MIDPOINT = "midpoint"
    FINAL = "final"
