"""The front cache end to end: varnishd in front of a live server, started as in production
(deploy/varnish/varnishd.sh: default.vcl with the parameters in varnishd.params).

Wagtail's frontend-cache app and site_core.frontend_cache purge the page and every listing it
appears on; a published edit must be visible through Varnish within a second.
"""

import gzip
import http.client
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from django.test import override_settings

from wagtail.models import Site

import pytest

from site_core import frontend_cache
from tests.conftest import service_unavailable
from tests.factories import ConferenceFactory, DayFactory, SpeakerFactory, TalkFactory

DEPLOY = Path(__file__).resolve().parent.parent / "deploy" / "varnish"
VCL = DEPLOY / "default.vcl"
VARNISHD_SH = DEPLOY / "varnishd.sh"
PURGE_LATENCY_BUDGET = 1.0  # seconds


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Varnish:
    """varnishd in the foreground on a loopback port, with the repository's VCL and parameters."""

    def __init__(self, backend_port: int):
        self.binary = shutil.which("varnishd") or (
            "/usr/sbin/varnishd" if Path("/usr/sbin/varnishd").exists() else None
        )
        if not self.binary:
            service_unavailable("varnishd is not installed (apt-get install varnish)")
        self.workdir = Path(tempfile.mkdtemp(prefix="confnotes-varnish-"))
        vcl = VCL.read_text().replace('.port = "8000";', f'.port = "{backend_port}";')
        (self.workdir / "default.vcl").write_text(vcl)
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                str(VARNISHD_SH),
                "-F",
                "-j",
                "none",
                "-n",
                str(self.workdir / "instance"),
                "-a",
                f"127.0.0.1:{self.port}",
                "-f",
                str(self.workdir / "default.vcl"),
                "-T",
                "none",
            ],
            env={**os.environ, "VARNISHD": self.binary},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                output = self.process.stdout.read()
                service_unavailable(f"varnishd did not start: {output[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        service_unavailable("varnishd did not listen within 30 s")

    def request(self, path, method="GET", headers=None, source=None, raw=False):
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=10, source_address=(source, 0) if source else None
        )
        try:
            connection.request(method, path, headers={"Host": self.host, **(headers or {})})
            response = connection.getresponse()
            body = response.read()
            return response.status, dict(response.getheaders()), body if raw else body.decode()
        finally:
            connection.close()

    @property
    def host(self) -> str:
        return f"localhost:{self.port}"

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.workdir, ignore_errors=True)


@pytest.fixture
def varnish(live_server):
    cache = Varnish(urlsplit(live_server.url).port)
    yield cache
    cache.stop()


@pytest.fixture
def purging(varnish):
    """Wagtail purges through this Varnish, and the site's URLs point at it."""
    Site.objects.filter(is_default_site=True).update(hostname="localhost", port=varnish.port)
    backend = {
        "BACKEND": "site_core.frontend_cache.TimeoutHTTPBackend",
        "LOCATION": f"http://127.0.0.1:{varnish.port}",
    }
    with override_settings(WAGTAILFRONTENDCACHE={"varnish": backend}):
        yield varnish


def path_of(url: str) -> str:
    return urlsplit(url).path


def cached(varnish, path) -> str:
    """GET twice; the second answer must come from the cache."""
    status, _headers, _body = varnish.request(path)
    assert status == 200, path
    status, headers, body = varnish.request(path)
    assert status == 200 and headers.get("X-Cache") == "HIT", (path, headers)
    return body


def wait_for(varnish, checks: dict, budget=PURGE_LATENCY_BUDGET, stale=None) -> dict[str, float]:
    """Poll the URLs until each check passes.

    Fails when a request *sent* more than ``budget`` seconds after the call still gets the old
    version (a reader asking a second after the publish must see the new one). Returns, for
    each URL, how long after the call the request that first saw the new version was sent;
    ``stale`` (a list), if given, collects the URLs answered with the old version meanwhile.
    """
    started = time.monotonic()
    pending = dict(checks)
    fresh_at = {}
    while pending:
        for path, check in list(pending.items()):
            sent = time.monotonic() - started
            status, headers, body = varnish.request(path)
            if check(status, body, headers):
                pending.pop(path)
                fresh_at[path] = sent
            elif stale is not None:
                stale.append(path)
            if path in pending and sent > budget:
                pytest.fail(f"{path} still stale {sent:.2f}s after the change: {status} {headers}")
        if pending:
            time.sleep(0.02)
    return fresh_at


pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def tree():
    conference = ConferenceFactory(title="Cacheconf 2026", slug="cacheconf-2026")
    day = DayFactory(parent=conference, title="Day one", slug="day-one")
    other_day = DayFactory(parent=conference, title="Day two", slug="day-two", day_number=2)
    speaker = SpeakerFactory(name="Vera Varnish")
    talk = TalkFactory(parent=day, title="Caching talk", slug="caching-talk", speakers=[speaker])
    talk.tags.add("caching")
    talk.save_revision().publish()
    return {
        "conference": conference,
        "day": day,
        "other_day": other_day,
        "speaker": speaker,
        "talk": talk,
    }


def test_anonymous_pages_are_cached_and_editors_bypass(purging, tree):
    varnish = purging
    talk = path_of(tree["talk"].url)
    cached(varnish, talk)
    for headers in ({"Cookie": "sessionid=abc"}, {"Cookie": "theme=dark; csrftoken=xyz"}):
        status, response_headers, _ = varnish.request(talk, headers=headers)
        assert status == 200 and response_headers["X-Cache"] == "MISS", headers
    status, response_headers, _ = varnish.request(talk, headers={"Cookie": "_ga=1"})
    assert response_headers["X-Cache"] == "HIT", "other cookies do not split the cache"
    for _ in range(2):
        status, response_headers, _ = varnish.request("/admin/login/")
        assert status == 200 and response_headers["X-Cache"] == "MISS"
    assert "x-confnotes-path" not in {h.lower() for h in response_headers}


def test_pages_are_compressed_once_for_every_client(purging, tree):
    """Varnish gzips a page when it fetches it (the app does not) and stores it compressed:
    browsers get gzip, a client without Accept-Encoding gets the same page gunzipped, both
    from the one cached object."""
    varnish = purging
    talk = path_of(tree["talk"].url)
    accepts_gzip = {"Accept-Encoding": "gzip, deflate, br"}
    status, headers, compressed = varnish.request(talk, headers=accepts_gzip, raw=True)
    assert status == 200 and headers["X-Cache"] == "MISS"
    assert headers.get("Content-Encoding") == "gzip", headers
    assert "Accept-Encoding" in headers["Vary"]
    page = gzip.decompress(compressed).decode()
    assert "Caching talk" in page and len(compressed) < len(page.encode()) / 2
    status, headers, plain = varnish.request(talk)
    assert status == 200 and headers["X-Cache"] == "HIT", headers
    assert "Content-Encoding" not in headers and plain == page

    # A feed (application/rss+xml) is compressed too.
    status, headers, feed = varnish.request("/feeds/rss/", headers=accepts_gzip, raw=True)
    assert status == 200 and headers.get("Content-Encoding") == "gzip", headers
    assert b"Caching talk" in gzip.decompress(feed)


def test_purge_only_from_the_allowed_addresses(purging, tree):
    varnish = purging
    talk = path_of(tree["talk"].url)
    cached(varnish, talk)
    try:
        status, _, _ = varnish.request(talk, method="PURGE", source="127.0.0.2")
    except OSError as exc:  # pragma: no cover - a loopback without 127.0.0.2
        service_unavailable(f"cannot send from 127.0.0.2: {exc}")
    assert status == 405
    assert varnish.request(talk)[1]["X-Cache"] == "HIT"
    status, _, _ = varnish.request(talk, method="PURGE")
    assert status == 200
    assert varnish.request(talk)[1]["X-Cache"] == "MISS"


def test_published_edit_shows_through_varnish_within_a_second(purging, tree):
    varnish = purging
    talk = tree["talk"]
    listings = {
        path_of(talk.url): "talk",
        path_of(tree["day"].url): "day",
        path_of(tree["conference"].url): "conference",
        "/": "home",
        "/tags/caching/": "tag",
        f"/speakers/{tree['speaker'].slug}/": "speaker",
        "/feeds/rss/": "feed",
        "/feeds/conferences/cacheconf-2026/atom/": "conference feed",
        "/feeds/tags/caching/rss/": "tag feed",
        "/feeds/speakers/vera-varnish/rss/": "speaker feed",
    }
    shows_title = {path for path in listings if "Caching talk" in cached(varnish, path)}
    # every listing shows the talk (the home page among its latest notes)
    assert shows_title == set(listings), set(listings) - shows_title

    def fresh(path):
        if path in shows_title:
            return lambda status, body, headers: "Caching talk, revised" in body
        return lambda status, body, headers: headers["X-Cache"] == "MISS"  # purged all the same

    talk.title = "Caching talk, revised"
    started = time.monotonic()
    talk.save_revision().publish()
    publish_seconds = time.monotonic() - started
    stale = []
    fresh_at = wait_for(varnish, {path: fresh(path) for path in listings}, stale=stale)
    # The purges are sent before publish() returns: the first request for every URL afterwards
    # gets the new version (later URLs in the loop only waited for earlier ones to render).
    assert stale == [], stale
    latency = publish_seconds + fresh_at[path_of(talk.url)]
    assert latency < PURGE_LATENCY_BUDGET, f"{latency:.3f}s"
    print(
        f"publish() took {publish_seconds:.3f}s including the purges; the edited page was fresh "
        f"through Varnish {latency:.3f}s after publishing started; all {len(listings)} URLs "
        f"fresh on their first request (last one sent {max(fresh_at.values()):.3f}s after)"
    )


def test_removed_tag_and_unpublish_and_delete_are_purged(purging, tree):
    varnish = purging
    talk = tree["talk"]
    talk_path = path_of(talk.url)
    for path in (talk_path, "/tags/caching/", path_of(tree["day"].url)):
        assert "Caching talk" in cached(varnish, path)

    # An edit that removes the tag: the tag page drops the talk.
    talk.tags.clear()
    talk.save_revision().publish()
    wait_for(varnish, {"/tags/caching/": lambda status, body, headers: "Caching talk" not in body})

    talk.unpublish()
    wait_for(
        varnish,
        {
            talk_path: lambda status, body, headers: status == 404,
            path_of(tree["day"].url): lambda status, body, headers: "Caching talk" not in body,
        },
    )

    talk.save_revision().publish()
    wait_for(varnish, {talk_path: lambda status, body, headers: status == 200})
    assert "Caching talk" in cached(varnish, path_of(tree["day"].url))
    talk.delete()
    wait_for(
        varnish,
        {
            talk_path: lambda status, body, headers: status == 404,
            path_of(tree["day"].url): lambda status, body, headers: "Caching talk" not in body,
        },
    )


def test_moved_page_is_purged_at_both_places(purging, tree):
    varnish = purging
    talk, day, other_day = tree["talk"], tree["day"], tree["other_day"]
    old_path = path_of(talk.url)
    assert "Caching talk" in cached(varnish, old_path)
    assert "Caching talk" in cached(varnish, path_of(day.url))
    assert "Caching talk" not in cached(varnish, path_of(other_day.url))

    talk.move(other_day, pos="last-child")
    talk.refresh_from_db()
    new_path = path_of(talk.url)
    assert new_path != old_path
    wait_for(
        varnish,
        {
            # Wagtail's redirects app sends readers of the old URL on to the new one.
            old_path: lambda status, body, headers: (
                status == 301 and headers["Location"].endswith(new_path)
            ),
            new_path: lambda status, body, headers: status == 200,
            path_of(day.url): lambda status, body, headers: "Caching talk" not in body,
            path_of(other_day.url): lambda status, body, headers: "Caching talk" in body,
        },
    )


def test_listing_urls_cover_conference_day_home_tags_speakers_and_feeds(tree, settings):
    settings.WAGTAILFRONTENDCACHE = {}
    urls = {path_of(url) for url in frontend_cache.listing_urls(tree["talk"])}
    talk = tree["talk"]
    expected = {
        path_of(talk.url),
        path_of(tree["day"].url),
        path_of(tree["conference"].url),
        "/",
        "/tags/",
        "/tags/caching/",
        "/speakers/",
        f"/speakers/{tree['speaker'].slug}/",
        "/feeds/rss/",
        "/feeds/atom/",
        "/feeds/conferences/cacheconf-2026/rss/",
        "/feeds/tags/caching/atom/",
        f"/feeds/speakers/{tree['speaker'].slug}/rss/",
        f"/calendars/talks/{talk.pk}.ics",
        f"/calendars/days/{tree['day'].pk}.ics",
        "/calendars/conferences/cacheconf-2026.ics",
        "/sitemap.xml",
    }
    assert expected <= urls, expected - urls
