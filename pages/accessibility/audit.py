"""Run the accessibility rules over stored pages: live content and the latest draft."""

from collections.abc import Callable, Iterable

from django.db import transaction

from wagtail.models import Page

from pages.models import AccessibilityFinding, ConferenceIndex

from .rules import Finding, check_page


def page_findings(page: Page, revision=None) -> list[tuple[str, Finding]]:
    """(source, finding) pairs for the live version and, when it differs, the latest draft.

    ``revision`` is the draft to check when the caller knows it (a revision being saved is not
    yet the page's ``latest_revision``).
    """
    page = page.specific
    results: list[tuple[str, Finding]] = []
    if page.live:
        results += [(AccessibilityFinding.SOURCE_LIVE, f) for f in check_page(page)]
    if revision is not None or page.has_unpublished_changes or not page.live:
        revision = revision or page.latest_revision
        if revision is not None:
            draft = revision.as_object()
            results += [(AccessibilityFinding.SOURCE_DRAFT, f) for f in check_page(draft)]
    return results


def conference_of(page: Page) -> ConferenceIndex | None:
    """The conference of a conference, day or talk (their ``conference``); None elsewhere."""
    return getattr(page.specific, "conference", None)


@transaction.atomic
def store_findings(page: Page, revision=None) -> list[tuple[str, Finding]]:
    """Audit one page and replace its stored findings."""
    findings = page_findings(page, revision)
    AccessibilityFinding.objects.filter(page=page).delete()
    conference = conference_of(page) if findings else None
    AccessibilityFinding.objects.bulk_create(
        AccessibilityFinding(
            page_id=page.pk,
            conference=conference,
            source=source,
            path=finding.path,
            rule=finding.rule,
            message=finding.message,
        )
        for source, finding in findings
    )
    return findings


def audit_pages(
    pages: Iterable[Page], progress: Callable[[int, int, Page], None] | None = None
) -> dict[Page, list[tuple[str, Finding]]]:
    """Audit and store findings for ``pages``; returns only the pages that have findings."""
    pages = list(pages)
    report = {}
    for number, page in enumerate(pages, start=1):
        findings = store_findings(page)
        if findings:
            report[page] = findings
        if progress:
            progress(number, len(pages), page)
    return report


def auditable_pages():
    """Every page below the root, in tree order."""
    return Page.objects.filter(depth__gt=1).order_by("path").specific()
