"""Being found and shared: sitemap, robots.txt, canonical and social meta, JSON-LD, the API,
breadcrumbs, previous/next across days and the conference programme."""

import datetime
import json
import re
import xml.etree.ElementTree as ET

from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext

from wagtail.models import Page, PageViewRestriction

import pytest

from tests.factories import (
    ConferenceFactory,
    DayFactory,
    ImageFactory,
    SpeakerFactory,
    TalkFactory,
    home_page,
)

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ROOT = "http://localhost"


@pytest.fixture
def tree():
    ada = SpeakerFactory(name="Ada Example")
    conference = ConferenceFactory(title="Shareconf 2026", location="Lisbon, FIL")
    day1 = DayFactory(parent=conference, title="Day 1", day_number=1)
    day2 = DayFactory(
        parent=conference, title="Day 2", day_number=2, date=datetime.date(2026, 5, 5)
    )
    private_day = DayFactory(parent=conference, title="Private day", day_number=3)
    PageViewRestriction.objects.create(
        page=private_day, restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    # Created out of programme order on purpose: pages list talks by time, untimed last.
    talks = {
        "d1_late": TalkFactory(
            parent=day1, title="Late one", start_time=datetime.time(16, 0), room="Room B"
        ),
        "d1_untimed": TalkFactory(parent=day1, title="Untimed one", start_time=None, room=""),
        "d1_early": TalkFactory(
            parent=day1, title="Early one", start_time=datetime.time(9, 0), speakers=[ada]
        ),
        "d2_first": TalkFactory(
            parent=day2, title="Second day opener", start_time=datetime.time(9, 30)
        ),
        "draft": TalkFactory(
            parent=day2, title="Draft one", start_time=datetime.time(9, 0), live=False
        ),
        "private": TalkFactory(parent=private_day, title="Private one"),
    }
    talks["d1_early"].tags.add("orm")
    talks["d1_early"].save()
    return {
        "ada": ada,
        "conference": conference,
        "day1": day1,
        "day2": day2,
        "private_day": private_day,
        **talks,
    }


def html_of(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def json_ld(html: str) -> list[dict]:
    return [
        json.loads(block)
        for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    ]


# --- sitemap and robots.txt -----------------------------------------------------------------


def test_sitemap_lists_every_live_public_page_and_nothing_else(client, tree):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    locations = {loc.text for loc in root.iter(f"{SITEMAP}loc")}
    expected_pages = {
        ROOT + page.url for page in Page.objects.live().public().filter(depth__gt=1).specific()
    }
    assert expected_pages <= locations
    for name in ("conference", "day1", "day2", "d1_late", "d1_untimed", "d1_early", "d2_first"):
        assert ROOT + tree[name].url in locations, name
    for name in ("draft", "private", "private_day"):
        assert ROOT + tree[name].url not in locations, name
    assert ROOT + home_page().url in locations
    assert {
        ROOT + "/speakers/",
        ROOT + "/tags/",
        ROOT + "/speakers/ada-example/",
        ROOT + "/tags/orm/",
    } <= locations
    assert locations - expected_pages == {
        ROOT + "/speakers/",
        ROOT + "/tags/",
        ROOT + "/speakers/ada-example/",
        ROOT + "/tags/orm/",
    }


def test_robots_txt(client, tree):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    assert "User-agent: *" in text and "Disallow: /admin/" in text
    assert f"Sitemap: {ROOT}/sitemap.xml" in text


# --- canonical, description, OpenGraph, Twitter ------------------------------------------------


def meta_content(html: str, attribute: str, name: str) -> str:
    match = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)">', html)
    assert match, name
    return match.group(1)


def test_talk_page_meta(client, tree):
    talk = tree["d1_early"]
    html = html_of(client, talk.url)
    assert f'<link rel="canonical" href="{ROOT}{talk.url}">' in html
    summary = "What the talk was about, in one paragraph."
    assert meta_content(html, "name", "description") == summary
    assert meta_content(html, "property", "og:description") == summary
    assert meta_content(html, "property", "og:type") == "article"
    assert meta_content(html, "property", "og:title") == "Early one"
    assert meta_content(html, "property", "og:url") == ROOT + talk.url
    assert meta_content(html, "name", "twitter:card") == "summary_large_image"
    assert meta_content(html, "name", "twitter:title") == "Early one"


def test_search_description_wins_and_conferences_and_days_get_a_description(client, tree):
    talk = tree["d1_late"]
    talk.search_description = "Written for search engines."
    talk.save()
    assert (
        meta_content(html_of(client, talk.url), "name", "description")
        == "Written for search engines."
    )
    conference_html = html_of(client, tree["conference"].url)
    assert meta_content(conference_html, "name", "description").startswith(
        "Notes from the talks at Shareconf 2026, 4 May 2026 to 6 May 2026, Lisbon, FIL"
    )
    assert meta_content(conference_html, "property", "og:type") == "website"
    day_html = html_of(client, tree["day1"].url)
    assert meta_content(day_html, "name", "description") == (
        "Notes from the talks of Day 1 at Shareconf 2026, 4 May 2026."
    )


def test_views_outside_the_tree_have_canonical_urls(client, tree):
    for path in ("/speakers/", "/speakers/ada-example/", "/tags/", "/tags/orm/"):
        html = html_of(client, path)
        assert f'<link rel="canonical" href="{ROOT}{path}">' in html, path
        assert meta_content(html, "property", "og:url") == ROOT + path


def test_no_canonical_on_search_or_404(client, tree):
    assert 'rel="canonical"' not in html_of(client, "/search/?q=orm")
    response = client.get("/no/such/page/")
    assert response.status_code == 404 and 'rel="canonical"' not in response.content.decode()


# --- JSON-LD -------------------------------------------------------------------------------


def test_talk_json_ld_is_an_article_about_the_talk(client, tree):
    html = html_of(client, tree["d1_early"].url)
    (data,) = json_ld(html)
    assert data["@context"] == "https://schema.org" and data["@type"] == "Article"
    assert data["headline"] == "Early one"
    assert data["url"] == ROOT + tree["d1_early"].url
    assert data["author"] == [
        {"@type": "Person", "name": "Ada Example", "url": f"{ROOT}/speakers/ada-example/"}
    ]
    assert data["keywords"] == "orm"
    assert data["about"]["@type"] == "Event"
    assert data["about"]["startDate"] == "2026-05-04T09:00"
    assert data["about"]["superEvent"]["name"] == "Shareconf 2026"
    assert data["about"]["location"]["name"] == "Main hall, Lisbon, FIL"


def test_conference_json_ld_is_an_event(client, tree):
    (data,) = json_ld(html_of(client, tree["conference"].url))
    assert data["@type"] == "Event"
    assert data["name"] == "Shareconf 2026"
    assert (data["startDate"], data["endDate"]) == ("2026-05-04", "2026-05-06")
    assert data["location"] == {"@type": "Place", "name": "Lisbon, FIL", "address": "Lisbon, FIL"}


def test_speaker_json_ld_is_a_person(client, tree):
    (data,) = json_ld(html_of(client, "/speakers/ada-example/"))
    assert data["@type"] == "Person" and data["name"] == "Ada Example"


def test_json_ld_cannot_break_out_of_its_script(client, tree):
    title = 'Breaking </script><script>alert("x")</script> & <!-- out'
    talk = TalkFactory(parent=tree["day1"], title=title)
    html = html_of(client, talk.url)
    (data,) = json_ld(html)
    assert data["headline"] == title
    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert "<" not in script and ">" not in script and "&" not in script
    # The only inline script is JSON-LD; the rest are external files.
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert 'type="application/ld+json"' in tag or " src=" in tag, tag


def test_json_ld_filter_escapes():
    rendered = Template("{% load visitor_tags %}{{ data|json_ld }}").render(
        Context({"data": {"name": "</script>&"}})
    )
    assert (
        rendered
        == '<script type="application/ld+json">{"name": "\\u003C/script\\u003E\\u0026"}</script>'
    )


# --- navigation: breadcrumbs, previous/next, programme ------------------------------------------


def test_breadcrumbs(client, tree):
    html = html_of(client, tree["d1_early"].url)
    crumbs = re.search(
        r'<nav class="breadcrumbs wrap" aria-label="Breadcrumb">(.*?)</nav>', html, re.S
    ).group(1)
    assert re.findall(r">([^<>]+)</a>", crumbs) == ["Home", "Shareconf 2026", "Day 1", "Early one"]
    assert 'aria-current="page"' in crumbs


def pager(html: str) -> dict:
    nav = re.search(r'<nav class="pager"[^>]*>(.*?)</nav>', html, re.S)
    links = {}
    if nav:
        for rel, label, title in re.findall(
            r'rel="(prev|next)"><span class="pager__label">([^<]*)</span> ([^<]*)</a>', nav.group(1)
        ):
            links[rel] = (label, title)
    return links


def test_previous_and_next_follow_the_programme_across_days(client, tree):
    assert pager(html_of(client, tree["d1_early"].url)) == {"next": ("Next talk", "Late one")}
    assert pager(html_of(client, tree["d1_late"].url)) == {
        "prev": ("Previous talk", "Early one"),
        "next": ("Next talk", "Untimed one"),
    }
    # The last talk of day 1 leads to the first of day 2, and says so.
    assert pager(html_of(client, tree["d1_untimed"].url)) == {
        "prev": ("Previous talk", "Late one"),
        "next": ("Next talk · Day 2", "Second day opener"),
    }
    # The draft talk (09:00 on day 2) is skipped; the private day's talk is not reached.
    assert pager(html_of(client, tree["d2_first"].url)) == {
        "prev": ("Previous talk · Day 1", "Untimed one")
    }


def test_conference_programme_lists_talks_by_day_with_times_and_rooms(client, tree):
    html = html_of(client, tree["conference"].url)
    order = [
        html.index(t)
        for t in ("Day 1", "Early one", "Late one", "Untimed one", "Day 2", "Second day opener")
    ]
    assert order == sorted(order)
    assert '<time datetime="09:00">09:00</time>' in html and "Room B" in html
    assert "Draft one" not in html and "Private one" not in html


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_talk_page_query_count_does_not_grow_with_the_conference(client, tree):
    talk = tree["d1_early"]
    before = count_queries(client, talk.url)
    for n in range(8):
        TalkFactory(
            parent=tree["day2" if n % 2 else "day1"],
            title=f"More {n}",
            start_time=datetime.time(8, n),
        )
    assert count_queries(client, talk.url) == before


def test_print_stylesheet_and_source_line(client, tree):
    html = html_of(client, tree["d1_early"].url)
    assert 'href="/static/css/print.css" media="print"' in html
    assert (
        f'<p class="print-only print-source">Read these notes online: {ROOT}{tree["d1_early"].url}</p>'
        in html
    )


# --- the read-only API ---------------------------------------------------------------------


def api(client, url) -> dict:
    response = client.get(url)
    assert response.status_code == 200, (url, response.content[:300])
    assert response["Content-Type"] == "application/json"
    return response.json()


def test_api_pages_are_live_and_public_only(client, tree):
    data = api(client, "/api/v2/pages/?type=pages.TalkPage&fields=summary,start_time,room&limit=20")
    titles = {item["title"] for item in data["items"]}
    assert titles == {"Late one", "Untimed one", "Early one", "Second day opener"}
    item = next(i for i in data["items"] if i["title"] == "Early one")
    assert item["meta"]["html_url"] == ROOT + tree["d1_early"].url
    assert (item["start_time"], item["room"]) == ("09:00:00", "Main hall")


def test_api_talk_detail_has_speakers_tags_and_body(client, tree):
    data = api(client, f"/api/v2/pages/{tree['d1_early'].pk}/")
    assert data["tags"] == ["orm"]
    (link,) = data["talk_speakers"]
    assert link["speaker"]["name"] == "Ada Example"
    assert link["speaker"]["meta"]["html_url"] == f"{ROOT}/speakers/ada-example/"
    assert "body" in data and data["summary"]
    assert client.get(f"/api/v2/pages/{tree['draft'].pk}/").status_code == 404
    assert client.get(f"/api/v2/pages/{tree['private'].pk}/").status_code == 404


def test_api_conference_fields(client, tree):
    data = api(client, f"/api/v2/pages/{tree['conference'].pk}/")
    assert (data["start_date"], data["end_date"], data["location"]) == (
        "2026-05-04",
        "2026-05-06",
        "Lisbon, FIL",
    )


def test_api_speakers(client, tree):
    SpeakerFactory(name="Bo Sample", github="bo")
    data = api(client, "/api/v2/speakers/")
    assert [item["name"] for item in data["items"]] == ["Ada Example", "Bo Sample"]
    assert data["items"][0]["meta"]["html_url"] == f"{ROOT}/speakers/ada-example/"
    detail = api(client, f"/api/v2/speakers/{tree['ada'].pk}/")
    assert (
        detail["bio"] == "Writes software and notes about it." and detail["slug"] == "ada-example"
    )
    found = api(client, "/api/v2/speakers/?slug=bo-sample")
    assert [item["name"] for item in found["items"]] == ["Bo Sample"]
    searched = api(client, "/api/v2/speakers/?search=Sample")
    assert [item["name"] for item in searched["items"]] == ["Bo Sample"]


def test_api_images(client, tree):
    image = ImageFactory(title="A diagram")
    data = api(client, "/api/v2/images/")
    assert [item["title"] for item in data["items"]] == ["A diagram"]
    assert api(client, f"/api/v2/images/{image.pk}/")["width"] == 64


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_api_is_read_only(client, tree, method):
    for url in (
        "/api/v2/pages/",
        f"/api/v2/pages/{tree['d1_early'].pk}/",
        "/api/v2/speakers/",
        f"/api/v2/speakers/{tree['ada'].pk}/",
    ):
        response = getattr(client, method)(url, data="{}", content_type="application/json")
        assert response.status_code == 405, (method, url, response.status_code)


def test_api_listing_query_counts_are_fixed_from_2_to_10_items(client, tree):
    conference = ConferenceFactory(title="Apiconf")
    day = DayFactory(parent=conference)
    urls = [
        f"/api/v2/pages/?type=pages.TalkPage&descendant_of={conference.pk}"
        "&fields=talk_speakers,tags,summary,room&limit=20",
        f"/api/v2/pages/?descendant_of={day.pk}&limit=20",
        "/api/v2/speakers/?fields=bio,photo&limit=20",
    ]

    def add(n):
        talk = TalkFactory(parent=day, title=f"Api {n}", speakers=[SpeakerFactory(), tree["ada"]])
        talk.tags.add(f"tag-{n}", "api")
        talk.save()

    for n in range(2):
        add(n)
    few = [count_queries(client, url) for url in urls]
    for n in range(2, 10):
        add(n)
    many = [count_queries(client, url) for url in urls]
    data = api(client, urls[0])
    assert len(data["items"]) == 10
    assert all(item["tags"] and item["talk_speakers"] for item in data["items"])
    assert few == many, (few, many)


def test_sitemap_query_count_is_fixed_from_2_to_10_talks(client, tree):
    day = DayFactory(parent=ConferenceFactory(title="Mapconf"))

    def add(n):
        talk = TalkFactory(parent=day, title=f"Mapped {n}", speakers=[SpeakerFactory()])
        talk.tags.add(f"map-{n}")
        talk.save()

    for n in range(2):
        add(n)
    few = count_queries(client, "/sitemap.xml")
    for n in range(2, 10):
        add(n)
    assert count_queries(client, "/sitemap.xml") == few
    assert client.get("/sitemap.xml").content.decode().count("/mapped-") == 10
