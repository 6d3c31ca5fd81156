"""The neutral model of a published schedule: what both formats say, in the same shape, and the
report of reading and importing one (diagnostics, what happened to each page)."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

#: Event types that are not talks: a slot of one of these is skipped (with a line in the report).
NON_TALK_TYPES = frozenset(
    {"break", "pause", "lunch", "coffee", "coffee break", "dinner", "meal", "social", "party"}
)


@dataclass
class Message:
    level: str  # "error" | "warning" | "info"
    text: str
    where: str = ""  # event 42 “Title”, a day, a file position

    def __str__(self) -> str:
        where = f"{self.where}: " if self.where else ""
        return f"{self.level}: {where}{self.text}"


@dataclass
class Diagnostics:
    messages: list[Message] = field(default_factory=list)

    def error(self, text: str, where: str = "") -> None:
        self.messages.append(Message("error", text, where))

    def warn(self, text: str, where: str = "") -> None:
        self.messages.append(Message("warning", text, where))

    def info(self, text: str, where: str = "") -> None:
        self.messages.append(Message("info", text, where))

    @property
    def errors(self) -> list[Message]:
        return [m for m in self.messages if m.level == "error"]

    @property
    def warnings(self) -> list[Message]:
        return [m for m in self.messages if m.level == "warning"]

    @property
    def has_errors(self) -> bool:
        return any(m.level == "error" for m in self.messages)


@dataclass
class Event:
    guid: str  # the key a re-import matches by: the guid, else the id
    id: str
    title: str
    start: datetime  # aware, in the conference's time zone
    duration: timedelta
    room: str = ""
    day_index: int = 0
    day_date: date | None = None
    subtitle: str = ""
    track: str = ""
    type: str = ""
    abstract: str = ""
    description: str = ""
    slug: str = ""
    persons: list[str] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # (title, url)

    @property
    def label(self) -> str:
        return f"event {self.id or self.guid} “{self.title}”"

    @property
    def end(self) -> datetime:
        return self.start + self.duration

    @property
    def local_time(self) -> time:
        return self.start.timetz().replace(tzinfo=None)

    def is_talk(self) -> bool:
        """Breaks and bare slots are not talks: a non-talk type, or nobody and nothing to say."""
        if self.type.strip().casefold() in NON_TALK_TYPES:
            return False
        return bool(self.persons or self.abstract.strip() or self.description.strip())


@dataclass
class Day:
    index: int
    date: date
    events: list[Event] = field(default_factory=list)


@dataclass
class Schedule:
    title: str
    acronym: str = ""
    start: date | None = None
    end: date | None = None
    time_zone: str = ""
    venue: str = ""
    city: str = ""
    url: str = ""
    rooms: list[str] = field(default_factory=list)
    days: list[Day] = field(default_factory=list)
    format: str = ""  # "json" | "xml"

    def events(self):
        for day in self.days:
            yield from day.events

    @property
    def location(self) -> str:
        return ", ".join(part for part in (self.venue, self.city) if part)


@dataclass
class PageReport:
    kind: str  # conference | day | talk
    title: str
    action: str = ""  # create | update | move | unchanged | skip
    detail: str = ""
    page_id: int | None = None
    url: str = ""

    def __str__(self) -> str:
        parts = [f"{self.kind} “{self.title}”"]
        if self.action:
            parts.append(f"[{self.action}]")
        if self.url:
            parts.append(self.url)
        if self.detail:
            parts.append(self.detail)
        return " ".join(parts)


@dataclass
class ImportReport:
    source: str
    dry_run: bool = False
    publish: bool = False
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    pages: list[PageReport] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # talks no longer in the schedule (kept)
    speakers_created: list[str] = field(default_factory=list)
    committed: bool = False
    conference_id: int | None = None

    @property
    def ok(self) -> bool:
        return not self.diagnostics.has_errors

    def count(self, kind: str, action: str | None = None) -> int:
        return sum(
            1 for p in self.pages if p.kind == kind and (action is None or p.action == action)
        )

    def summary(self) -> str:
        if not self.ok:
            return (
                f"{self.source}: not imported, {len(self.diagnostics.errors)} error(s) and "
                f"{len(self.diagnostics.warnings)} warning(s); nothing was written."
            )
        actions = {a: sum(1 for p in self.pages if p.action == a) for a in _ACTIONS}
        verbs = ", ".join(f"{n} {a}d" if a != "unchanged" else f"{n} unchanged"
                          for a, n in actions.items())  # fmt: skip
        mode = "published" if self.publish else "saved as drafts"
        head = "dry run, nothing written: " if self.dry_run else ""
        return (
            f"{self.source}: {head}{self.count('day')} day(s), {self.count('talk')} talk(s) "
            f"({verbs}, {mode}); {len(self.skipped)} slot(s) skipped, "
            f"{len(self.removed)} talk(s) no longer in the schedule, "
            f"{len(self.speakers_created)} new speaker(s); "
            f"{len(self.diagnostics.warnings)} warning(s)."
        )

    def lines(self) -> list[str]:
        """The whole report, one line each: pages, skipped slots, removed talks, messages."""
        lines = [str(page) for page in self.pages]
        lines += [f"skipped: {text}" for text in self.skipped]
        lines += [f"no longer in the schedule (kept): {text}" for text in self.removed]
        lines += [str(message) for message in self.diagnostics.messages]
        lines.append(self.summary())
        return lines

    def as_dict(self) -> dict:
        return {
            "summary": self.summary(),
            "ok": self.ok,
            "committed": self.committed,
            "lines": self.lines(),
            "conference_id": self.conference_id,
        }


_ACTIONS = ("create", "update", "move", "unchanged")
