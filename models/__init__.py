"""Mapped classes; importing this package registers every table on Base.metadata."""

from models.base import Base
from models.participant import MatchExclusion, Participant, ParticipantTopic
from models.program import Program
from models.workspace import Workspace

__all__ = ["Base", "MatchExclusion", "Participant", "ParticipantTopic", "Program", "Workspace"]
