"""Past SITEMAP_MAX_URLS URLs, /sitemap.xml is a sitemap index of sections in pages."""

import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest

from tests.factories import ConferenceFactory, DayFactory, SpeakerFactory, TalkFactory

pytestmark = pytest.mark.django_db

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def locations(client, url: str) -> tuple[str, list[str]]:
    response = client.get(url)
    assert response.status_code == 200, url
    root = ET.fromstring(response.content)
    return root.tag.removeprefix(NS), [loc.text for loc in root.iter(f"{NS}loc")]


def every_url(client) -> list[str]:
    """What the sitemap lists, following the index when there is one."""
    kind, urls = locations(client, "/sitemap.xml")
    if kind == "urlset":
        return urls
    assert kind == "sitemapindex"
    found = []
    for url in urls:
        parts = urlsplit(url)
        kind, listed = locations(client, parts.path + (f"?{parts.query}" if parts.query else ""))
        assert kind == "urlset" and len(listed) <= 6, (url, listed)
        found += listed
    return found


def add_talks(day, start: int, count: int) -> None:
    for n in range(start, start + count):
        TalkFactory(parent=day, title=f"Indexed {n}", speakers=[SpeakerFactory(name=f"S {n}")])


def test_the_sitemap_becomes_an_index_past_the_limit(client, settings):
    settings.SITEMAP_MAX_URLS = 50_000
    day = DayFactory(parent=ConferenceFactory(title="Indexconf"))
    add_talks(day, 0, 2)
    small = every_url(client)  # a plain sitemap below the limit
    # home, conference, day, 2 talks, speaker and tag indexes, 2 speakers
    assert locations(client, "/sitemap.xml")[0] == "urlset" and len(small) == 9
    add_talks(day, 2, 8)
    settings.SITEMAP_MAX_URLS = 50_000
    single = every_url(client)
    assert len(single) == 25 and len(set(single)) == 25
    settings.SITEMAP_MAX_URLS = 6
    kind, sections = locations(client, "/sitemap.xml")
    assert kind == "sitemapindex"
    # pages: 13 URLs in 3 files of at most 6, listings: 2 in 1, speakers: 10 in 2, no tags
    assert [url.removeprefix("http://localhost") for url in sections] == [
        "/sitemap-pages.xml",
        "/sitemap-pages.xml?p=2",
        "/sitemap-pages.xml?p=3",
        "/sitemap-listings.xml",
        "/sitemap-speakers.xml",
        "/sitemap-speakers.xml?p=2",
    ]
    assert sorted(every_url(client)) == sorted(single)
    assert client.get("/sitemap-nothing.xml").status_code == 404
