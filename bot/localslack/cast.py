"""The demo's people: one coordinator and sixteen colleagues across departments, places and
time zones. Some have signed up already, so matching has people to work with; the others have
not, so a visitor can sign up as one of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from bot.localslack.emulator import SlackEmulator
from bot.localslack.state import Conversation
from bot.services.enrollment import save_profile
from bot.services.profile import ProfileInput
from bot.services.programs import get_or_create_open_program
from models.enums import Cadence, CareerStage, Personality, Role

COORDINATOR = "U0DANA"
GENERAL = "C0GENERAL"
MENTORING = "C0MENTORING"


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    title: str
    department: str
    location: str
    tz: str
    role: Role | None = None  # None: not signed up yet
    stage: CareerStage = CareerStage.EARLY
    teach: list[str] = field(default_factory=list)
    learn: dict[str, int] = field(default_factory=dict)  # topic -> self-rating
    personality: Personality = Personality.AMBIVERT
    cadence: Cadence = Cadence.BIWEEKLY


M, E = Role.MENTOR, Role.MENTEE
CAST = (
    Person(COORDINATOR, "Dana Whitfield", "Head of People", "People", "London", "Europe/London"),
    # Reverse mentors: earlier in their careers, fluent in what the seniors want to learn.
    Person(
        "U0MAYA",
        "Maya Chen",
        "Social media associate",
        "Marketing",
        "Lisbon",
        "Europe/Lisbon",
        M,
        CareerStage.EARLY,
        ["social_media", "younger_consumers"],
        {"leadership": 2},
        Personality.EXTROVERT,
    ),
    Person(
        "U0LEO",
        "Leo Okafor",
        "Junior developer",
        "Engineering",
        "Lagos",
        "Africa/Lagos",
        M,
        CareerStage.EARLY,
        ["generative_ai", "collaboration_tools"],
        {"strategy": 2},
    ),
    Person(
        "U0PRIYA",
        "Priya Nair",
        "Data analyst",
        "Operations",
        "Bengaluru",
        "Asia/Kolkata",
        M,
        CareerStage.DEVELOPING,
        ["data_analytics", "generative_ai"],
        {"stakeholder_management": 2},
        Personality.INTROVERT,
    ),
    Person(
        "U0SAM",
        "Sam Rivera",
        "UX designer",
        "Product",
        "New York",
        "America/New_York",
        M,
        CareerStage.EARLY,
        ["mobile_apps", "younger_consumers"],
        {"career_navigation": 3},
        Personality.EXTROVERT,
        Cadence.WEEKLY,
    ),
    Person(
        "U0NOA",
        "Noa Levi",
        "Content creator",
        "Communications",
        "Madrid",
        "Europe/Madrid",
        M,
        CareerStage.EARLY,
        ["social_media", "mobile_apps"],
        {"leadership": 2},
    ),
    Person("U0ZOE", "Zoe Müller", "Graduate trainee", "Sales", "Berlin", "Europe/Berlin"),
    Person("U0KAI", "Kai Tanaka", "Cloud engineer", "IT", "Tokyo", "Asia/Tokyo"),
    Person("U0JAY", "Jay Patel", "Finance analyst", "Finance", "London", "Europe/London"),
    # Senior colleagues who want to learn.
    Person(
        "U0RUTH",
        "Ruth Adler",
        "Chief Financial Officer",
        "Finance",
        "London",
        "Europe/London",
        E,
        CareerStage.VETERAN,
        ["strategy", "leadership"],
        {"generative_ai": 1, "data_analytics": 2},
        Personality.INTROVERT,
    ),
    Person(
        "U0OMAR",
        "Omar Haddad",
        "VP Sales",
        "Sales",
        "Dubai",
        "Asia/Dubai",
        E,
        CareerStage.SENIOR,
        ["stakeholder_management"],
        {"social_media": 1},
        Personality.EXTROVERT,
    ),
    Person(
        "U0GRACE",
        "Grace Kim",
        "Director of Operations",
        "Operations",
        "Singapore",
        "Asia/Singapore",
        E,
        CareerStage.SENIOR,
        ["industry_practices"],
        {"data_analytics": 2, "collaboration_tools": 2},
    ),
    Person(
        "U0PAUL",
        "Paul Dubois",
        "General Counsel",
        "Legal",
        "Paris",
        "Europe/Paris",
        E,
        CareerStage.VETERAN,
        ["career_navigation"],
        {"generative_ai": 1},
        Personality.INTROVERT,
        Cadence.MONTHLY,
    ),
    Person(
        "U0ANNE",
        "Anne Fischer",
        "Head of Customer Success",
        "Customer Success",
        "Berlin",
        "Europe/Berlin",
        E,
        CareerStage.SENIOR,
        ["leadership"],
        {"younger_consumers": 2},
    ),
    Person(
        "U0HELEN", "Helen Park", "Head of Marketing", "Marketing", "New York", "America/New_York"
    ),
    Person(
        "U0VIKRAM", "Vikram Rao", "Chief Operating Officer", "Operations", "Mumbai", "Asia/Kolkata"
    ),
    Person(
        "U0TOM", "Tom Baker", "Engineering Director", "Engineering", "Toronto", "America/Toronto"
    ),
)


def welcome_people(workspace: SlackEmulator) -> None:
    """The people and channels of the workspace (kept in memory: set at every start)."""
    for person in CAST:
        workspace.add_user(
            person.id,
            person.name.split()[0].lower(),
            tz=person.tz,
            real_name=person.name,
            title=person.title,
            is_admin=person.id == COORDINATOR,
        )
    members = [p.id for p in CAST]
    with workspace._cond:
        for channel, name in ((GENERAL, "general"), (MENTORING, "mentoring")):
            workspace.state.conversations[channel] = Conversation(
                id=channel, kind="channel", name=name, members=members
            )


def sign_up_the_first(db_session: Session, *, team_id: str, now: datetime) -> int:
    """The program, and the people of the cast who have signed up already; returns how many."""
    program = get_or_create_open_program(db_session, team_id=team_id, now=now)
    program.announcement_channel = MENTORING
    signed = 0
    for person in CAST:
        if person.role is None:
            continue
        save_profile(
            db_session,
            team_id=team_id,
            user_id=person.id,
            profile=ProfileInput(
                role=person.role,
                department=person.department,
                location=person.location,
                job_title=person.title,
                career_stage=person.stage,
                teach_topics=list(person.teach),
                learn_topics=list(person.learn),
                self_ratings=dict(person.learn),
                personality=person.personality,
                cadence=person.cadence,
                mentee_capacity=1,
                consent=True,
            ),
            timezone=person.tz,
            now=now,
        )
        signed += 1
    return signed
