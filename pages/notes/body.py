"""The Markdown body of a notes file → days, talks and body blocks.

``BodyBuilder`` walks the Markdown syntax tree (``richtext.parse_tree``) and fills in a
:class:`~pages.notes.document.NotesDocument`: ``##`` starts a day, ``###`` a talk, deeper
headings, paragraphs, quotes, code, checklists, tables and images become blocks.
``close_up_headings`` then makes each body's heading levels valid, with warnings.
"""

import datetime
import re

from pages.blocks import CODE_LANGUAGE_LABELS, INLINE_FEATURES, PARAGRAPH_FEATURES

from .diagnostics import Diagnostics
from .document import BlockSpec, DaySpec, ImageSpec, NotesDocument, TalkSpec, make_slug
from .nodes import (
    _TASK_RE,
    _BreakNode,
    _checklist_entries,
    _day_number,
    _ListNode,
    _task_mark,
    _unescape_attr,
    _unquote,
    _walk,
)
from .richtext import (
    HTML_COMMENT_RE,
    InlineRenderer,
    escape,
    list_parts,
    list_start,
    node_source_text,
    restore_list_starts,
    sanitise,
    split_lines,
)

#: Info-string words people use for the languages Confnotes highlights.
LANGUAGE_ALIASES = {
    "py": "python",
    "python3": "python",
    "pycon": "python",
    "django": "html+django",
    "jinja": "html+django",
    "jinja2": "html+django",
    "html": "html+django",
    "htmldjango": "html+django",
    "js": "javascript",
    "jsx": "javascript",
    "mjs": "javascript",
    "ts": "typescript",
    "tsx": "typescript",
    "sh": "bash",
    "shell": "bash",
    "zsh": "bash",
    "shell-session": "console",
    "shellsession": "console",
    "terminal": "console",
    "postgresql": "sql",
    "psql": "sql",
    "yml": "yaml",
    "patch": "diff",
    "txt": "text",
    "plain": "text",
    "plaintext": "text",
    "none": "text",
}
CODE_OPTION_NAMES = {
    "title": "filename",
    "filename": "filename",
    "file": "filename",
    "hl_lines": "highlight_lines",
    "highlight": "highlight_lines",
    "hl": "highlight_lines",
    "linenums": "line_numbers",
    "linenos": "line_numbers",
    "line_numbers": "line_numbers",
}
_CODE_OPTION_RE = re.compile(r"""([\w-]+)(?:=("(?:[^"\\]|\\.)*"|'[^']*'|\S+))?""")
_SPEAKER_LINE_RE = re.compile(r"^\s*speakers?\s*:", re.IGNORECASE)
_SUMMARY_LINE_RE = re.compile(r"^\s*summary\s*:", re.IGNORECASE)

#: keys of a talk's attribute line -> TalkPage field
TALK_ATTRIBUTES = {
    "slug": "slug",
    "time": "start_time",
    "room": "room",
    "tags": "tags",
    "slides": "slides_url",
    "video": "video_url",
}
_ATTRIBUTION_RE = re.compile(r"^\s*(?:>\s?)*\s*(—|–|--)")

_DEEP_HEADING_RE = re.compile(r"^ {0,3}(#{7,})[ \t]+\S")

_NUMBER_RE = re.compile(r"^[-+]?\d+(\.\d+)?$")
TABLE_COLUMN_TYPES = ("text", "number", "rich_text")
_PLAIN_INLINE = ("text", "softbreak", "html_inline", "shortcode")
BLOCK_NAMES = {
    "fence": "code block",
    "code_block": "code block",
    "html_block": "HTML block",
    "blockquote": "quote",
    "bullet_list": "list",
    "ordered_list": "list",
    "table": "table",
    "heading": "heading",
    "hr": "rule",
}


class BodyBuilder:
    """Walks the Markdown syntax tree and fills in a :class:`NotesDocument`."""

    def __init__(self, document: NotesDocument, lines: list[str], diagnostics: Diagnostics):
        self.document = document
        self.lines = lines
        self.diagnostics = diagnostics
        self.day: DaySpec | None = None
        self.talk: TalkSpec | None = None
        self.body = document.body
        self.pending: list[str] = []
        self.pending_line = 0
        self.expect_speakers = False
        self.expect_summary = False
        self.after_speakers = False
        #: day or talk heading line -> (line, text inside {…}) of its attribute line
        self.page_attributes: dict[int, tuple[int, str]] = {}
        self.title_from_heading = not document.meta.get("title")
        self.title_seen = False
        self.heading_levels: dict[int, int] = {}  # id(block) -> level in Markdown

    # -- helpers
    def renderer(self, line: int) -> InlineRenderer:
        return InlineRenderer(self.diagnostics, line)

    def add_rich(self, html: str, line: int) -> None:
        if not self.pending:
            self.pending_line = line
        self.pending.append(html)

    def flush(self) -> None:
        if self.pending:
            source = "".join(self.pending)
            html = restore_list_starts(source, sanitise(source, PARAGRAPH_FEATURES))
            if html.strip():
                self.body.append(BlockSpec("paragraph", html, self.pending_line))
            self.pending = []

    def add_block(self, block: BlockSpec) -> None:
        self.flush()
        self.body.append(block)

    def switch_body(self, body: list) -> None:
        self.flush()
        self.body = body

    def warn_attrs(self, node, allowed: tuple[str, ...] = ()) -> dict:
        attrs = {k: v for k, v in (node.attrs or {}).items() if k not in ("style",)}
        ignored = [key for key in attrs if key not in allowed]
        if ignored:
            self.diagnostics.warn(
                node.map[0] + 1 if node.map else None,
                f"Attribute {', '.join(ignored)} ignored here"
                + (f" (this block takes {', '.join(allowed)})." if allowed else "."),
            )
        return {key: _unescape_attr(attrs[key]) for key in allowed if key in attrs}

    # -- walking
    def run(self, root) -> None:
        for node in root.children:
            line = node.map[0] + 1 if node.map else None
            handler = getattr(self, f"on_{node.type}", None)
            if handler is None:
                self.diagnostics.warn(line, f"Unsupported Markdown ({node.type}) skipped.")
                continue
            talk = self.talk
            handler(node, line)
            if self.talk is talk:  # the Speakers line can only follow the talk's ### heading
                self.expect_speakers = False
                # … and the Summary paragraph can only follow the heading or the Speakers line
                self.expect_summary = self.expect_summary and self.after_speakers
                self.after_speakers = False
        self.flush()

    def on_heading(self, node, line) -> None:
        level = int(node.tag[1])
        renderer = self.renderer(line)
        text = " ".join(renderer.text(node.children[0].children, code_ticks=False).split())
        self.warn_attrs(node)
        if node.markup in ("=", "-") and level <= 2:
            self.diagnostics.warn(
                line,
                f"A line underlined with {node.markup * 3} is a level {level} heading in "
                "Markdown; leave a blank line before a rule, or use # / ## headings.",
            )
        if level == 1:
            self.on_title(text, line)
        elif not self.document.has_days:  # a recap by topic: ## to #### are its headings
            if level > 4:
                self.diagnostics.warn(
                    line, f"{'#' * level} is deeper than ####: imported as a level 4 heading."
                )
            self.add_heading(text, level + 2, line)
        elif level == 2:
            self.switch_body([])
            number = _day_number(text, len(self.document.days) + 1)
            slug = self.unique_slug(
                make_slug(text, f"day-{number}"), [d.slug for d in self.document.days], line
            )
            if any(day.number == number for day in self.document.days):
                self.diagnostics.warn(line, f"There is already a day {number} in this file.")
            self.day = DaySpec(title=text, slug=slug, line=line, number=number, body=self.body)
            if line in self.page_attributes:
                self.take_attributes(self.day, *self.page_attributes[line])
            self.document.days.append(self.day)
            self.talk = None
            if not text:
                self.diagnostics.error(line, "A day heading (##) needs a title.")
        elif level == 3 and self.day is not None:
            self.switch_body([])
            slug = self.unique_slug(make_slug(text, "talk"), [t.slug for t in self.day.talks], line)
            self.talk = TalkSpec(title=text, slug=slug, line=line, body=self.body)
            self.day.talks.append(self.talk)
            self.expect_speakers = True
            self.expect_summary = True
            if line in self.page_attributes:
                self.take_attributes(self.talk, *self.page_attributes[line])
            if not text:
                self.diagnostics.error(line, "A talk heading (###) needs a title.")
        else:
            if level == 3:
                self.diagnostics.warn(
                    line,
                    "A ### heading before the first ## day is not a talk; it is kept as a "
                    "level 2 heading of the conference introduction"
                    + (
                        " and its attribute line is ignored."
                        if line in self.page_attributes
                        else "."
                    ),
                )
                level = 4
            self.add_heading(text, level, line)

    def on_title(self, text: str, line: int) -> None:
        if not self.title_seen and not self.document.days and self.title_from_heading:
            self.title_seen = True
            self.document.title = text
            self.document.title_line = line
            return
        if not self.title_seen and not self.document.days and text == self.document.title:
            self.title_seen = True
            return
        if not self.title_seen and not self.document.days:
            self.title_seen = True
            self.diagnostics.warn(
                line,
                f"The # heading “{text}” differs from the front matter title "
                f"“{self.document.title}”; the front matter title is used.",
            )
            return
        self.diagnostics.warn(
            line, "Only the first # heading is the title; this one is kept as a level 2 heading."
        )
        self.add_heading(text, 4, line)

    def add_heading(self, text: str, markdown_level: int, line: int) -> None:
        if not text:
            self.diagnostics.warn(line, "Empty heading dropped.")
            return
        level = min(max(markdown_level - 2, 2), 4)
        block = BlockSpec("heading", {"text": text, "level": f"h{level}"}, line)
        self.heading_levels[id(block)] = markdown_level
        self.add_block(block)

    def unique_slug(self, slug: str, taken: list[str], line: int) -> str:
        if slug not in taken:
            return slug
        n = 2
        while f"{slug}-{n}" in taken:
            n += 1
        self.diagnostics.warn(
            line, f"Another page here is already called “{slug}”; this one gets “{slug}-{n}”."
        )
        return f"{slug}-{n}"

    def on_paragraph(self, node, line) -> None:
        self.warn_attrs(node)
        children = list(node.children[0].children)
        deep = _DEEP_HEADING_RE.match(self.lines[node.map[0]])
        if deep and node.map[1] - node.map[0] == 1:
            # Markdown stops at ######; seven or more #s are still meant as a heading
            self.diagnostics.warn(
                line, f"{deep.group(1)} is deeper than ######: imported as a level 4 heading."
            )
            text = self.renderer(line).text(children, code_ticks=False)
            self.add_heading(" ".join(text.lstrip("#").split()), 6, line)
            return
        if self.expect_speakers and self.talk is not None:
            children, line = self.take_speakers(children, node, line)
            if not children:
                self.after_speakers = True
                return
        if self.expect_summary and self.talk is not None:
            children, line = self.take_summary(children, node, line)
            if not children:
                return
        images = [child for child in children if child.type == "image"]
        others = [
            child
            for child in children
            if child.type not in ("image", "softbreak", "hardbreak")
            and not (child.type == "text" and not child.content.strip())
        ]
        renderer = self.renderer(line)
        if images and others:
            self.diagnostics.warn(
                line,
                "An image in the middle of text becomes an image block after the paragraph; "
                "put images in a paragraph of their own.",
            )
        if others:
            html = renderer.html([c for c in children if c.type != "image"]).strip()
            if html:
                self.add_rich(f"<p>{html}</p>", line)
        image_line = line
        for child in children:
            if child.type in ("softbreak", "hardbreak"):
                image_line += 1
            elif child.type == "image":
                self.add_image(child, image_line)

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
                rest.append(_BreakNode())
            rest.extend(nodes)
        return rest, line + 1

    def take_attributes(self, spec, line: int, text: str) -> None:
        """A talk's ``{time="09:30" room="Main Hall" tags="orm, testing" slides="…" video="…"}``
        (and ``slug="…"``), or a day's ``{slug="…"}``."""
        is_talk = isinstance(spec, TalkSpec)
        known = TALK_ATTRIBUTES if is_talk else {"slug": "slug"}
        details = spec.details if is_talk else {}
        for name, raw in _CODE_OPTION_RE.findall(text):
            key = known.get(name.lower())
            value = _unquote(raw).strip()
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

    def add_image(self, node, line: int) -> None:
        src = node.attrs.get("src", "")
        title = node.attrs.get("title") or ""
        alt = " ".join(self.renderer(line).text(node.children, code_ticks=False).split())
        decorative = title == "decorative"
        if decorative and alt:
            self.diagnostics.warn(
                line, "This image is marked decorative, so its alt text is not used."
            )
        if not decorative and not alt:
            self.diagnostics.error(
                line,
                f"The image {src} has no alt text: describe what it shows in ![…], or mark it "
                'decorative with ![](path "decorative").',
            )
        spec = ImageSpec(
            src=src,
            alt="" if decorative else alt,
            decorative=decorative,
            caption="" if decorative else title.strip(),
            line=line,
        )
        self.add_block(BlockSpec("image", {"image": spec, "caption": spec.caption}, line))

    def on_bullet_list(self, node, line) -> None:
        attrs = self.warn_attrs(node, ("title",))
        run: list = []
        run_is_tasks = None
        title = attrs.get("title", "")

        def emit():
            nonlocal title
            if not run:
                return
            if run_is_tasks:
                self.add_checklist(run, title)
                title = ""
            else:
                clone = _ListNode(node.type, run)
                start = list_start(node) + node.children.index(run[0])
                for kind, part, part_line in list_parts(
                    clone, self.renderer(run[0].map[0] + 1), start
                ):
                    if kind == "code":
                        self.on_fence(part, part_line)
                    else:
                        self.add_rich(part, part_line)

        for item in node.children:
            is_task = _task_mark(item) is not None
            if run and is_task != run_is_tasks:
                emit()
                run = []
            run_is_tasks = is_task
            run.append(item)
        emit()
        if title:
            self.diagnostics.warn(line, "The title attribute is only used for checklists.")

    on_ordered_list = on_bullet_list

    def add_checklist(self, items, title: str) -> None:
        values = []
        lines = []
        lost = False
        flattened = False
        for item in items:
            for entry, is_nested in _checklist_entries(item):
                flattened = flattened or is_nested
                item_line = entry.map[0] + 1
                paragraphs = [c for c in entry.children if c.type == "paragraph"]
                renderer = self.renderer(item_line)
                text = "\n".join(renderer.text(p.children[0].children) for p in paragraphs)
                lost = lost or renderer.lost_formatting
                text = " ".join(text.split())
                match = _TASK_RE.match(text)
                done = bool(match and match.group(1) in "xX")
                if match:
                    text = text[match.end() :].strip()
                if not text:
                    self.diagnostics.warn(item_line, "Empty checklist item dropped.")
                    continue
                values.append({"text": text, "done": done})
                lines.append(item_line)
        first_line = items[0].map[0] + 1
        if flattened:
            self.diagnostics.warn(
                first_line, "Nested items of a checklist are imported as items of the checklist."
            )
        if lost:
            self.diagnostics.warn(
                first_line,
                "Checklist items are plain text: bold, italic and links are kept as their text.",
            )
        if values:
            self.add_block(
                BlockSpec(
                    "checklist", {"title": title, "items": values}, first_line, item_lines=lines
                )
            )

    def on_blockquote(self, node, line) -> None:
        self.warn_attrs(node)
        paragraphs: list[list[str]] = []
        attribution = ""
        source_url = ""
        lost = False
        children = list(node.children)
        for index, child in enumerate(children):
            child_line = child.map[0] + 1 if child.map else line
            if child.type != "paragraph":
                self.diagnostics.warn(
                    child_line,
                    f"A {BLOCK_NAMES.get(child.type, child.type)} inside a quote is kept as text.",
                )
                paragraphs.append(node_source_text(child).split("\n"))
                continue
            lines = split_lines(child.children[0].children)
            is_last = index == len(children) - 1
            last_source = self.lines[child.map[1] - 1] if child.map else ""
            attribution_nodes = None
            if is_last and _ATTRIBUTION_RE.match(last_source):
                attribution_nodes = lines.pop()
            renderer = self.renderer(child_line)
            texts = [renderer.text(nodes) for nodes in lines]
            lost = lost or renderer.lost_formatting
            if texts:
                paragraphs.append(texts)
            if attribution_nodes is not None:
                renderer = self.renderer(child.map[1])
                text = renderer.text(attribution_nodes, code_ticks=False)
                attribution = re.sub(r"^\s*(—|–|--)\s*", "", text).strip()
                links = [n for n in _walk(attribution_nodes) if n.type == "link"]
                if links:
                    source_url = links[0].attrs.get("href", "")
        text = "\n\n".join("\n".join(lines).strip() for lines in paragraphs if lines).strip()
        if lost:
            self.diagnostics.warn(line, "Quotes are plain text: formatting is kept as its text.")
        block = BlockSpec(
            "quote",
            {"text": text, "attribution": attribution, "speaker": None, "source_url": source_url},
            line,
            attribution_name=attribution,
        )
        self.add_block(block)

    def on_fence(self, node, line) -> None:
        self.warn_attrs(node)
        info = node.info.strip() if node.type == "fence" else ""
        word, _, options = info.partition(" ")
        word = word.strip("{}.").lower()
        code = node.content[:-1] if node.content.endswith("\n") else node.content
        if word == "video":
            self.add_video(code, options, line)
            return
        language = LANGUAGE_ALIASES.get(word, word)
        if not word:
            self.diagnostics.warn(
                line, "Code block without a language: imported as plain text (```text)."
            )
            language = "text"
        elif language not in CODE_LANGUAGE_LABELS:
            self.diagnostics.warn(
                line,
                f"Unknown code language “{word}”: imported as plain text. Known: "
                f"{', '.join(CODE_LANGUAGE_LABELS)}.",
            )
            language = "text"
        value = {
            "language": language,
            "code": code,
            "filename": "",
            "highlight_lines": "",
            "line_numbers": False,
        }
        for name, raw in _CODE_OPTION_RE.findall(options):
            key = CODE_OPTION_NAMES.get(name.lower())
            raw_value = _unquote(raw)
            if key is None:
                self.diagnostics.warn(line, f"Code block option “{name}” ignored.")
            elif key == "line_numbers":
                value[key] = raw_value.lower() not in ("false", "0", "no", "off")
            elif key == "highlight_lines":
                # MkDocs writes "2 4-6"; Confnotes stores "2, 4-6"
                value[key] = raw_value if "," in raw_value else ", ".join(raw_value.split())
            else:
                value[key] = raw_value
        self.add_block(BlockSpec("code", value, line))

    on_code_block = on_fence

    def add_video(self, content: str, options: str, line: int) -> None:
        lines = [text.strip() for text in content.split("\n") if text.strip()]
        url = lines[0] if lines else ""
        title = " ".join(lines[1:])
        if not url:
            self.diagnostics.error(
                line, "A ```video block needs the video's URL on its first line."
            )
            return
        if not title:
            self.diagnostics.error(
                line, "A ```video block needs a title on its second line, e.g. “Recording”."
            )
        self.add_block(BlockSpec("video", {"url": url, "title": title}, line))

    def on_table(self, node, line) -> None:
        attrs = self.warn_attrs(node, ("caption", "columns"))
        header_row, *_ = [tr for section in node.children for tr in section.children]
        body_rows = [
            tr for section in node.children if section.type == "tbody" for tr in section.children
        ]
        headings = [
            " ".join(self.renderer(line).text(cell.children[0].children, False).split())
            for cell in header_row.children
        ]
        aligned_right = [
            "text-align:right" in (cell.attrs.get("style") or "") for cell in header_row.children
        ]
        cells = [[cell.children[0].children if cell.children else [] for cell in row.children]
                 for row in body_rows]  # fmt: skip
        forced = attrs.get("columns", "").split()
        if forced and (
            len(forced) != len(headings) or any(t not in TABLE_COLUMN_TYPES for t in forced)
        ):
            self.diagnostics.warn(
                line,
                f"columns=“{attrs['columns']}” ignored: give one of "
                f"{', '.join(TABLE_COLUMN_TYPES)} for each of the {len(headings)} columns.",
            )
            forced = []
        columns = []
        for col, heading in enumerate(headings):
            column_cells = [row[col] if col < len(row) else [] for row in cells]
            formatted = any(any(n.type not in _PLAIN_INLINE for n in c) for c in column_cells)
            texts = [
                "".join(n.content for n in c if n.type == "text").strip() for c in column_cells
            ]
            if forced:
                kind = forced[col]
            elif formatted:
                kind = "rich_text"
            elif aligned_right[col] and texts and all(_NUMBER_RE.match(t) for t in texts):
                kind = "number"
            else:
                kind = "text"
            columns.append({"type": kind, "heading": heading})
        rows = []
        row_lines = []
        for row_node, row in zip(body_rows, cells, strict=True):
            row_line = row_node.map[0] + 1 if row_node.map else line
            values = []
            for col, column in enumerate(columns):
                nodes = row[col] if col < len(row) else []
                renderer = self.renderer(row_line)
                if column["type"] == "rich_text":
                    html = renderer.html(nodes).strip()
                    values.append(sanitise(f"<p>{html}</p>", INLINE_FEATURES) if html else "")
                elif column["type"] == "number":
                    values.append(renderer.text(nodes).strip())
                else:
                    values.append(" ".join(renderer.text(nodes).split()))
            rows.append({"values": values})
            row_lines.append(row_line)
        value = {"caption": attrs.get("caption", ""), "columns": columns, "rows": rows}
        self.add_block(BlockSpec("table", value, line, item_lines=row_lines))

    def on_hr(self, node, line) -> None:
        self.diagnostics.warn(line, "Horizontal rule (---) dropped: bodies have no rules.")

    def on_html_block(self, node, line) -> None:
        content = node.content
        for comment in HTML_COMMENT_RE.findall(content):
            self.diagnostics.warn(line + content[: content.find(comment)].count("\n"),
                                  "HTML comment dropped.")  # fmt: skip
        rest = HTML_COMMENT_RE.sub("", content).strip("\n")
        if not rest.strip():
            return
        if rest.lstrip().startswith("<!--"):
            self.diagnostics.warn(line, "An HTML comment is not closed (-->); it is kept as text.")
        else:
            first = rest.strip().split("\n")[0]
            self.diagnostics.warn(line, f"Raw HTML is kept as text, not markup: {first[:60]}")
        html = "<br/>".join(escape(text) for text in rest.strip().split("\n"))
        self.add_rich(f"<p>{html}</p>", line)
