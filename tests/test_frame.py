"""The site's frame kept per process (site_core/templatetags/frame_tags.py): never another page's."""

import re

import pytest

from site_core.templatetags import frame_tags
from tests.factories import ConferenceFactory

pytestmark = pytest.mark.django_db


def current(html: str) -> list[str]:
    """The header's links marked as the current page."""
    html = re.search(r'<header class="site-header">.*?</header>', html, re.S).group(0)
    return re.findall(r'<a [^>]*aria-current="page"[^>]*>(?:<svg.*?</svg>)?([^<]*)<', html)


def search_value(html: str) -> str:
    return re.search(r'id="site-search-q" type="search" name="q" value="([^"]*)"', html).group(1)


def test_each_section_marks_its_own_link(client):
    conference = ConferenceFactory(title="Framecon 2026")
    frame_tags._rendered.clear()
    for url, expected in [
        ("/", ["Conferences"]),
        ("/speakers/", ["Speakers"]),
        (conference.url, []),
        ("/tags/", ["Tags"]),
        ("/search/", ["Search"]),
        ("/", ["Conferences"]),
        (conference.url, []),
    ]:
        assert current(client.get(url).content.decode()) == expected, url
    assert {key[0] for key in frame_tags._rendered} == {"head", "site-feeds", "header", "footer"}


def test_the_search_box_keeps_only_its_own_query(client):
    assert search_value(client.get("/search/?q=caching").content.decode()) == "caching"
    assert search_value(client.get("/search/?q=%3Cb%3E").content.decode()) == "&lt;b&gt;"
    assert search_value(client.get("/speakers/").content.decode()) == ""


def test_a_changed_setting_is_not_hidden(client, settings):
    assert "Confnotes: conference notes" in client.get("/speakers/").content.decode()
    settings.WAGTAIL_SITE_NAME = "Notebook"
    html = client.get("/speakers/").content.decode()
    assert "Notebook: conference notes" in html and "Confnotes: conference" not in html


def test_the_cache_is_bounded(client, monkeypatch):
    monkeypatch.setattr(frame_tags, "MAX_ENTRIES", 3)
    frame_tags._rendered.clear()
    for n in range(5):
        client.get(f"/search/?q=word{n}")
    assert len(frame_tags._rendered) <= 3


def test_debug_renders_every_time(client, settings):
    settings.DEBUG = True
    frame_tags._rendered.clear()
    client.get("/speakers/")
    assert frame_tags._rendered == {}
