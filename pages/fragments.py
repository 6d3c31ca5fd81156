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

**Invalidation by what changed.** Publishing, unpublishing or deleting a page does not replace
the site-wide token: it replaces the tokens of two *scopes* (:class:`ContentScope`, keyed by a
page path), its conference (the ancestor at ``CONFERENCE_DEPTH``: the page itself, its day,
the conference's programme, the pager of its neighbours, breadcrumbs) and the home page (the
ancestor at ``HOME_DEPTH``: every listing of conferences and talks). A fragment of a page in a
conference is keyed by the site token *and* that conference's token, a fragment of the home page
by the site token and the home scope's, so a publish in one conference leaves the fragments of
every other conference cached. What is not a page under a conference (an image, a speaker, a
tag, a restriction, a site, a move, the home page itself) still replaces the site-wide token.
Speaker, tag and feed pages are views rendered per request; the front cache purges them
(``site_core.frontend_cache``).

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
from wagtail.contrib.search_promotions.models import SearchPromotion
from wagtail.documents.models import AbstractDocument
from wagtail.embeds.models import Embed
from wagtail.images.models import AbstractImage, AbstractRendition
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_slug_changed, page_unpublished, post_page_move

from .tree import CONFERENCE_DEPTH, HOME_DEPTH, ancestor_path

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
    SearchPromotion,  # shown on the search page, cached per version too
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


class ContentScope(models.Model):
    """A token per part of the tree (the page path of a conference or of the home page), replaced
    when a page of that part is published, unpublished or deleted."""

    path = models.CharField(max_length=255, primary_key=True)
    token = models.CharField(max_length=32)

    class Meta:
        verbose_name = "content scope"

    def __str__(self) -> str:
        return f"{self.path}: {self.token}"


class ContentVersion(models.Model):
    """One row: a token that changes whenever published content may have changed."""

    token = models.CharField(max_length=32)
    #: Replaced by every bump, site-wide or of a scope: a version of everything public.
    edit_token = models.CharField(max_length=32, default="")
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "content version"

    def __str__(self) -> str:
        return self.token


def current_token(request=None) -> str | None:
    """The site-wide token (read once per request), or None when there is no row yet."""
    versions = content_versions(request)
    return versions[0] if versions else None


def scope_of(path: str) -> str | None:
    """The scope of the page at ``path``: its conference, the home page, or None (site-wide)."""
    if len(path) >= CONFERENCE_DEPTH * Page.steplen:
        return ancestor_path(path, CONFERENCE_DEPTH)
    if len(path) == HOME_DEPTH * Page.steplen:
        return path
    return None


def scopes_changed_by(path: str) -> frozenset[str] | None:
    """The scopes a change to the page at ``path`` makes stale (None: the whole site)."""
    if len(path) >= CONFERENCE_DEPTH * Page.steplen:
        return frozenset({ancestor_path(path, CONFERENCE_DEPTH), ancestor_path(path, HOME_DEPTH)})
    return None


def content_versions(request=None, scope: str | None = None) -> tuple[str, str, str] | None:
    """(site token, edit token, token of ``scope``) in one query, read once per request and
    scope; None when there is no site token yet. A scope never bumped has the token ``""``.
    The edit token is replaced by every bump, site-wide or scoped: a version of everything."""
    cached = getattr(request, "_content_versions", None) if request is not None else None
    if cached is not None and scope in cached:
        return cached[scope]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 0, token, edit_token FROM {ContentVersion._meta.db_table} "  # noqa: S608
            f"WHERE id = %s UNION ALL SELECT 1, token, '' FROM {ContentScope._meta.db_table} "
            "WHERE path = %s",
            [ROW_ID, scope or ""],
        )
        rows = {row[0]: row[1:] for row in cursor.fetchall()}
    versions = (*rows[0], rows.get(1, ("",))[0]) if 0 in rows else None
    if request is not None:
        if cached is None:
            cached = request._content_versions = {}
        cached[scope] = versions
    return versions


def site_version(request=None) -> str | None:
    """A version of everything public (replaced by any change a fragment would see), for
    caches of whole-site views such as search; None when there is no version row yet."""
    versions = content_versions(request)
    return versions[1] if versions else None


def bump_now(scopes: frozenset[str] | None = None) -> None:
    """Give the content a new version: every cached fragment is stale from now on, or only
    those of ``scopes`` (page paths, see :func:`scopes_changed_by`)."""
    site_wide = {} if scopes is not None else {"token": uuid.uuid4().hex}
    values = {**site_wide, "edit_token": uuid.uuid4().hex, "changed_at": timezone.now()}
    if not ContentVersion.objects.filter(pk=ROW_ID).update(**values):
        ContentVersion.objects.update_or_create(
            pk=ROW_ID, defaults={"token": uuid.uuid4().hex, **values}
        )
    for path in sorted(scopes or ()):
        token = uuid.uuid4().hex
        if not ContentScope.objects.filter(path=path).update(token=token):
            ContentScope.objects.update_or_create(path=path, defaults={"token": token})


class PendingBump:
    """``bump_now`` due at the next commit; one per transaction is enough. ``scopes`` collects
    what the transaction changed (None once anything site-wide changed)."""

    done = False

    def __init__(self, scopes: frozenset[str] | None = None):
        self.scopes = None if scopes is None else set(scopes)

    def add(self, scopes: frozenset[str] | None) -> None:
        if scopes is None or self.scopes is None:
            self.scopes = None
        else:
            self.scopes |= scopes

    def __call__(self) -> None:
        self.done = True
        bump_now(None if self.scopes is None else frozenset(self.scopes))


def due_at_commit(kind: type, using: str = DEFAULT_DB_ALIAS):
    """The callback of class ``kind`` (with a ``done`` flag) already due at the current
    transaction's commit, from this savepoint or an outer one, or None (outside a transaction
    too). A rollback that drops it drops what the caller adds to it as well; one that drops
    only an inner savepoint leaves more work than needed, which is harmless."""
    conn = connections[using]
    if not conn.in_atomic_block:
        return None
    savepoints = set(conn.savepoint_ids)
    for sids, func, _robust in conn.run_on_commit:
        if isinstance(func, kind) and not func.done and sids <= savepoints:
            return func
    return None


def bump(using: str = DEFAULT_DB_ALIAS, scopes: frozenset[str] | None = None) -> None:
    """Give the content (or only ``scopes`` of it) a new version when the current transaction
    commits (now, outside one); one bump per transaction."""
    pending = due_at_commit(PendingBump, using)
    if pending is not None:
        pending.add(scopes)
        return
    transaction.on_commit(PendingBump(scopes), using=using, robust=True)


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
    scopes = None
    if issubclass(sender, Page):
        if update_fields and update_fields <= DRAFT_ONLY_FIELDS:
            return
        instance = kwargs.get("instance")
        if (
            kwargs.get("signal") is not post_page_move
            and instance is not None
            and instance.path
            and not instance.alias_of_id  # aliases change what is private (pages.lookups)
        ):
            scopes = scopes_changed_by(instance.path)
    bump(using, scopes)


def site_wide_change(sender, **kwargs) -> None:
    bump()


def relation_changed(sender, instance, action: str, using: str = DEFAULT_DB_ALIAS, **kwargs):
    if action.startswith("post_") and is_watched(type(instance)):
        bump(using)


def connect() -> None:
    post_save.connect(model_changed, dispatch_uid="pages.fragments.save")
    post_delete.connect(model_changed, dispatch_uid="pages.fragments.delete")
    m2m_changed.connect(relation_changed, dispatch_uid="pages.fragments.m2m")
    # Moves rewrite paths with queryset updates, which send no post_save.
    post_page_move.connect(model_changed, dispatch_uid="pages.fragments.move")
    # A new slug rewrites the URLs of the page and its descendants, which any body may link to.
    page_slug_changed.connect(site_wide_change, dispatch_uid="pages.fragments.slug")
    page_unpublished.connect(model_changed, dispatch_uid="pages.fragments.unpublish")


def shows_live_page(request, page) -> bool:
    """Whether ``request`` is a visitor's GET of live ``page`` served by Wagtail (not a
    preview, a draft or a view of its own): what may be cached for every visitor."""
    return not (
        request is None
        or getattr(request, "is_preview", None) is not False
        or not isinstance(page, Page)
        or page.pk is None
        or not page.live
        or request.method not in ("GET", "HEAD")
    )


def fragment_key(context, name: str) -> str | None:
    """The cache key of fragment ``name`` of the page being served, or None not to cache."""
    request = context.get("request")
    page = context.get("page")
    if not shows_live_page(request, page):
        return None
    versions = content_versions(request, scope_of(page.path))
    if versions is None:
        return None
    site = Site.find_for_request(request)
    token, _edit_token, scope_token = versions
    return (
        f"fragment:{name}:{site.pk if site else 0}:{page.pk}:{page.cache_key}:{token}:{scope_token}"
    )


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
