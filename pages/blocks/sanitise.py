"""Rich text is cleaned when it is loaded, not only when the editor saves it.

Wagtail trusts the rich text it stores: the editor's converter whitelists what it saves, but
content that reaches the database another way (a script, a shell, the API, an old import, a
database restore) is output as it is by ``|richtext``. Every rich text block of the body loads
its source through :func:`clean_rich_text`, so a ``<script>`` or an ``onerror=`` stored by any
means is never rendered, indexed for search or shown in the editor.

The whitelist is the database format of our features (bold, italic, link, lists, inline code):
``p br b i strong em code ol ul li`` without attributes (but ``start`` on ``ol``, a number:
imported lists that continue after a code block) and ``a`` with ``href`` (http, https,
mailto, tel, ftp or relative: Wagtail's own URL check), ``linktype`` and ``id`` (internal links).
Unknown elements are unwrapped (their text stays, escaped); elements whose content is not text
(``script``, ``style``, ``template``, …) go with their content. Cleaning is idempotent, and
cached per source, so a page served again pays a dictionary look-up per paragraph.
"""

import html
import re
from functools import lru_cache

from wagtail.whitelist import Whitelister, allow_without_attributes, attribute_rule, check_url

from bs4 import BeautifulSoup, Comment, NavigableString
from bs4.formatter import HTMLFormatter

_DROPPED_WITH_CONTENT = frozenset(
    {
        "script",
        "style",
        "template",
        "textarea",
        "title",
        "noscript",
        "noembed",
        "noframes",
        "iframe",
        "object",
        "xmp",
        "plaintext",
        "svg",
        "math",
        "head",
    }
)


def _link_url(value: str):
    # check_url, and also schemes hidden by invisible characters (see safe_url)
    return check_url(value) if safe_url(value) else None


def _internal_link_id(value: str):
    return value if value.isdigit() else None


class _BodyWhitelister(Whitelister):
    element_rules = {
        "[document]": allow_without_attributes,
        **dict.fromkeys(
            ("p", "br", "b", "i", "strong", "em", "code", "ul", "li"),
            allow_without_attributes,
        ),
        "ol": attribute_rule({"start": lambda v: v if v.isdigit() else None}),
        "a": attribute_rule(
            {"href": _link_url, "linktype": lambda v: v if v == "page" else None, "id": True}
        ),
    }

    def clean_string_node(self, doc, node):
        # Comments, CDATA, doctypes and the raw text of <script>/<style> are not text to show.
        if isinstance(node, Comment) or type(node) is not NavigableString:
            node.extract()

    def clean_tag_node(self, doc, tag):
        if tag.name in _DROPPED_WITH_CONTENT:
            tag.decompose()
            return
        super().clean_tag_node(doc, tag)
        if tag.name == "a" and tag.attrs.get("linktype") == "page":
            if not _internal_link_id(str(tag.attrs.get("id", ""))):
                tag.attrs.pop("linktype", None)
                tag.attrs.pop("id", None)
        elif tag.name == "a":
            tag.attrs.pop("id", None)


_WHITELISTER = _BodyWhitelister()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _EditorFormatter(HTMLFormatter):
    """Output as the editor writes it: &, <, > escaped in text (apostrophes and double quotes
    left alone), and double quotes escaped too in attribute values, always double-quoted."""

    def attribute_value(self, value: str) -> str:
        return _escape(value).replace('"', "&quot;")


_FORMATTER = _EditorFormatter(entity_substitution=_escape)


@lru_cache(maxsize=8192)
def clean_rich_text(source: str) -> str:
    """``source`` with only the whitelisted elements and attributes (see the module docstring)."""
    if not source:
        return ""
    if "<" not in source and "&" not in source:
        return source  # plain text: nothing to clean
    doc = BeautifulSoup(source, "html.parser")
    _WHITELISTER.clean_node(doc, doc)
    return doc.decode(formatter=_FORMATTER)


#: What a browser ignores inside a URL scheme (or what hides one): controls, spaces, invisibles.
_URL_NOISE = re.compile("[`\x00-\x20\x7f-\xa0\u200b-\u200f\u2028\u2029\ufeff]+")
_SCHEME = re.compile(r"^([a-z0-9][-+.a-z0-9]*):")
_SAFE_SCHEMES = frozenset({"http", "https", "ftp", "mailto", "tel"})


def safe_url(url) -> str:
    """``url`` if it is relative or uses a harmless scheme (http, https, ftp, mailto, tel), else
    "". For URLs printed into ``href``/``cite``: URL fields validate what the editor saves, but
    values stored another way (a script, the ORM, an import) reach the template unchecked."""
    if not url:
        return ""
    url = str(url)
    flat = _URL_NOISE.sub("", html.unescape(url).lower())
    match = _SCHEME.match(flat)
    if match and match.group(1) not in _SAFE_SCHEMES:
        return ""
    return url
