"""Keep the stored accessibility findings in step with edits."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db.models.signals import post_save

from wagtail.models import Page, Revision
from wagtail.signals import page_published, page_unpublished

#: page pk -> revision of its last change, while findings_deferred() collects in this context
_deferred: ContextVar[dict | None] = ContextVar("a11y_deferred", default=None)


def _refresh(page, revision=None) -> None:
    from .audit import store_findings

    pending = _deferred.get()
    if pending is not None:
        pending.pop(page.pk, None)  # the last change decides, as it would have on each save
        pending[page.pk] = revision
        return
    store_findings(page, revision)


@contextmanager
def findings_deferred() -> Iterator[dict]:
    """Within the block, pages whose findings need a refresh are noted, not audited on each
    save (a notes import saves a page's revision and then publishes it); pass the noted pages to
    :func:`refresh_findings` to audit each once, in its final state."""
    pending: dict = {}
    token = _deferred.set(pending)
    try:
        yield pending
    finally:
        _deferred.reset(token)


def refresh_findings(pending: dict) -> None:
    from .audit import store_findings

    pages = Page.objects.filter(pk__in=list(pending)).specific().in_bulk()
    for pk, revision in pending.items():
        if pk in pages:
            store_findings(pages[pk], revision)


def revision_saved(sender, instance: Revision, created: bool, **kwargs) -> None:
    if created and kwargs.get("raw") is not True:
        page = instance.content_object
        if isinstance(page, Page):
            _refresh(page, instance)


def page_changed(sender, instance: Page, **kwargs) -> None:
    _refresh(instance)


def connect() -> None:
    """Connect the handlers (called by ``PagesConfig.ready``)."""
    post_save.connect(revision_saved, sender=Revision, dispatch_uid="pages.a11y.revision")
    page_published.connect(page_changed, dispatch_uid="pages.a11y.published")
    page_unpublished.connect(page_changed, dispatch_uid="pages.a11y.unpublished")
