"""The publish gate in the admin: what editors see when publishing is refused.

``pages.accessibility.publishing`` decides; this module tells the editor, per page, in words, with a link to
edit it. It also gates the two admin paths that build Wagtail's actions themselves instead of
calling ``Page.publish``/``Page.copy``: the edit view (``before_publish_page``) and the copy
view (``before_copy_page``).
"""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from wagtail.admin import messages as admin_messages
from wagtail.admin.views.pages.bulk_actions.publish import PublishBulkAction
from wagtail.models import Page

from ..models import AccessibilityFinding
from .publishing import PublishRefused, Refusal, check_can_copy_live, refusal_for
from .rules import WARNING_RULES


def findings_html(findings) -> SafeString:
    """ "Block 2 (Heading): level: why [rule]; …", escaped (``Finding``s or stored findings)."""
    return format_html_join("; ", "{}: {} [{}]", ((f.where, f.message, f.rule) for f in findings))


def refusal_html(refusal: Refusal) -> SafeString:
    """“Title” was not published: Block 2 (Heading): level: why [rule]."""
    return format_html("“{}” was not published: {}", refusal.title, findings_html(refusal.findings))


def report_refused(request, refused: PublishRefused) -> None:
    """One error message per refused page, with an "Edit" button to its edit view."""
    for refusal in refused.refusals:
        buttons = None
        if refusal.page_id is not None:
            url = reverse("wagtailadmin_pages:edit", args=[refusal.page_id])
            buttons = [admin_messages.button(url, f"Edit “{refusal.title}”")]
        admin_messages.error(request, refusal_html(refusal), buttons=buttons)


def report_warnings(request, page) -> None:
    """After a publish: the warnings the live page has (never blocking). Publishing has just
    stored its findings (``signals.page_changed``), so they are read, not checked again."""
    warnings = list(
        AccessibilityFinding.objects.filter(
            page_id=page.pk, source=AccessibilityFinding.SOURCE_LIVE, rule__in=WARNING_RULES
        ).order_by("pk")
    )
    if warnings:
        messages.warning(
            request,
            format_html(
                "“{}” is published with {} accessibility warning{}: {}",
                page.title,
                len(warnings),
                "" if len(warnings) == 1 else "s",
                findings_html(warnings),
            ),
        )


def before_publish_page(request, page):
    """Edit and create views: refuse before Wagtail publishes. The revision is already saved as
    a draft, so nothing the editor typed is lost; the editor lands on the page's edit view."""
    refusal = refusal_for(page.specific if type(page) is Page else page)
    if refusal is None:
        return None
    if page.live and page.live_revision_id is None:
        # The create view saves a new page with ``live=True`` before it publishes it: keep the
        # refused page a draft.
        Page.objects.filter(pk=page.pk).update(live=False, has_unpublished_changes=True)
    report_refused(request, PublishRefused([refusal]))
    return redirect("wagtailadmin_pages:edit", page.pk)


def after_publish_page(request, page):
    report_warnings(request, page.specific)


def before_copy_page(request, page):
    """Copy view: a copy that keeps pages live (or an alias, which mirrors the live page) may not
    publish content that breaks an error-level rule; drafts may be copied freely."""
    if request.method != "POST":
        return None
    data = request.POST
    if not (data.get("publish_copies") or data.get("alias")):
        return None
    try:
        check_can_copy_live(page, recursive=bool(data.get("copy_subpages")))
    except PublishRefused as refused:
        report_refused(request, refused)
        messages.error(
            request,
            "Nothing was copied. Copy without “Publish copies” to get drafts you can fix, or "
            "fix the pages listed first.",
        )
        return redirect("wagtailadmin_pages:copy", page.pk)
    return None


class AccessiblePublishBulkAction(PublishBulkAction):
    """Wagtail's bulk "Publish": valid pages are published, each refused page is listed with its
    rule and a link to edit it (the rest of the selection is not held back by one bad page)."""

    def get_execution_context(self):
        self.refused: list[Refusal] = []
        return {**super().get_execution_context(), "refused": self.refused}

    @classmethod
    def execute_action(cls, objects, include_descendants=False, user=None, refused=None, **kwargs):
        refused = [] if refused is None else refused
        num_parent_objects, num_child_objects = 0, 0
        for page in objects:
            revision = page.get_latest_revision() or page.specific.save_revision(user=user)
            if cls._publish(revision, user, refused):
                num_parent_objects += 1
            if include_descendants:
                for descendant in (
                    page.get_descendants().not_live().defer_streamfields().specific().iterator()
                ):
                    if user is None or descendant.permissions_for_user(user).can_publish():
                        revision = descendant.get_latest_revision() or descendant.save_revision(
                            user=user
                        )
                        if cls._publish(revision, user, refused):
                            num_child_objects += 1
        return num_parent_objects, num_child_objects

    @staticmethod
    def _publish(revision, user, refused: list) -> bool:
        try:
            revision.publish(user=user)
        except PublishRefused as refusal:
            refused.extend(refusal.refusals)
            return False
        return True

    def get_success_message(self, num_parent_objects, num_child_objects):
        report_refused(self.request, PublishRefused(getattr(self, "refused", [])))
        if num_parent_objects == 0 and num_child_objects == 0:
            return None
        return super().get_success_message(num_parent_objects, num_child_objects)
