"""Keep the stored accessibility findings in step with edits."""

from django.db.models.signals import post_save

from wagtail.models import Page, Revision
from wagtail.signals import page_published, page_unpublished


def _refresh(page, revision=None) -> None:
    from .audit import store_findings

    store_findings(page, revision)


def revision_saved(sender, instance: Revision, created: bool, **kwargs) -> None:
    if created and kwargs.get("raw") is not True:
        page = instance.content_object
        if isinstance(page, Page):
            _refresh(page, instance)


def page_changed(sender, instance: Page, **kwargs) -> None:
    _refresh(instance)


def conference_created(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """A new conference gets its "Editors: <title>" group and collection (pages.groups)."""
    if created and not raw:
        from .groups import ensure_conference_group

        ensure_conference_group(instance)


def connect() -> None:
    from .models import ConferenceIndex

    post_save.connect(conference_created, sender=ConferenceIndex, dispatch_uid="pages.groups")
    post_save.connect(revision_saved, sender=Revision, dispatch_uid="pages.a11y.revision")
    page_published.connect(page_changed, dispatch_uid="pages.a11y.published")
    page_unpublished.connect(page_changed, dispatch_uid="pages.a11y.unpublished")
