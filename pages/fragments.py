"""Cached fragments of published pages, invalidated by a content version kept in the database.

A public page is mostly the same bytes for every visitor until an editor changes something. The
costly parts of a page template (the body, the table of contents, the JSON-LD, the pager) sit
in ``{% page_fragment "name" %}…{% endpage_fragment %}`` (``pages.templatetags.body_tags``),
which stores their HTML in the ``fragments`` cache.

Invalidation must hold across processes and app servers, whose caches may be per process
(``LocMemCache``). A fragment's key therefore ends in the site's **content version**: a random
token in one database row (:class:`ContentVersion`), replaced whenever something a public page
can show changes: a page is saved, published, unpublished, moved or deleted; a view
restriction, a site, an image or one of its renditions, a document, an embed, a tag or a
snippet (speakers) is saved or deleted. Every request that renders a fragment reads the token
once (one primary-key query); old entries simply expire.

The token is replaced right after the change commits (once per transaction), in a transaction
of its own: holding the row's lock for the whole of an editor's transaction would make
concurrent publishes wait on each other and could deadlock. Committing first is safe: a
request that reads the new token reads the content after it, so it can only cache the new
content; whatever a request cached under the old token is never read again.

The cache is bypassed for previews and for anything that is not a live page served by Wagtail
(``request.is_preview`` must be ``False``, which ``Page.serve`` sets), so editors always see
their drafts. Set ``FRAGMENT_CACHE_TIMEOUT`` (seconds) or point ``CACHES["fragments"]`` at a
shared cache (Redis) to change how long and where fragments are kept.
"""

import logging
import uuid

from django.apps import apps
from django.core.cache import InvalidCacheBackendError, caches
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from django.utils.safestring import mark_safe

from taggit.models import TagBase
from wagtail.documents.models import AbstractDocument
from wagtail.embeds.models import Embed
from wagtail.images.models import AbstractImage, AbstractRendition
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_unpublished, post_page_move

logger = logging.getLogger(__name__)

ROW_ID = 1
#: Bases of the models whose rows a public page can show (snippets: every model of that app).
WATCHED_MODELS = (
    Page,
    PageViewRestriction,
    Site,
    AbstractImage,
    AbstractRendition,
    AbstractDocument,
    Embed,
    TagBase,
)
WATCHED_APPS = {"snippets"}
#: A page save that writes only these (a draft saved, a page locked) changes nothing public.
DRAFT_ONLY_FIELDS = frozenset(
    {
        "latest_revision",
        "latest_revision_created_at",
        "draft_title",
        "has_unpublished_changes",
        "wagtail_admin_comments",
        "locked",
        "locked_at",
        "locked_by",
    }
)


class ContentVersion(models.Model):
    """One row: a token that changes whenever published content may have changed."""

    token = models.CharField(max_length=32)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "content version"

    def __str__(self) -> str:
        return self.token


def current_token(request=None) -> str | None:
    """The content version token (read once per request), or None when there is no row yet."""
    if request is not None and hasattr(request, "_content_version"):
        return request._content_version
    # One indexed primary-key read per request: plain SQL, the ORM would cost more than the read.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT token FROM {ContentVersion._meta.db_table} WHERE id = %s",  # noqa: S608
            [ROW_ID],
        )
        row = cursor.fetchone()
    token = row[0] if row else None
    if request is not None:
        request._content_version = token
    return token


def bump_now() -> None:
    """Give the content a new version: every cached fragment is stale from now on."""
    token = uuid.uuid4().hex
    if not ContentVersion.objects.filter(pk=ROW_ID).update(token=token, changed_at=timezone.now()):
        ContentVersion.objects.update_or_create(pk=ROW_ID, defaults={"token": token})


class PendingBump:
    """``bump_now`` due at the next commit; one per transaction is enough."""

    done = False

    def __call__(self) -> None:
        self.done = True
        bump_now()


def bump(using: str = DEFAULT_DB_ALIAS) -> None:
    """Give the content a new version when the current transaction commits (now, outside one)."""
    conn = connections[using]
    if conn.in_atomic_block:
        savepoints = set(conn.savepoint_ids)
        # Already due at this commit, from this savepoint or an outer one (a rollback that
        # drops it drops this change too)?
        if any(
            isinstance(func, PendingBump) and not func.done and sids <= savepoints
            for sids, func, _ in conn.run_on_commit
        ):
            return
    transaction.on_commit(PendingBump(), using=using, robust=True)


_watched: dict[type, bool] = {}


def is_watched(model: type) -> bool:
    if model not in _watched:
        _watched[model] = model._meta.apps is apps and (  # not a migration's historical model
            issubclass(model, WATCHED_MODELS) or model._meta.app_label in WATCHED_APPS
        )
    return _watched[model]


def model_changed(sender, using: str = DEFAULT_DB_ALIAS, update_fields=None, **kwargs) -> None:
    # Fixture loads (raw saves: loaddata, a restore) count too: they change what pages show.
    if not is_watched(sender):
        return
    if update_fields and issubclass(sender, Page) and update_fields <= DRAFT_ONLY_FIELDS:
        return
    bump(using)


def relation_changed(sender, instance, action: str, using: str = DEFAULT_DB_ALIAS, **kwargs):
    if action.startswith("post_") and is_watched(type(instance)):
        bump(using)


def connect() -> None:
    post_save.connect(model_changed, dispatch_uid="pages.fragments.save")
    post_delete.connect(model_changed, dispatch_uid="pages.fragments.delete")
    m2m_changed.connect(relation_changed, dispatch_uid="pages.fragments.m2m")
    # Moves rewrite paths with queryset updates, which send no post_save.
    post_page_move.connect(model_changed, dispatch_uid="pages.fragments.move")
    page_unpublished.connect(model_changed, dispatch_uid="pages.fragments.unpublish")


def fragment_key(context, name: str) -> str | None:
    """The cache key of fragment ``name`` of the page being served, or None not to cache."""
    request = context.get("request")
    page = context.get("page")
    if (
        request is None
        or getattr(request, "is_preview", None) is not False
        or not isinstance(page, Page)
        or page.pk is None
        or not page.live
        or request.method not in ("GET", "HEAD")
    ):
        return None
    token = current_token(request)
    if token is None:
        return None
    site = Site.find_for_request(request)
    return f"fragment:{name}:{site.pk if site else 0}:{page.pk}:{page.cache_key}:{token}"


def render_fragment(context, name: str, nodelist) -> str:
    """``nodelist`` rendered, from the fragments cache when the content has not changed.

    A failing cache (a shared Redis that is down) costs speed, not the page: it is logged and
    the fragment is rendered.
    """
    key = fragment_key(context, name)
    if key is None:
        return nodelist.render(context)
    try:
        cache = caches["fragments"]
    except InvalidCacheBackendError as error:  # a set-up mistake: say so
        raise ImproperlyConfigured('CACHES needs a "fragments" cache') from error
    try:
        html = cache.get(key)
    except Exception:
        logger.exception("The fragments cache failed; rendering %s uncached", name)
        return nodelist.render(context)
    if html is None:
        html = nodelist.render(context)
        try:
            cache.set(key, str(html))
        except Exception:
            logger.exception("The fragments cache failed to store %s", name)
    return mark_safe(html)
