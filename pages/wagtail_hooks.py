"""Admin hooks of the pages app: the publish gate, the "Import notes" view and its menu item."""

from django.urls import path, reverse

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.models import Page

from . import (
    admin_restrictions,  # noqa: F401  (registers its hooks)
    publishing_admin,
)
from .notes.admin_views import import_notes_view, user_can_import
from .publishing import AccessiblePublishPageRevisionAction

# The publish gate (pages.publishing) on the admin paths that build Wagtail's actions themselves.
hooks.register("before_publish_page", publishing_admin.before_publish_page)
hooks.register("after_publish_page", publishing_admin.after_publish_page)
hooks.register("before_copy_page", publishing_admin.before_copy_page)
# Registered after Wagtail's own bulk "Publish" (order 1), so it replaces it for pages.
hooks.register("register_bulk_action", publishing_admin.AccessiblePublishBulkAction, order=1)


@hooks.register("register_actions")
def gated_publish_action(registry):
    """API v3 and any code that asks the registry for a page's "publish" action get the gate."""
    registry.register(Page, AccessiblePublishPageRevisionAction)


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
