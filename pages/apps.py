from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "pages"
    verbose_name = "Conference pages"

    def ready(self):
        from . import fragments, stored_parts, tag_slugs
        from .accessibility import signals as accessibility_signals
        from .editors import groups
        from .notes import search_index
        from .sharing import cards

        accessibility_signals.connect()
        groups.connect()
        fragments.connect()
        stored_parts.connect()
        search_index.connect()
        tag_slugs.connect()
        cards.connect()
