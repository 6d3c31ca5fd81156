from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Speaker


class SpeakerViewSet(SnippetViewSet):
    """Speakers in the admin: searchable listing, a menu item of their own."""

    model = Speaker
    icon = "user"
    menu_label = "Speakers"
    menu_order = 200
    add_to_admin_menu = True
    list_display = ["name", "slug", "website"]
    search_fields = ["name", "bio"]
    # Plain database lookups: SQLite's full-text index cannot restrict a search to given fields.
    search_backend_name = None
    ordering = ["name"]


register_snippet(SpeakerViewSet)
