"""The publish gate: no page goes live while it breaks an error-level accessibility rule.

Wagtail 8 makes a page revision live in two ways: ``PublishPageRevisionAction.execute()``
(reached through ``Page.publish()``, which ``Revision.publish()`` calls) and ``CopyPageAction``
with ``keep_live``. Every path goes through one of them:

=====================================  ==========================================  ======================
path                                   how Wagtail 8 routes it                     where the gate sits
=====================================  ==========================================  ======================
create form "Publish"                  ``revision.publish()``                      ``BodyPageMixin.publish``
bulk action "Publish" (+ descendants)  ``PublishBulkAction`` → ``revision.publish``  same; ``AccessiblePublishBulkAction`` lists the refused pages
workflow approval                      ``publish_workflow_state`` → ``revision.publish`` in the atomic ``Task.on_action``  same; the approval is rolled back
scheduled publishing                   ``publish_scheduled`` → ``revision.publish``  same; the revision stays scheduled, the reason is logged
``import_notes --publish``, ``load_demo``, ``Revision.publish()`` from code  ``revision.publish()``  same
API v3 "publish"                       ``action_registry`` "publish" for ``Page``  ``AccessiblePublishPageRevisionAction``, registered
edit form "Publish", revert + publish  ``PublishPageRevisionAction`` built in the view  the ``before_publish_page`` hook (the same check)
copy with "Publish copies", alias      ``CopyPageAction`` / ``CreatePageAliasAction``  ``BodyPageMixin.copy`` and the ``before_copy_page`` hook
=====================================  ==========================================  ======================

The check itself is one function, :func:`refusal_for`; :class:`AccessiblePublishPageRevisionAction`
applies it to the revision being published. A refusal raises :class:`PublishRefused` (a
``ValidationError``): the live page stays as it was, and admin requests show the reason to the
editor (``site_core.middleware.PublishRefusedMiddleware``).
"""

import logging
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from wagtail.actions.publish_page_revision import PublishPageRevisionAction
from wagtail.models import Page

from .rules import Finding, check_page, errors_only

logger = logging.getLogger(__name__)

#: The ``log_action`` Wagtail's ``publish_scheduled`` command passes to ``Revision.publish()``.
SCHEDULED_LOG_ACTION = "wagtail.publish.scheduled"


@dataclass
class Refusal:
    """One page that may not go live, and the error-level findings that say why."""

    page_id: int | None
    title: str
    findings: list[Finding] = field(default_factory=list)

    def __str__(self) -> str:
        return f"“{self.title}” was not published: " + "; ".join(map(str, self.findings))


class PublishRefused(ValidationError):
    """Publishing was refused because the content breaks error-level accessibility rules."""

    def __init__(self, refusals: list[Refusal]):
        self.refusals = refusals
        super().__init__([str(refusal) for refusal in refusals], code="accessibility")


def refusal_for(page) -> Refusal | None:
    """The refusal for publishing ``page`` as it is in memory (a revision's content, or the
    live row of a page to be copied), or None when it breaks no error-level rule."""
    errors = errors_only(check_page(page))
    if not errors:
        return None
    return Refusal(page_id=page.pk, title=page.title or page.draft_title or "", findings=errors)


def check_can_publish(page) -> None:
    """Raise :class:`PublishRefused` when ``page`` (specific, with the content to publish) breaks
    an error-level rule."""
    refusal = refusal_for(page)
    if refusal is not None:
        raise PublishRefused([refusal])


def check_can_copy_live(page, recursive: bool = False) -> None:
    """Raise :class:`PublishRefused` when a copy that keeps pages live would publish content
    that breaks an error-level rule: ``page``'s live content and, for a recursive copy, that of
    each live descendant. Drafts are copied as drafts, so they are not checked."""
    pages = [page.specific]
    if recursive:
        pages += list(page.get_descendants().live().specific())
    refusals = [r for p in pages if p.live and (r := refusal_for(p)) is not None]
    if refusals:
        raise PublishRefused(refusals)


class AccessiblePublishPageRevisionAction(PublishPageRevisionAction):
    """Wagtail's publish action, refusing a revision that breaks an error-level rule.

    The refusal is recorded in the stored findings (the Accessibility report shows the page).
    Scheduled publishing is not interrupted: a refused revision keeps its go-live time, the
    reason is logged, and the next run tries again (after an editor fixes the page, the new
    revision replaces it).
    """

    def execute(self, skip_permission_checks=False):
        self.check(skip_permission_checks=skip_permission_checks)
        refusal = refusal_for(self.object)
        if refusal is None:
            return super().execute(skip_permission_checks=skip_permission_checks)
        _record(self.object, self.revision)
        if self.log_action == SCHEDULED_LOG_ACTION:
            logger.warning(
                "Scheduled publishing refused for page %s revision %s: %s",
                self.object.pk,
                self.revision.pk,
                refusal,
            )
            return None
        logger.info("Publishing refused for page %s: %s", self.object.pk, refusal)
        raise PublishRefused([refusal])


def _record(page, revision) -> None:
    """Store the findings of the refused revision, so the report lists the page."""
    from .audit import store_findings

    live = Page.objects.get(pk=page.pk).specific
    store_findings(live, revision)
