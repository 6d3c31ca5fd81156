"""Site-wide admin hooks: the accessibility checker and the Accessibility report."""

from django.urls import path, reverse

from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .accessibility import use_confnotes_checker
from .reports import AccessibilityReportView

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
