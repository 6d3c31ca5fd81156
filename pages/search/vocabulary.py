"""The vocabulary of what is searchable, for "Did you mean …?" (typo tolerance).

One vocabulary, built the same way whatever the database, so that a misspelt query gets the
same correction on SQLite and PostgreSQL: every word of the live public pages' titles,
summaries, bodies, locations and tags, and of speaker names and bios, with the number of
documents it appears in. It is built in Python from the content (at 10,000 talks, once per
content change and process, about as long as reading the pages' bodies) and kept in memory
keyed by a cheap fingerprint of the content: searches that find something never look at it.

A word is corrected to the vocabulary word fewest edits away (see :func:`correct`).

**Never waited for.** Building takes about 10 s at 100,000 talks. When the content changes and
the process already has a vocabulary, a typo search does not wait for the new one: it is built
in a background thread (one at a time) while searches use the previous one, which differs by
the words of what was just published. A process's first typo search waits at most
:data:`FIRST_WAIT` for the first vocabulary (a small site's is ready by then), else answers
without corrections. Such searches say so (:func:`current`), and the view does not keep their
page in the result cache. ``SEARCH_VOCABULARY_IN_BACKGROUND = False`` (the test settings)
builds every vocabulary in the request.
"""

import difflib
import logging
import re
import threading
from collections import Counter

from django.conf import settings
from django.db import connections
from django.db.models import Count, Max

from wagtail.models import Page

from pages.fragments import site_version
from pages.models import ConferenceIndex, DayPage, TalkPage
from snippets.models import Speaker

from .query import STOP_WORDS, raw_text

#: candidates whose letters overlap less than this are not compared letter by letter
PREFILTER = 0.6
MIN_LENGTH = 3
_WORD = re.compile(r"[^\W\d_][\w]*", re.UNICODE)
_cache: dict = {}
_lock = threading.Lock()
logger = logging.getLogger(__name__)


def words_of(text: str) -> set[str]:
    return {
        w for w in (m.lower() for m in _WORD.findall(text or "")) if len(w) >= MIN_LENGTH
    } - STOP_WORDS


def _fingerprint() -> tuple:
    """What the vocabulary depends on: the content version, which every publish, speaker
    change or other change a fragment would see replaces (one row, read by key). Before the
    first version exists, counts of pages and speakers (two aggregates over the whole tables:
    23 ms among 100,000 talks on PostgreSQL, which is why they are not read on every search)."""
    version = site_version()
    if version is not None:
        return (version,)
    pages = Page.objects.aggregate(n=Count("id"), latest=Max("latest_revision_created_at"))
    speakers = Speaker.objects.aggregate(n=Count("id"), latest=Max("id"))
    return None, *pages.values(), *speakers.values()


def _documents():
    """The searchable text of each live public page and each speaker, one string per document."""
    base = Page.objects.live().public()
    for model, fields in (
        (TalkPage, ("title", "summary", "body")),
        (DayPage, ("title", "body")),
        (ConferenceIndex, ("title", "location", "body")),
    ):
        queryset = model.objects.filter(pk__in=base.type(model).values("pk"))
        tags = {}
        if hasattr(model, "tags"):
            for pk, name in queryset.values_list("pk", "tagged_items__tag__name"):
                if name:
                    tags.setdefault(pk, []).append(name)
        for row in queryset.values_list("pk", *fields):
            pk, *values = row
            parts = list(tags.get(pk, []))
            for value in values:
                if hasattr(value, "raw_data"):
                    parts += raw_text(list(value.raw_data))
                elif value:
                    parts.append(str(value))
            yield " ".join(parts)
    for name, bio in Speaker.objects.values_list("name", "bio"):
        yield f"{name} {bio}"


def build() -> dict[str, int]:
    """Each word and the number of documents it appears in."""
    counts: Counter = Counter()
    for document in _documents():
        counts.update(words_of(document))
    by_length: dict[int, list[str]] = {}
    for word in counts:
        by_length.setdefault(len(word), []).append(word)
    return {"counts": dict(counts), "by_length": by_length}


def vocabulary() -> dict:
    return current()[0]


def current() -> tuple[dict, bool]:
    """(the vocabulary, whether it is the current content's). The previous content's while the
    current one's is built in the background (see the module's docstring)."""
    key = _fingerprint()
    with _lock:
        found = _cache.get(key)
        if found is not None:
            return found, True
        previous = next(reversed(_cache.values()), None)
        background = getattr(settings, "SEARCH_VOCABULARY_IN_BACKGROUND", True)
        # One build at a time: a burst of publishes does not start a build per version (about
        # 10 s of CPU each at 100,000 talks); a search after it starts the newest.
        done = next(iter(_building.values()), None)
        start = background and done is None
        if start:
            done = _building[key] = threading.Event()
    if not background:
        found = build()
        _keep(key, found)
        return found, True
    if start:
        _start(key)
    if previous is not None:
        return previous, False
    # The process's first vocabulary: worth a short wait (a small site's is built by then).
    done.wait(FIRST_WAIT)
    with _lock:
        found = _cache.get(key)
    if found is not None:
        return found, True
    return {"counts": {}, "by_length": {}}, False  # no correction this time


#: seconds a process's first typo search waits for the first vocabulary before answering
#: without corrections (a few thousand talks' vocabulary is built in well under this)
FIRST_WAIT = 1.0

#: the fingerprint whose vocabulary a background thread is building -> set when it has finished
_building: dict = {}


def _start(key) -> None:
    threading.Thread(target=_build_in_background, args=(key,), daemon=True).start()


def _build_in_background(key) -> None:
    try:
        _keep(key, build())
    except Exception:
        logger.exception("The search vocabulary could not be built; the previous one stays")
    finally:
        with _lock:
            done = _building.pop(key, None)
        if done is not None:
            done.set()
        connections.close_all()  # this thread's own connections


def _keep(key, found: dict) -> None:
    with _lock:
        _cache.clear()
        _cache[key] = found


def distance(a: str, b: str, limit: int) -> int:
    """Edit distance (insert, delete, substitute, swap two neighbours), or ``limit + 1`` when
    more than ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = ca != cb
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def allowed_edits(word: str) -> int:
    return 1 if len(word) <= 5 else 2


def correct(word: str, vocab: dict | None = None) -> str | None:
    """The vocabulary word ``word`` was probably meant to be, or None (known, or nothing close):
    the fewest edits (one for words up to five letters, two for longer ones), then the word in
    the most documents, then the most similar (``difflib``)."""
    word = word.lower()
    if len(word) < MIN_LENGTH or not word.isalpha():
        return None
    vocab = vocab or vocabulary()
    counts = vocab["counts"]
    if word in counts:
        return None
    known = vocab.setdefault("corrections", {})  # kept as long as the vocabulary itself
    if word not in known:
        if len(known) >= MAX_CORRECTIONS:
            known.clear()
        known[word] = _closest(word, vocab)
    return known[word]


#: corrections remembered per vocabulary (each costs a pass over the words of similar length)
MAX_CORRECTIONS = 10_000


def _closest(word: str, vocab: dict) -> str | None:
    counts = vocab["counts"]
    limit = allowed_edits(word)
    best, best_key = None, None
    matcher = difflib.SequenceMatcher(b=word, autojunk=False)
    for length in range(len(word) - limit, len(word) + limit + 1):
        for candidate in vocab["by_length"].get(length, ()):
            matcher.set_seq1(candidate)
            if matcher.quick_ratio() < PREFILTER:
                continue
            edits = distance(candidate, word, limit)
            if edits > limit:
                continue
            key = (-edits, counts[candidate], matcher.ratio(), candidate)
            if best_key is None or key > best_key:
                best, best_key = candidate, key
    return best
