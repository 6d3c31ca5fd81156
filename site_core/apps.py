from django.apps import AppConfig


class SiteCoreConfig(AppConfig):
    name = "site_core"
    verbose_name = "Site core"

    def ready(self):
        from . import frontend_cache

        frontend_cache.connect_signals()
