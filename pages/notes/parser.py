"""Markdown notes → a document of pages and body blocks (no database access).

The result says what to build: the conference (front matter + intro), its days and their talks,
each with raw StreamField block values and the line each one came from. Images are still file
references and quote attributions still names: the importer resolves them.
"""

import datetime

import yaml

from .body import BodyBuilder, close_up_headings
from .diagnostics import Diagnostics
from .document import NotesDocument
from .richtext import parse_tree

FRONT_MATTER_KEYS = (
    "title",
    "date",
    "end_date",
    "location",
    "url",
    "tags",
    "summary",
    "slug",
    "aliases",
)


# --- front matter ---------------------------------------------------------------------------------


def split_front_matter(text: str, diagnostics: Diagnostics) -> tuple[str | None, str]:
    """(YAML text or None, the rest with front matter lines blanked so line numbers stay)."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return None, text
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            yaml_text = "\n".join(lines[1:index])
            rest = "\n" * (index + 1) + "\n".join(lines[index + 1 :])
            return yaml_text, rest
    diagnostics.error(1, "The front matter starts with --- but has no closing --- line.")
    return None, ""


def parse_front_matter(yaml_text: str, document: NotesDocument, diagnostics: Diagnostics) -> None:
    try:
        node = yaml.compose(yaml_text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(yaml_text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(error, "problem", None) or str(error).split("\n")[0]
        diagnostics.error(line, f"Invalid YAML in the front matter: {problem}.")
        return
    if data is None:
        return
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        diagnostics.error(
            2, "The front matter must be a list of “key: value” lines (a YAML mapping)."
        )
        return
    for key_node, _value_node in node.value:
        document.meta_lines[str(key_node.value)] = key_node.start_mark.line + 2
    for key, value in data.items():
        line = document.meta_lines.get(str(key), 1)
        if key not in FRONT_MATTER_KEYS:
            diagnostics.warn(
                line,
                f"Unknown front matter key “{key}” ignored (known keys: "
                f"{', '.join(FRONT_MATTER_KEYS)}).",
            )
            continue
        if value is None:
            continue
        converted = _convert_meta(key, value, line, diagnostics)
        if converted is not None:
            document.meta[key] = converted


def _convert_meta(key: str, value, line: int, diagnostics: Diagnostics):
    kind = type(value).__name__
    if key in ("date", "end_date"):
        if isinstance(value, datetime.datetime):
            diagnostics.error(line, f"{key} must be a date like 2026-05-12, without a time.")
            return None
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, str):
            try:
                return datetime.date.fromisoformat(value.strip())
            except ValueError:
                pass
        diagnostics.error(line, f"{key} must be a date like 2026-05-12, not “{value}”.")
        return None
    if key in ("tags", "aliases"):
        example = "[django, wagtail]" if key == "tags" else "[/old/path/]"
        if not isinstance(value, list):
            diagnostics.error(line, f"{key} must be a list, e.g. {example}; got {kind}.")
            return None
        bad = [item for item in value if not isinstance(item, str) or not item.strip()]
        if bad:
            diagnostics.error(line, f"Every item of {key} must be text; put “{bad[0]}” in quotes.")
            return None
        return [item.strip() for item in value]
    if not isinstance(value, str):
        diagnostics.error(
            line, f"{key} must be text, not {kind}; put the value in quotes if it is a number."
        )
        return None
    value = value.strip()
    if key == "title" and not value:
        diagnostics.error(line, "The title is empty.")
        return None
    return value


def parse_notes(text: str, diagnostics: Diagnostics) -> NotesDocument:
    """Parse the text of a notes file (already decoded) into a :class:`NotesDocument`."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("\ufeff"):
        text = text[1:]
    document = NotesDocument()
    yaml_text, body_text = split_front_matter(text, diagnostics)
    if yaml_text is not None:
        parse_front_matter(yaml_text, document, diagnostics)
    if document.meta.get("title"):
        document.title = document.meta["title"]
        document.title_line = document.meta_lines.get("title", 1)
    builder = BodyBuilder(document, body_text.split("\n"), diagnostics)
    builder.run(parse_tree(body_text))
    if not document.title:
        diagnostics.error(
            1, "No title: add “title:” to the front matter or a “# Title” line at the top."
        )
    for body in document.all_bodies():
        close_up_headings(body, builder.heading_levels, diagnostics)
    return document


def paragraph_html(markdown: str) -> str | None:
    """The paragraph block a piece of Markdown imports as (None if it is not one paragraph)."""
    document = NotesDocument(title="-")
    builder = BodyBuilder(document, markdown.split("\n"), Diagnostics())
    builder.title_from_heading = False
    builder.run(parse_tree(markdown))
    if len(document.body) == 1 and document.body[0].type == "paragraph":
        return document.body[0].value
    return None
