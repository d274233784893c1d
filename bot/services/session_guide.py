"""What to do in a session: starters and a hands-on exercise per topic, tips, a timed agenda.

In these texts the *mentee* is the senior colleague learning digital skills and the *reverse
mentor* the junior colleague teaching them; on business topics the learning runs the other way.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.topics import CATALOG, TopicKind

MIN_MINUTES = 15
MAX_TOPICS = 2  # per session: more turns a session into a tour
MINUTES_PER_TOPIC = 15  # a topic gets a slot only if the session leaves this much for it


@dataclass(frozen=True)
class TopicGuide:
    key: str
    label: str
    kind: TopicKind
    starters: tuple[str, ...]  # questions that open the conversation
    exercise: str  # something to do together, on real work


_CONTENT: dict[str, tuple[tuple[str, ...], str]] = {
    "social_media": (
        (
            "Which platforms do our customers and future hires actually use, and what for?",
            "Scroll our company's last five posts together: which would make you stop, and why?",
            "What changes when a leader posts as themselves rather than as the brand?",
        ),
        "On the mentee's own phone, tidy their LinkedIn profile (photo, headline, about), then "
        "the mentee writes a short post about a recent team win, with the reverse mentor "
        "suggesting the hook. Publishing it is optional.",
    ),
    "generative_ai": (
        (
            "Where in your week do you write, summarise or search most? Start there.",
            "What must never go into a public AI tool here, and which tools does the company "
            "approve?",
            "How do you check an answer that sounds confident but may be wrong?",
        ),
        "Take a real, non-confidential task (a long email thread to summarise, a memo to "
        "draft). The mentee writes the prompt, then improves it twice with the reverse mentor's "
        "tips: give context, a role, an example and the format wanted. Compare the three "
        "answers and check one fact in each.",
    ),
    "mobile_apps": (
        (
            "Which three apps do you use most, and which do you avoid because they feel awkward?",
            "How do our customers find and use our app, and what do its store reviews say?",
        ),
        "Side by side, complete one real customer task in our app and in a competitor's. The "
        "mentee holds the phone; note every moment of friction, then read the five latest "
        "store reviews of each.",
    ),
    "collaboration_tools": (
        (
            "When do you choose a message, a thread, a call or a document, and what does each "
            "cost your team?",
            "Which recurring meeting could become a written update?",
        ),
        "In Slack, the mentee sets up a keyword notification, a reminder on a message, a "
        "scheduled message and their notification hours, then turns one recurring status "
        "meeting into a short written-update template for their team.",
    ),
    "data_analytics": (
        (
            "Which number do you look at every week, and do you know where it comes from?",
            "What would you ask your data if the answer took five minutes instead of a week?",
        ),
        "Open a real, shareable report or spreadsheet. The mentee filters it and builds one "
        "chart or pivot table that answers a question they actually have, then writes one "
        "sentence on what it shows and one on what it cannot show.",
    ),
    "cybersecurity": (
        (
            "Given your role, what would an attacker most want from your accounts?",
            "How do you tell a phishing message from a real one, especially one that seems "
            "to come from a senior leader?",
        ),
        "Check the mentee's own habits together: turn on multi-factor sign-in or a passkey "
        "where it is missing, try the company password manager, review app permissions on "
        "their phone, and spot the tells in two phishing examples from the company's training.",
    ),
    "younger_consumers": (
        (
            "Which brands do you and your friends trust, which do you ignore, and why?",
            "Where do you hear about new products: creators, friends, search or ads?",
            "What would make someone your age apply to work here, or not?",
        ),
        "The reverse mentor picks three short videos or posts by creators their age that touch "
        "our industry. Watch them together; the mentee notes what surprised them and one "
        "question to take back to their team.",
    ),
    "strategy": (
        (
            "What is the company's biggest bet this year, and what would make it fail?",
            "How does a decision in your team connect to the company's goals?",
        ),
        "The mentee walks through a real, non-confidential decision they made: the options, "
        "the trade-offs, who they consulted. The reverse mentor then sketches a one-page plan "
        "for their own team's next quarter in the same steps and gets feedback on it.",
    ),
    "leadership": (
        (
            "Tell me about a hard call you made as a manager. What would you do differently?",
            "How do you give feedback that lands without crushing someone?",
        ),
        "The reverse mentor brings a real situation ahead of them (a difficult conversation, "
        "someone to persuade) and plays it through twice, with the mentee as the other person, "
        "who then gives specific feedback on what worked.",
    ),
    "stakeholder_management": (
        (
            "Who has to say yes before something happens here, and who can quietly block it?",
            "How do you prepare for five minutes with someone far more senior?",
        ),
        "The reverse mentor maps the people around a current project on one page (influence "
        "against interest) with the mentee's help, then drafts a three-sentence update for the "
        "most senior one; the mentee edits it as that person would read it.",
    ),
    "industry_practices": (
        (
            "What has changed most in our industry during your career, and what never changes?",
            "Which rules or customer expectations shape our work in ways a newcomer can't see?",
        ),
        "The mentee explains one real, non-confidential document that shaped the business (an "
        "old plan, an annual report, a post-mortem) and the decisions behind it; the reverse "
        "mentor notes three unwritten rules they learned.",
    ),
    "career_navigation": (
        (
            "What do you wish someone had told you in your first five years?",
            "How are promotions and big projects really decided here?",
            "What is the difference between a mentor and a sponsor, and how do you find one?",
        ),
        "The reverse mentor writes where they want to be in two years; together you list the "
        "skills and the people between here and there, and pick one concrete step for the next "
        "month.",
    ),
}

GUIDES: dict[str, TopicGuide] = {
    topic.key: TopicGuide(topic.key, topic.label, topic.kind, *_CONTENT[topic.key])
    for topic in CATALOG
}

TIPS: tuple[str, ...] = (
    "The mentee drives, the mentor navigates: whoever is learning holds the phone or keyboard.",
    "Ask for tactics, keep strategy yours: the reverse mentor shows how a tool works; the "
    "mentee decides what it is for.",
    "Use real work, not demos: a real email, report or post sticks better than an example.",
    "No question is too basic, in either direction.",
    "What is said in the pair stays in the pair, unless you both agree to share it.",
    "End with one small thing to try before next time, and start the next session with how "
    "it went.",
    "Move a session rather than cancel it: momentum matters more than a perfect slot.",
    "Both of you teach: keep time for the business view flowing back.",
)

CHECK_IN = "Check-in: how each of you is doing, and how last time's next step went"
WRAP_UP = (
    "Wrap-up: each names one thing learned and one next step to try; agree on the next session"
)
OPEN_TALK = (
    "Goals: what each of you wants from the program; choose the topics for your next sessions"
)


@dataclass(frozen=True)
class AgendaItem:
    minutes: int
    text: str

    @property
    def line(self) -> str:
        return f"{self.minutes} min: {self.text}"


def guide_for(topic_key: str) -> TopicGuide:
    """The guide for a catalog topic; KeyError for a topic the catalog does not have."""
    try:
        return GUIDES[topic_key]
    except KeyError:
        raise KeyError(f"no session guide for topic {topic_key!r}") from None


def tips() -> list[str]:
    """The program's general tips for a good session."""
    return list(TIPS)


def _bookend(minutes: int) -> int:
    return max(5, round(minutes * 0.1))


def plan_agenda(topic_keys: list[str], minutes: int) -> list[AgendaItem]:
    """Timed agenda items adding up to `minutes` exactly (see suggested_agenda)."""
    if minutes < MIN_MINUTES:
        raise ValueError(f"a session needs at least {MIN_MINUTES} minutes for an agenda")
    check_in = wrap_up = _bookend(minutes)
    middle = minutes - check_in - wrap_up
    known = [k for k in dict.fromkeys(topic_keys) if k in GUIDES]
    room = max(1, middle // MINUTES_PER_TOPIC)
    chosen = [GUIDES[k] for k in known[: min(MAX_TOPICS, room)]]
    items = [AgendaItem(check_in, CHECK_IN)]
    if not chosen:
        items.append(AgendaItem(middle, OPEN_TALK))
    for index, guide in enumerate(chosen):
        share = middle // len(chosen) + (middle % len(chosen) if index == 0 else 0)
        talk = max(1, round(share * 0.4))
        items.append(AgendaItem(talk, f"{guide.label}, to open: {guide.starters[0]}"))
        items.append(AgendaItem(share - talk, f"{guide.label}, hands-on: {guide.exercise}"))
    items.append(AgendaItem(wrap_up, WRAP_UP))
    return items


def suggested_agenda(topic_keys: list[str], minutes: int) -> list[str]:
    """A short ordered agenda: check-in, a starter and the exercise for up to two topics (one
    when the session is short), wrap-up with next steps. Unknown topics are skipped."""
    return [item.line for item in plan_agenda(topic_keys, minutes)]
