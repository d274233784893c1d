"""What a coordinator reads around an export: the private answers and the files' comment."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.services.exports import PAIRS_FILE, PARTICIPANTS_FILE, SESSIONS_FILE, ProgramExport
from bot.views.text import escape

TITLES = {
    PARTICIPANTS_FILE: "Participants",
    PAIRS_FILE: "Pairs",
    SESSIONS_FILE: "Sessions",
}
NOUNS = {
    PARTICIPANTS_FILE: ("participant", "participants"),
    PAIRS_FILE: ("pair", "pairs"),
    SESSIONS_FILE: ("session", "sessions"),
}


def file_title(filename: str, program_name: str) -> str:
    """The title Slack shows for one exported file."""
    return f"{TITLES.get(filename, filename)}: {program_name}"


def _counts(export: ProgramExport) -> str:
    parts = []
    for filename, count in export.rows.items():
        one, many = NOUNS.get(filename, ("row", "rows"))
        parts.append(f"{count} {one if count == 1 else many} (`{filename}`)")
    return ", ".join(parts)


def export_started_text(program_name: str) -> str:
    return f"Exporting *{escape(program_name)}*: the CSV files will arrive in our DM."


def export_done_text(export: ProgramExport) -> str:
    """The private answer once the files are in the coordinator's DM."""
    return (
        f"Exported *{escape(export.program_name)}* to our DM: {_counts(export)}. "
        "Private notes are never exported."
    )


def export_comment(export: ProgramExport, *, now: datetime) -> str:
    """The message the three files are shared with."""
    when = now.astimezone(UTC)
    return (
        f"*{escape(export.program_name)}* as of {when:%Y-%m-%d %H:%M} UTC: {_counts(export)}. "
        "These files name participants: keep them within the program team. "
        "Times are in UTC; private notes, what people wrote they learned and anything about "
        "people who asked to be forgotten are never included."
    )
