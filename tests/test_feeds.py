"""RSS 2.0 and Atom feeds: parsed by feedparser, checked against the specs' required elements."""

import datetime
import email.utils
import html
import xml.etree.ElementTree as ET

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from wagtail.models import PageViewRestriction

import feedparser
import pytest

from pages.models import TalkPage
from pages.visitors.feeds import TalkFeed
from tests.factories import ConferenceFactory, DayFactory, SpeakerFactory, TalkFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
BODY_MARKER = "Only-in-the-body"
BODY = [{"type": "paragraph", "value": f"<p>{BODY_MARKER} text of the notes.</p>"}]


def published(page, days_ago: int):
    """Pretend ``page`` was first published ``days_ago`` days ago (feeds order by that)."""
    moment = timezone.now() - datetime.timedelta(days=days_ago)
    type(page).objects.filter(pk=page.pk).update(
        first_published_at=moment, last_published_at=moment + datetime.timedelta(hours=1)
    )
    return page


def talk(parent, title, speakers=(), tags=(), days_ago=1, **kwargs):
    page = TalkFactory(parent=parent, title=title, speakers=list(speakers), body=BODY, **kwargs)
    if tags:
        page.tags.add(*tags)
        page.save()
    return published(page, days_ago)


@pytest.fixture
def site():
    ada, bo = SpeakerFactory(name="Ada Example"), SpeakerFactory(name="Bo Sample")
    alpha = ConferenceFactory(title="Alphaconf 2026")
    beta = ConferenceFactory(title="Betaconf 2025")
    alpha_1 = DayFactory(parent=alpha, title="Alpha day 1")
    alpha_2 = DayFactory(parent=alpha, title="Alpha day 2", day_number=2)
    secret_day = DayFactory(parent=alpha, title="Secret day", day_number=3)
    PageViewRestriction.objects.create(
        page=secret_day, restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    beta_1 = DayFactory(parent=beta, title="Beta day 1")
    talks = {
        "a1": talk(alpha_1, "ORM deep dive", [ada], ["orm"], days_ago=3),
        "a2": talk(alpha_2, "Testing the ORM", [bo, ada], ["orm", "testing"], days_ago=2),
        "b1": talk(beta_1, "Beta keynote", [ada], days_ago=1),
        "untitled": talk(beta_1, "Nobody's talk", [], days_ago=4),
        "draft": talk(alpha_1, "Draft talk", [ada], ["orm"], days_ago=0, live=False),
        "secret": talk(secret_day, "Secret talk", [ada], ["orm"], days_ago=0),
    }
    return {"ada": ada, "bo": bo, "alpha": alpha, "beta": beta, "days": [alpha_1, beta_1], **talks}


def fetch(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response


def parse(client, url):
    response = fetch(client, url)
    feed = feedparser.parse(response.content)
    assert not feed.bozo, (url, feed.get("bozo_exception"))
    return response, feed


def shown(value: str, detail) -> str:
    """What a reader shows for a title: HTML (escaped text, as Django escapes titles) decoded."""
    return html.unescape(value) if detail.type == "text/html" else value


def titles(feed) -> list[str]:
    return [shown(entry.title, entry.title_detail) for entry in feed.entries]


def check_rss(xml: bytes) -> None:
    """RSS 2.0: channel title/link/description; each item a title, link, guid and RFC 822 date."""
    root = ET.fromstring(xml)
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    for required in ("title", "link", "description"):
        assert channel.findtext(required), required
    assert channel.find(f"{ATOM}link[@rel='self']") is not None
    for item in channel.findall("item"):
        assert item.findtext("title") and item.findtext("link").startswith("http")
        assert item.findtext("guid") == item.findtext("link")
        assert email.utils.parsedate_to_datetime(item.findtext("pubDate")).tzinfo is not None
        # RSS <author> must be an e-mail address: names go in dc:creator instead.
        assert item.find("author") is None


def check_atom(xml: bytes) -> None:
    """Atom 1.0 (RFC 4287): feed id/title/updated/author/self link; entry id/title/updated/link."""
    root = ET.fromstring(xml)
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert root.findtext(f"{ATOM}{required}"), required
    datetime.datetime.fromisoformat(root.findtext(f"{ATOM}updated"))
    assert root.findtext(f"{ATOM}author/{ATOM}name")
    assert root.find(f"{ATOM}link[@rel='self']") is not None
    ids = []
    for entry in root.findall(f"{ATOM}entry"):
        for required in ("id", "title", "updated"):
            assert entry.findtext(f"{ATOM}{required}"), required
        datetime.datetime.fromisoformat(entry.findtext(f"{ATOM}updated"))
        assert entry.find(f"{ATOM}link[@rel='alternate']") is not None
        for author in entry.findall(f"{ATOM}author"):
            assert author.findtext(f"{ATOM}name"), "an author needs a name"
        ids.append(entry.findtext(f"{ATOM}id"))
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_site_feed_lists_public_talks_newest_first(client, site, kind):
    response, feed = parse(client, f"/feeds/{kind}/")
    assert feed.version == ("rss20" if kind == "rss" else "atom10")
    assert response["Content-Type"].startswith(f"application/{kind}+xml")
    (check_rss if kind == "rss" else check_atom)(response.content)
    assert titles(feed) == ["Beta keynote", "Testing the ORM", "ORM deep dive", "Nobody's talk"]
    entry = feed.entries[1]
    assert entry.link == "http://localhost" + site["a2"].url
    assert "What the talk was about" in entry.summary
    assert "Alphaconf 2026 · Alpha day 2 · by Bo Sample, Ada Example" in entry.summary
    assert [tag.term for tag in entry.tags] == ["orm", "testing"]
    assert entry.author == "Bo Sample, Ada Example"
    assert shown(feed.feed.title, feed.feed.title_detail) == "Confnotes: latest notes"


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_conference_feed(client, site, kind):
    response, feed = parse(client, f"/feeds/conferences/{site['alpha'].slug}/{kind}/")
    (check_rss if kind == "rss" else check_atom)(response.content)
    assert titles(feed) == ["Testing the ORM", "ORM deep dive"]
    assert feed.feed.title.startswith("Alphaconf 2026")
    assert feed.feed.link == "http://localhost" + site["alpha"].url


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_tag_feed(client, site, kind):
    response, feed = parse(client, f"/feeds/tags/orm/{kind}/")
    (check_rss if kind == "rss" else check_atom)(response.content)
    assert titles(feed) == ["Testing the ORM", "ORM deep dive"]
    assert "orm" in feed.feed.title


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_speaker_feed(client, site, kind):
    response, feed = parse(client, f"/feeds/speakers/ada-example/{kind}/")
    (check_rss if kind == "rss" else check_atom)(response.content)
    assert titles(feed) == ["Beta keynote", "Testing the ORM", "ORM deep dive"]
    assert feed.feed.link == "http://localhost/speakers/ada-example/"


def test_unknown_or_hidden_feed_objects_are_404(client, site):
    site["beta"].unpublish()
    for url in (
        "/feeds/tags/nope/rss/",
        "/feeds/speakers/nobody/atom/",
        "/feeds/conferences/nope/rss/",
        f"/feeds/conferences/{site['beta'].slug}/rss/",
    ):
        assert client.get(url).status_code == 404, url


def test_feeds_carry_the_summary_and_never_load_the_body(client, site):
    for url in (
        "/feeds/rss/",
        "/feeds/atom/",
        "/feeds/tags/orm/rss/",
        "/feeds/speakers/ada-example/atom/",
    ):
        with CaptureQueriesContext(connection) as ctx:
            content = fetch(client, url).content.decode()
        assert BODY_MARKER not in content, url
        body_column = f'"{TalkPage._meta.db_table}"."body"'
        assert not any(body_column in q["sql"] for q in ctx.captured_queries), url


def test_feed_is_limited(client, site, monkeypatch):
    monkeypatch.setattr(TalkFeed, "limit", 2)
    _, feed = parse(client, "/feeds/atom/")
    assert titles(feed) == ["Beta keynote", "Testing the ORM"]


def test_feed_escapes_markup(client, site):
    talk(site["days"][0], "Tags <b>&</b> ampersands", [site["bo"]], summary="a < b & c", days_ago=0)
    for kind in ("rss", "atom"):
        _, feed = parse(client, f"/feeds/{kind}/")
        assert titles(feed)[0] == "Tags <b>&</b> ampersands"
        assert "a &lt; b &amp; c" in feed.entries[0].summary


HOSTILE_TITLE = 'Talk "><img src=x onerror=alert(1)> & <script>alert(2)</script>'


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_feed_titles_are_text_in_a_reader(client, site, kind):
    """Issue 18: readers render titles as HTML, so every title is escaped HTML whose rendering is
    the title's text (feedparser: type text/html, no element in it). Before, RSS titles were
    raw markup, so the <img> ran in readers. Channel titles and RSS categories too."""
    conference = ConferenceFactory(title='Conf <img src=x onerror="alert(3)">')
    day = DayFactory(parent=conference)
    talk(day, HOSTILE_TITLE, [site["ada"]], ['<b onmouseover="x">tag</b>'], days_ago=0)
    tag_slug = TalkPage.objects.get(title=HOSTILE_TITLE).tags.get().slug
    channels = {
        f"/feeds/{kind}/": "Confnotes: latest notes",
        f"/feeds/conferences/{conference.slug}/{kind}/": f"{conference.title}: notes on Confnotes",
    }
    for url, channel_title in channels.items():
        _, feed = parse(client, url)
        entry = feed.entries[0]
        for value, detail, text in (
            (entry.title, entry.title_detail, HOSTILE_TITLE),
            (feed.feed.title, feed.feed.title_detail, channel_title),
        ):
            if detail.type == "text/html":
                assert "<" not in value, (url, value)  # escaped: markup is shown, never run
            assert shown(value, detail) == text, url
    raw = fetch(client, f"/feeds/tags/{tag_slug}/{kind}/").content.decode()
    assert "<img" not in raw and "<b " not in raw and "<script" not in raw
    if kind == "rss":  # <category> is element content, which readers render
        assert "<category>&amp;lt;b onmouseover" in raw


def test_pages_advertise_their_feeds(client, site):
    html = fetch(client, "/").content.decode()
    assert '<link rel="alternate" type="application/rss+xml"' in html
    assert 'href="/feeds/atom/"' in html
    conference_html = fetch(client, site["alpha"].url).content.decode()
    assert f'href="/feeds/conferences/{site["alpha"].slug}/rss/"' in conference_html


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fetch(client, url)
    return len(ctx.captured_queries)


FEED_URLS = [
    "/feeds/rss/",
    "/feeds/atom/",
    "/feeds/conferences/countconf/rss/",
    "/feeds/tags/counted/atom/",
    "/feeds/speakers/counted-speaker/rss/",
]


def test_feed_query_counts_are_fixed_from_2_to_10_items(client, site):
    speaker = SpeakerFactory(name="Counted Speaker")
    conference = ConferenceFactory(title="Countconf", slug="countconf")
    days = [DayFactory(parent=conference, day_number=n + 1) for n in range(3)]

    def add(n):
        talk(
            days[n % 3],
            f"Counted {n}",
            [speaker, SpeakerFactory()],
            ["counted", f"t{n}"],
            days_ago=n,
        )

    for n in range(2):
        add(n)
    few = [count_queries(client, url) for url in FEED_URLS]
    for n in range(2, 10):
        add(n)
    many = [count_queries(client, url) for url in FEED_URLS]
    _, feed = parse(client, "/feeds/tags/counted/atom/")
    assert len(feed.entries) == 10
    assert few == many, dict(zip(FEED_URLS, zip(few, many, strict=True), strict=True))
