from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "pages"
    verbose_name = "Conference pages"

    def ready(self):
        from . import fragments, signals

        signals.connect()
        fragments.connect()
