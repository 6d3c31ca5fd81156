"""Summaries derived from a talk's notes, for talks whose editor wrote none.

A talk's card (programme, speaker and tag pages), its feed items, search results, its meta and
OpenGraph description and the API use ``TalkPage.display_summary``: the editor's ``summary``
when there is one (it always wins), else ``derived_summary``, which ``TalkPage.save()`` fills
from the body with :func:`derive_summary` (so it follows every change of the notes, and costs
listings nothing: they never load bodies).
"""

import html
import re

from .blocks.sanitise import clean_rich_text

#: Longest derived summary, in characters (a meta description's length).
SUMMARY_LENGTH = 300
#: A first sentence shorter than this gets the second one too.
SHORT_SENTENCE = 120

_PARAGRAPH_RE = re.compile(r"<p>(.*?)</p>", re.DOTALL)
_TAG_RE = re.compile(r"<[^>]+>")
# a sentence ends at . ! ? (or …), maybe closed by a quote or bracket, before a capital or digit
_SENTENCE_END_RE = re.compile(r"[.!?…][\"'”’)\]]*(?=\s+[\"“‘(\[]?[A-Z0-9À-Þ])")


def derive_summary(blocks) -> str:
    """One or two sentences of plain text from the first text paragraph of a body's raw blocks
    (``StreamValue.raw_data``); "" when the body has no paragraph of text."""
    for block in blocks:
        if block.get("type") != "paragraph":
            continue
        for inner in _PARAGRAPH_RE.findall(clean_rich_text(block.get("value") or "")):
            text = " ".join(html.unescape(_TAG_RE.sub(" ", inner.replace("<br/>", " "))).split())
            text = re.sub(r" (?=[.,;:!?)])", "", text)  # "<b>word</b>." → "word."
            if text:
                return summarise(text)
    return ""


def summarise(text: str) -> str:
    """The first sentence of ``text`` (two if the first is short), at most SUMMARY_LENGTH
    characters, cut at a word with "…" if a sentence is longer."""
    ends = [match.end() for match in _SENTENCE_END_RE.finditer(text)][:2]
    sentences = [text[a:b] for a, b in zip([0, *ends], [*ends, len(text)], strict=True)]
    summary = sentences[0].strip()
    if len(sentences) > 1 and len(summary) < SHORT_SENTENCE:
        two = f"{summary} {sentences[1].strip()}"
        if len(two) <= SUMMARY_LENGTH:
            summary = two
    if len(summary) > SUMMARY_LENGTH:
        summary = summary[: SUMMARY_LENGTH - 1].rsplit(" ", 1)[0].rstrip(",;:–—-") + "…"
    return summary
