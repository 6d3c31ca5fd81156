"""Template filters for page bodies."""

from django import template
from django.utils.safestring import mark_safe

from wagtail.rich_text import RichText, expand_db_html

from pages.blocks.sanitise import safe_url as _safe_url
from pages.fragments import render_fragment
from pages.programme import programme_grid as _programme_grid
from pages.stored_parts import stored_html

register = template.Library()


class PageFragmentNode(template.Node):
    def __init__(self, name: str, nodelist):
        self.name = name
        self.nodelist = nodelist

    def render(self, context) -> str:
        return render_fragment(context, self.name, self.nodelist)


@register.tag
def page_fragment(parser, token):
    """``{% page_fragment "name" %}…{% endpage_fragment %}``: part of a live page, cached.

    The HTML is kept in the ``fragments`` cache until the site's content changes
    (``pages.fragments``); previews are always rendered. Put only what depends on the page
    and the site in a fragment, nothing that depends on the visitor or the request's URL.
    """
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "\"'" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError('Usage: {% page_fragment "name" %}')
    nodelist = parser.parse(("endpage_fragment",))
    parser.delete_first_token()
    return PageFragmentNode(bits[1][1:-1], nodelist)


class StoredPartNode(template.Node):
    def __init__(self, name: str, nodelist):
        self.name = name
        self.nodelist = nodelist

    def render(self, context) -> str:
        return mark_safe(stored_html(context, self.name, self.nodelist))


@register.tag
def stored_part(parser, token):
    """``{% stored_part "name" %}…{% stored_part_end %}``: part of a live page rendered once
    per published revision and kept in the database (``pages.stored_parts``).

    Only what depends on the page's own revision and site-wide content: not its day,
    conference or pager, nor anything that depends on the visitor or the request. (The end
    tag is not ``endstored_part`` so that djhtml does not indent what it encloses: a
    template's indentation is output, and a page must not change by being stored.)
    """
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "\"'" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError('Usage: {% stored_part "name" %}')
    nodelist = parser.parse(("stored_part_end",))
    parser.delete_first_token()
    return StoredPartNode(bits[1][1:-1], nodelist)


@register.filter
def rich_html(value) -> str:
    """A body's rich text as HTML: links expanded, without Wagtail's one-line wrapper template.

    Equivalent to ``|richtext`` (whose template only prints the HTML) at half the cost per
    paragraph. The source was whitelisted when the block loaded it (``pages.blocks.sanitise``).
    """
    source = value.source if isinstance(value, RichText) else (value or "")
    return mark_safe(expand_db_html(source))


@register.filter
def safe_url(value) -> str:
    """A URL for ``href``: empty unless relative or http(s)/ftp/mailto/tel (pages.blocks.sanitise)."""
    return _safe_url(value)


@register.simple_tag
def programme_grid(talks):
    """``{% programme_grid talks as grid %}``: the day's talks by time and room
    (``pages.programme``)."""
    return _programme_grid(talks)
