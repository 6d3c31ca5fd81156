"""Template filters for page bodies."""

from django import template
from django.utils.safestring import mark_safe

from wagtail.rich_text import RichText, expand_db_html

from pages.blocks.sanitise import safe_url as _safe_url
from pages.fragments import render_fragment
from pages.programme import programme_grid as _programme_grid
from pages.stored_parts import stored_html

register = template.Library()


class NamedPartNode(template.Node):
    """A named part of a page template; ``render_part(context, name, nodelist)`` renders it."""

    def __init__(self, name: str, nodelist, render_part):
        self.name = name
        self.nodelist = nodelist
        self.render_part = render_part

    def render(self, context) -> str:
        return mark_safe(self.render_part(context, self.name, self.nodelist))


def named_part(parser, token, end: str, render_part) -> NamedPartNode:
    """Parse ``{% tag "name" %}…{% end %}``."""
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "\"'" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError(f'Usage: {{% {bits[0]} "name" %}}…{{% {end} %}}')
    nodelist = parser.parse((end,))
    parser.delete_first_token()
    return NamedPartNode(bits[1][1:-1], nodelist, render_part)


@register.tag
def page_fragment(parser, token):
    """``{% page_fragment "name" %}…{% endpage_fragment %}``: part of a live page, cached.

    The HTML is kept in the ``fragments`` cache until the site's content changes
    (``pages.fragments``); previews are always rendered. Put only what depends on the page
    and the site in a fragment, nothing that depends on the visitor or the request's URL.
    """
    return named_part(parser, token, "endpage_fragment", render_fragment)


@register.tag
def stored_part(parser, token):
    """``{% stored_part "name" %}…{% stored_part_end %}``: part of a live page rendered once
    per published revision and kept in the database (``pages.stored_parts``).

    Only what depends on the page's own revision and site-wide content: not its day,
    conference or pager, nor anything that depends on the visitor or the request. (The end
    tag is not ``endstored_part`` so that djhtml does not indent what it encloses: a
    template's indentation is output, and a page must not change by being stored.)
    """
    return named_part(parser, token, "stored_part_end", stored_html)


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
