"""Markdown notes → a document of pages and body blocks (no database access).

The result says what to build: the conference (front matter + intro), its days and their talks,
each with raw StreamField block values and the line each one came from. Images are still file
references and quote attributions still names: the importer resolves them.
"""

import datetime

import yaml

from .body import BodyBuilder, close_up_headings
from .diagnostics import Diagnostics
from .document import ImageSpec, NotesDocument, SpeakerSpec
from .richtext import parse_tree
from .talk_details import page_attribute_lines

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
    "days",
    "speakers",
)
#: keys of one speaker in the front matter's ``speakers:`` mapping -> Speaker field
SPEAKER_KEYS = {
    "slug": "slug",
    "bio": "bio",
    "website": "website",
    "mastodon": "mastodon",
    "github": "github",
    "photo": "photo",
    "photo_alt": "photo_alt_text",
}


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


def _short(value, limit: int = 60) -> str:
    """A value quoted in a message, cut to ``limit`` characters."""
    text = " ".join(str(value)[: limit * 4].split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _first_alias(yaml_text: str):
    """The first YAML alias (``*name``) event, or None: read as a stream of events, so that
    nothing is expanded (nested aliases grow exponentially: an "alias bomb")."""
    for event in yaml.parse(yaml_text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.AliasEvent):
            return event
    return None


def parse_front_matter(yaml_text: str, document: NotesDocument, diagnostics: Diagnostics) -> None:
    try:
        alias = _first_alias(yaml_text)
        if alias is not None:
            diagnostics.error(
                alias.start_mark.line + 2,
                f"The front matter uses a YAML alias (*{_short(alias.anchor, 40)}); notes files "
                "cannot use aliases: write the value out.",
            )
            return
        node = yaml.compose(yaml_text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(yaml_text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = _short(getattr(error, "problem", None) or str(error).split("\n")[0], 200)
        diagnostics.error(line, f"Invalid YAML in the front matter: {problem}.")
        return
    except RecursionError:
        diagnostics.error(2, "The front matter nests lists or mappings too deeply.")
        return
    except ValueError as error:  # e.g. a number of more than 4,300 digits
        diagnostics.error(
            2, f"The front matter holds a value that cannot be read: {_short(error)}."
        )
        return
    if data is None:
        return
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        diagnostics.error(
            2, "The front matter must be a list of “key: value” lines (a YAML mapping)."
        )
        return
    value_nodes = {}
    for key_node, value_node in node.value:
        document.meta_lines[str(key_node.value)] = key_node.start_mark.line + 2
        value_nodes[str(key_node.value)] = value_node
    for key, value in data.items():
        line = document.meta_lines.get(str(key), 1)
        if key not in FRONT_MATTER_KEYS:
            diagnostics.warn(
                line,
                f"Unknown front matter key “{_short(key)}” ignored (known keys: "
                f"{', '.join(FRONT_MATTER_KEYS)}).",
            )
            continue
        if value is None:
            continue
        if key == "speakers":
            _parse_speakers(value, value_nodes[key], line, document, diagnostics)
            continue
        converted = _convert_meta(key, value, line, diagnostics)
        if converted is not None:
            document.meta[key] = converted


def _parse_speakers(value, node, line: int, document: NotesDocument, diagnostics) -> None:
    """``speakers:`` maps each name to its details (bio, website, mastodon, github, photo, …)."""
    example = "speakers:\n  Ada Lovelace:\n    bio: …\n    github: ada"
    if not isinstance(value, dict) or not isinstance(node, yaml.MappingNode):
        diagnostics.error(line, f"speakers must map each name to its details, e.g. {example}")
        return
    for key_node, value_node in node.value:
        name = " ".join(str(key_node.value).split())
        name_line = key_node.start_mark.line + 2
        details = value.get(key_node.value)
        if details is None:
            details = {}
        if not name or not isinstance(details, dict):
            diagnostics.error(
                name_line, f"Give each speaker as “Name:” followed by indented details: {example}"
            )
            continue
        lines = {str(k.value): k.start_mark.line + 2 for k, _v in getattr(value_node, "value", [])}
        spec = SpeakerSpec(name=name, line=name_line)
        for key, item in details.items():
            item_line = lines.get(str(key), name_line)
            if key not in SPEAKER_KEYS:
                diagnostics.warn(
                    item_line,
                    f"Unknown speaker key “{_short(key)}” ignored (known keys: {', '.join(SPEAKER_KEYS)}).",
                )
                continue
            if item is None:
                item = ""
            if not isinstance(item, str):
                diagnostics.error(
                    item_line, f"{key} of {_short(name)} must be text; put it in quotes."
                )
                continue
            spec.fields[SPEAKER_KEYS[key]] = item.strip()
            spec.lines[SPEAKER_KEYS[key]] = item_line
        photo = spec.fields.get("photo")
        if photo:  # "" (given empty) removes the photo
            del spec.fields["photo"]
            alt = spec.fields.get("photo_alt_text", "")
            spec.photo = ImageSpec(photo, alt, False, "", lines.get("photo", name_line))
        if name.casefold() in {other.casefold() for other in document.speakers}:
            diagnostics.warn(
                name_line, f"Speaker “{_short(name)}” is described twice; the last one counts."
            )
        document.speakers[name] = spec


def _convert_meta(key: str, value, line: int, diagnostics: Diagnostics):
    kind = type(value).__name__
    if key == "days":
        if isinstance(value, bool):
            return value
        diagnostics.error(
            line, f"days must be true or false (false: a recap by topic), not {kind}."
        )
        return None
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
        diagnostics.error(line, f"{key} must be a date like 2026-05-12, not “{_short(value)}”.")
        return None
    if key in ("tags", "aliases"):
        example = "[django, wagtail]" if key == "tags" else "[/old/path/]"
        if not isinstance(value, list):
            diagnostics.error(line, f"{key} must be a list, e.g. {example}; got {kind}.")
            return None
        bad = [item for item in value if not isinstance(item, str) or not item.strip()]
        if bad:
            diagnostics.error(
                line, f"Every item of {key} must be text; put “{_short(bad[0])}” in quotes."
            )
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
    lines = body_text.split("\n")
    builder = BodyBuilder(document, lines, diagnostics)
    tree = parse_tree(body_text)
    if document.has_days:
        builder.page_attributes = page_attribute_lines(tree, lines)
    if builder.page_attributes:  # parsed again without them, as they are not body blocks
        for attribute_line, _text in builder.page_attributes.values():
            lines[attribute_line - 1] = ""
        tree = parse_tree("\n".join(lines))
    builder.run(tree)
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
