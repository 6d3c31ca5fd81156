"""A conference written back as a notes file, in the format the importer reads.

Importing the export gives back the same pages and the same block values. What the format cannot
say is reported as a warning instead of being silently lost (e.g. a caption on a decorative image,
or two paragraph blocks in a row, which the importer merges into one).
"""

import datetime
import io
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.text import slugify

from wagtail.contrib.redirects.models import Redirect
from wagtail.images import get_image_model

import yaml

from pages.blocks import PARAGRAPH_FEATURES
from pages.models import ConferenceIndex, DayPage, TalkPage
from snippets.models import Speaker

from .document import make_slug
from .parser import paragraph_html
from .richtext import (
    escape_line_starts,
    escape_text,
    inline_rich_text_to_markdown,
    link_destination,
    rich_text_to_markdown,
    sanitise,
)

_DASH_START_RE = re.compile(r"^(—|–)")
_NUMBER_RE = re.compile(r"^[-+]?\d+(\.\d+)?$")
_DAY_NUMBER_RE = re.compile(r"^\s*day\s+(\d+)\b", re.IGNORECASE)


@dataclass
class Export:
    markdown: str
    #: (path relative to the Markdown file, image)
    images: list = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def write(self, path: Path) -> list[Path]:
        """Write the Markdown to ``path`` and the images next to it; returns the files written.

        A ``.zip`` path gets one archive holding the Markdown file (named after the archive) and
        its images, which the admin's "Import notes" takes as it is."""
        path = Path(path)
        if path.suffix.lower() == ".zip":
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(self.zip_bytes(f"{path.stem}.md"))
            return [path] + [Path(relative) for relative, _image in self.images]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.markdown, encoding="utf-8")
        written = [path]
        for relative, image in self.images:
            target = path.parent / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            with image.open_file() as source:
                target.write_bytes(source.read())
            written.append(target)
        return written

    def zip_bytes(self, markdown_name: str) -> bytes:
        """The Markdown file and its images as a .zip (fixed timestamps: same content, same
        bytes)."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            entries = [(markdown_name, self.markdown.encode("utf-8"))]
            for relative, image in self.images:
                with image.open_file() as source:
                    entries.append((relative, source.read()))
            for name, data in entries:
                archive.writestr(zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0)), data)
        return buffer.getvalue()


def export_conference(conference: ConferenceIndex, live: bool = False) -> Export:
    return _Exporter(live).conference(conference)


def _version(page, live: bool):
    return page if live else page.get_latest_revision_as_object()


class _Exporter:
    def __init__(self, live: bool):
        self.live = live
        self.export = Export(markdown="")
        self.image_names: dict[int, str] = {}
        self.recap = False  # a conference without days whose headings are ## to ####

    def warn(self, page, message: str) -> None:
        self.export.warnings.append(f"{page.title}: {message}")

    def children(self, page, model):
        queryset = model.objects.child_of(page).order_by("path")
        if self.live:
            queryset = queryset.live()
        return [_version(child, self.live) for child in queryset]

    def conference(self, conference: ConferenceIndex) -> Export:
        page = _version(conference, self.live)
        days = self.children(conference, DayPage)
        self.recap = not days and any(block.block_type == "heading" for block in page.body)
        talks = [(day, self.children(day, TalkPage)) for day in days]
        speakers = {}
        for _day, day_talks in talks:
            for talk in day_talks:
                speakers.update((speaker.pk, speaker) for speaker in _speakers(talk))
        parts = [
            self.front_matter(page, conference, list(speakers.values())),
            f"# {_heading_text(page.title)}",
        ]
        parts += self.body(page, page.body)
        for position, (day, day_talks) in enumerate(talks, start=1):
            parts.append(f"## {_heading_text(day.title)}")
            match = _DAY_NUMBER_RE.match(day.title)
            number = int(match.group(1)) if match else position
            if day.slug != make_slug(day.title, f"day-{number}"):
                parts[-1] += f'\n{{slug="{_quote(day.slug)}"}}'
            if number != day.day_number:
                self.warn(
                    day,
                    f"it is day {day.day_number} but will be imported as day {number}: start its "
                    f"title with “Day {day.day_number}”.",
                )
            expected_date = page.start_date + datetime.timedelta(days=max(number, 1) - 1)
            if day.date != expected_date:
                self.warn(
                    day,
                    f"its date {day.date} will be imported as {expected_date} (the start date "
                    f"plus {max(number, 1) - 1} days).",
                )
            parts += self.body(day, day.body)
            for talk in day_talks:
                parts.append(f"### {_heading_text(talk.title)}")
                attributes = self.talk_attributes(talk)
                if attributes:
                    parts[-1] += f"\n{attributes}"
                speakers = _speakers(talk)
                if speakers:
                    names = [speaker.name for speaker in speakers]
                    if any("," in name or ";" in name for name in names):
                        self.warn(talk, "a speaker name with a comma cannot be exported exactly.")
                    label = "Speaker" if len(names) == 1 else "Speakers"
                    parts.append(f"{label}: {', '.join(escape_text(n) for n in names)}")
                if talk.summary:
                    parts.append(self.summary(talk))
                parts += self.body(
                    talk,
                    talk.body,
                    speakers,
                    speaker_line_possible=not speakers,
                    summary_line_possible=not talk.summary,
                )
        self.export.markdown = "\n\n".join(part for part in parts if part) + "\n"
        return self.export

    def talk_attributes(self, talk) -> str:
        """``{time="09:30" room="…" tags="…" slides="…" video="…"}`` (the values it has)."""
        tags = sorted(tag.name for tag in talk.tags.all())
        if any("," in tag for tag in tags):
            self.warn(talk, "a tag with a comma cannot be exported exactly.")
        start = talk.start_time
        values = [
            ("slug", talk.slug if talk.slug != make_slug(talk.title, "talk") else ""),
            (
                "time",
                start.isoformat("minutes" if not start.second else "seconds") if start else "",
            ),
            ("room", talk.room),
            ("tags", ", ".join(tags)),
            ("slides", talk.slides_url),
            ("video", talk.video_url),
        ]
        attributes = [f'{name}="{_quote(value)}"' for name, value in values if value]
        return f"{{{' '.join(attributes)}}}" if attributes else ""

    def summary(self, talk) -> str:
        lines = [line.strip() for line in talk.summary.strip().split("\n")]
        if "" in lines:
            self.warn(talk, "a blank line in the summary cannot be exported; it becomes a break.")
        lines = [escape_text(line) for line in lines if line]
        return escape_line_starts("\n".join([f"Summary: {lines[0]}", *lines[1:]]))

    def speakers(self, speakers) -> dict:
        """The front matter's ``speakers:`` mapping: what each speaker has besides a name."""
        described = {}
        for speaker in speakers:
            details = {}
            if speaker.slug != (slugify(speaker.name)[:130] or "speaker"):
                details["slug"] = speaker.slug
            for key, value in (
                ("bio", speaker.bio),
                ("website", speaker.website),
                ("mastodon", speaker.mastodon),
                ("github", speaker.github),
            ):
                if value:
                    details[key] = value
            if speaker.photo_id:
                details["photo"] = self.image_path(speaker.photo)
                details["photo_alt"] = speaker.photo_alt_text
            if details:
                described[speaker.name] = details
        return described

    def front_matter(self, page, conference, speakers=()) -> str:
        meta: dict = {"title": page.title, "date": page.start_date, "end_date": page.end_date}
        if page.location:
            meta["location"] = page.location
        if page.website:
            meta["url"] = page.website
        tags = sorted(tag.name for tag in page.tags.all())
        if tags:
            meta["tags"] = tags
        if page.search_description:
            meta["summary"] = page.search_description
        if page.slug != make_slug(page.title, "conference"):
            meta["slug"] = page.slug
        aliases = list(
            Redirect.objects.filter(redirect_page=conference, site__isnull=True)
            .order_by("old_path")
            .values_list("old_path", flat=True)
        )
        if aliases:
            meta["aliases"] = aliases
        if self.recap:
            meta["days"] = False
        described = self.speakers(speakers)
        if described:
            meta["speakers"] = described
        text = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=100)
        return f"---\n{text}---"

    # -- bodies
    def body(
        self,
        page,
        stream,
        speakers=(),
        speaker_line_possible: bool = False,
        summary_line_possible: bool = False,
    ) -> list[str]:
        parts = []
        previous = None
        for index, block in enumerate(stream.get_prep_value()):
            kind, value = block["type"], block["value"]
            if kind == "paragraph" and previous == "paragraph":
                self.warn(page, "two paragraph blocks in a row become one block when imported.")
            previous = kind
            method = getattr(self, f"block_{kind}", None)
            if method is None:
                self.warn(page, f"a {kind} block cannot be exported.")
                continue
            text = method(page, value, speakers)
            if index == 0 and kind == "paragraph" and speaker_line_possible:
                text = re.sub(r"^(\s*speakers?\s*):", r"\1\\:", text, flags=re.IGNORECASE)
            if index == 0 and kind == "paragraph" and summary_line_possible:
                text = re.sub(r"^(\s*summary\s*):", r"\1\\:", text, flags=re.IGNORECASE)
            if text:
                parts.append(text)
        return parts

    def block_heading(self, page, value, speakers) -> str:
        level = {"h2": 4, "h3": 5, "h4": 6}.get(value.get("level"), 4) - (2 if self.recap else 0)
        return f"{'#' * level} {_heading_text(value.get('text', ''))}"

    def block_paragraph(self, page, value, speakers) -> str:
        markdown = rich_text_to_markdown(value or "")
        expected = sanitise(value or "", PARAGRAPH_FEATURES)
        if markdown and paragraph_html(markdown) != expected:
            self.warn(page, f"the paragraph “{markdown[:40]}…” may not import back exactly.")
        return markdown

    def block_quote(self, page, value, speakers) -> str:
        lines = []
        for line in (value.get("text") or "").split("\n"):
            line = escape_line_starts(escape_text(line.strip()))
            line = _DASH_START_RE.sub(lambda m: f"&#{ord(m.group(1))};", line)
            lines.append(f"> {line}" if line else ">")
        name = value.get("attribution") or ""
        speaker_id = value.get("speaker")
        if speaker_id and not name:
            speaker = Speaker.objects.filter(pk=speaker_id).first()
            if speaker is not None:
                name = speaker.name
                if not any(s.pk == speaker_id for s in speakers):
                    self.warn(
                        page,
                        f"the quote by {name} links a speaker who is not a speaker of this page; "
                        "it is exported as a plain attribution.",
                    )
        elif speaker_id:
            self.warn(page, f"the quote attributed to “{name}” also links a speaker: not exported.")
        if name:
            attribution = escape_text(name)
            if value.get("source_url"):
                attribution = f"[{attribution}]({link_destination(value['source_url'])})"
            lines += [">", f"> — {attribution}"]
        elif value.get("source_url"):
            self.warn(page, "a quote source without an attribution cannot be exported.")
        return "\n".join(lines)

    def block_code(self, page, value, speakers) -> str:
        code = value.get("code") or ""
        longest = max((len(run) for run in re.findall(r"`{3,}", code)), default=2)
        fence = "`" * (longest + 1)
        info = value.get("language") or "text"
        if value.get("filename"):
            info += f' title="{_quote(value["filename"])}"'
        if value.get("highlight_lines"):
            info += f' hl_lines="{_quote(value["highlight_lines"])}"'
        if value.get("line_numbers"):
            info += ' linenums="1"'
        return f"{fence}{info}\n{code}\n{fence}"

    def block_checklist(self, page, value, speakers) -> str:
        lines = []
        if value.get("title"):
            lines.append(f'{{title="{_quote(value["title"])}"}}')
        for item in value.get("items") or []:
            item_value = item.get("value", item) if isinstance(item, dict) else {}
            mark = "x" if item_value.get("done") else " "
            text = escape_text(" ".join((item_value.get("text") or "").split()))
            lines.append(f"- [{mark}] {text}")
        return "\n".join(lines)

    def block_image(self, page, value, speakers) -> str:
        image_value = value.get("image") or {}
        image = get_image_model().objects.filter(pk=image_value.get("image")).first()
        if image is None:
            self.warn(page, "an image block points to an image that no longer exists: skipped.")
            return ""
        path = self.image_path(image)
        destination = f"<{path}>" if re.search(r"[\s()<>]", path) else path
        caption = value.get("caption") or ""
        if image_value.get("decorative"):
            if caption:
                self.warn(page, f"the caption of decorative image {path} cannot be exported.")
            return f'![]({destination} "decorative")'
        alt = image_value.get("alt_text") or ""
        if not alt:
            self.warn(page, f"image {path} has no alt text; importing the export will refuse it.")
        title = f' "{_quote(caption)}"' if caption else ""
        return f"![{escape_text(alt)}]({destination}{title})"

    def image_path(self, image) -> str:
        if image.pk in self.image_names:
            return self.image_names[image.pk]
        image.get_file_hash()  # stored when missing, so that importing finds this image again
        stem, ext = os.path.splitext(os.path.basename(image.file.name))
        stem = slugify(image.title) or stem
        path = f"images/{stem}{ext.lower()}"
        if path in self.image_names.values():
            path = f"images/{stem}-{image.pk}{ext.lower()}"
        self.image_names[image.pk] = path
        self.export.images.append((path, image))
        return path

    def block_table(self, page, value, speakers) -> str:
        columns = value.get("columns") or []
        rows = value.get("rows") or []
        if not columns:
            self.warn(page, "an empty table cannot be exported.")
            return ""
        cells = [
            [self.cell(column["type"], row["values"][i]) for i, column in enumerate(columns)]
            for row in rows
        ]
        detected = []
        for i, column in enumerate(columns):
            texts = [row[i] for row in cells]
            if column["type"] == "rich_text":
                formatted = any(
                    "<" in str(row["values"][i] or "").replace("<p>", "").replace("</p>", "")
                    for row in rows
                )
                detected.append("rich_text" if formatted else "text")
            elif column["type"] == "number":
                numeric = texts and all(_NUMBER_RE.match(t) for t in texts)
                detected.append("number" if numeric else "text")
            else:
                detected.append("text")
        attrs = []
        if value.get("caption"):
            attrs.append(f'caption="{_quote(value["caption"])}"')
        types = [column["type"] for column in columns]
        if types != detected:
            attrs.append(f'columns="{" ".join(types)}"')
        lines = [f"{{{' '.join(attrs)}}}"] if attrs else []
        lines.append(
            "| " + " | ".join(escape_text(c.get("heading") or "", True) for c in columns) + " |"
        )
        lines.append("|" + "|".join(" ---: " if t == "number" else " --- " for t in types) + "|")
        lines.extend("| " + " | ".join(row) + " |" for row in cells)
        return "\n".join(lines)

    def cell(self, kind: str, value) -> str:
        if value is None:
            return ""
        if kind == "rich_text":
            return inline_rich_text_to_markdown(str(value), table_cell=True)
        if kind == "number":
            return str(value)
        return escape_text(" ".join(str(value).split()), table_cell=True)

    def block_video(self, page, value, speakers) -> str:
        return f"```video\n{value.get('url') or ''}\n{value.get('title') or ''}\n```"


def _speakers(talk) -> list:
    links = sorted(talk.talk_speakers.all(), key=lambda link: link.sort_order or 0)
    return [link.speaker for link in links]


def _heading_text(text: str) -> str:
    return escape_text(" ".join((text or "").split())).replace("#", "\\#")


def _quote(text: str) -> str:
    return str(text).replace("\\", "\\\\").replace('"', '\\"')
