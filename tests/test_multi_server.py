"""Two gunicorn app servers with production settings, sharing PostgreSQL and an S3 endpoint.

An editor uploads an image and publishes a talk through server A; a reader gets both from
server B. Then a pg_dump/pg_restore round trip of that database keeps every page body.
Needs PostgreSQL on 127.0.0.1:5432 (user postgres) and moto's S3 server; skips without them
(fails under REQUIRE_SERVICES=1).
"""

import http.cookies
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.conftest import service_unavailable

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
pytestmark = [pytest.mark.postgres, pytest.mark.s3]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Browser:
    """A tiny HTTP client that keeps cookies itself (the session cookie is `Secure`)."""

    def __init__(self, base: str):
        self.base = base
        self.cookies: dict[str, str] = {}

    def request(self, path, data=None, headers=None, content_type=None):
        host = urllib.parse.urlsplit(self.base).netloc
        head = {
            # Behind the TLS proxy in production: tell Django the original request was HTTPS.
            "X-Forwarded-Proto": "https",
            "Referer": f"https://{host}{path}",
            "Origin": f"https://{host}",
            **(headers or {}),
        }
        if self.cookies:
            head["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if content_type:
            head["Content-Type"] = content_type
        req = urllib.request.Request(self.base + path, data=data, headers=head)
        opener = urllib.request.build_opener(NoRedirect)
        try:
            response = opener.open(req, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = http.cookies.SimpleCookie(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        return response.status, response.read().decode("utf-8", "replace")

    def csrf(self, path) -> str:
        status, html = self.request(path)
        assert status == 200, (path, status)
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)

    def post_form(self, path, fields: dict, files: dict | None = None):
        token = self.csrf(path)
        boundary = uuid.uuid4().hex
        parts = []
        for key, value in {"csrfmiddlewaretoken": token, **fields}.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
            )
        for key, (filename, content) in (files or {}).items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"; filename="{filename}"\r\n'
                f"Content-Type: image/png\r\n\r\n".encode()
                + content
                + b"\r\n"
            )
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request(
            path, b"".join(parts), content_type=f"multipart/form-data; boundary={boundary}"
        )


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture
def cluster(tmp_path):
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
            name = f"confnotes_multi_{secrets.token_hex(4)}"
            conn.execute(f"CREATE DATABASE {name}")
    except Exception as exc:
        service_unavailable(f"PostgreSQL is not reachable on 127.0.0.1:5432 ({exc})")
    from tests.test_s3 import start_moto, stop_moto

    moto, endpoint = start_moto()
    import boto3

    s3 = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )
    s3.create_bucket(Bucket="confnotes-media")
    # Media URLs carry no signature (querystring_auth=False): the bucket (or its CDN) is public-read.
    s3.put_bucket_policy(
        Bucket="confnotes-media",
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": "s3:GetObject",
                        "Resource": "arn:aws:s3:::confnotes-media/*",
                    }
                ],
            }
        ),
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "site_core.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{name}",
        "AWS_STORAGE_BUCKET_NAME": "confnotes-media",
        "AWS_S3_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_S3_REGION_NAME": "us-east-1",
        "STATIC_ROOT": str(tmp_path / "static"),
        "SECURE_SSL_REDIRECT": "false",
        "DJANGO_SUPERUSER_PASSWORD": "a-long-test-password-123",
    }
    env.pop("FRONTEND_CACHE_URL", None)
    manage = [sys.executable, "manage.py"]

    def run(*args):
        done = subprocess.run(
            [*manage, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, f"manage.py {args[0]} failed:\n{done.stderr[-2000:]}"

    run("migrate", "--no-input")
    run("collectstatic", "--no-input")
    run("createsuperuser", "--no-input", "--username", "editor", "--email", "editor@example.org")
    run(
        "shell",
        "-c",
        (
            "import datetime; from pages.models import HomePage, ConferenceIndex, DayPage;"
            "home = HomePage.objects.get();"
            "conf = home.add_child(instance=ConferenceIndex(title='Cluster Conf', slug='cluster-conf',"
            " start_date=datetime.date(2026, 5, 1), end_date=datetime.date(2026, 5, 1)));"
            "conf.add_child(instance=DayPage(title='Day 1', slug='day-1', date=datetime.date(2026, 5, 1)))"
        ),
    )
    servers, ports = [], []
    for _ in range(2):
        port = free_port()
        servers.append(
            subprocess.Popen(
                [
                    str(Path(sys.executable).with_name("gunicorn")),
                    "site_core.wsgi",
                    "-w",
                    "2",
                    "-b",
                    f"127.0.0.1:{port}",
                    "--timeout",
                    "60",
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        ports.append(port)
    deadline = time.monotonic() + 30
    for port in ports:
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
    try:
        yield {
            "a": f"http://127.0.0.1:{ports[0]}",
            "b": f"http://127.0.0.1:{ports[1]}",
            "s3": s3,
            "env": env,
            "name": name,
        }
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)
        stop_moto(moto)
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.execute(f"DROP DATABASE IF EXISTS {name}_restored WITH (FORCE)")


def page_bodies(database_url: str) -> dict:
    import psycopg

    with psycopg.connect(database_url.replace("postgres://", "postgresql://")) as conn:
        rows = conn.execute(
            "SELECT p.url_path, t.body::text FROM pages_talkpage t JOIN wagtailcore_page p ON p.id = t.page_ptr_id"
        ).fetchall()
    return dict(rows)


def test_two_app_servers_share_database_and_media_and_backup_restores(cluster):
    from tests.factories import png_bytes

    editor = Browser(cluster["a"])
    status, _ = editor.post_form(
        "/admin/login/",
        {"username": "editor", "password": "a-long-test-password-123", "next": "/admin/"},
    )
    assert status == 302, "login through server A"

    # 1. Upload an image through server A: it lands in the shared bucket.
    status, _ = editor.post_form(
        "/admin/images/add/",
        {"title": "Cluster diagram", "collection": "1"},
        files={"file": ("cluster.png", png_bytes(320, 200))},
    )
    assert status == 302, "image upload through server A"
    keys = [
        o["Key"]
        for o in cluster["s3"].list_objects_v2(Bucket="confnotes-media").get("Contents", [])
    ]
    assert any(k.startswith("original_images/cluster") for k in keys), keys

    # 2. Publish a talk using it through server A.
    database = cluster["env"]["DATABASE_URL"].replace("postgres://", "postgresql://")
    import psycopg

    with psycopg.connect(database) as conn:
        day_id = conn.execute("SELECT page_ptr_id FROM pages_daypage").fetchone()[0]
        image_id = conn.execute(
            "SELECT id FROM wagtailimages_image WHERE title = 'Cluster diagram'"
        ).fetchone()[0]
    fields = {
        "title": "Talk published on A",
        "slug": "talk-on-a",
        "summary": "Seen from server B.",
        "talk_speakers-TOTAL_FORMS": "0",
        "talk_speakers-INITIAL_FORMS": "0",
        "talk_speakers-MIN_NUM_FORMS": "0",
        "talk_speakers-MAX_NUM_FORMS": "1000",
        "body-count": "2",
        "body-0-type": "heading",
        "body-0-deleted": "",
        "body-0-order": "0",
        "body-0-value-text": "Shared state",
        "body-0-value-level": "h2",
        "body-1-type": "image",
        "body-1-deleted": "",
        "body-1-order": "1",
        "body-1-value-image-image": image_id,
        "body-1-value-image-alt_text": "Two servers and one database",
        "body-1-value-caption": "",
        "tags": "",
        "action-publish": "action-publish",
    }
    status, _ = editor.post_form(f"/admin/pages/add/pages/talkpage/{day_id}/", fields)
    assert status == 302, "publish through server A"

    # 3. Server B serves it, with a rendition it makes from the original in the shared bucket.
    reader = Browser(cluster["b"])
    status, html = reader.request("/cluster-conf/day-1/talk-on-a/")
    assert status == 200 and "Talk published on A" in html
    assert 'alt="Two servers and one database"' in html
    rendition = re.search(r'<img src="([^"]+)"', html).group(1)
    assert cluster["env"]["AWS_S3_ENDPOINT_URL"] in rendition and "?" not in rendition
    with urllib.request.urlopen(rendition, timeout=10) as response:
        assert response.status == 200 and response.read(8) == b"\x89PNG\r\n\x1a\n"

    # 3b. Server B now holds the talk's fragments in its own memory (pages.fragments). A talk
    # published next to it through server A changes the talk's pager but not the talk: B
    # shows the new link at once, because it reads the content version from the shared
    # database on every request.
    for _ in range(3):  # every worker of B
        status, html = reader.request("/cluster-conf/day-1/talk-on-a/")
        assert status == 200 and "Shared state" in html and 'rel="next"' not in html
    second = {**fields, "title": "Second talk on A", "slug": "second-talk-on-a", "body-count": "1"}
    status, _ = editor.post_form(f"/admin/pages/add/pages/talkpage/{day_id}/", second)
    assert status == 302, "publish a second talk through server A"
    for _ in range(3):
        status, html = reader.request("/cluster-conf/day-1/talk-on-a/")
        assert status == 200 and 'rel="next"' in html and "Second talk on A" in html

    # 4. Backup and restore: pg_dump -Fc then pg_restore gives identical page bodies.
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        service_unavailable("pg_dump/pg_restore are not installed (postgresql-client)")

    source = cluster["env"]["DATABASE_URL"]
    restored = f"{cluster['name']}_restored"
    dump = Path(os.environ.get("TMPDIR", "/tmp")) / f"{cluster['name']}.dump"
    subprocess.run(
        ["pg_dump", "-Fc", "-h", "127.0.0.1", "-U", "postgres", "-f", str(dump), cluster["name"]],
        check=True,
        timeout=120,
    )
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {restored}")
    subprocess.run(
        [
            "pg_restore",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            restored,
            "--no-owner",
            str(dump),
        ],
        check=True,
        timeout=120,
    )
    dump.unlink()
    before = page_bodies(source)
    after = page_bodies(source.rsplit("/", 1)[0] + "/" + restored)
    assert before and before == after
