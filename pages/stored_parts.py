"""Parts of a live page rendered once per published revision and kept in the database.

Most of a talk page is its own content: the title and speakers, the notes (every block of the
body), the speaker cards, the tags. It changes when the page is published again, or when
something site-wide changes (an image, a speaker, a tag, a move: the site-wide token of
``pages.fragments``), and never when another page of the conference is published. Rendering
it is most of a talk page's cost from scratch, so it is kept in one database row per page
(:class:`StoredParts`), which every app server and every new process reads (one primary-key
query), where the ``fragments`` cache is per process and empty after a deploy.

- ``{% stored_part "name" %}…{% endstored_part %}`` (``pages.templatetags.body_tags``) is HTML
  kept there; ``stored_value(page, request, name, compute)`` a JSON value (the speakers'
  names for the JSON-LD and the share card).
- The row's key is the page's ``cache_key`` (id, URL path, last publication), the site and its
  site-wide token, and :func:`code_version` (a digest of the templates and of the ``pages``
  code), so an edit, a site-wide change or a deploy makes it stale. Saving the page (any
  door: admin, import, shell) deletes the row.
- **Publishing renders it** (:func:`render_after_publish`, after the commit): the first
  visitor after an edit reads the parts from the row. A transaction that publishes more than
  ``STORED_PARTS_RENDER_ON_PUBLISH`` pages (an import) leaves the rest to their first visitor.
- A miss (the first view after a site-wide change) renders the parts and writes the row once
  per response, in a savepoint; a failing write is logged and costs only speed.

Only what depends on the page's revision and site-wide content may go in a stored part: not the
day, the conference or the pager (another page's publish changes those), nor anything that
depends on the visitor or the request.
"""

import functools
import hashlib
import json
import logging
from pathlib import Path

import django
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError, connection, models, transaction
from django.db.models.signals import post_save
from django.template.response import TemplateResponse

import wagtail
from wagtail.coreutils import get_dummy_request
from wagtail.models import Page, Site
from wagtail.signals import page_published

from .fragments import DRAFT_ONLY_FIELDS, content_versions, due_at_commit, shows_live_page

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent


class StoredParts(models.Model):
    """The stored parts of one live page (JSON: part name → HTML or value) and their key."""

    page = models.OneToOneField(
        "wagtailcore.Page", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(max_length=64)
    parts = models.TextField(default="{}")

    class Meta:
        verbose_name = "stored parts of a page"
        verbose_name_plural = "stored parts of pages"

    def __str__(self) -> str:
        return f"page {self.page_id}: {self.key}"


#: Settings that show in rendered HTML (file and image URLs, the site's name, dates).
RENDERING_SETTINGS = (
    "MEDIA_URL",
    "STATIC_URL",
    "STORAGES",
    "AWS_S3_CUSTOM_DOMAIN",
    "AWS_STORAGE_BUCKET_NAME",
    "WAGTAIL_SITE_NAME",
    "WAGTAILIMAGES_FORMAT_CONVERSIONS",
    "LANGUAGE_CODE",
    "TIME_ZONE",
    "USE_TZ",
)


@functools.cache
def code_version() -> str:
    """A digest of what renders the parts: the site's templates, the ``pages`` code, the
    versions of Django and Wagtail and the settings that show in HTML (a deploy that changes
    any of them, media moved to S3 say, makes every row stale)."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{django.__version__}:{wagtail.__version__}".encode())
    for name in RENDERING_SETTINGS:
        digest.update(f"{name}={getattr(settings, name, None)!r}".encode())
    for folder, pattern in ((ROOT / "templates", "*.html"), (ROOT / "pages", "*.py")):
        for path in sorted(folder.rglob(pattern)):
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


class PartsState:
    """The stored parts of the page a request shows: read on first use (a page whose
    fragments are all cached needs none), written once if anything was missing."""

    def __init__(self, request, page):
        self.request = request
        self.page = page
        self.missing = False

    @functools.cached_property
    def key(self) -> str | None:
        versions = content_versions(self.request)
        if versions is None:  # no content version yet: nothing can be kept
            return None
        site = Site.find_for_request(self.request)
        return hashlib.blake2b(
            f"{site.pk if site else 0}:{self.page.cache_key}:{versions[0]}:{code_version()}".encode(),
            digest_size=16,
        ).hexdigest()

    @functools.cached_property
    def parts(self) -> dict:
        if self.key is None:
            return {}
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT key, parts FROM {StoredParts._meta.db_table} WHERE page_id = %s",  # noqa: S608
                [self.page.pk],
            )
            row = cursor.fetchone()
        return json.loads(row[1]) if row is not None and row[0] == self.key else {}

    def get(self, name: str, compute):
        if name in self.parts:
            return self.parts[name]
        value = compute()
        self.parts[name] = value
        self.missing = self.key is not None
        return value

    def flush(self, *_args) -> None:
        """Write the parts if some were rendered by this request."""
        if not self.missing:
            return
        self.missing = False
        row = StoredParts(page_id=self.page.pk, key=self.key, parts=json.dumps(self.parts))
        try:
            with transaction.atomic():
                StoredParts.objects.bulk_create(
                    [row],
                    update_conflicts=True,
                    unique_fields=["page"],
                    update_fields=["key", "parts"],
                )
        except DatabaseError:  # a read-only replica, a locked SQLite file: only speed is lost
            logger.warning("Could not store the parts of page %s", self.page.pk, exc_info=True)


def state_for(request, page) -> PartsState | None:
    """The stored parts of ``page`` as ``request`` shows it, or None when they do not apply
    (a preview, a draft, a POST)."""
    if not settings.STORED_PARTS or not shows_live_page(request, page):
        return None
    state = parts_of(page)
    if state is None:
        state = page.__dict__["_parts_state"] = PartsState(request, page)
    return state


def stored_value(page, name: str, compute):
    """``compute()`` (a JSON value), kept with the stored parts of the page being served."""
    state = parts_of(page)
    return compute() if state is None else state.get(name, compute)


def stored_html(context, name: str, nodelist) -> str:
    """``nodelist`` rendered, kept with the page's stored parts when they apply."""
    state = state_for(context.get("request"), context.get("page"))
    if state is None:
        return nodelist.render(context)
    return state.get(name, lambda: str(nodelist.render(context)))


def serve_with_parts(page, request, response):
    """Read the page's stored parts for the response (``Page.serve``), and write the parts it
    had to render once it is rendered."""
    state = state_for(request, page)
    if state is not None and isinstance(response, TemplateResponse):
        response.add_post_render_callback(state.flush)
    return response


def parts_of(page) -> PartsState | None:
    """The stored parts the page being served has read (None outside ``serve``)."""
    return page.__dict__.get("_parts_state")


def render_parts(page_id: int) -> bool:
    """Render the live page ``page_id`` as an anonymous visitor would, which stores its parts;
    False when there is nothing to render (not live, not found, no site)."""
    page = Page.objects.filter(pk=page_id, live=True).first()
    if page is None:
        return False
    page = page.specific
    site = page.get_site()
    if site is None:
        return False
    request = get_dummy_request(path=page.url_path[len(site.root_page.url_path) - 1 :], site=site)
    request.user = AnonymousUser()
    request.is_preview = False
    request._wagtail_site = site
    response = page.serve(request)
    if isinstance(response, TemplateResponse):
        response.render()
    return True


class PendingRenders:
    """Pages published in a transaction, rendered after it commits (one per transaction)."""

    done = False

    def __init__(self):
        self.page_ids: list[int] = []

    def __call__(self) -> None:
        self.done = True
        for page_id in self.page_ids[: settings.STORED_PARTS_RENDER_ON_PUBLISH]:
            try:
                render_parts(page_id)
            except Exception:  # the publish has happened; the first visitor renders instead
                logger.exception("Could not render the stored parts of page %s", page_id)


def render_after_publish(sender, instance, **kwargs) -> None:
    if not settings.STORED_PARTS or not stores_parts(instance):
        return
    pending = due_at_commit(PendingRenders)
    if pending is not None:
        if instance.pk not in pending.page_ids:
            pending.page_ids.append(instance.pk)
        return
    pending = PendingRenders()
    pending.page_ids.append(instance.pk)
    transaction.on_commit(pending, robust=True)  # outside a transaction: at once


def stores_parts(page) -> bool:
    """Whether ``page`` (specific or not: a talk saved as a plain ``Page`` counts) is of a
    type that stores parts."""
    model = getattr(page, "specific_class", None) or type(page)
    return bool(getattr(model, "stores_parts", False))


def forget_parts(sender, instance, update_fields=None, raw=False, **kwargs) -> None:
    """A save of the page makes its stored parts stale (whatever the door)."""
    if not issubclass(sender, Page) or instance.pk is None or not stores_parts(instance):
        return
    if update_fields and set(update_fields) <= DRAFT_ONLY_FIELDS:
        return
    StoredParts.objects.filter(page_id=instance.pk).delete()


def connect() -> None:
    post_save.connect(forget_parts, dispatch_uid="pages.stored_parts.forget")
    page_published.connect(render_after_publish, dispatch_uid="pages.stored_parts.render")
