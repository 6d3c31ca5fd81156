from django.urls import path, reverse

from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .admin_views import import_schedule_view, user_can_import


class ImportScheduleMenuItem(MenuItem):
    def is_shown(self, request):
        return user_can_import(request.user)


@hooks.register("register_admin_urls")
def schedule_import_urls():
    return [path("schedule/import/", import_schedule_view, name="schedule_import")]


@hooks.register("register_admin_menu_item")
def schedule_import_menu_item():
    return ImportScheduleMenuItem(
        "Import schedule",
        reverse("schedule_import"),
        name="import-schedule",
        icon_name="date",
        order=251,
    )
