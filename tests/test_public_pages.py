"""Every public page type renders, accessibly structured, with a fixed number of queries."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from tests.factories import (
    ConferenceFactory,
    DayFactory,
    ImageFactory,
    SpeakerFactory,
    TalkFactory,
    home_page,
    mixed_body,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    conference = ConferenceFactory(title="Renderconf 2026", body=mixed_body(3))
    day = DayFactory(parent=conference, title="Day 1", body=mixed_body(2))
    speakers = [SpeakerFactory(name="Ada Example"), SpeakerFactory(name="Bo Sample")]
    image = ImageFactory()
    talks = [
        TalkFactory(
            parent=day,
            title=f"Talk {n}",
            body=mixed_body(8, image=image, speaker=speakers[0]),
            speakers=speakers[: n + 1],
        )
        for n in range(2)
    ]
    return {"conference": conference, "day": day, "talks": talks, "speakers": speakers}


def get(client, page):
    response = client.get(page.url)
    assert response.status_code == 200, page.url
    return response.content.decode()


def test_home_lists_conferences_newest_first(client, tree):
    older = ConferenceFactory(title="Oldconf 2019", start_date="2019-01-01", end_date="2019-01-02")
    html = get(client, home_page())
    assert html.index("Renderconf 2026") < html.index(older.title)


def test_every_page_type_has_landmarks_one_h1_and_skip_link(client, tree):
    for page in [home_page(), tree["conference"], tree["day"], tree["talks"][0]]:
        html = get(client, page)
        assert len(re.findall(r"<h1[\s>]", html)) == 1, page
        assert '<html lang="en">' in html
        assert 'href="#main"' in html and 'id="main"' in html
        for landmark in ("<header", "<nav", "<main", "<footer"):
            assert landmark in html, (page, landmark)


def test_conference_lists_days_and_talks_with_speakers(client, tree):
    html = get(client, tree["conference"])
    assert "Day 1" in html
    assert "Talk 0" in html and "Talk 1" in html
    assert "by Ada Example, Bo Sample" in html


def test_day_lists_talks(client, tree):
    html = get(client, tree["day"])
    assert "Talk 0" in html and "by Ada Example" in html


def test_talk_shows_speakers_toc_body_tags_and_pager(client, tree):
    talk = tree["talks"][0]
    talk.tags.add("databases")
    talk.save()
    html = get(client, talk)
    assert "Ada Example" in html
    assert '<nav class="toc"' in html
    # Two headings in 8 mixed blocks (0 and 5 are headings); anchors are unique.
    assert 'href="#section-0"' in html and 'id="section-0"' in html
    assert 'rel="next"' in html and "Talk 1" in html
    assert "databases" in html
    assert "Breadcrumb" in html


def test_duplicate_headings_get_unique_anchors(client, tree):
    talk = tree["talks"][0]
    talk.body = [{"type": "heading", "value": {"text": "Setup", "level": "h2"}}] * 3
    talk.save()
    html = get(client, talk)
    assert 'id="setup"' in html and 'id="setup-2"' in html and 'id="setup-3"' in html


def test_404_page(client, tree):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_500_template_renders():
    from django.template.loader import render_to_string

    assert "Something went wrong" in render_to_string("500.html")


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_talk_query_count_is_fixed_from_5_to_200_blocks(client, tree):
    images = [ImageFactory() for _ in range(3)]
    speakers = [
        SpeakerFactory(name=f"Panel {i}", photo=images[i], photo_alt_text="A smiling person")
        for i in range(3)
    ]
    day = tree["day"]
    # 5 blocks: a paragraph, code, quote, checklist and image (each kind that reads the database).
    small_body = mixed_body(6, image=images[0], speaker=speakers[0])[1:]
    small = TalkFactory(parent=day, title="Small", body=small_body, speakers=speakers[:1])
    large_body = []
    for i in range(200):
        large_body.extend(mixed_body(1 + i % 6, image=images[i % 3], speaker=speakers[i % 3])[-1:])
    large = TalkFactory(parent=day, title="Large", body=large_body, speakers=speakers)
    assert len(small.body) == 5 and len(large.body) == 200
    assert {b.block_type for b in large.body} >= {b.block_type for b in small.body}
    # Warm: the first view of an image creates its renditions (writes), later views only read.
    for page in (small, large):
        client.get(page.url)
    small_count = count_queries(client, small.url)
    large_count = count_queries(client, large.url)
    assert small_count == large_count, (small_count, large_count)
    # Routing is two queries whatever the depth; tags and breadcrumbs reuse what the page loads.
    # (Test settings have no cache, so the site's root paths are read on every request too.)
    assert large_count <= 17, large_count


def test_routing_by_url_path_keeps_wagtail_semantics(client, tree):
    """The talk is found in two queries, and drafts, missing pages and sub-paths still 404."""
    day, talk = tree["day"], tree["talks"][0]
    assert client.get(talk.url).status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        client.get(talk.url)
    routing = [q["sql"] for q in ctx.captured_queries if '"url_path" =' in q["sql"]]
    assert len(routing) == 1
    draft = TalkFactory(parent=day, title="Not yet", live=False)
    assert client.get(day.url + draft.slug + "/").status_code == 404
    assert client.get(day.url + "no-such-talk/").status_code == 404
    assert client.get(talk.url + "extra/").status_code == 404
    talk.unpublish()
    assert client.get(talk.url).status_code == 404


def test_listing_query_counts_do_not_grow_with_talks(client, tree):
    conference, day = tree["conference"], tree["day"]
    before = (
        count_queries(client, conference.url),
        count_queries(client, day.url),
        count_queries(client, home_page().url),
    )
    for n in range(6):
        TalkFactory(parent=day, title=f"Extra {n}", speakers=[SpeakerFactory()])
    ConferenceFactory(title="Another conf")
    after = (
        count_queries(client, conference.url),
        count_queries(client, day.url),
        count_queries(client, home_page().url),
    )
    assert before == after
