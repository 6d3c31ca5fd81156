"""Admin hooks of the accessibility features: the publish gate, the in-browser checker and the
Accessibility report (imported by ``pages.wagtail_hooks``, which Wagtail loads)."""

from django.urls import path, reverse

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.models import Page

from . import publishing_admin
from .checker import use_confnotes_checker
from .publishing import AccessiblePublishPageRevisionAction
from .report import AccessibilityReportView

# The publish gate (pages.accessibility.publishing) on the admin paths that build Wagtail's
# actions themselves.
hooks.register("before_publish_page", publishing_admin.before_publish_page)
hooks.register("after_publish_page", publishing_admin.after_publish_page)
hooks.register("before_copy_page", publishing_admin.before_copy_page)
# Registered after Wagtail's own bulk "Publish" (order 1), so it replaces it for pages.
hooks.register("register_bulk_action", publishing_admin.AccessiblePublishBulkAction, order=1)


@hooks.register("register_actions")
def gated_publish_action(registry):
    """API v3 and any code that asks the registry for a page's "publish" action get the gate."""
    registry.register(Page, AccessiblePublishPageRevisionAction)


hooks.register("construct_wagtail_userbar", use_confnotes_checker)


@hooks.register("register_admin_urls")
def accessibility_report_urls():
    return [
        path(
            "reports/accessibility/", AccessibilityReportView.as_view(), name="accessibility_report"
        ),
        path(
            "reports/accessibility/results/",
            AccessibilityReportView.as_view(results_only=True),
            name="accessibility_report_results",
        ),
    ]


@hooks.register("register_reports_menu_item")
def accessibility_report_menu_item():
    return MenuItem(
        "Accessibility",
        reverse("accessibility_report"),
        name="accessibility",
        icon_name="warning",
        order=650,
    )
