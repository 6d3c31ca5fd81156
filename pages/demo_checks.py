"""Editorial checks for page bodies, used by ``load_demo`` and its tests.

They work on a body's stored (raw JSON) form, ``[{"type": ..., "value": ..., "id": ...}]``,
and return a list of problems in words; an empty list means the body passes.

The rules: headings start at h2, never skip a level going deeper and are never empty; rich
text uses only the editor's tags, links go to https://example.org and say where they lead;
images have useful alt text (or are decorative with none); code names its language.
"""

import re
from html.parser import HTMLParser

from .blocks import CODE_LANGUAGE_LABELS

ALLOWED_TAGS = {"p", "b", "i", "a", "ol", "ul", "li", "code", "br"}
ALLOWED_LINK_PREFIX = "https://example.org/"
VAGUE_LINK_TEXTS = {"click here", "here", "read more", "more", "link", "this link", "this"}
ALT_BAD_STARTS = ("image of", "picture of", "photo of", "graphic of")
ALT_MAX_LENGTH = 150
_FILENAME = re.compile(r"^\S+\.(png|jpe?g|gif|webp|avif|svg)$", re.IGNORECASE)


class _RichTextChecker(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._link_href: str | None = None
        self._link_text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}> is not allowed in rich text")
        attrs = dict(attrs)
        if tag == "a":
            href = attrs.get("href") or ""
            if set(attrs) != {"href"}:
                self.problems.append(f"link attributes other than href: {sorted(attrs)}")
            if not href.startswith(ALLOWED_LINK_PREFIX):
                self.problems.append(f"link to {href!r} is not an https://example.org link")
            self._link_href, self._link_text = href, []
        elif attrs:
            self.problems.append(f"<{tag}> has attributes {sorted(attrs)}")

    def handle_endtag(self, tag):
        if tag == "a" and self._link_href is not None:
            text = " ".join("".join(self._link_text).split())
            if not text:
                self.problems.append(f"link to {self._link_href} has no text")
            elif text.lower().strip(".:!") in VAGUE_LINK_TEXTS:
                self.problems.append(f"link text {text!r} does not say where it leads")
            elif text.startswith(("http://", "https://", "www.")):
                self.problems.append(f"link text {text!r} is a bare URL")
            self._link_href = None

    def handle_data(self, data):
        if self._link_href is not None:
            self._link_text.append(data)


def check_rich_text(html: str) -> list[str]:
    checker = _RichTextChecker()
    checker.feed(html)
    checker.close()
    if not html.strip():
        checker.problems.append("empty rich text")
    return checker.problems


def check_alt_text(alt_text: str, caption: str, decorative: bool) -> list[str]:
    alt = (alt_text or "").strip()
    if decorative:
        return [f"decorative image has alt text {alt!r}"] if alt else []
    problems = []
    if not alt:
        problems.append("image has no alt text and is not decorative")
    elif len(alt) > ALT_MAX_LENGTH:
        problems.append(f"alt text is {len(alt)} characters (max {ALT_MAX_LENGTH})")
    if alt.lower().startswith(ALT_BAD_STARTS):
        problems.append(f"alt text {alt!r} starts with a redundant phrase")
    if _FILENAME.match(alt):
        problems.append(f"alt text {alt!r} is a file name")
    if caption and alt.lower() == caption.strip().lower():
        problems.append("alt text repeats the caption")
    return problems


def check_body(raw_blocks: list[dict]) -> list[str]:
    """All problems in one body; each message says which block it is about."""
    problems: list[str] = []
    previous_level = None
    for index, block in enumerate(raw_blocks):
        kind, value = block["type"], block["value"]
        where = f"block {index + 1} ({kind})"
        found: list[str] = []
        if kind == "heading":
            level = int(value["level"][1])
            if not (value.get("text") or "").strip():
                found.append("empty heading")
            if previous_level is None and level != 2:
                found.append(f"first heading is h{level}, not h2")
            elif previous_level is not None and level > previous_level + 1:
                found.append(f"heading jumps from h{previous_level} to h{level}")
            previous_level = level
        elif kind == "paragraph":
            found += check_rich_text(value)
        elif kind == "code":
            if value.get("language") not in CODE_LANGUAGE_LABELS:
                found.append(f"unknown code language {value.get('language')!r}")
        elif kind == "image":
            image = value["image"]
            found += check_alt_text(
                image.get("alt_text") or "", value.get("caption") or "", bool(image["decorative"])
            )
        elif kind == "table":
            for column_index, column in enumerate(value["columns"]):
                if not column["heading"].strip():
                    found.append(f"column {column_index + 1} has no heading")
                if column["type"] == "rich_text":
                    for row in value["rows"]:
                        found += check_rich_text(row["values"][column_index])
        elif kind == "quote" and not (value.get("text") or "").strip():
            found.append("empty quote")
        problems += [f"{where}: {message}" for message in found]
    return problems
