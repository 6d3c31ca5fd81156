"""Markdown ⇄ Wagtail rich text for notes: parsing set-up, inline rendering, escaping.

Markdown is parsed by markdown-it-py (CommonMark, GFM tables) with raw HTML *recognised* so that
it can be kept as escaped text or, for comments, dropped: it is never passed through as markup.
Rendered HTML then goes through the same conversion the editor applies on save (Wagtail's
ContentState converter for the block's features, in linear time: ``pages.blocks.richtext_converter``), which drops anything outside the features and
any link whose URL scheme is not allowed (``javascript:``, ``data:``, …).
"""

import re
from functools import lru_cache
from html import escape as _html_escape
from html.parser import HTMLParser

from wagtail.whitelist import check_url

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode
from mdit_py_plugins.attrs import attrs_block_plugin

from pages.blocks.richtext_converter import LinearContentstateConverter

from .diagnostics import Diagnostics

#: Hugo / Jekyll / Django template shortcodes, dropped on import.
SHORTCODE_RE = re.compile(r"\{\{<.*?>\}\}|\{\{%.*?%\}\}|\{%.*?%\}", re.DOTALL)
HTML_COMMENT_RE = re.compile(r"<!--.*?-->", re.DOTALL)
PAGE_LINK_RE = re.compile(r"wagtail://page\?id=(\d+)")
_BLOCK_KEY_RE = re.compile(r'\sdata-block-key="[^"]*"')


def escape(text: str) -> str:
    return _html_escape(text, quote=True)


# --- parsing ------------------------------------------------------------------------------------


def _shortcode_rule(state, silent: bool) -> bool:
    if state.src[state.pos] != "{":
        return False
    match = SHORTCODE_RE.match(state.src, state.pos)
    if not match or match.end() > state.posMax:
        return False
    if not silent:
        token = state.push("shortcode", "", 0)
        token.content = match.group(0)
    state.pos = match.end()
    return True


@lru_cache(maxsize=1)
def markdown_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
    md.enable("table")
    md.use(attrs_block_plugin)
    md.inline.ruler.after("text", "shortcode", _shortcode_rule)
    return md


def parse_tree(text: str) -> SyntaxTreeNode:
    return SyntaxTreeNode(markdown_parser().parse(text))


# --- inline rendering -----------------------------------------------------------------------------


class InlineRenderer:
    """Renders the inline nodes of one block, reporting what it drops, with line numbers."""

    def __init__(self, diagnostics: Diagnostics, line: int):
        self.diagnostics = diagnostics
        self.line = line
        self.lost_formatting = False
        self._warned_html = False

    # shared handling of what never becomes markup
    def _special(self, node) -> str | None:
        """Text for shortcodes, raw HTML and comments (None for other nodes)."""
        if node.type == "shortcode":
            why = (
                "pages get their table of contents automatically"
                if re.search(r"\btoc\b", node.content, re.IGNORECASE)
                else "templates do not run in notes"
            )
            self.diagnostics.warn(
                self.line, f"Template shortcode dropped: {_short(node.content)} ({why})."
            )
            self.line += node.content.count("\n")
            return ""
        if node.type == "html_inline":
            content = node.content
            self.line += content.count("\n")
            if content.startswith("<!--"):
                self.diagnostics.warn(self.line, "HTML comment dropped.")
                return ""
            if not self._warned_html:
                self._warned_html = True
                self.diagnostics.warn(
                    self.line, f"Raw HTML is kept as text, not markup: {_short(content)}"
                )
            return content
        return None

    def html(self, nodes) -> str:
        """Wagtail rich text HTML (before sanitising) for inline nodes."""
        out = []
        for node in nodes:
            kind = node.type
            special = self._special(node)
            if special is not None:
                out.append(escape(special))
            elif kind == "text":
                out.append(escape(node.content))
            elif kind == "softbreak":
                self.line += 1
                out.append("\n")
            elif kind == "hardbreak":
                self.line += 1
                out.append("<br/>")
            elif kind == "strong":
                out.append(f"<b>{self.html(node.children)}</b>")
            elif kind == "em":
                out.append(f"<i>{self.html(node.children)}</i>")
            elif kind == "code_inline":
                out.append(f"<code>{escape(node.content)}</code>")
            elif kind == "link":
                out.append(self._link(node))
            elif kind == "image":
                self.diagnostics.warn(
                    self.line,
                    "An image inside a link, list or table cannot be imported; its alt text is "
                    "kept. Put the image in a paragraph of its own.",
                )
                out.append(escape(self.text(node.children, code_ticks=False)))
            else:
                out.append(escape(node.content) if not node.children else self.html(node.children))
        return "".join(out)

    def _link(self, node) -> str:
        href = node.attrs.get("href", "")
        inner = self.html(node.children)
        page = PAGE_LINK_RE.fullmatch(href)
        if page:
            return f'<a linktype="page" id="{page.group(1)}">{inner}</a>'
        if href.startswith("wagtail://") or check_url(href) is None:
            self.diagnostics.warn(
                self.line, f"Link to “{_short(href)}” dropped: that kind of URL is not allowed."
            )
            return inner
        return f'<a href="{escape(href)}">{inner}</a>'

    def text(self, nodes, code_ticks: bool = True) -> str:
        """Plain text for inline nodes; breaks become newlines."""
        out = []
        for node in nodes:
            kind = node.type
            special = self._special(node)
            if special is not None:
                out.append(special)
            elif kind == "text":
                out.append(node.content)
            elif kind in ("softbreak", "hardbreak"):
                self.line += 1
                out.append("\n")
            elif kind == "code_inline":
                if code_ticks:
                    ticks = "``" if "`" in node.content else "`"
                    out.append(f"{ticks}{node.content}{ticks}")
                else:
                    out.append(node.content)
            elif kind == "image" or node.children:
                self.lost_formatting = True
                out.append(self.text(node.children, code_ticks))
            else:
                out.append(node.content)
        return "".join(out)


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def split_lines(nodes) -> list[list]:
    """Inline nodes split at soft and hard line breaks."""
    lines: list[list] = [[]]
    for node in nodes:
        if node.type in ("softbreak", "hardbreak"):
            lines.append([])
        else:
            lines[-1].append(node)
    return lines


def list_parts(node, renderer: InlineRenderer, start: int | None = None) -> list[tuple]:
    """A Markdown list as ``<ul>``/``<ol>`` HTML (nesting kept), split where a list item holds
    a code block: ``("html", html, line)`` and ``("code", node, line)`` parts in order.

    The HTML before a code block closes every open list; the HTML after it reopens them, ordered
    lists with ``start`` so that their numbering continues. Text of the interrupted item that
    follows the code becomes a paragraph of its own.
    """
    splitter = _ListSplitter(renderer)
    splitter.list(node, start)
    splitter.flush()
    return splitter.parts


def list_start(node) -> int:
    try:
        return int((node.attrs or {}).get("start", 1))
    except (TypeError, ValueError):
        return 1


def _list_tag(tag: str, number: int) -> str:
    return f'<ol start="{number}">' if tag == "ol" and number != 1 else f"<{tag}>"


class _ListSplitter:
    def __init__(self, renderer: InlineRenderer):
        self.renderer = renderer
        self.parts: list[tuple] = []
        self.html: list[str] = []
        self.line = renderer.line
        self.levels: list[list] = []  # [tag, number of the current item] of every open list
        self.closed = False  # the HTML closed every list at a code block

    def flush(self) -> None:
        if self.html:
            self.parts.append(("html", "".join(self.html), self.line))
        self.html = []

    def list(self, node, start: int | None = None) -> None:
        tag = "ol" if node.type == "ordered_list" else "ul"
        level = [tag, list_start(node) if start is None else start]
        if not self.closed:
            self.html.append(_list_tag(tag, level[1]))
        self.levels.append(level)
        for index, item in enumerate(node.children):
            if index:
                level[1] += 1
            self.item(item)
        self.levels.pop()
        if not self.closed:
            self.html.append(f"</{tag}>")

    def item(self, item) -> None:
        if self.closed:  # reopen the lists after a code block, at this item's number
            if not self.html:
                self.line = item.map[0] + 1 if item.map else self.renderer.line
            for tag, number in self.levels:
                self.html += [_list_tag(tag, number), "<li>"]
            self.closed = False
        else:
            self.html.append("<li>")
        after_text = False
        for child in item.children:
            if child.map:
                self.renderer.line = child.map[0] + 1
            if child.type in ("bullet_list", "ordered_list"):
                self.list(child)
                after_text = False
            elif child.type in ("fence", "code_block"):
                self.code(child)
            else:
                if child.type == "paragraph":
                    html = self.renderer.html(child.children[0].children)
                else:
                    kind = {"html_block": "HTML block", "blockquote": "quote"}.get(
                        child.type, child.type
                    )
                    self.renderer.diagnostics.warn(
                        self.renderer.line, f"A {kind} inside a list item is kept as plain text."
                    )
                    html = escape(node_source_text(child)).replace("\n", "<br/>")
                if self.closed:  # the rest of an item interrupted by code
                    if not self.html:
                        self.line = self.renderer.line
                    self.html.append(f"<p>{html}</p>")
                else:
                    self.html.append(f"<br/>{html}" if after_text else html)
                    after_text = True
        if not self.closed:
            self.html.append("</li>")

    def code(self, node) -> None:
        if not self.closed:
            # close what is open, leaving out lists and items that were opened but are empty
            opened = 2 * len(self.levels)  # a list tag and an item at every level
            while self.html and self.html[-1].startswith(("<ul", "<ol", "<li>")):
                self.html.pop()
                opened -= 1
            for index in reversed(range(opened)):
                self.html.append("</li>" if index % 2 else f"</{self.levels[index // 2][0]}>")
            self.flush()
        self.parts.append(("code", node, node.map[0] + 1 if node.map else self.renderer.line))
        self.closed = True


def node_source_text(node) -> str:
    """The text of a block node as written (code, HTML, nested blocks)."""
    if node.type in ("fence", "code_block", "html_block"):
        return node.content.rstrip("\n")
    if node.type == "inline":
        return node.content
    return "\n".join(node_source_text(child) for child in node.children)


# --- sanitising ---------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _converter(features: tuple[str, ...]) -> LinearContentstateConverter:
    return LinearContentstateConverter(list(features))


def sanitise(html: str, features) -> str:
    """Rich text HTML as the editor would save it with ``features`` (block keys left out)."""
    converter = _converter(tuple(features))
    cleaned = converter.to_database_format(converter.from_database_format(html))
    return _BLOCK_KEY_RE.sub("", cleaned)


_OL_RE = re.compile(r'<ol(?: start="(\d+)")?>')


def restore_list_starts(source: str, cleaned: str) -> str:
    """``cleaned`` with the ``start`` numbers of ``source``'s ordered lists (the editor's
    converter drops them); unchanged if the lists no longer match one to one."""
    starts = _OL_RE.findall(source)
    if not any(starts) or len(starts) != len(_OL_RE.findall(cleaned)):
        return cleaned
    numbers = iter(starts)
    return _OL_RE.sub(lambda m: _list_tag("ol", int(next(numbers) or 1)), cleaned)


# --- HTML → Markdown (export) -------------------------------------------------------------------


class _Node:
    __slots__ = ("tag", "attrs", "children", "text")

    def __init__(self, tag: str | None, attrs=None, text: str = ""):
        self.tag = tag
        self.attrs = dict(attrs or {})
        self.children: list[_Node] = []
        self.text = text


_VOID = {"br", "img", "hr", "embed"}


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = _Node("root")
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = _Node(tag, attrs)
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(_Node(tag, attrs))

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index].tag == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(_Node(None, text=data))


def _html_tree(html: str) -> _Node:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


_ESCAPE_ALWAYS = re.compile(r"([\\`*\[\]<{}])")
_ENTITY_LIKE = re.compile(r"&(?=#?\w+;)")
_LINE_START = re.compile(r"^([-+=>#|]|\d+(?=[.)]))")


def escape_text(text: str, table_cell: bool = False) -> str:
    """Backslash-escape ``text`` so that Markdown reads it back as the same text."""
    text = _ESCAPE_ALWAYS.sub(r"\\\1", text)
    text = _ENTITY_LIKE.sub(r"\\&", text)
    text = re.sub(r"!(?=\\\[)", r"\\!", text)
    # _ is emphasis unless it is inside a word
    text = re.sub(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])", r"\\_", text)
    if table_cell:
        text = text.replace("|", "\\|")
    return text


def escape_line_starts(markdown: str) -> str:
    """Escape what would start a list, heading, quote or setext underline at a line start."""
    lines = []
    for line in markdown.split("\n"):
        line = line.lstrip(" \t")  # leading blanks mean nothing in a paragraph, or a code block
        match = _LINE_START.match(line)
        if match:
            marker = match.group(1)
            line = f"{marker}\\{line[len(marker) :]}" if marker.isdigit() else f"\\{line}"
        lines.append(line)
    return "\n".join(lines)


def code_span(code: str) -> str:
    code = code.replace("\n", " ")
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    fence = "`" * (longest + 1)
    if (
        code.startswith("`")
        or code.endswith("`")
        or (code.startswith(" ") and code.endswith(" ") and code.strip(" "))
    ):
        code = f" {code} "
    return f"{fence}{code}{fence}"


def link_destination(href: str) -> str:
    href = re.sub(r"[\\()&]", lambda m: "\\" + m.group(0), href)
    return re.sub(r"[\s<>]", lambda m: f"%{ord(m.group(0)):02X}", href)


class MarkdownWriter:
    """Markdown for Wagtail rich text HTML (the subset the paragraph and table features allow)."""

    def __init__(self, table_cell: bool = False):
        self.table_cell = table_cell

    def blocks(self, html: str) -> str:
        out = []
        inline_run: list[_Node] = []
        for node in _html_tree(html).children:
            if node.tag in ("ul", "ol"):
                if inline_run:
                    out.append(self.paragraph(inline_run))
                    inline_run = []
                out.append(self.list(node, list_start(node)))
            elif node.tag in (None, "b", "strong", "i", "em", "code", "a", "br", "span"):
                inline_run.append(node)
            else:
                if inline_run:
                    out.append(self.paragraph(inline_run))
                    inline_run = []
                out.append(self.paragraph(node.children))
        if inline_run:
            out.append(self.paragraph(inline_run))
        return "\n\n".join(block for block in out if block.strip())

    def paragraph(self, nodes) -> str:
        return escape_line_starts(self.inline(nodes).strip())

    def list(self, node: _Node, ordered_start: int = 1) -> str:
        lines = []
        number = ordered_start
        for item in node.children:
            if item.tag != "li":
                continue
            marker = f"{number}." if node.tag == "ol" else "-"
            number += 1
            indent = " " * (len(marker) + 1)
            inline_nodes = [c for c in item.children if c.tag not in ("ul", "ol")]
            nested = [c for c in item.children if c.tag in ("ul", "ol")]
            text = escape_line_starts(self.inline(inline_nodes).strip())
            first, *rest = text.split("\n") if text else [""]
            lines.append(f"{marker} {first}".rstrip())
            lines.extend(f"{indent}{line}" for line in rest)
            for sub in nested:
                lines.extend(f"{indent}{line}" for line in self.list(sub).split("\n"))
        return "\n".join(lines)

    def inline(self, nodes) -> str:
        out = []
        for node in nodes:
            tag = node.tag
            if tag is None:
                out.append(escape_text(node.text.replace("\n", " "), self.table_cell))
            elif tag == "br":  # a table cell has no line breaks
                out.append(" " if self.table_cell else "\\\n")
            elif tag in ("b", "strong"):
                out.append(_wrap("**", self.inline(node.children)))
            elif tag in ("i", "em"):
                out.append(_wrap("*", self.inline(node.children)))
            elif tag == "code":
                span = code_span(_text_of(node))
                out.append(span.replace("|", "\\|") if self.table_cell else span)
            elif tag == "a":
                out.append(self.link(node))
            else:
                out.append(self.inline(node.children))
        return "".join(out)

    def link(self, node: _Node) -> str:
        inner = self.inline(node.children)
        if node.attrs.get("linktype") == "page" and node.attrs.get("id"):
            return f"[{inner}](wagtail://page?id={node.attrs['id']})"
        href = node.attrs.get("href")
        if not href:
            return inner
        return f"[{inner}]({link_destination(href)})"


def _text_of(node: _Node) -> str:
    if node.tag is None:
        return node.text
    return "".join(_text_of(child) for child in node.children)


def _wrap(marker: str, inner: str) -> str:
    core = inner.strip()
    if not core:
        return inner
    lead = inner[: len(inner) - len(inner.lstrip())]
    trail = inner[len(inner.rstrip()) :]
    return f"{lead}{marker}{core}{marker}{trail}"


def rich_text_to_markdown(html: str) -> str:
    return MarkdownWriter().blocks(html)


def inline_rich_text_to_markdown(html: str, table_cell: bool = False) -> str:
    """One line of Markdown for rich text that holds a single paragraph (table cells)."""
    writer = MarkdownWriter(table_cell=table_cell)
    nodes = _html_tree(html).children
    flattened: list[_Node] = []
    for node in nodes:
        if node.tag == "p":
            if flattened:
                flattened.append(_Node("br"))
            flattened.extend(node.children)
        else:
            flattened.append(node)
    return writer.inline(flattened).strip()
