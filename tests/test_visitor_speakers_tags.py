"""Speaker pages (/speakers/…) and tag archives (/tags/…): content, privacy, structure, queries."""

import datetime
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from wagtail.models import PageViewRestriction

import pytest

from tests.factories import (
    ConferenceFactory,
    DayFactory,
    ImageFactory,
    SpeakerFactory,
    TalkFactory,
    mixed_body,
)

pytestmark = pytest.mark.django_db


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def get_html(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def assert_page_structure(html: str) -> None:
    """One h1, the skip link and landmarks, and headings that never skip a level."""
    assert len(re.findall(r"<h1[\s>]", html)) == 1
    assert 'href="#main"' in html and 'id="main"' in html
    for landmark in ("<header", "<nav", "<main", "<footer"):
        assert landmark in html, landmark
    levels = [int(level) for level in re.findall(r"<h([1-6])[\s>]", html)]
    for before, after in zip(levels, levels[1:], strict=False):
        assert after <= before + 1, levels


def make_private(page) -> None:
    PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.PASSWORD, password="secret"
    )


@pytest.fixture
def programme():
    """Two conferences; a speaker with talks in both, a draft talk and a private talk."""
    ada = SpeakerFactory(name="Ada Example", github="ada", mastodon="https://example.social/@ada")
    bo = SpeakerFactory(name="Bo Sample")
    old = ConferenceFactory(
        title="Oldconf 2024",
        start_date=datetime.date(2024, 3, 1),
        end_date=datetime.date(2024, 3, 2),
    )
    new = ConferenceFactory(title="Newconf 2026")
    old_day = DayFactory(parent=old, title="Old day", date=datetime.date(2024, 3, 1))
    new_day = DayFactory(parent=new, title="New day", date=datetime.date(2026, 5, 4))
    old_talk = TalkFactory(parent=old_day, title="Old talk", speakers=[ada])
    new_talk = TalkFactory(parent=new_day, title="New talk", speakers=[ada, bo])
    draft = TalkFactory(parent=new_day, title="Draft talk", speakers=[ada], live=False)
    private = TalkFactory(parent=new_day, title="Private talk", speakers=[ada])
    make_private(private)
    for page in (old_talk, new_talk, draft, private, new):
        page.tags.add("databases")
        page.save()
    return {
        "ada": ada,
        "bo": bo,
        "old": old,
        "new": new,
        "old_talk": old_talk,
        "new_talk": new_talk,
        "draft": draft,
        "private": private,
    }


# --- speakers ----------------------------------------------------------------------------


def test_speaker_index_lists_speakers_with_public_talk_counts(client, programme):
    html = get_html(client, "/speakers/")
    assert_page_structure(html)
    assert html.index("Ada Example") < html.index("Bo Sample")
    assert 'href="/speakers/ada-example/"' in html
    # Ada: the old and new talks count; the draft and the private talk do not.
    ada_row = html[html.index("Ada Example") :]
    assert "2 talks" in ada_row[:300]
    assert "<title>Speakers · Confnotes</title>" in html
    assert '<link rel="canonical" href="http://localhost/speakers/">' in html


def test_speaker_page_shows_bio_links_and_every_public_talk_newest_first(client, programme):
    html = get_html(client, "/speakers/ada-example/")
    assert_page_structure(html)
    assert "<h1>Ada Example</h1>" in html
    assert "Writes software and notes about it." in html
    assert 'href="https://github.com/ada"' in html and "Ada Example on GitHub" in html
    assert 'rel="me"' in html
    assert html.index("New talk") < html.index("Old talk")
    # Conference and day of each talk.
    assert "Newconf 2026" in html and "New day" in html and "Oldconf 2024" in html
    assert "Draft talk" not in html and "Private talk" not in html
    assert 'aria-label="Breadcrumb"' in html and 'href="/speakers/"' in html
    assert "/feeds/speakers/ada-example/rss/" in html


def test_speaker_page_with_photo(client, programme):
    ada = programme["ada"]
    ada.photo = ImageFactory()
    ada.photo_alt_text = "Ada at a whiteboard"
    ada.save()
    html = get_html(client, "/speakers/ada-example/")
    assert 'alt="Ada at a whiteboard"' in html
    assert '<meta property="og:image" content="http://localhost/' in html


def test_speaker_photo_without_alt_text_is_not_shown(client, programme):
    """A photo saved past the speaker form without alt text (the shell, a restore) has no alt
    decision, so it is not published: not on the speaker page, not on the talk's speaker card."""
    ada = programme["ada"]
    ada.photo = ImageFactory()
    ada.photo_alt_text = "  "
    ada.save()
    html = get_html(client, "/speakers/ada-example/")
    assert "speaker-profile__photo" not in html and 'alt=""' not in html
    ada.photo_alt_text = "Ada at a whiteboard"
    ada.save()
    assert "speaker-profile__photo" in get_html(client, "/speakers/ada-example/")


def test_unknown_speaker_is_404(client, programme):
    assert client.get("/speakers/nobody/").status_code == 404


def test_talk_page_links_to_its_speakers(client, programme):
    html = get_html(client, programme["new_talk"].url)
    assert 'href="/speakers/ada-example/"' in html and 'href="/speakers/bo-sample/"' in html
    assert "All talks by Bo Sample" in html


def test_speaker_listings_use_a_fixed_number_of_queries(client, programme):
    ada = programme["ada"]
    conferences = [ConferenceFactory(title=f"Conf {n}") for n in range(3)]
    days = [DayFactory(parent=c, title=f"Day of {c.title}") for c in conferences]
    for n in range(2):
        talk = TalkFactory(
            parent=days[n % 3], title=f"Counted {n}", speakers=[ada, SpeakerFactory()]
        )
        talk.tags.add(f"tag-{n}")
        talk.save()
    ada_url = "/speakers/ada-example/"
    few = (count_queries(client, "/speakers/"), count_queries(client, ada_url))
    for n in range(2, 10):
        talk = TalkFactory(
            parent=days[n % 3], title=f"Counted {n}", speakers=[ada, SpeakerFactory()]
        )
        talk.tags.add(f"tag-{n}")
        talk.save()
    many = (count_queries(client, "/speakers/"), count_queries(client, ada_url))
    assert get_html(client, ada_url).count("Counted ") == 10
    assert few == many, (few, many)


# --- tags --------------------------------------------------------------------------------


def test_tag_links_on_talk_and_conference_pages(client, programme):
    for page in (programme["new_talk"], programme["new"]):
        html = get_html(client, page.url)
        assert 'href="/tags/databases/"' in html


def test_tag_index_lists_used_tags_with_counts(client, programme):
    html = get_html(client, "/tags/")
    assert_page_structure(html)
    assert 'href="/tags/databases/"' in html
    # Old talk, new talk and the conference; the draft and the private talk are not counted.
    assert "3 notes" in html
    assert "2 talks, 1 conference" in html


def test_tag_page_lists_everything_tagged_newest_first(client, programme):
    html = get_html(client, "/tags/databases/")
    assert_page_structure(html)
    assert "Tagged “databases”" in html
    assert "2 talks · 1 conference" in html
    assert html.index("Newconf 2026") < html.index("New talk") < html.index("Old talk")
    assert "Draft talk" not in html and "Private talk" not in html
    assert "/feeds/tags/databases/atom/" in html


def test_tag_page_is_paginated(client, programme):
    day = DayFactory(parent=programme["new"], date=datetime.date(2026, 5, 5))
    for n in range(25):
        talk = TalkFactory(parent=day, title=f"Paged talk {n:02}", start_time=datetime.time(8, n))
        talk.tags.add("paged")
        talk.save()
    first = get_html(client, "/tags/paged/")
    assert "Paged talk 24" in first and "Paged talk 05" in first and "Paged talk 04" not in first
    assert 'href="?page=2"' in first and "Page 1 of 2" in first
    second = get_html(client, "/tags/paged/?page=2")
    assert "Paged talk 04" in second and "Paged talk 00" in second
    assert '<link rel="canonical" href="http://localhost/tags/paged/?page=2">' in second
    assert client.get("/tags/paged/?page=99").status_code == 200  # clamped to the last page


def test_unicode_slugs_work_everywhere(client, programme):
    conference = ConferenceFactory(title="Zürich Konferenz", slug="zürich-konferenz")
    talk = TalkFactory(parent=DayFactory(parent=conference), title="Über Tags")
    talk.tags.add("café")
    talk.save()
    html = get_html(client, talk.url)
    assert 'href="/tags/caf%C3%A9/"' in html
    assert "Über Tags" in get_html(client, "/tags/caf%C3%A9/")
    for url in (
        "/feeds/tags/caf%C3%A9/rss/",
        "/feeds/conferences/z%C3%BCrich-konferenz/atom/",
        "/calendars/conferences/z%C3%BCrich-konferenz.ics",
    ):
        assert client.get(url).status_code == 200, url
    assert "/calendars/conferences/z%C3%BCrich-konferenz.ics" in get_html(client, conference.url)
    response = client.get("/calendars/conferences/z%C3%BCrich-konferenz.ics")
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''z%C3%BCrich-konferenz.ics"
    )


def test_unknown_tag_is_404(client, programme):
    assert client.get("/tags/no-such-tag/").status_code == 404


def test_tag_listings_use_a_fixed_number_of_queries(client, programme):
    conferences = [ConferenceFactory(title=f"Conf {n}") for n in range(3)]
    days = [DayFactory(parent=c) for c in conferences]

    def add(n):
        talk = TalkFactory(
            parent=days[n % 3], title=f"Tagged {n}", speakers=[SpeakerFactory()], body=mixed_body(4)
        )
        talk.tags.add("counted", f"extra-{n}")
        talk.save()

    for n in range(2):
        add(n)
    few = (count_queries(client, "/tags/"), count_queries(client, "/tags/counted/"))
    for n in range(2, 10):
        add(n)
    many = (count_queries(client, "/tags/"), count_queries(client, "/tags/counted/"))
    assert get_html(client, "/tags/counted/").count("Tagged ") >= 10
    assert few == many, (few, many)
