"""Media on S3: a real S3 HTTP endpoint (moto's server on loopback) behind Django's storage.

Every test builds its STORAGES with ``site_core.settings.storage.media_storage`` from an
environment mapping, so it exercises exactly the options production gets.
"""

import io
import json
import logging
import re
import socket
import threading
import time
import urllib.request
import uuid
from pathlib import Path

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.test import override_settings

from wagtail.images import get_image_model

import pytest
from storages.backends.s3 import S3Storage

from site_core.settings.storage import (
    media_storage,
    s3_client_config,
    worst_case_failure_seconds,
)
from site_core.storage import STORAGE_ERROR_MESSAGE, S3MediaStorage
from tests.conftest import service_unavailable
from tests.factories import DayFactory, ImageFactory, TalkFactory, mixed_body, png_bytes

pytestmark = [pytest.mark.s3, pytest.mark.django_db]

Image = get_image_model()
STATIC = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
CREDENTIALS = {"access_key": "testing", "secret_key": "testing", "region_name": "us-east-1"}


def start_moto():
    try:
        from moto.server import ThreadedMotoServer
    except ImportError as exc:  # pragma: no cover
        service_unavailable(f"moto[server] is not installed ({exc})")
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    try:
        server.start()
        host, port = server.get_host_and_port()
    except Exception as exc:
        service_unavailable(f"moto's S3 server did not start ({exc})")
    return server, f"http://{host}:{port}"


def stop_moto(server):
    """Stop serving and close the listening socket, so connections are refused, not queued."""
    if getattr(server, "_server", None) is None:
        return
    server.stop()
    server._server.server_close()
    server._server = None


@pytest.fixture(scope="module")
def moto_endpoint():
    server, endpoint = start_moto()
    yield endpoint
    stop_moto(server)


def s3_client(endpoint):
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )


def new_bucket(endpoint) -> str:
    """A bucket whose objects anyone may read, as production's bucket policy makes media."""
    name = f"confnotes-{uuid.uuid4().hex[:12]}"
    client = s3_client(endpoint)
    client.create_bucket(Bucket=name)
    public_read = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{name}/*",
            }
        ],
    }
    client.put_bucket_policy(Bucket=name, Policy=json.dumps(public_read))
    return name


def keys(endpoint, bucket) -> set[str]:
    listing = s3_client(endpoint).list_objects_v2(Bucket=bucket)
    return {item["Key"] for item in listing.get("Contents", [])}


def storages_for(endpoint, bucket, **env):
    default = media_storage(
        {"AWS_STORAGE_BUCKET_NAME": bucket, "AWS_S3_ENDPOINT_URL": endpoint, **env}
    )
    default["OPTIONS"].update(CREDENTIALS)
    return {"default": default, "staticfiles": STATIC}


def closed_port() -> int:
    """A loopback port nobody listens on (connections are refused at once)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def s3(moto_endpoint):
    """A fresh bucket on the moto server, installed as the default storage."""
    bucket = new_bucket(moto_endpoint)
    with override_settings(STORAGES=storages_for(moto_endpoint, bucket)):
        yield {"endpoint": moto_endpoint, "bucket": bucket}


# --- settings -----------------------------------------------------------------------------


def test_file_system_without_a_bucket():
    assert media_storage({}) == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert media_storage({"AWS_STORAGE_BUCKET_NAME": " "})["BACKEND"].endswith("FileSystemStorage")


def test_s3_options_from_environment():
    storage = media_storage(
        {
            "AWS_STORAGE_BUCKET_NAME": "notes-media",
            "AWS_S3_CUSTOM_DOMAIN": "media.example.org",
            "AWS_S3_ENDPOINT_URL": "https://s3.example.net",
        }
    )
    assert storage["BACKEND"] == "site_core.storage.S3MediaStorage"
    assert issubclass(S3MediaStorage, S3Storage)
    options = storage["OPTIONS"]
    assert options["bucket_name"] == "notes-media"
    assert options["file_overwrite"] is False
    assert options["querystring_auth"] is False
    assert options["custom_domain"] == "media.example.org"
    assert options["endpoint_url"] == "https://s3.example.net"
    config = options["client_config"]
    assert config.connect_timeout <= 5 and config.read_timeout <= 10
    assert config.retries == {"mode": "standard", "total_max_attempts": 2}


def test_base_settings_switch_to_s3_and_redirect_documents():
    import subprocess
    import sys

    env = {
        "AWS_STORAGE_BUCKET_NAME": "notes-media",
        "PATH": "/usr/bin:/bin",
    }
    code = (
        "import site_core.settings.base as b; "
        "print(b.STORAGES['default']['BACKEND'], b.WAGTAILDOCS_SERVE_METHOD)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.split() == ["site_core.storage.S3MediaStorage", "redirect"]


def test_deconstructed_storage_is_json_for_wagtails_file_deletion_task():
    """Wagtail passes storage.deconstruct() to a task; django-tasks only takes JSON."""
    from django.utils.module_loading import import_string

    from django_tasks.utils import normalize_json

    options = media_storage({"AWS_STORAGE_BUCKET_NAME": "notes-media"})["OPTIONS"]
    path, args, kwargs = normalize_json(S3MediaStorage(**options).deconstruct())
    rebuilt = import_string(path)(*args, **kwargs)
    assert rebuilt.client_config.read_timeout == options["client_config"].read_timeout
    assert rebuilt.client_config.retries == options["client_config"].retries


# --- through Django's storage and Wagtail's image model -----------------------------------


def test_upload_rendition_template_url_and_deletion(s3, django_capture_on_commit_callbacks):
    endpoint, bucket = s3["endpoint"], s3["bucket"]
    image = ImageFactory(title="Stage photo")
    assert isinstance(image.file.storage, S3MediaStorage)
    assert image.file.name.startswith("original_images/")
    assert image.file.name in keys(endpoint, bucket)

    # The same file name again gets its own key: nothing is overwritten.
    twin = ImageFactory(title="Stage photo")
    assert twin.file.name != image.file.name
    assert {image.file.name, twin.file.name} <= keys(endpoint, bucket)

    rendition = image.get_rendition("fill-40x30")
    assert rendition.file.name.startswith("images/") and rendition.file.name in keys(
        endpoint, bucket
    )
    html = Template("{% load wagtailimages_tags %}{% image img fill-40x30 %}").render(
        Context({"img": image})
    )
    src = re.search(r'src="([^"]+)"', html).group(1)
    assert src == rendition.url
    assert src == f"{endpoint}/{bucket}/{rendition.file.name}"
    assert "?" not in src and "Signature" not in src and "X-Amz" not in src
    with urllib.request.urlopen(src, timeout=5) as response:  # really there, no signature
        body = response.read()
    assert body[:8] == b"\x89PNG\r\n\x1a\n"

    with django_capture_on_commit_callbacks(execute=True):
        image.delete()
    remaining = keys(endpoint, bucket)
    assert image.file.name not in remaining
    assert rendition.file.name not in remaining
    assert twin.file.name in remaining
    with django_capture_on_commit_callbacks(execute=True):
        twin.delete()
    assert keys(endpoint, bucket) == set()


def test_custom_domain_urls_in_page_html(moto_endpoint, client):
    bucket = new_bucket(moto_endpoint)
    storages = storages_for(moto_endpoint, bucket, AWS_S3_CUSTOM_DOMAIN="media.example.test")
    with override_settings(STORAGES=storages):
        image = ImageFactory()
        rendition = image.get_rendition("width-40")
        assert rendition.url == f"https://media.example.test/{rendition.file.name}"
        html = Template("{% load wagtailimages_tags %}{% image img width-40 %}").render(
            Context({"img": image})
        )
        assert f'src="https://media.example.test/{rendition.file.name}"' in html

        talk = TalkFactory(parent=DayFactory(), body=mixed_body(6, image=image))
        page = client.get(talk.url).content.decode()
        image_urls = re.findall(r'(?:src|srcset)="([^"]+)"', page)
        media = [u for u in image_urls if "images/" in u]
        assert media, "the talk shows its image"
        for url in media:
            for candidate in url.split(", "):
                assert candidate.startswith("https://media.example.test/images/"), candidate
                assert "?" not in candidate
        assert moto_endpoint not in page


# --- outages --------------------------------------------------------------------------------


def post_outside_test_transaction(client, url, data, **kwargs):
    """POST as production runs it: not inside the test's transaction.

    Django's Model.save() marks the enclosing atomic block for rollback when the file upload
    raises; in production (autocommit) there is none, in a test it is the test's own. A
    savepoint stands in for the request's own transaction.
    """
    from django.db import transaction

    with transaction.atomic():
        return client.post(url, data, **kwargs)


def upload_form(name="upload.png"):
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def collection_id():
    from wagtail.models import Collection

    return Collection.get_first_root_node().pk


UPLOAD_VIEWS = ["/admin/images/add/", "/admin/images/multiple/add/"]


def upload_through(client, view, name="upload.png"):
    if view.endswith("/multiple/add/"):
        data = {"files[]": upload_form(name), "collection": collection_id()}
    else:
        data = {"title": "Uploaded", "collection": collection_id(), "file": upload_form(name)}
    return post_outside_test_transaction(client, view, data)


def assert_editor_told(client, view, response):
    """The editor sees the storage message: JSON for the uploader, a message after a redirect."""
    if view.endswith("/multiple/add/"):
        assert response.status_code == 200
        assert response.json() == {"success": False, "error_message": STORAGE_ERROR_MESSAGE}
    else:
        assert response.status_code == 303
        assert response["Location"] == view
        page = client.get(view)
        assert page.status_code == 200
        assert STORAGE_ERROR_MESSAGE in page.content.decode()


@pytest.fixture
def s3_down(moto_endpoint):
    """S3 endpoint on a loopback port where nothing listens."""
    port = closed_port()
    storages = storages_for(f"http://127.0.0.1:{port}", "confnotes-media")
    with override_settings(STORAGES=storages):
        yield


def test_outage_single_upload_shows_message_and_saves_nothing(admin_client, s3_down):
    before = Image.objects.count()
    started = time.monotonic()
    response = admin_client.post(
        "/admin/images/add/",
        {"title": "During outage", "collection": collection_id(), "file": upload_form()},
    )
    elapsed = time.monotonic() - started
    assert response.status_code == 303
    assert response["Location"] == "/admin/images/add/"
    page = admin_client.get(response["Location"])
    assert page.status_code == 200
    assert "media storage is not answering" in page.content.decode()
    assert Image.objects.count() == before
    print(f"refused S3, single upload: the editor saw the error after {elapsed:.2f}s")


def test_outage_multiple_upload_gives_uploader_error(admin_client, s3_down):
    before = Image.objects.count()
    started = time.monotonic()
    response = post_outside_test_transaction(
        admin_client,
        "/admin/images/multiple/add/",
        {"files[]": upload_form(), "collection": collection_id()},
        headers={"X-Requested-With": "XMLHttpRequest"},
    )
    elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert response.json() == {"success": False, "error_message": STORAGE_ERROR_MESSAGE}
    assert Image.objects.count() == before
    assert Image.objects.filter(file="").count() == 0
    print(f"refused S3, multiple upload: the editor saw the error after {elapsed:.2f}s")


class SilentServer:
    """Accepts TCP connections and never answers: an S3 that hangs rather than refuses."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(50)
        self.port = self.sock.getsockname()[1]
        self.connections = []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        self.sock.settimeout(0.2)
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections.append(conn)

    def close(self):
        self.stopped.set()
        self.thread.join(timeout=2)
        for conn in self.connections:
            conn.close()
        self.sock.close()


@pytest.mark.parametrize("view", UPLOAD_VIEWS)
def test_outage_hanging_s3_fails_within_timeouts(admin_client, view):
    """With the production timeouts (no overrides) a silent S3 fails after its read timeouts:
    one call, two attempts, then the editor's message. (Time: benchmarks/s3_faults.py.)"""
    server = SilentServer()
    try:
        storages = storages_for(f"http://127.0.0.1:{server.port}", "confnotes-media")
        with override_settings(STORAGES=storages):
            started = time.monotonic()
            response = upload_through(admin_client, view)
            elapsed = time.monotonic() - started
            assert_editor_told(admin_client, view, response)
        attempts = len(server.connections)
    finally:
        server.close()
    assert Image.objects.count() == 0
    # Each attempt waited on its own connection; botocore gave up after the configured number.
    assert attempts == s3_client_config({}).retries["total_max_attempts"]
    print(f"silent S3, {view}: the editor saw the error after {elapsed:.1f}s")


def test_rendered_pages_keep_serving_when_s3_stops(client):
    """Rendition URLs are built from the database without contacting S3."""
    server, endpoint = start_moto()
    try:
        bucket = new_bucket(endpoint)
        with override_settings(STORAGES=storages_for(endpoint, bucket)):
            image = ImageFactory()
            talk = TalkFactory(parent=DayFactory(), body=mixed_body(6, image=image))
            first = client.get(talk.url)
            assert first.status_code == 200
            stored = keys(endpoint, bucket)
            assert any(key.startswith("images/") for key in stored), "renditions were made"

            stop_moto(server)
            with pytest.raises(Exception) as failure:  # S3 is really gone
                default_storage.exists(image.file.name)
            from site_core.storage import is_storage_error

            assert is_storage_error(failure.value)

            started = time.monotonic()
            again = client.get(talk.url)
            elapsed = time.monotonic() - started
            assert again.status_code == 200
            urls = sorted(set(re.findall(r'(?:src|srcset)="([^"]*images/[^"]*)"', first.text)))
            assert urls and urls == sorted(
                set(re.findall(r'(?:src|srcset)="([^"]*images/[^"]*)"', again.text))
            )
            print(f"S3 stopped: an already-rendered page served in {elapsed:.2f}s")
    finally:
        stop_moto(server)


def test_upload_works_again_after_outage(admin_client, s3):
    response = admin_client.post(
        "/admin/images/multiple/add/",
        {"files[]": upload_form("after.png"), "collection": collection_id()},
    )
    data = response.json()
    assert data["success"] is True
    image = Image.objects.get(pk=data["image_id"])
    assert image.file.name in keys(s3["endpoint"], s3["bucket"])
    io.BytesIO(image.file.read())  # readable back through the storage


# --- an S3 that answers, but badly ---------------------------------------------------------


class FaultyS3:
    """An HTTP proxy in front of the moto server that can fail chosen requests.

    ``rule(method, path)`` returns ``None`` to forward the request to moto, or an HTTP status to
    answer with instead (an S3-style XML error, as an overloaded S3 sends). Every request is
    recorded as ``(method, path, status)`` so that a test can say which calls were made.
    """

    def __init__(self, upstream: str, rule=None):
        import http.client
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from urllib.parse import urlsplit

        self.rule = rule or (lambda method, path: None)
        self.requests: list[tuple[str, str, int]] = []
        target = urlsplit(upstream)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _body(self) -> bytes:
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    chunks = []
                    while True:
                        size = int(self.rfile.readline().split(b";")[0], 16)
                        if size == 0:
                            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                                pass
                            return b"".join(chunks)
                        chunks.append(self.rfile.read(size))
                        self.rfile.readline()
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def _handle(self):
                body = self._body()
                status = proxy.rule(self.command, self.path)
                if status is not None:
                    payload = (
                        b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>'
                        + (b"SlowDown" if status == 503 else b"InternalError")
                        + b"</Code><Message>Injected fault</Message></Error>"
                    )
                    proxy.requests.append((self.command, self.path, status))  # before answering
                    self.send_response(status)
                    self.send_header("Content-Type", "application/xml")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(payload)
                    return
                headers = {
                    k: v
                    for k, v in self.headers.items()
                    if k.lower() not in ("transfer-encoding", "content-length", "connection")
                }
                headers["Content-Length"] = str(len(body))
                connection = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
                try:
                    connection.request(self.command, self.path, body=body, headers=headers)
                    answer = connection.getresponse()
                    data = answer.read()
                finally:
                    connection.close()
                proxy.requests.append((self.command, self.path, answer.status))
                self.send_response(answer.status)
                for key, value in answer.getheaders():
                    if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=2)


@pytest.fixture
def faulty_s3(moto_endpoint):
    bucket = new_bucket(moto_endpoint)
    proxy = FaultyS3(moto_endpoint)
    try:
        with override_settings(STORAGES=storages_for(proxy.endpoint, bucket)):
            yield {"proxy": proxy, "bucket": bucket, "moto": moto_endpoint}
    finally:
        proxy.close()


def bucket_matches_rows(endpoint, bucket) -> None:
    """Every Image and Rendition row has its object, and every object belongs to a row."""
    rendition_model = Image.get_rendition_model()
    names = set(Image.objects.values_list("file", flat=True))
    names |= set(rendition_model.objects.values_list("file", flat=True))
    stored = keys(endpoint, bucket)
    assert names - stored == set(), "rows pointing to nothing"
    assert stored - names == set(), "orphaned objects"


def test_worst_case_failure_is_within_15_seconds():
    """The issue's bound, from the client configuration production gets."""
    config = s3_client_config({})
    worst = worst_case_failure_seconds(config)
    print(f"worst case for a failing S3 call: {worst:.1f}s")
    assert worst <= 15
    # The formula itself: 2 attempts of (connect + read), one backoff of at most 1 s.
    assert worst == 2 * (config.connect_timeout + config.read_timeout) + 1
    slower = s3_client_config({"AWS_S3_MAX_ATTEMPTS": "3", "AWS_S3_READ_TIMEOUT": "10"})
    assert worst_case_failure_seconds(slower) == 3 * (2 + 10) + 1 + 2


@pytest.mark.parametrize("view", UPLOAD_VIEWS)
@pytest.mark.parametrize("status", [500, 503])
def test_s3_answering_errors_upload_fails_cleanly(admin_client, faulty_s3, view, status):
    proxy, bucket = faulty_s3["proxy"], faulty_s3["bucket"]
    proxy.rule = lambda method, path: status
    response = upload_through(admin_client, view)
    assert_editor_told(admin_client, view, response)
    assert Image.objects.count() == 0
    assert keys(faulty_s3["moto"], bucket) == set()
    # S3 was asked (and retried once: 2 attempts), and answered the injected error each time.
    assert [answer for _, _, answer in proxy.requests] == [status, status]


def test_upload_stored_then_rendition_failing_leaves_nothing(admin_client, faulty_s3):
    """Multiple upload of a duplicate: the original is stored, then the uploader's answer needs
    a rendition of the earlier image, whose upload fails. The new row and its object go."""
    proxy, moto, bucket = faulty_s3["proxy"], faulty_s3["moto"], faulty_s3["bucket"]
    view = "/admin/images/multiple/add/"
    assert upload_through(admin_client, view, name="earlier.png").json()["success"] is True
    earlier = Image.objects.get()
    before = keys(moto, bucket)
    proxy.requests.clear()
    proxy.rule = lambda method, path: 503 if method == "PUT" and "/images/" in path else None

    response = upload_through(admin_client, view, name="earlier.png")  # the same picture
    assert_editor_told(admin_client, view, response)

    stored = [p for m, p, status in proxy.requests if m == "PUT" and status == 200]
    assert len(stored) == 1 and "/original_images/" in stored[0], proxy.requests
    assert any(m == "PUT" and status == 503 for m, _, status in proxy.requests)
    assert ("DELETE", stored[0], 204) in proxy.requests  # the new original was removed again
    assert list(Image.objects.all()) == [earlier]
    assert not Image.get_rendition_model().objects.exists()
    assert keys(moto, bucket) == before
    bucket_matches_rows(moto, bucket)


def test_upload_then_listing_with_renditions_failing(admin_client, faulty_s3):
    """A single upload stores the original and ends; the listing after it needs a thumbnail.
    The upload is kept (its row and object agree), the listing says storage is failing."""
    from site_core.middleware import STORAGE_READ_ERROR_MESSAGE

    proxy, moto, bucket = faulty_s3["proxy"], faulty_s3["moto"], faulty_s3["bucket"]
    proxy.rule = lambda method, path: 503 if method == "PUT" and "/images/" in path else None
    view = "/admin/images/add/"
    response = upload_through(admin_client, view)
    assert response.status_code == 302
    image = Image.objects.get()
    assert image.file.name in keys(moto, bucket)

    listing = admin_client.get(response["Location"])
    assert listing.status_code == 303 and listing["Location"] == "/admin/"
    home = admin_client.get("/admin/")
    assert home.status_code == 200
    assert STORAGE_READ_ERROR_MESSAGE in home.content.decode()
    assert STORAGE_ERROR_MESSAGE not in home.content.decode()  # not "nothing was saved"
    bucket_matches_rows(moto, bucket)

    proxy.rule = lambda method, path: None  # S3 is back: the listing shows the thumbnail
    assert admin_client.get(response["Location"]).status_code == 200
    bucket_matches_rows(moto, bucket)


@pytest.mark.parametrize("fault", ["refused", "503"])
def test_public_page_needing_new_renditions_serves_without_image(client, faulty_s3, fault):
    """An image stored before the outage, whose renditions were never made: the talk page is
    served (200) without the picture instead of failing."""
    from django.db import transaction

    proxy, bucket = faulty_s3["proxy"], faulty_s3["bucket"]
    image = ImageFactory(title="Whiteboard")
    talk = TalkFactory(parent=DayFactory(), body=mixed_body(6, image=image))
    assert not image.renditions.exists()
    if fault == "503":
        proxy.rule = lambda method, path: 503
        storages = storages_for(proxy.endpoint, bucket)
    else:
        storages = storages_for(f"http://127.0.0.1:{closed_port()}", bucket)
    with override_settings(STORAGES=storages), transaction.atomic():
        response = client.get(talk.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Paragraph 1 with" in html and "Section 0" in html  # the rest of the body
    assert "<picture" not in html and "images/" not in html
    assert not image.renditions.exists()

    proxy.rule = lambda method, path: None  # back: the picture appears
    again = client.get(talk.url)
    assert again.status_code == 200 and "<picture" in again.content.decode()


def test_notes_import_staged_on_s3(admin_client, s3):
    """The admin import keeps its upload in the bucket between preview and confirm."""
    import zipfile

    from pages.models import TalkPage

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "notes/n.md",
            "---\ntitle: Bucket Conf\ndate: 2026-04-01\n---\n## Day 1\n\n### Talk\n\n"
            "![A red square](images/red.png)\n",
        )
        archive.writestr("notes/images/red.png", png_bytes(colour=(200, 0, 0)))
    upload = SimpleUploadedFile("notes.zip", buffer.getvalue(), content_type="application/zip")
    response = admin_client.post("/admin/notes/import/", {"file": upload, "mode": "draft"})
    assert response.status_code == 200, response.content.decode()
    token = response.context["token"]
    prefix = f"notes-import/{token}/"
    assert {k for k in keys(s3["endpoint"], s3["bucket"]) if k.startswith(prefix)} == {
        f"{prefix}staged",
        f"{prefix}manifest.json",
        f"{prefix}files/notes/n.md",
        f"{prefix}files/notes/images/red.png",
    }
    response = admin_client.post("/admin/notes/import/", {"token": token})
    assert response.status_code == 302
    assert TalkPage.objects.get().body[0].block_type == "image"
    left = keys(s3["endpoint"], s3["bucket"])
    assert not [k for k in left if k.startswith("notes-import/")]
    assert any(k.startswith("original_images/") for k in left)
