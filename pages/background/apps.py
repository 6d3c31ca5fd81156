from django.apps import AppConfig


class BackgroundConfig(AppConfig):
    name = "pages.background"
    label = "background"
    verbose_name = "Background jobs"
    default_auto_field = "django.db.models.BigAutoField"
