"""Admin hooks of the pages app: the "Import notes" view and its menu item; the create view's
autosave race (pages/admin_autosave.py)."""

from django.urls import path, reverse

from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_autosave, admin_restrictions  # noqa: F401  (admin_restrictions registers hooks)
from .notes.admin_views import import_notes_view, user_can_import


class ImportNotesMenuItem(MenuItem):
    def is_shown(self, request):
        return user_can_import(request.user)


@hooks.register("register_admin_urls")
def notes_import_urls():
    return [path("notes/import/", import_notes_view, name="notes_import")]


@hooks.register("register_admin_menu_item")
def notes_import_menu_item():
    return ImportNotesMenuItem(
        "Import notes", reverse("notes_import"), name="import-notes", icon_name="upload", order=250
    )


# The autosave race of the create view (pages/admin_autosave.py).
hooks.register("before_create_page", admin_autosave.edit_if_already_made)
hooks.register("after_create_page", admin_autosave.record_created_page)
