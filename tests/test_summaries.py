"""Summaries derived from the notes for talks without one: cards, feeds, descriptions, API."""

import feedparser
import pytest

from pages.models import TalkPage
from pages.summaries import SUMMARY_LENGTH, derive_summary
from tests.factories import TalkFactory


def paragraph(html: str) -> dict:
    return {"type": "paragraph", "value": html}


@pytest.mark.parametrize(
    ("blocks", "expected"),
    [
        # the first paragraph with text: headings, code and lists are skipped
        (
            [
                {"type": "heading", "value": {"text": "Intro", "level": "h2"}},
                {"type": "code", "value": {"language": "python", "code": "x = 1."}},
                paragraph("<ul><li>A list item.</li></ul><p>Ada shows <b>how</b> it works.</p>"),
            ],
            "Ada shows how it works.",
        ),
        # a short first sentence takes the second; never a third
        (
            [
                paragraph(
                    '<p>Short. Use <code>f()</code>, e.g. in <a href="/x">tests</a>! Third.</p>'
                )
            ],
            "Short. Use f(), e.g. in tests!",
        ),
        # a long first sentence stands alone
        (
            [paragraph(f"<p>{'Long words here ' * 8}end. Second sentence.</p>")],
            f"{'Long words here ' * 8}end.",
        ),  # fmt: skip
        # entities and quotes
        ([paragraph("<p>A &amp; B “quoted.” Then more.</p>")], "A & B “quoted.” Then more."),
        ([paragraph("<ul><li>Only a list</li></ul>")], ""),
        ([], ""),
    ],
)
def test_derive_summary(blocks, expected):
    assert derive_summary(blocks) == expected


def test_long_sentence_is_cut_at_a_word():
    text = " ".join(f"word{n}" for n in range(200))
    summary = derive_summary([paragraph(f"<p>{text}</p>")])
    assert len(summary) <= SUMMARY_LENGTH and summary.endswith("…")
    assert text.startswith(summary[:-1]) and text[len(summary) - 1] == " "


BODY = [paragraph("<p>Caching made the <i>programme</i> fast. It used Redis. And more.</p>")]
DERIVED = "Caching made the programme fast. It used Redis."


@pytest.mark.django_db
def test_editor_summary_wins_and_derived_follows_the_body():
    talk = TalkFactory(summary="", body=BODY)
    assert talk.derived_summary == DERIVED
    assert TalkPage.objects.get(pk=talk.pk).display_summary == DERIVED
    talk.summary = "The editor's words."
    talk.save()
    assert talk.display_summary == "The editor's words."
    talk.body = [paragraph("<p>New notes.</p>")]
    talk.save()
    assert talk.derived_summary == "New notes."
    assert talk.display_summary == "The editor's words."  # still the editor's
    talk.summary = ""
    talk.save()
    assert TalkPage.objects.get(pk=talk.pk).display_summary == "New notes."


@pytest.mark.django_db
def test_derived_summary_on_cards_feeds_descriptions_and_api(client):
    talk = TalkFactory(summary="", body=BODY, title="Caching talk")
    edited = TalkFactory(parent=talk.get_parent(), summary="Hand written.", body=BODY)
    day = talk.get_parent()
    programme = client.get(day.url).content.decode()
    assert f'<p class="talk-card__summary">{DERIVED}</p>' in programme
    assert '<p class="talk-card__summary">Hand written.</p>' in programme
    assert DERIVED in client.get(day.get_parent().url).content.decode()
    page = client.get(talk.url).content.decode()
    assert f'<meta name="description" content="{DERIVED}">' in page
    assert f'<meta property="og:description" content="{DERIVED}">' in page
    assert '<p class="lead">' not in page  # the talk page shows its notes, not a copy of them
    feed = feedparser.parse(client.get("/feeds/rss/").content)
    summaries = {entry.title: entry.summary for entry in feed.entries}
    assert DERIVED in summaries["Caching talk"]
    assert "Hand written." in summaries[edited.title]
    assert DERIVED not in summaries[edited.title]
    data = client.get(f"/api/v2/pages/{talk.pk}/").json()
    assert (data["summary"], data["display_summary"]) == ("", DERIVED)
