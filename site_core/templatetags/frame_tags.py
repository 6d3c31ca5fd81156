"""The site's frame (head links, header, footer): rendered once per process, not per page.

Every public page repeats the same head links (feeds, icons, styles, scripts: seven
``{% static %}`` and two ``{% url %}``), the same header (three more URLs, the logo) and the
same footer. They depend on the code and the settings, which do not change while a process
runs, and the header on two values of the request: which section of the navigation is current,
and the search box's text. ``{% frame_part "name" key… %}…{% frame_part_end %}`` renders its
content once per name, URL prefix and key, and keeps it in memory (the newest
``MAX_ENTRIES``). With ``DEBUG`` on (templates edited while ``runserver`` runs) it renders
every time.

(The end tag is not ``endframe_part`` so that djhtml does not indent what it encloses: the
template's indentation is output.)
"""

from django import template
from django.conf import settings
from django.test.signals import setting_changed
from django.urls import get_script_prefix
from django.utils.safestring import mark_safe

register = template.Library()

#: Rendered parts, by (name, script prefix, *key); the oldest go first.
_rendered: dict[tuple, str] = {}
MAX_ENTRIES = 256

#: The sections of the main navigation, by the path of their page.
NAV_SECTIONS = {
    "/": "conferences",
    "/speakers/": "speakers",
    "/tags/": "tags",
    "/search/": "search",
}


def forget_frame(**kwargs) -> None:
    """A setting changed (a test's override): the frame may differ now."""
    _rendered.clear()


setting_changed.connect(forget_frame, dispatch_uid="site_core.frame_tags.forget")


class FramePartNode(template.Node):
    def __init__(self, name: str, keys, nodelist):
        self.name = name
        self.keys = keys
        self.nodelist = nodelist

    def render(self, context) -> str:
        if settings.DEBUG:
            return self.nodelist.render(context)
        key = (self.name, get_script_prefix(), *(key.resolve(context) for key in self.keys))
        html = _rendered.get(key)
        if html is None:
            html = mark_safe(self.nodelist.render(context))
            while len(_rendered) >= MAX_ENTRIES:
                _rendered.pop(next(iter(_rendered)), None)
            _rendered[key] = html
        return html


@register.tag
def frame_part(parser, token):
    """``{% frame_part "name" key… %}…{% frame_part_end %}``: kept per process (see above).
    Everything the content depends on beyond code and settings must be among the keys."""
    bits = token.split_contents()
    if len(bits) < 2 or bits[1][0] not in "\"'" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError('Usage: {% frame_part "name" key… %}')
    keys = [parser.compile_filter(bit) for bit in bits[2:]]
    nodelist = parser.parse(("frame_part_end",))
    parser.delete_first_token()
    return FramePartNode(bits[1][1:-1], keys, nodelist)


@register.filter
def nav_section(path: str) -> str:
    """The navigation section whose page is at ``path`` ("conferences", "speakers", "tags",
    "search"), or ""."""
    return NAV_SECTIONS.get(path, "")
