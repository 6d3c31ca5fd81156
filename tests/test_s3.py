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

from site_core.settings.storage import media_storage, s3_client_config
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
    assert elapsed < 5, f"refused connection took {elapsed:.1f}s"


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
    assert elapsed < 5, f"refused connection took {elapsed:.1f}s"


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


def test_outage_hanging_s3_fails_within_timeouts(admin_client):
    """With the production timeouts (no overrides) a silent S3 fails in seconds, not minutes."""
    server = SilentServer()
    try:
        storages = storages_for(f"http://127.0.0.1:{server.port}", "confnotes-media")
        config = s3_client_config({})
        budget = config.retries["total_max_attempts"] * (config.read_timeout + 2) + 2
        with override_settings(STORAGES=storages):
            before = Image.objects.count()
            started = time.monotonic()
            response = post_outside_test_transaction(
                admin_client,
                "/admin/images/multiple/add/",
                {"files[]": upload_form(), "collection": collection_id()},
            )
            elapsed = time.monotonic() - started
    finally:
        server.close()
    assert response.json()["success"] is False
    assert Image.objects.count() == before
    print(f"hanging S3: the editor saw the error after {elapsed:.1f}s")
    assert elapsed < budget, f"{elapsed:.1f}s"


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
            assert elapsed < 2, f"page took {elapsed:.1f}s with S3 down"
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
