"""Search queries: what a visitor typed, parsed into Wagtail search query objects, and the
excerpts shown with results. Never raises on what a visitor types.

The query language is small: words are ANDed, ``"a phrase"`` matches words in order,
``OR`` (in capitals) separates alternatives and ``-word`` / ``-"a phrase"`` excludes.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import mark_safe

from wagtail.search.query import And, Not, Or, Phrase, PlainText

MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 20
_TOKEN = re.compile(r'(-?)"([^"]*)"|(\S+)')
_WORD_CHARS = re.compile(r"[^\w'+#.-]+", re.UNICODE)
#: Words left out of a query (PostgreSQL's English configuration ignores them, SQLite would
#: require them): "the cache" searches for "cache" on both databases. Snowball's English list.
STOP_WORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with you your yours yourself yourselves""".split()  # noqa: SIM905
)


@dataclass
class ParsedQuery:
    text: str = ""
    query: object = None
    words: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: only plain words (no phrase, OR or exclusion): typo-forgiving search may be tried
    plain: bool = True

    @property
    def is_empty(self) -> bool:
        return self.query is None


def clean_query(raw: str) -> tuple[str, list[str]]:
    """Drop control characters, fold white space and cap the length; say what was cut."""
    notes = []
    text = "".join(
        " " if unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"} else ch
        for ch in (raw or "")[: MAX_QUERY_CHARS * 10]
    )
    text = " ".join(text.split())
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS].rsplit(" ", 1)[0] or text[:MAX_QUERY_CHARS]
        notes.append(f"Your search was shortened to its first {MAX_QUERY_CHARS} characters.")
    words = text.split(" ")
    if len(words) > MAX_QUERY_WORDS:
        text = " ".join(words[:MAX_QUERY_WORDS])
        notes.append(f"Only the first {MAX_QUERY_WORDS} words were used.")
    return text, notes


def _words(text: str) -> list[str]:
    return [w.strip(".'-") for w in _WORD_CHARS.sub(" ", text).split() if w.strip(".'-")]


def parse_query(raw: str) -> ParsedQuery:
    text, notes = clean_query(raw)
    groups: list[list] = [[]]
    positive_words: list[str] = []
    plain = True
    # An unbalanced quote is just punctuation.
    text_for_tokens = text.replace('"', " ") if text.count('"') % 2 else text
    bare_words = [w for m in _TOKEN.finditer(text_for_tokens) if m[3] for w in _words(m[3])]
    # Stop words are dropped, unless there is nothing else to search for.
    drop = STOP_WORDS if any(w.lower() not in STOP_WORDS for w in bare_words) else frozenset()
    budget = MAX_QUERY_WORDS  # "a,a,a,…" is one token but many words: the database's parser
    cut = False  # has limits (FTS5 overflows), so words are counted after splitting too.
    for match in _TOKEN.finditer(text_for_tokens):
        if budget <= 0:
            cut = True
            break
        negate, phrase, bare = match.groups()
        if bare is not None:
            if bare == "OR":
                groups.append([])
                plain = False
                continue
            negate = "-" if bare.startswith("-") and len(bare) > 1 else ""
            words = [w for w in _words(bare[1:] if negate else bare) if w.lower() not in drop]
            if len(words) > budget:
                words, cut = words[:budget], True
            budget -= len(words)
            plain = plain and not negate
            for word in words:
                term = PlainText(word)
                groups[-1].append(Not(term) if negate else term)
                if not negate:
                    positive_words.append(word)
        else:
            words = _words(phrase)
            if not words:
                continue
            if len(words) > budget:
                words, cut = words[:budget], True
            budget -= len(words)
            term = Phrase(" ".join(words)) if len(words) > 1 else PlainText(words[0])
            plain = False
            groups[-1].append(Not(term) if negate else term)
            if not negate:
                positive_words.extend(words)
    if cut and not any(note.startswith("Only the first") for note in notes):
        notes.append(f"Only the first {MAX_QUERY_WORDS} words were used.")
    alternatives = []
    for group in groups:
        if not any(not isinstance(term, Not) for term in group):
            if group:
                notes.append("Exclusions need at least one word to search for.")
            continue
        alternatives.append(group[0] if len(group) == 1 else And(group))
    query = None
    if alternatives:
        query = alternatives[0] if len(alternatives) == 1 else Or(alternatives)
    return ParsedQuery(text=text, query=query, words=positive_words, notes=notes, plain=plain)


def all_words(words: list[str]):
    """A query for pages containing every one of ``words``."""
    terms = [PlainText(word) for word in words]
    return terms[0] if len(terms) == 1 else And(terms)


# --- excerpts ---------------------------------------------------------------------------------

_SKIP_KEYS = {
    "level",
    "language",
    "highlight_lines",
    "line_numbers",
    "done",
    "decorative",
    "image",
    "speaker",
    "source_url",
    "url",
    "type",
    "id",
}


def raw_text(data) -> list[str]:
    """Readable strings of StreamField raw data (no database access), block choices left out."""
    return list(iter_text(data))


_TAG = re.compile(r"<[^>]+>")


def iter_text(data):
    """:func:`raw_text`, one string at a time (an excerpt stops reading once it has enough)."""
    if isinstance(data, dict):
        if "type" in data and "value" in data:
            yield from iter_text(data["value"])
        else:
            for key, value in data.items():
                if key not in _SKIP_KEYS:
                    yield from iter_text(value)
    elif isinstance(data, list):
        for item in data:
            yield from iter_text(item)
    elif isinstance(data, str):
        text = " ".join(_TAG.sub(" ", data).split())
        if text:
            yield text


_SEPARATOR = " · "


def excerpt(texts, words: list[str], width: int = 220) -> str:
    """An escaped excerpt around the first matched word, matches wrapped in <mark>.

    ``texts`` (any iterable) are joined with " · "; they are read only as far as the excerpt
    needs: up to the first match and ``width`` characters on (all of them when nothing matches).
    """
    # Searches are stemmed: "caching" also marks "cache", "migrations" "migration".
    stems = {w[: max(4, len(w) - 3)] if len(w) > 5 else w for w in words if len(w) > 1}
    patterns = [re.escape(w) for w in sorted(stems, key=len, reverse=True)]
    matcher = re.compile(r"\b(" + "|".join(patterns) + r")\w*", re.IGNORECASE) if patterns else None
    # A match lies within one text (no stem holds a space or "·"), so each text appended is
    # searched from where it starts: the first match found is the first of the whole join.
    text, found, needed = "", None, width + 1
    for piece in texts:
        if not piece:
            continue
        searched_from = len(text)
        text = text + _SEPARATOR + piece if text else piece
        if matcher and found is None:
            found = matcher.search(text, searched_from)
            if found:  # the excerpt ends at most ``width`` after the match starts
                needed = found.start() + width + 1
        if (found or not matcher) and len(text) >= needed:
            break
    if not text:
        return ""
    start = 0
    if found:
        start = max(0, found.start() - width // 3)
        if start > 0 and not text[start - 1].isspace():
            # Start on a word boundary: after the next space, never past the match.
            space = text.find(" ", start, found.start())
            start = space + 1 if space != -1 else found.start()
    end = start + width
    if end < len(text) and not text[end].isspace():
        # End on a word boundary: before the last space in the excerpt, if there is one.
        space = text.rfind(" ", start + width // 2, end)
        end = space if space != -1 else end
    snippet = text[start:end].strip()
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    if not matcher:
        return escape(prefix + snippet + suffix)
    pieces, last = [], 0
    for m in matcher.finditer(snippet):
        pieces.append(escape(snippet[last : m.start()]))
        pieces.append(f"<mark>{escape(m.group(0))}</mark>")
        last = m.end()
    pieces.append(escape(snippet[last:]))
    return mark_safe(escape(prefix) + "".join(pieces) + escape(suffix))
