"""Production settings: the deploy check, Content Security Policy, health check, login throttling."""

import importlib
import json
import os
import re
import secrets
import string
import subprocess
import sys
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from django.test import override_settings

import pytest

from tests.factories import DayFactory, TalkFactory, mixed_body

ROOT = Path(__file__).resolve().parent.parent


def random_secret_key(length: int = 60) -> str:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return "".join(secrets.choice(alphabet) for _ in range(length))


def production_env(tmp_path, **extra) -> dict[str, str]:
    """A clean environment in which production settings load (no developer variables)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AWS_", "DJANGO_", "DATABASE_", "OPENSEARCH", "ELASTICSEARCH"))
        and key not in {"SECRET_KEY", "ALLOWED_HOSTS", "FRONTEND_CACHE_URL"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="site_core.settings.production",
        SECRET_KEY=random_secret_key(),
        ALLOWED_HOSTS="notes.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'production.sqlite3'}",
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
        CONFNOTES_VAR_DIR=str(tmp_path),
    )
    env.update(extra)
    return env


def production_settings(monkeypatch, **env):
    """A fresh import of site_core.settings.production under a test environment."""
    env = {"SECRET_KEY": random_secret_key(), "ALLOWED_HOSTS": "notes.example.org", **env}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    saved = {
        n: sys.modules.pop(n) for n in list(sys.modules) if n.startswith("site_core.settings.")
    }
    try:
        return importlib.import_module("site_core.settings.production")
    finally:
        for name in [n for n in sys.modules if n.startswith("site_core.settings.")]:
            del sys.modules[name]
        sys.modules.update(saved)


def manage(args, env, timeout=120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


# --- the deploy check ---------------------------------------------------------------------


def test_check_deploy_passes_with_production_settings(tmp_path):
    result = manage(["check", "--deploy", "--fail-level", "WARNING"], production_env(tmp_path))
    output = result.stdout + result.stderr
    print(output)
    assert result.returncode == 0, output
    assert "System check identified no issues" in output


def test_production_database_and_upload_settings(monkeypatch, tmp_path):
    production = production_settings(
        monkeypatch, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}"
    )
    database = production.DATABASES["default"]
    assert database["CONN_MAX_AGE"] > 0
    assert database["CONN_HEALTH_CHECKS"] is True
    assert production.WAGTAILIMAGES_MAX_IMAGE_PIXELS <= 50_000_000
    assert production.WAGTAILIMAGES_MAX_UPLOAD_SIZE <= 20 * 1024 * 1024
    assert production.DATA_UPLOAD_MAX_MEMORY_SIZE <= 10 * 1024 * 1024
    assert production.FILE_UPLOAD_MAX_MEMORY_SIZE <= 5 * 1024 * 1024
    assert "svg" not in production.WAGTAILIMAGES_EXTENSIONS
    assert not {"html", "htm", "svg", "js", "exe"} & set(production.WAGTAILDOCS_EXTENSIONS)
    assert production.SESSION_COOKIE_SECURE and production.CSRF_COOKIE_SECURE
    assert production.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")
    # Varnish's probe asks for /healthz over plain HTTP: no redirect for it, for it only.
    assert [p for p in production.SECURE_REDIRECT_EXEMPT if re.match(p, "healthz")]
    assert not [p for p in production.SECURE_REDIRECT_EXEMPT if re.match(p, "admin/login/")]


def test_s3_media_in_production_settings(monkeypatch):
    production = production_settings(
        monkeypatch,
        AWS_STORAGE_BUCKET_NAME="notes-media",
        AWS_S3_CUSTOM_DOMAIN="media.notes.example.org",
    )
    assert production.STORAGES["default"]["BACKEND"] == "site_core.storage.S3MediaStorage"
    assert production.WAGTAILDOCS_SERVE_METHOD == "redirect"
    assert "https://media.notes.example.org" in production.SECURE_CSP["img-src"]


def test_static_files_are_hashed_compressed_and_cached_for_a_year(tmp_path):
    env = production_env(tmp_path)
    result = manage(["collectstatic", "--noinput", "-v", "0"], env)
    assert result.returncode == 0, result.stderr
    hashed = sorted((tmp_path / "static" / "css").glob("site.*.css"))
    assert hashed, "collectstatic wrote hashed names"
    assert Path(f"{hashed[0]}.gz").exists() or Path(f"{hashed[0]}.br").exists()
    script = """
import django
django.setup()
from django.test import Client
from django.templatetags.static import static
url = static("css/site.css")
response = Client().get(url, secure=True, headers={"accept-encoding": "gzip"})
print(url, response.status_code, response["Cache-Control"], response.get("Content-Encoding", ""))
"""
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.split()
    url, status, cache_control, encoding = out[0], out[1], out[2:-1], out[-1]
    assert re.fullmatch(r"/static/css/site\.[0-9a-f]{12}\.css", url), url
    assert status == "200"
    assert "max-age=315360000," in cache_control and "immutable" in cache_control
    assert encoding == "gzip"


# --- Content Security Policy --------------------------------------------------------------


@pytest.fixture
def production_csp(monkeypatch, tmp_path):
    """The production middleware stack and CSP settings, in this test process."""
    production = production_settings(
        monkeypatch, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}"
    )
    with override_settings(
        MIDDLEWARE=production.MIDDLEWARE,
        SECURE_CSP=production.SECURE_CSP,
        CSP_ADMIN=production.CSP_ADMIN,
        CSP_ADMIN_REPORT_ONLY=production.CSP_ADMIN_REPORT_ONLY,
    ):
        yield production


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)([^>]*)>", re.IGNORECASE)
DATA_BLOCK_TYPE = re.compile(r'type="(application/(ld\+)?json|text/template)"', re.IGNORECASE)


def inline_code(html: str) -> list[str]:
    """Inline scripts that would execute, <style> elements, style="" and on…="" attributes."""
    found = [
        match.group(0)
        for match in INLINE_SCRIPT.finditer(html)
        if not DATA_BLOCK_TYPE.search(match.group(1))
    ]
    found += re.findall(r"<style[\s>]", html, re.IGNORECASE)
    found += re.findall(r"<[a-z][^>]*\s(?:style|on[a-z]+)=", html, re.IGNORECASE)
    return found


@pytest.mark.django_db
def test_public_pages_enforce_a_strict_policy_without_nonce(client, production_csp):
    from tests.factories import ImageFactory

    talk = TalkFactory(parent=DayFactory(), body=mixed_body(12, image=ImageFactory()))
    for url in ["/", talk.url, talk.get_parent().url, "/search/?q=talk", "/tags/", "/speakers/"]:
        response = client.get(url, secure=True)
        assert response.status_code == 200, url
        assert "Content-Security-Policy-Report-Only" not in response, url
        header = response["Content-Security-Policy"]
        policy = directives(header)
        assert policy["default-src"] == ["'self'"]
        assert policy["script-src"] == ["'self'"], "no nonce, no unsafe-inline, no hosts"
        assert policy["style-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"]
        assert policy["base-uri"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert "nonce-" not in header and "unsafe" not in header
        assert inline_code(response.content.decode()) == [], url


@pytest.mark.django_db
def test_a_template_that_asks_for_a_nonce_gets_one(rf, production_csp):
    from django.http import HttpResponse
    from django.middleware.csp import ContentSecurityPolicyMiddleware
    from django.template import engines

    template = engines["django"].from_string('<script nonce="{{ csp_nonce }}">go()</script>')

    def view(request):
        return HttpResponse(template.render({}, request))

    response = ContentSecurityPolicyMiddleware(view)(rf.get("/"))
    nonce = re.search(r'nonce="([^"]+)"', response.content.decode()).group(1)
    assert f"'nonce-{nonce}'" in directives(response["Content-Security-Policy"])["script-src"]


@pytest.mark.django_db
def test_admin_gets_report_only_policy(admin_client, client, production_csp):
    for response in (
        admin_client.get("/admin/", secure=True),
        client.get("/admin/login/", secure=True),
    ):
        assert response.status_code == 200
        enforced = directives(response["Content-Security-Policy"])
        assert "script-src" not in enforced and "style-src" not in enforced
        assert enforced["frame-ancestors"] == ["'self'"]
        assert enforced["object-src"] == ["'none'"]
        report_only = directives(response["Content-Security-Policy-Report-Only"])
        assert report_only["script-src"][0] == "'self'"
        assert report_only["default-src"] == ["'self'"]


# --- JSON-LD under CSP, in a real browser ---------------------------------------------------

CSP_PROBE_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>CSP probe</title>
<script src="/listen.js"></script>
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "Event",
 "name": "JSON-LD under CSP"}</script>
<script>window.inlineRan = true;</script>
</head><body><h1>probe</h1></body></html>
"""
CSP_PROBE_LISTENER = """window.violations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.violations.push(event.violatedDirective + " line " + event.lineNumber);
});
"""


@pytest.mark.browser
def test_json_ld_is_not_blocked_by_the_public_policy(tmp_path, monkeypatch):
    """CSP governs scripts that execute; a data block (type="application/ld+json") is not one."""
    from django.utils.csp import build_policy

    from tests.browser import start_chromium

    production = production_settings(
        monkeypatch, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}"
    )
    policy = build_policy(
        {k: v for k, v in production.SECURE_CSP.items() if k != "upgrade-insecure-requests"}
    )
    (tmp_path / "index.html").write_text(CSP_PROBE_PAGE)
    (tmp_path / "listen.js").write_text(CSP_PROBE_LISTENER)

    class Handler(SimpleHTTPRequestHandler):
        def end_headers(self):
            self.send_header("Content-Security-Policy", policy)
            super().end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(tmp_path)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    driver = start_chromium()
    try:
        driver.get(f"http://127.0.0.1:{server.server_address[1]}/index.html")
        data = driver.execute_script(
            "return document.querySelector('script[type=\"application/ld+json\"]').textContent"
        )
        inline_ran = driver.execute_script("return window.inlineRan === true")
        violations = driver.execute_script("return window.violations")
    finally:
        driver.quit()
        server.shutdown()
        server.server_close()
    assert json.loads(data)["name"] == "JSON-LD under CSP"
    assert inline_ran is False, "the policy blocks inline JavaScript"
    # Exactly one violation: the inline JavaScript (line 6), not the JSON-LD block (line 4).
    assert violations == ["script-src-elem line 6"], violations


# --- /healthz -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert response["Content-Type"] == "application/json"


def test_healthz_reports_an_unreachable_database(tmp_path):
    """A real failure: PostgreSQL on a loopback port where nothing listens."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = production_env(
        tmp_path,
        DJANGO_SETTINGS_MODULE="site_core.settings.test",
        DATABASE_URL=f"postgres://confnotes@127.0.0.1:{port}/confnotes",
    )
    script = """
import django, json
django.setup()
from django.test import Client
response = Client().get("/healthz")
print(response.status_code, json.dumps(response.json()))
"""
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    status, body = result.stdout.strip().split(" ", 1)
    assert status == "503"
    assert json.loads(body) == {"status": "error", "database": "OperationalError"}


# --- admin login throttling (django-axes) ---------------------------------------------------

LIMIT = 3
PASSWORD = "correct horse battery staple"


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_superuser("editor", "editor@example.org", PASSWORD)


@pytest.fixture
def throttling():
    with override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=LIMIT):
        yield


def login(client, username, password="wrong password", **extra):
    return client.post("/admin/login/", {"username": username, "password": password}, **extra)


def normalised(response, username: str) -> str:
    html = response.content.decode().replace(f'value="{username}"', 'value="USERNAME"')
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", html)
    return re.sub(r'"CSRF_TOKEN": "[^"]+"', "CSRF", html)


@pytest.mark.django_db
def test_lockout_is_the_same_for_known_and_unknown_accounts(client, editor, throttling):
    outcomes = {}
    for username in ("editor", "nobody-by-this-name"):
        responses = [login(client, username) for _ in range(LIMIT + 1)]
        outcomes[username] = (
            [r.status_code for r in responses],
            [normalised(r, username) for r in responses],
        )
    known, unknown = outcomes["editor"], outcomes["nobody-by-this-name"]
    assert known[0] == unknown[0] == [200] * (LIMIT - 1) + [429, 429]
    assert known[1] == unknown[1], "the same pages for an account that exists and one that does not"
    locked = known[1][-1]
    assert "Too many sign-in attempts" in locked and 'value="USERNAME"' not in locked
    # Locked means locked: the right password does not get in either.
    assert login(client, "editor", PASSWORD).status_code == 429


@pytest.mark.django_db
def test_lockout_is_per_username_and_address(client, editor, throttling):
    for _ in range(LIMIT):
        login(client, "editor", REMOTE_ADDR="203.0.113.5")
    assert login(client, "editor", PASSWORD, REMOTE_ADDR="203.0.113.5").status_code == 429
    # The same account from another address, and another account from this one, still work.
    assert login(client, "someone-else", REMOTE_ADDR="203.0.113.5").status_code == 200
    response = login(client, "editor", PASSWORD, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 302 and response["Location"] == "/admin/"


@pytest.mark.django_db
def test_lockout_uses_the_client_address_behind_the_proxies(
    client, editor, throttling, monkeypatch, tmp_path
):
    """Behind "TLS terminator -> Varnish" (PROXY_COUNT=2) every request comes from Varnish."""
    production = production_settings(
        monkeypatch, PROXY_COUNT="2", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}"
    )
    proxy_settings = {
        name: getattr(production, name)
        for name in dir(production)
        if name.startswith("AXES_IPWARE_")
    }
    assert proxy_settings["AXES_IPWARE_META_PRECEDENCE_ORDER"][0] == "HTTP_X_FORWARDED_FOR"
    varnish = {"REMOTE_ADDR": "127.0.0.1"}

    def via_proxies(client_ip, *forged):
        chain = ", ".join([*forged, client_ip, "10.0.0.2"])  # 10.0.0.2: the TLS terminator
        return {**varnish, "HTTP_X_FORWARDED_FOR": chain}

    with override_settings(**proxy_settings):
        for _ in range(LIMIT):
            login(client, "editor", **via_proxies("203.0.113.5"))
        assert login(client, "editor", PASSWORD, **via_proxies("203.0.113.5")).status_code == 429
        # Another reader behind the same proxies is a different client.
        assert login(client, "editor", PASSWORD, **via_proxies("198.51.100.7")).status_code == 302
        client.logout()
        # Forging X-Forwarded-For does not buy fresh attempts: at most LIMIT more in all.
        statuses = [
            login(client, "editor", **via_proxies("203.0.113.5", f"192.0.2.{n}")).status_code
            for n in range(2 * LIMIT)
        ]
        assert statuses.count(200) <= LIMIT - 1 and statuses[-1] == 429, statuses
