"""Admin hooks of the pages app: the "Import notes" view and its menu item. The hooks of the
accessibility features (publish gate, checker, report), of the editors' restrictions and of the
create view's autosave race are registered by their own modules, imported here so that Wagtail
finds them."""

from django.urls import path, reverse

from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .accessibility import wagtail_hooks as accessibility_hooks  # noqa: F401  (registers hooks)
from .editors import (
    admin_restrictions,  # noqa: F401  (registers its hooks)
    autosave,  # noqa: F401  (registers its hooks)
)
from .notes.admin_views import import_notes_view, user_can_import
from .schedule import wagtail_hooks as schedule_hooks  # noqa: F401  (registers hooks)


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


# The autosave race of the create view (pages/editors/autosave.py).
hooks.register("before_create_page", autosave.edit_if_already_made)
hooks.register("after_create_page", autosave.record_created_page)
