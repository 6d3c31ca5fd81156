"""Issue 18, the web half: hostile input never breaks a page and never leaks.

Each test names what it answered before the fix. The property-based walk over every URL is
``tests/test_fuzz_urls.py``; feed titles are in ``tests/test_feeds.py``, the page chooser in
``tests/test_permissions.py``.
"""

import importlib

from django.apps import apps
from django.test import Client, override_settings

from taggit.models import Tag
from wagtail.contrib.search_promotions.models import Query, SearchPromotion
from wagtail.models import Page, PageViewRestriction

import feedparser
import pytest

from pages.tag_slugs import base_slug
from tests.factories import ConferenceFactory, DayFactory, SpeakerFactory, TalkFactory
from tests.test_permissions import PAGE_SECRET, World

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    ada = SpeakerFactory(name="Ada Example")
    conference = ConferenceFactory(title="Hostileconf 2026")
    day = DayFactory(parent=conference, title="Day one")
    talk = TalkFactory(parent=day, title="A plain talk", speakers=[ada])
    talk.tags.add("databases")
    talk.save()
    return {"ada": ada, "conference": conference, "day": day, "talk": talk}


def answer(url: str, method: str = "get", **extra) -> int:
    """The status a visitor gets (500 included: no exception raised into the test)."""
    return getattr(Client(raise_request_exception=False), method)(url, **extra).status_code


# --- 500s anyone can trigger ------------------------------------------------------------------

NUL_URLS = [
    "/speakers/%00/",
    "/tags/%00/",
    "/calendars/conferences/%00.ics",
    "/feeds/conferences/%00/rss/",
    "/feeds/tags/%00/atom/",
    "/feeds/speakers/%00/rss/",
    "/%00/",  # Wagtail's page serving
    "/hostileconf-2026/%00/",
    "/api/v2/pages/find/?html_path=/%00/",
    "/api/v2/pages/?search=%00",
    "/api/v2/images/?search=%00",
    "/api/v2/speakers/?search=%00",
    "/api/v2/pages/?type=pages.TalkPage&title=%00",
    "/search/?q=%00",
    "/search/suggest/?q=a%00b",
    "/tags/?page=%00",
    "/?%00=1",
]


@pytest.mark.parametrize("url", NUL_URLS)
def test_nul_bytes_answer_400(site, url):
    """Before: 500 on PostgreSQL (it refuses NUL in text), 404 or 200 on SQLite."""
    assert answer(url) == 400


HUGE = "99999999999999999999"  # beyond 64 bits


@pytest.mark.parametrize(
    "url, status",
    [
        (f"/calendars/talks/{HUGE}.ics", 404),  # before: 500 on SQLite (OverflowError)
        (f"/calendars/days/{HUGE}.ics", 404),
        (f"/api/v2/pages/{HUGE}/", 404),
        (f"/api/v2/speakers/{HUGE}/", 404),
        (f"/_util/authenticate_with_password/{HUGE}/{HUGE}/", 404),
        (f"/api/v2/pages/?offset={HUGE}", 400),  # before: 500 on both databases
        (f"/api/v2/images/?offset={HUGE}", 400),
        (f"/api/v2/speakers/?offset={HUGE}", 400),
        (f"/api/v2/pages/?limit={HUGE}", 400),
        ("/api/v2/pages/?offset=-1", 400),  # Wagtail's own checks still apply
        ("/api/v2/pages/?offset=2", 200),
        ("/api/v2/speakers/find/?id=%C2%B2", 400),  # before: 500 (found by the fuzzer)
        ("/api/v2/pages/find/?id=x", 400),
        ("/api/v2/images/find/?id=-", 400),
        (f"/api/v2/pages/find/?id={HUGE}", 404),
    ],
)
def test_integers_beyond_64_bits(site, url, status):
    assert answer(url) == status


def test_huge_offset_says_why(site):
    response = Client().get(f"/api/v2/pages/?offset={HUGE}")
    assert response.json() == {"message": "offset must be at most 2147483647"}


PUBLIC_URLS = [
    "/",
    "/hostileconf-2026/",
    "/speakers/",
    "/tags/",
    "/search/?q=talk",
    "/feeds/rss/",
    "/sitemap.xml",
    "/robots.txt",
    "/healthz",
    "/api/v2/pages/",
    "/calendars/conferences/hostileconf-2026.ics",
]


@pytest.mark.parametrize("method", ["TRACE", "PUT", "PATCH", "DELETE", "CONNECT", "PROPFIND"])
def test_methods_a_public_view_does_not_serve_answer_405(site, method):
    """Before: TRACE (and PUT, DELETE…) answered 200 on Wagtail's pages, feeds, search, the API."""
    client = Client(raise_request_exception=False)
    for url in PUBLIC_URLS:
        response = client.generic(method, url)
        assert response.status_code == 405, (method, url, response.status_code)
        assert response["Allow"] == "GET, HEAD, OPTIONS, POST"


def test_media_names_the_file_system_refuses_answer_404(site):
    """Found by the URL fuzzer: a 300-character name made the media view's stat() raise
    ENAMETOOLONG, a 500."""
    client = Client(raise_request_exception=False)
    assert client.get("/media/" + "ß" * 300).status_code == 404
    assert client.get("/media/images/" + "a" * 5000 + ".png").status_code == 404


def test_served_methods_still_work(site):
    """GET and HEAD (link checkers, uptime monitors, crawlers) answer 200 on every public view."""
    client = Client()
    for url in PUBLIC_URLS:
        assert client.get(url).status_code == 200, url
        assert client.head(url).status_code == 200, ("HEAD", url)
    assert client.options("/api/v2/pages/").status_code == 200


# --- tags named with punctuation or emoji ------------------------------------------------------


@pytest.mark.parametrize(
    "name, slug",
    [
        ("!!!", "exclamation-mark"),
        ("🐍", "snake"),
        ("❤️", "heavy-black-heart"),  # the variation selector is left out
        ("?!", "question-mark-exclamation-mark"),
        ("café", "café"),  # letters of any script: taggit's slug
        ("日本", "日本"),
        ("C#", "c"),
        ("\u200d", "tag"),  # nothing with a name of its own
    ],
)
def test_base_slug(name, slug):
    assert base_slug(name) == slug


def test_punctuation_and_emoji_tags_get_usable_unique_slugs(client, site):
    """Before: "!!!" got the empty slug and the talk page, /tags/ and /sitemap.xml answered 500."""
    talk = site["talk"]
    names = ["!!!", "!", "🐍", "snake", "!?", "?!"]
    talk.tags.add(*names)
    talk.save()
    slugs = {tag.name: tag.slug for tag in Tag.objects.filter(name__in=names)}
    assert all(slugs.values()) and len(set(slugs.values())) == len(names), slugs
    assert slugs["!!!"] == "exclamation-mark" and slugs["!"] == "exclamation-mark-2"
    # "snake" and "🐍" share a base; whichever comes second gets a suffix (taggit's "_1" or ours)
    assert slugs["🐍"].startswith("snake") and slugs["snake"].startswith("snake")
    for url in (talk.url, "/tags/", "/sitemap.xml"):
        assert client.get(url).status_code == 200, url
    html = client.get("/tags/").content.decode()
    for slug in slugs.values():
        assert client.get(f"/tags/{slug}/").status_code == 200, slug
        assert f'href="/tags/{slug}/"' in html


def test_migration_gives_existing_tags_a_slug(site):
    """Tags saved before the fix: empty slugs and taggit's "_1" become usable ones."""
    Tag.objects.bulk_create([Tag(name="!!!", slug=""), Tag(name="???", slug="_1")])
    migration = importlib.import_module("pages.migrations.0014_hostile_web_tag_slugs")
    migration.fix_slugs(apps, None)
    assert dict(Tag.objects.values_list("name", "slug")) == {
        "databases": "databases",
        "!!!": "exclamation-mark",
        "???": "question-mark",
    }


# --- leaks ------------------------------------------------------------------------------------


def test_search_promotions_show_only_public_pages(client, site):
    """Before: promoted password- and login-restricted pages were listed to anonymous visitors."""
    day = site["day"]
    secret = TalkFactory(parent=day, title="Secret plan talk", slug="secret-plan")
    members = TalkFactory(parent=day, title="Members plan talk", slug="members-plan")
    open_talk = TalkFactory(parent=day, title="Open plan talk", slug="open-plan")
    PageViewRestriction.objects.create(
        page=secret, restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    PageViewRestriction.objects.create(page=members, restriction_type=PageViewRestriction.LOGIN)
    query = Query.get("plan")
    for order, page in enumerate((secret, members, open_talk)):
        SearchPromotion.objects.create(
            query=query, page=page, sort_order=order, description=f"Pick {page.slug}"
        )
    html = client.get("/search/", {"q": "plan"}).content.decode()
    assert "Editors’ picks" in html and "Pick open-plan" in html
    for page in (secret, members):
        assert page.title not in html and page.url not in html and f"Pick {page.slug}" not in html


def test_accessibility_report_offers_only_explorable_conferences(client, django_user_model, home):
    """Before: the report's conference filter listed every conference, drafts included, so the
    editor of B read A's unpublished title there."""
    world = World(django_user_model)
    client.force_login(world.editor_b)
    response = client.get("/admin/reports/accessibility/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Conference Bee" in html and PAGE_SECRET not in html
    choices = response.context["filters"].form.fields["conference"].queryset
    assert list(choices) == [world.conf_b]
    client.force_login(world.editor_a)
    assert PAGE_SECRET in client.get("/admin/reports/accessibility/").content.decode()


LIMIT = 3


def guess(client, restriction, page, password, **extra):
    return client.post(
        f"/_util/authenticate_with_password/{restriction.pk}/{page.pk}/",
        {"password": password, "return_url": page.url},
        **extra,
    )


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=LIMIT)
def test_privacy_passwords_are_throttled_like_logins(site):
    """Before: any number of guesses (50 in 0.5 s) got the form again; now, like admin logins,
    the LIMIT-th wrong password from an address locks that restriction for that address."""
    page = site["conference"]
    restriction = PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.PASSWORD, password="right one"
    )
    client = Client()
    statuses = [
        guess(client, restriction, page, f"guess {n}").status_code for n in range(LIMIT + 1)
    ]
    assert statuses == [200] * (LIMIT - 1) + [429, 429]
    locked = guess(client, restriction, page, "right one")
    assert locked.status_code == 429 and "Too many wrong passwords" in locked.content.decode()
    talk_url = site["talk"].url  # in the private section
    assert "What the talk was about" not in client.get(talk_url).content.decode()
    # Another address is not locked out, and the right password lets it in.
    other = Client(REMOTE_ADDR="198.51.100.7")
    response = guess(other, restriction, page, "right one")
    assert response.status_code == 302 and response["Location"] == page.url
    assert "What the talk was about" in other.get(talk_url).content.decode()


def test_privacy_passwords_without_throttling(site):
    """AXES_ENABLED off (test settings): Wagtail's form as it is."""
    page = site["conference"]
    restriction = PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.PASSWORD, password="right one"
    )
    client = Client()
    for n in range(LIMIT + 2):
        assert guess(client, restriction, page, f"guess {n}").status_code == 200
    assert guess(client, restriction, page, "right one").status_code == 302


def test_admin_does_not_load_gravatar(client, django_user_model, home):
    """Before: the admin's avatars came from //www.gravatar.com/avatar/<md5 of the e-mail>."""
    user = django_user_model.objects.create_superuser("eve", "eve@example.org", "pw")
    client.force_login(user)
    for url in ("/admin/", f"/admin/users/{user.pk}/", "/admin/account/"):
        html = client.get(url).content.decode()
        assert "gravatar" not in html.lower(), url


def test_escaped_feed_titles_stay_text_in_feedparser(client, site):
    """Both feed kinds, the site's title: what feedparser hands a reader shows as text."""
    Page.objects.filter(pk=site["talk"].pk).update(title="A <i>plain</i> talk")
    for kind in ("rss", "atom"):
        feed = feedparser.parse(client.get(f"/feeds/{kind}/").content)
        entry = feed.entries[0]
        assert "<i>" not in entry.title, kind
