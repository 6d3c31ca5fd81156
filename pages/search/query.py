"""Search queries: what a visitor typed, parsed into Wagtail search query objects, and the
excerpts shown with results. Never raises on what a visitor types.

The query language is small: words are ANDed, ``"a phrase"`` matches words in order,
``OR`` (in capitals) separates alternatives and ``-word`` / ``-"a phrase"`` excludes.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from django.db import connection
from django.utils.html import escape
from django.utils.safestring import mark_safe

from wagtail.search.query import And, Fuzzy, Not, Or, Phrase, PlainText

MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 20
_TOKEN = re.compile(r'(-?)"([^"]*)"|(\S+)')
_WORD_CHARS = re.compile(r"[^\w'+#.-]+", re.UNICODE)


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
    for match in _TOKEN.finditer(text_for_tokens):
        negate, phrase, bare = match.groups()
        if bare is not None:
            if bare == "OR":
                groups.append([])
                plain = False
                continue
            negate = "-" if bare.startswith("-") and len(bare) > 1 else ""
            words = _words(bare[1:] if negate else bare)
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
            term = Phrase(" ".join(words)) if len(words) > 1 else PlainText(words[0])
            plain = False
            groups[-1].append(Not(term) if negate else term)
            if not negate:
                positive_words.extend(words)
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


def fuzzy_query(parsed: ParsedQuery):
    """A typo-forgiving query (PostgreSQL with pg_trgm only), or None."""
    if connection.vendor != "postgresql" or not parsed.words or not parsed.plain:
        return None
    return Fuzzy(" ".join(parsed.words))


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
    out: list[str] = []
    if isinstance(data, dict):
        if "type" in data and "value" in data:
            out += raw_text(data["value"])
        else:
            for key, value in data.items():
                if key not in _SKIP_KEYS:
                    out += raw_text(value)
    elif isinstance(data, list):
        for item in data:
            out += raw_text(item)
    elif isinstance(data, str):
        text = re.sub(r"<[^>]+>", " ", data)
        text = " ".join(text.split())
        if text:
            out.append(text)
    return out


def excerpt(texts: list[str], words: list[str], width: int = 220) -> str:
    """An escaped excerpt around the first matched word, matches wrapped in <mark>."""
    text = " · ".join(t for t in texts if t)
    if not text:
        return ""
    patterns = [re.escape(w) for w in sorted(set(words), key=len, reverse=True) if len(w) > 1]
    matcher = re.compile(r"\b(" + "|".join(patterns) + r")\w*", re.IGNORECASE) if patterns else None
    start = 0
    if matcher:
        found = matcher.search(text)
        if found:
            start = max(0, found.start() - width // 3)
    snippet = text[start : start + width]
    prefix = "… " if start > 0 else ""
    suffix = " …" if start + width < len(text) else ""
    if not matcher:
        return escape(prefix + snippet + suffix)
    pieces, last = [], 0
    for m in matcher.finditer(snippet):
        pieces.append(escape(snippet[last : m.start()]))
        pieces.append(f"<mark>{escape(m.group(0))}</mark>")
        last = m.end()
    pieces.append(escape(snippet[last:]))
    return mark_safe(escape(prefix) + "".join(pieces) + escape(suffix))
