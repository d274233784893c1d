"""Calendar invites (.ics) for mentoring sessions, so a session lands in people's calendars.

One session keeps one UID for life: a moved session is the same event with a higher SEQUENCE,
and a cancelled one is METHOD:CANCEL with STATUS:CANCELLED, so calendars update or remove the
event they already have instead of adding another.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event

PRODID = "-//Reverse Mentoring for Slack//Session invites//EN"


def session_invite(
    *,
    uid: str,
    starts_at: datetime,
    minutes: int,
    summary: str,
    description: str,
    sequence: int = 0,
    cancelled: bool = False,
    now: datetime | None = None,
) -> bytes:
    """An iCalendar file with one event; `now` (default: the current time) is its DTSTAMP."""
    if not uid.strip():
        raise ValueError("an invite needs a UID that stays the same for the session")
    if starts_at.tzinfo is None or starts_at.utcoffset() is None:
        raise ValueError(f"naive datetime {starts_at!r}: pass an aware UTC datetime")
    if minutes < 1:
        raise ValueError("a session lasts at least a minute")
    if sequence < 0:
        raise ValueError("SEQUENCE counts changes from 0")
    start = starts_at.astimezone(UTC)
    stamp = (now or datetime.now(UTC)).astimezone(UTC)

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")

    event = Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", stamp)
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=minutes))
    event.add("summary", summary)
    event.add("description", description)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    calendar.add_component(event)
    return bytes(calendar.to_ical())
