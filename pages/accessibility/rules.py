"""The accessibility rules of Confnotes, in one place.

The same functions serve the editor (block ``clean`` methods), the publish gate
(``pages.accessibility.publishing``), the Markdown importer and the site-wide audit
(``manage.py a11y_audit`` and the "Accessibility" report). Each rule returns ``Finding`` objects that say where the
problem is (a block path such as ``body.3.image.alt_text``, shown to editors as "Block 4 (Image):
alt text"), which rule it breaks, and how to fix it.

Rules have two severities. An *error* blocks publishing by every path; a *warning* is listed in
the editor, the report and the audit, and never blocks.
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser

#: rule id -> one line for editors and the report's filter
RULES = {
    "heading-first-level": "The first heading of a body is level 2 (the page title is level 1).",
    "heading-skipped-level": "Headings go one level deeper at a time (h2 → h3 → h4).",
    "heading-empty": "Headings have text.",
    "image-alt-missing": "Images have alt text or are marked decorative.",
    "image-alt-filename": "Alt text describes the image; it is not a file name.",
    "image-alt-redundant-prefix": "Alt text does not start with 'image of', 'picture of' or 'photo of'.",
    "image-alt-too-long": "Alt text is at most 150 characters; longer descriptions go in the text.",
    "image-alt-repeats-caption": "Alt text does not repeat the caption word for word.",
    "code-language": "Code blocks say which language they are in.",
    "link-text": "Link text says where the link goes (not 'click here', 'read more' or nothing).",
    "link-text-url": "Link text that is a bare URL: clear enough, but a name reads better.",
    "heading-level-unknown": "Heading levels are 2, 3 or 4.",
    "speaker-photo-alt": "Speaker photos have alt text.",
}

ERROR = "error"
WARNING = "warning"

#: Rules that are advice: listed everywhere, never blocking. Every other rule is an error.
#: A bare URL says where a link goes (WCAG 2.4.4 allows purpose from the text itself); long alt
#: text and alt text equal to the caption are heard twice or at length, but nothing is lost.
WARNING_RULES = frozenset({"link-text-url", "image-alt-too-long", "image-alt-repeats-caption"})


def severity(rule: str) -> str:
    """``"warning"`` for advice, ``"error"`` for a rule that blocks publishing."""
    return WARNING if rule in WARNING_RULES else ERROR


def is_error(rule: str) -> bool:
    return severity(rule) == ERROR


#: Heading levels a body may use, and the tag an unknown stored level is rendered as.
HEADING_LEVELS = ("h2", "h3", "h4")
DEFAULT_HEADING_TAG = "h2"

ALT_TEXT_MAX_LENGTH = 150
GENERIC_LINK_TEXT = {"click here", "here", "read more", "link", "more", "this link", "click"}

_FILE_EXTENSION = re.compile(r"\.(avif|bmp|gif|heic|jpe?g|png|svg|tiff?|webp)\s*$", re.IGNORECASE)
_CAMERA_NAME = re.compile(
    r"^\s*(img|dsc|dscn|dscf|pxl|screenshot|screen shot|photo|image)[\s_-]*\d", re.I
)
_REDUNDANT_PREFIX = re.compile(
    r"^\s*(an?\s+)?(image|picture|photo|photograph)\s+of\b", re.IGNORECASE
)
#: Link text that is only a URL. Also the browser's pattern (pages.accessibility.checker): keep it
#: valid as a JavaScript regular expression.
BARE_URL_PATTERN = r"^\s*(https?://|www\.)\S+\s*$"
_BARE_URL = re.compile(BARE_URL_PATTERN, re.IGNORECASE)

#: The same checks as a regular expression, for the browser (Wagtail's alt-text-quality check).
ALT_TEXT_BROWSER_PATTERN = (
    r"\.(avif|bmp|gif|heic|jpe?g|png|svg|tiff?|webp)\s*$"
    r"|^\S*_\S*$"
    r"|^\s*(img|dsc|dscn|dscf|pxl|screenshot|screen shot)[\s_-]*\d"
    r"|^\s*(an?\s+)?(image|picture|photo|photograph)\s+of\b"
    r"|^.{151,}$"
)


@dataclass(frozen=True)
class Finding:
    """One problem: where it is, which rule, and what to do about it."""

    path: str
    rule: str
    message: str

    @property
    def severity(self) -> str:
        return severity(self.rule)

    @property
    def is_error(self) -> bool:
        return is_error(self.rule)

    @property
    def where(self) -> str:
        """Where it is, in an editor's words: "Block 3 (Image): alt text"."""
        return describe_path(self.path)

    def __str__(self) -> str:
        """ "Block 2 (Heading): level: why [rule]", as messages and logs list it."""
        return f"{self.where}: {self.message} [{self.rule}]"

    def as_dict(self) -> dict:
        return {
            "path": self.path,
            "where": self.where,
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
        }


def errors_only(findings: Iterable[Finding]) -> list[Finding]:
    return [finding for finding in findings if finding.is_error]


# --- single-value rules -------------------------------------------------------------------


def alt_text_problems(alt_text: str, caption: str = "") -> list[tuple[str, str]]:
    """(rule, message) pairs for a piece of non-empty alt text."""
    alt = (alt_text or "").strip()
    problems = []
    if not alt:
        return [
            (
                "image-alt-missing",
                "Add alt text that says what the image shows, or mark it decorative.",
            )
        ]
    looks_like_file = (
        _FILE_EXTENSION.search(alt)
        or _CAMERA_NAME.match(alt)
        or (" " not in alt and ("_" in alt or re.search(r"\d{3,}", alt)))
    )
    if looks_like_file:
        problems.append(
            (
                "image-alt-filename",
                f"“{alt[:60]}” looks like a file name: describe what the image shows.",
            )
        )
    if _REDUNDANT_PREFIX.match(alt):
        problems.append(
            (
                "image-alt-redundant-prefix",
                "Screen readers already say it is an image: drop “image of”/“picture of”/“photo of”.",
            )
        )
    if len(alt) > ALT_TEXT_MAX_LENGTH:
        problems.append(
            (
                "image-alt-too-long",
                f"Alt text is {len(alt)} characters; keep it under {ALT_TEXT_MAX_LENGTH + 1} and put "
                "longer descriptions in the caption or the text.",
            )
        )
    if caption and _normalise(alt) == _normalise(caption):
        problems.append(
            (
                "image-alt-repeats-caption",
                "The alt text repeats the caption, so screen readers hear it twice: describe the "
                "image in the alt text and keep the caption for context.",
            )
        )
    return problems


def image_problems(alt_text: str, decorative: bool, caption: str = "") -> list[tuple[str, str]]:
    """Rules for an image: decorative images need no alt text; others need good alt text."""
    if decorative:
        return []
    return alt_text_problems(alt_text, caption)


def heading_problems(levels: Iterable[tuple[int, str]]) -> Iterator[tuple[int, str, str]]:
    """(index, rule, message) for a sequence of (level, text) headings in document order.

    The page title is the h1, so the first heading must be h2, and each heading may go at most
    one level deeper than the one before (h2 → h4 is rejected, h4 → h2 is fine).
    """
    previous = 1
    for index, (level, text) in enumerate(levels):
        if not (text or "").strip():
            yield index, "heading-empty", "Give the heading some text, or remove it."
        if level is None:
            yield (
                index,
                "heading-level-unknown",
                "This heading has no valid level (it is shown as level 2): choose level 2, 3 or 4.",
            )
            level = 2
        if previous == 1 and level != 2:
            yield (
                index,
                "heading-first-level",
                f"The first heading must be level 2 (the page title is level 1); this one is level {level}.",
            )
        elif level > previous + 1:
            yield (
                index,
                "heading-skipped-level",
                f"This level {level} heading follows a level {previous} heading: use level "
                f"{previous + 1}, or add a level {previous + 1} heading before it.",
            )
        previous = level


def link_text_problems(html: str) -> list[tuple[str, str]]:
    """(rule, message) for links in rich text whose text does not say where they go."""
    problems = []
    for text in _link_texts(html or ""):
        clean = " ".join(text.split())
        if clean.lower().strip(".!:…") in GENERIC_LINK_TEXT:
            problems.append(
                (
                    "link-text",
                    f"The link text “{clean}” does not say where it goes: use the destination's name.",
                )
            )
        elif _BARE_URL.match(clean):
            problems.append(
                (
                    "link-text-url",
                    f"The link text is a bare URL ({clean[:60]}): a screen reader spells it "
                    "out; the destination's name reads better.",
                )
            )
        elif not clean:
            problems.append(("link-text", "A link has no text: add text that says where it goes."))
    return problems


def code_language_problems(language: str) -> list[tuple[str, str]]:
    if not language:
        return [("code-language", "Choose the language of the code; screen readers announce it.")]
    return []


# --- whole bodies and pages --------------------------------------------------------------------


def check_stream(stream, field: str = "body") -> list[Finding]:
    """Every finding in a StreamField value of ``pages.blocks.BodyBlock`` (no database writes)."""
    findings: list[Finding] = []
    headings = []
    for index, child in enumerate(stream):
        block_type, value = child.block_type, child.value
        here = f"{field}.{index}.{block_type}"
        if block_type == "heading":
            headings.append((index, heading_level(value.get("level")), value.get("text", "")))
        elif block_type == "paragraph":
            source = getattr(value, "source", str(value))
            findings += [Finding(here, rule, msg) for rule, msg in link_text_problems(source)]
        elif block_type == "code":
            findings += [
                Finding(f"{here}.language", r, m)
                for r, m in code_language_problems(value.get("language"))
            ]
        elif block_type == "image":
            image = value.get("image")
            if image is not None:
                for rule, msg in image_problems(
                    getattr(image, "contextual_alt_text", "") or "",
                    bool(getattr(image, "decorative", False)),
                    value.get("caption") or "",
                ):
                    findings.append(Finding(f"{here}.image.alt_text", rule, msg))
        elif block_type == "table":
            for row in getattr(value, "rows", []):
                for cell in row:
                    source = getattr(cell.value, "source", None)
                    if source:
                        findings += [Finding(here, r, m) for r, m in link_text_problems(source)]
    for position, rule, message in heading_problems([(lvl, text) for _, lvl, text in headings]):
        index = headings[position][0]
        sub = "text" if rule == "heading-empty" else "level"
        findings.append(Finding(f"{field}.{index}.heading.{sub}", rule, message))
    findings.sort(key=lambda f: _path_key(f.path))
    return findings


def check_page(page) -> list[Finding]:
    """Findings for a (specific) page: its body, plus its speakers' photos for talks."""
    findings = []
    body = getattr(page, "body", None)
    if body is not None:
        findings += check_stream(body)
    if hasattr(page, "talk_speakers"):
        for link in page.talk_speakers.all():
            speaker = link.speaker
            if speaker.photo_id and not (speaker.photo_alt_text or "").strip():
                findings.append(
                    Finding(
                        f"speakers.{speaker.name}",
                        "speaker-photo-alt",
                        f"The photo of {speaker.name} has no alt text: add it in Snippets → Speakers.",
                    )
                )
    return findings


# --- helpers ------------------------------------------------------------------------------------


def heading_level(level) -> int | None:
    """2, 3 or 4 for a stored level ``"h2"``–``"h4"``; None for anything else (a value stored
    past the form: a restore, the shell, an old revision)."""
    return int(level[1]) if level in HEADING_LEVELS else None


def heading_tag(level) -> str:
    """The tag to render for a stored level: never the stored string unless it is known."""
    return level if level in HEADING_LEVELS else DEFAULT_HEADING_TAG


#: Block type -> the name editors see in the block menu.
BLOCK_LABELS = {
    "heading": "Heading",
    "paragraph": "Paragraph",
    "quote": "Quote",
    "code": "Code",
    "checklist": "Checklist",
    "image": "Image",
    "table": "Table",
    "video": "Video",
}


def describe_path(path: str) -> str:
    """``body.2.image.image.alt_text`` -> ``Block 3 (Image): alt text``; ``speakers.Ada`` ->
    ``Speaker “Ada”: photo alt text``. Paths that are not block paths are returned as they are."""
    parts = path.split(".")
    if parts[0] == "speakers" and len(parts) > 1:
        return f"Speaker “{'.'.join(parts[1:])}”: photo alt text"
    if len(parts) < 3 or not parts[1].isdigit():
        return path
    label = BLOCK_LABELS.get(parts[2], parts[2].replace("_", " ").capitalize())
    text = f"Block {int(parts[1]) + 1} ({label})"
    fields = [part for part in parts[3:] if part != parts[2] and part != "image"]
    if fields:
        text += ": " + fields[-1].replace("_", " ")
    return text


def _normalise(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def _path_key(path: str):
    return [int(part) if part.isdigit() else 0 for part in path.split(".")[1:2]] + [path]


class _LinkTextParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._depth = 0
        self._current: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._depth += 1
            self._current = []

    def handle_endtag(self, tag):
        if tag == "a" and self._depth:
            self._depth -= 1
            self.texts.append("".join(self._current))

    def handle_data(self, data):
        if self._depth:
            self._current.append(data)


def _link_texts(html: str) -> list[str]:
    parser = _LinkTextParser()
    parser.feed(html)
    parser.close()
    return parser.texts


#: Shown to editors in a HelpPanel on every page type.
EDITOR_HELP_HTML = (
    "<p><strong>Accessibility rules, checked when you publish</strong> (drafts may break them; "
    "the Checks panel and Reports → Accessibility list what is left):</p><ul>"
    "<li>The page title is the only level 1 heading. Start body headings at level 2 and go "
    "one level deeper at a time (2 → 3 → 4); going back up is fine.</li>"
    "<li>Every image has alt text that says what it shows, or is marked decorative. Not a file "
    "name, not “image of…”.</li>"
    "<li>Every code block names its language.</li>"
    "<li>Link text says where the link goes: not “click here”, “here”, “read more” or “link”."
    "</li></ul>"
    "<p>Warnings never block publishing: a bare URL as link text (a name reads better), alt "
    "text over 150 characters, alt text that repeats the caption.</p>"
)
