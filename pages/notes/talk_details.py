"""The lines under a talk's (or day's) heading in a notes file: the ``{…}`` attribute line, the
``Speakers:`` line and the ``Summary:`` paragraph, read before the talk's body."""

import datetime
import re

from .document import TalkSpec
from .richtext import split_lines

CODE_OPTION_RE = re.compile(r"""([\w-]+)(?:=("(?:[^"\\]|\\.)*"|'[^']*'|\S+))?""")
_SPEAKER_LINE_RE = re.compile(r"^\s*speakers?\s*:", re.IGNORECASE)
_SUMMARY_LINE_RE = re.compile(r"^\s*summary\s*:", re.IGNORECASE)
_ATTRIBUTE_LINE_RE = re.compile(r"^ {0,3}\{(.*)\}\s*$")
#: keys of a talk's attribute line -> TalkPage field
TALK_ATTRIBUTES = {
    "slug": "slug",
    "time": "start_time",
    "room": "room",
    "tags": "tags",
    "slides": "slides_url",
    "video": "video_url",
}


class BreakNode:
    """A stand-in soft break between lines that remain after the Speakers line."""

    type = "softbreak"
    content = "\n"
    children: list = []
    attrs: dict = {}


def unquote(raw: str) -> str:
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
        return re.sub(r"\\(.)", r"\1", raw[1:-1])
    return raw


def page_attribute_lines(root, lines: list[str]) -> dict[int, tuple[int, str]]:
    """Day or talk heading line -> (line, text) of the ``{…}`` attribute line right under it."""
    found = {}
    for node in root.children:
        if node.type == "heading" and node.tag in ("h2", "h3") and node.map:
            end = node.map[1]
            match = _ATTRIBUTE_LINE_RE.match(lines[end]) if end < len(lines) else None
            if match:
                found[node.map[0] + 1] = (end + 1, match.group(1))
    return found


class TalkDetailsMixin:
    """:class:`~pages.notes.body.BodyBuilder`'s reading of the details under a talk heading."""

    def take_speakers(self, children, node, line):
        """Read ``Speaker: A`` / ``Speakers: A, B`` off the first line of a talk."""
        self.expect_speakers = False
        if not _SPEAKER_LINE_RE.match(self.lines[node.map[0]]):
            return children, line
        first, *rest_lines = split_lines(children)
        text = self.renderer(line).text(first, code_ticks=False)
        names = [name.strip() for name in re.split(r"[,;]", text.split(":", 1)[1])]
        seen = set()
        for name in names:
            if not name:
                continue
            if name.casefold() in seen:
                self.diagnostics.warn(line, f"Speaker “{name}” is listed twice.")
                continue
            seen.add(name.casefold())
            self.talk.speakers.append(name)
        self.talk.speakers_line = line
        if not self.talk.speakers:
            self.diagnostics.warn(line, "The Speakers: line names nobody.")
        rest: list = []
        for index, nodes in enumerate(rest_lines):
            if index:
                rest.append(BreakNode())
            rest.extend(nodes)
        return rest, line + 1

    def take_attributes(self, spec, line: int, text: str) -> None:
        """A talk's ``{time="09:30" room="Main Hall" tags="orm, testing" slides="…" video="…"}``
        (and ``slug="…"``), or a day's ``{slug="…"}``."""
        is_talk = isinstance(spec, TalkSpec)
        known = TALK_ATTRIBUTES if is_talk else {"slug": "slug"}
        details = spec.details if is_talk else {}
        for name, raw in CODE_OPTION_RE.findall(text):
            key = known.get(name.lower())
            value = unquote(raw).strip()
            if key is None:
                self.diagnostics.warn(
                    line,
                    f"{'Talk' if is_talk else 'Day'} attribute “{name}” ignored (known: "
                    f"{', '.join(known)}).",
                )
            elif key == "slug":
                siblings = self.day.talks if is_talk else self.document.days
                if value in [other.slug for other in siblings if other is not spec]:
                    self.diagnostics.error(
                        line, f"Another page here already has the slug “{value}”."
                    )
                spec.slug = value or spec.slug
            elif key == "start_time":
                try:
                    details[key] = datetime.time.fromisoformat(value) if value else None
                except ValueError:
                    self.diagnostics.error(
                        line,
                        f"time=“{value}” is not a time: write it as 24-hour HH:MM, e.g. 09:30.",
                    )
            elif key == "tags":
                details[key] = [tag.strip() for tag in value.split(",") if tag.strip()]
            else:
                details[key] = value

    def take_summary(self, children, node, line):
        """Read a ``Summary: …`` paragraph (plain text, line breaks kept) before the body."""
        self.expect_summary = False
        if not _SUMMARY_LINE_RE.match(self.lines[line - 1]):
            return children, line
        renderer = self.renderer(line)
        texts = [renderer.text(nodes, code_ticks=False) for nodes in split_lines(children)]
        if renderer.lost_formatting:
            self.diagnostics.warn(line, "A summary is plain text: formatting is kept as its text.")
        summary = "\n".join(texts).split(":", 1)[1].strip()
        self.talk.details["summary"] = summary
        if not summary:
            self.diagnostics.warn(line, "The Summary: paragraph is empty.")
        return [], line
