"""Search indexing during an import: collect what was saved, index it in bulk once.

Wagtail (through ``modelsearch``) indexes every indexed model on ``post_save``: an immediate
task per save that reads the object back, rebuilds its search document and recomputes the
title norms of the whole index. An import saves each new page twice (``add_child``, then
``save_revision``), so a 1,000-talk file meant some 2,000 index updates.

:func:`deferred_indexing` replaces that, for the code running inside it only (a context
variable, so other requests and threads keep indexing on save), by a note of which objects were
saved; :func:`index_saved` then indexes them with ``backend.add_bulk`` per model, the same
documents ``insert_or_update_object`` would write, in a few queries.

The receiver swap is done once, the first time an import runs: ``modelsearch``'s
``post_save_signal_handler`` is disconnected for each indexed model and :func:`_post_save`
connected instead, which calls the original unless a deferred import is collecting.
"""

import logging
import threading
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction
from django.db.models.signals import post_save

from modelsearch import index as search_index
from modelsearch import signal_handlers
from modelsearch.backends import get_search_backends_with_name

logger = logging.getLogger(__name__)

#: model -> primary keys saved while a deferred import runs in this context
_pending: ContextVar[dict | None] = ContextVar("notes_search_pending", default=None)
_install_lock = threading.Lock()
_installed = False
BATCH = 500


def deferring() -> bool:
    """Whether the code running now is inside :func:`deferred_indexing` (indexed at the end)."""
    return _pending.get() is not None


def _post_save(sender, instance, **kwargs) -> None:
    pending = _pending.get()
    if pending is None or kwargs.get("raw", False):
        signal_handlers.post_save_signal_handler(instance, **kwargs)
        return
    pending[instance._meta.model].add(instance.pk)


def _install() -> None:
    global _installed
    if _installed:
        return
    with _install_lock:
        if _installed:
            return
        for model in search_index.get_indexed_models():
            if not getattr(model, "search_auto_update", True):
                continue
            if post_save.disconnect(signal_handlers.post_save_signal_handler, sender=model):
                post_save.connect(
                    _post_save,
                    sender=model,
                    dispatch_uid=f"pages.notes.search.{model._meta.label_lower}",
                )
        _installed = True


@contextmanager
def deferred_indexing() -> Iterator[dict]:
    """Within the block, saves in this context are noted instead of indexed one by one."""
    _install()
    pending: dict = defaultdict(set)
    token = _pending.set(pending)
    try:
        yield pending
    finally:
        _pending.reset(token)


def _stored_in_database(backend) -> bool:
    """True for backends whose index is a table of the site's database (rolled back with it)."""
    module = type(backend).__module__
    return module.startswith(("modelsearch.backends.database", "wagtail.search.backends.database"))


def index_saved(pending: dict) -> int:
    """Index the objects noted by :func:`deferred_indexing`; returns how many were indexed.

    Call it inside the import's transaction, as its last write: a database backend (the site's
    default) then writes its index rows in that transaction, so they commit or roll back with
    the pages. Backends outside the database (OpenSearch, Elasticsearch) cannot roll back, so
    they are sent the documents only once the transaction has committed.
    """
    # The model each object is indexed as (a page saved as a plain Page is indexed as its
    # specific type), as insert_or_update_object does it.
    indexed_pks: dict = defaultdict(set)
    for model, pks in pending.items():
        for chunk in _chunks(sorted(pk for pk in pks if pk is not None)):
            for obj in model._default_manager.filter(pk__in=chunk):
                instance = obj.get_indexed_instance()
                if instance is not None:
                    indexed_pks[instance._meta.model].add(instance.pk)
    # Then the documents, from each model's indexed objects (its filter and prefetches).
    by_model: dict = {}
    for model, pks in indexed_pks.items():
        objs = []
        for chunk in _chunks(sorted(pks)):
            for obj in model.get_indexed_objects().filter(pk__in=chunk):
                instance = obj.get_indexed_instance()
                if instance is not None:
                    objs.append(instance)
        if objs:
            by_model[model] = objs
    backends = list(get_search_backends_with_name(with_auto_update=True))
    for name, backend in backends:
        if _stored_in_database(backend):
            _add(name, backend, by_model)
        else:
            transaction.on_commit(
                lambda name=name, backend=backend: _add(name, backend, by_model), robust=True
            )
    return sum(len(objs) for objs in by_model.values())


def _chunks(items: list) -> Iterator[list]:
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]


def _add(name: str, backend, by_model: dict) -> None:
    for model, objs in by_model.items():
        for chunk in _chunks(objs):
            try:
                backend.add_bulk(model, chunk)
            except Exception:
                logger.exception("Bulk indexing %s into the '%s' search backend", model, name)
                if not backend.catch_indexing_errors:
                    raise


def reindex_published(sender, instance, **kwargs) -> None:
    """Index a published page again once its child relations are saved.

    Wagtail indexes a page in ``post_save``, which a clustered page (tags, speakers) sends
    before it writes its child rows: the index would hold the previous tags and speakers.
    An import indexes everything it saved at its end (:func:`deferred_indexing`)."""
    from wagtail.search.index import insert_or_update_object

    if not deferring():
        insert_or_update_object(instance)


def connect() -> None:
    """Connect :func:`reindex_published` (called by ``PagesConfig.ready``)."""
    from wagtail.signals import page_published

    page_published.connect(reindex_published, dispatch_uid="pages.search.reindex")
