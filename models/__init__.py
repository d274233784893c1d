"""Mapped classes; importing this package registers every table on Base.metadata."""

from models.agreement import Agreement, Goal
from models.base import Base
from models.coordinator import Coordinator
from models.feedback import Concern, SurveyResponse
from models.idempotency import ProcessedRequest
from models.matching import ForbiddenPairing, MatchRound, Unmatched
from models.outbox import OutboxMessage
from models.pair import Pair
from models.participant import MatchExclusion, Participant, ParticipantTopic
from models.poll import Poll, PollTopicVote, PollVote
from models.program import Program
from models.session import CheckIn, MentoringSession
from models.slack_oauth import bots, installations, oauth_states
from models.workspace import Workspace

__all__ = [
    "Agreement",
    "Base",
    "CheckIn",
    "Concern",
    "Coordinator",
    "ForbiddenPairing",
    "Goal",
    "MatchExclusion",
    "MatchRound",
    "MentoringSession",
    "OutboxMessage",
    "Pair",
    "Participant",
    "ParticipantTopic",
    "Poll",
    "PollTopicVote",
    "PollVote",
    "ProcessedRequest",
    "Program",
    "SurveyResponse",
    "Unmatched",
    "Workspace",
    "bots",
    "installations",
    "oauth_states",
]
