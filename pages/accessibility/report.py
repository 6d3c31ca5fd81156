"""The admin's "Accessibility" report: stored audit findings, filterable by rule and conference."""

from django.urls import reverse

from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.reports import ReportView
from wagtail.models import Page
from wagtail.permission_policies.pages import PagePermissionPolicy

import django_filters

from pages.models import AccessibilityFinding, ConferenceIndex

from .rules import ERROR, RULES, WARNING, WARNING_RULES, severity


def explorable_conferences(request):
    """The conference filter's choices: only conferences the user may explore in the admin.

    Another conference's editors must not learn its unpublished title from this list (the
    findings themselves are already limited to pages the user may edit).
    """
    if request is None:
        return ConferenceIndex.objects.none()
    explorable = PagePermissionPolicy(Page).explorable_instances(request.user)
    return ConferenceIndex.objects.filter(pk__in=explorable.values("pk")).order_by("-start_date")


class AccessibilityFilterSet(WagtailFilterSet):
    severity = django_filters.ChoiceFilter(
        choices=[(ERROR, "Errors (block publishing)"), (WARNING, "Warnings")],
        empty_label="Errors and warnings",
        method="filter_severity",
    )
    rule = django_filters.ChoiceFilter(
        choices=[(rule, f"{rule} ({severity(rule)}): {text}") for rule, text in RULES.items()],
        empty_label="All rules",
    )
    conference = django_filters.ModelChoiceFilter(
        queryset=explorable_conferences, empty_label="All conferences"
    )
    source = django_filters.ChoiceFilter(
        choices=AccessibilityFinding.SOURCE_CHOICES, empty_label="Live and drafts"
    )

    class Meta:
        model = AccessibilityFinding
        fields = ["severity", "rule", "conference", "source"]

    def filter_severity(self, queryset, name, value):
        if value == WARNING:
            return queryset.filter(rule__in=WARNING_RULES)
        return queryset.exclude(rule__in=WARNING_RULES)


class AccessibilityReportView(ReportView):
    page_title = "Accessibility"
    header_icon = "warning"
    model = AccessibilityFinding
    filterset_class = AccessibilityFilterSet
    index_url_name = "accessibility_report"
    index_results_url_name = "accessibility_report_results"
    any_permission_required = ["add", "change", "publish"]
    permission_policy = PagePermissionPolicy(Page)
    list_export = ["page.title", "source", "where", "severity", "rule", "message", "path"]
    export_headings = {"page.title": "Page", "where": "Where", "path": "Block path"}
    columns = [
        TitleColumn(
            "page",
            label="Page",
            accessor="page.title",
            get_url=lambda finding: reverse("wagtailadmin_pages:edit", args=[finding.page_id]),
        ),
        Column("conference", label="Conference", accessor="conference.title"),
        Column("source", label="Version", accessor="get_source_display"),
        Column("where", label="Where"),
        Column("severity", label="Severity"),
        Column("rule", label="Rule"),
        Column("message", label="How to fix"),
    ]

    def get_queryset(self):
        editable = self.permission_policy.instances_user_has_permission_for(
            self.request.user, "change"
        )
        return (
            AccessibilityFinding.objects.filter(page__in=editable)
            .select_related("page", "conference")
            .order_by("page__path", "source", "path")
        )

    def get_filename(self):
        return "accessibility-report"
