"""Mapped classes; importing this package registers every table on Base.metadata."""

from models.base import Base
from models.coordinator import Coordinator
from models.idempotency import ProcessedRequest
from models.matching import ForbiddenPairing, Unmatched
from models.pair import Pair
from models.participant import MatchExclusion, Participant, ParticipantTopic
from models.poll import Poll, PollTopicVote, PollVote
from models.program import Program
from models.workspace import Workspace

__all__ = [
    "Base",
    "Coordinator",
    "ForbiddenPairing",
    "MatchExclusion",
    "Pair",
    "Participant",
    "ParticipantTopic",
    "Poll",
    "PollTopicVote",
    "PollVote",
    "ProcessedRequest",
    "Program",
    "Unmatched",
    "Workspace",
]
