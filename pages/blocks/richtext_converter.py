"""Wagtail's rich text converter, in time linear in the text, for the editor and the notes import.

Rich text is saved from the page editor through Draftail's converter (``ContentstateConverter``:
the editor's ContentState JSON → HTML with draftjs_exporter) and notes are imported through the
same converter (HTML → ContentState → HTML, which whitelists the features). Its string DOM
engine checks every child before appending one (``child in elt.children``), so a paragraph
with n formatting ranges costs n² comparisons: 20,000 bold ranges took 5.5 s, a 200 KB
paragraph of ``*a`` 35 s, long enough for gunicorn to kill the worker.

:class:`LinearContentstateConverter` is the same converter with an engine that keeps the
identities of each element's children in a set: the same output, linear time. The editor uses
it through ``WAGTAILADMIN_RICH_TEXT_EDITORS`` (:class:`LinearDraftailRichTextArea`), the notes
import through ``pages.notes.richtext.sanitise``. We replace the engine instead of writing our
own sanitiser so that imported and edited text keep exactly the HTML the editor writes (the
import compares values with what is stored to skip unchanged pages).

The engine is chosen by draftjs_exporter's private ``HTMLExporter._engine``: it is set in one
place here, and ``tests/test_hostile_import.py`` fails if that attribute goes away or the output
differs from Wagtail's own converter.
"""

from wagtail.admin.rich_text.converters.contentstate import ContentstateConverter
from wagtail.admin.rich_text.converters.html_to_contentstate import HtmlToContentStateHandler
from wagtail.admin.rich_text.editors.draftail import DraftailRichTextArea

from draftjs_exporter.engines.string import DOMString, Elt

ENGINE = "pages.blocks.richtext_converter.LinearDOMString"


class _Elt(Elt):
    """An element that knows which elements it already holds (by identity)."""

    __slots__ = ("child_ids",)

    def __init__(self, type_, attr, markup=""):
        super().__init__(type_, attr, markup)
        self.child_ids: set[int] = set()


class LinearDOMString(DOMString):
    """draftjs_exporter's string engine with a constant-time duplicate check on append.

    The stock engine skips an element that is already a child (its wrapper state can append a
    list item twice) by scanning the children; here a set of ids answers. A child stays in its
    parent's list for the whole render, so its id cannot be reused meanwhile.
    """

    @staticmethod
    def create_tag(type_, attr=None):
        return _Elt(type_, attr)

    @staticmethod
    def parse_html(markup):
        return _Elt("escaped_html", None, markup)

    @staticmethod
    def append_child(elt, child) -> None:
        if isinstance(child, Elt):
            ids = getattr(elt, "child_ids", None)
            if ids is None:  # an element made elsewhere: the stock (scanning) check
                DOMString.append_child(elt, child)
                return
            if id(child) in ids:
                return
            ids.add(id(child))
        elt.children.append(child)


class _Text:
    """A block's text while HTML is read: appended in pieces, joined once at the end.

    Wagtail's reader appends each text node with ``block.text += …``, which copies the whole
    text each time (n text nodes: n² characters copied). The reader only appends to the text
    and takes its length (for style and link offsets), which this keeps in constant time."""

    __slots__ = ("parts", "length")

    def __init__(self, text: str):
        self.parts = [text]
        self.length = len(text)

    def __iadd__(self, more: str):
        self.parts.append(more)
        self.length += len(more)
        return self

    def __len__(self) -> int:
        return self.length

    def __str__(self) -> str:
        return "".join(self.parts)


class _LinearHtmlReader(HtmlToContentStateHandler):
    """Wagtail's HTML → ContentState reader, with each block's text as a :class:`_Text`."""

    def _buffer(self) -> None:
        block = self.state.current_block
        if block is not None and type(block.text) is str:
            block.text = _Text(block.text)

    def handle_starttag(self, name, attrs):
        self._buffer()
        super().handle_starttag(name, attrs)

    def handle_data(self, content):
        self._buffer()
        super().handle_data(content)

    def close(self):
        super().close()
        for block in self.contentstate.blocks:
            block.text = str(block.text)


class LinearContentstateConverter(ContentstateConverter):
    """Wagtail's ContentState ⇄ HTML converter, reading with :class:`_LinearHtmlReader` and
    rendering with :class:`LinearDOMString`."""

    def __init__(self, features=None):
        super().__init__(features)
        self.html_to_contentstate_handler = _LinearHtmlReader(features)
        if not hasattr(self.exporter, "_engine"):
            raise RuntimeError(
                "draftjs_exporter no longer has HTMLExporter._engine: see "
                "pages/blocks/richtext_converter.py"
            )
        self.exporter._engine = ENGINE


class LinearDraftailRichTextArea(DraftailRichTextArea):
    """The Draftail editor widget, saving through :class:`LinearContentstateConverter`."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.converter = LinearContentstateConverter(self.features)
