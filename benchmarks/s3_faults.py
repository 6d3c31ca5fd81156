"""S3 faults: how long an editor waits for the error when media storage fails during an upload.

    python -m benchmarks.s3_faults              # SQLite (var/bench-s3-faults.sqlite3)
    python -m benchmarks.s3_faults --runs 5 --silent-runs 2

Uploads a small PNG through the real admin views (``/admin/images/add/`` and the multiple
upload's ``/admin/images/multiple/add/``) with S3 storage configured exactly as production
builds it (``site_core.settings.storage.media_storage``, default timeouts and retries) against:

- refused: a loopback port where nothing listens (connections refused at once);
- 503: an endpoint answering every request with ``503 SlowDown`` (retried once, with backoff);
- silent: a server that accepts connections and never answers (read timeouts).

Prints the wall-clock time until the editor got the answer (median and maximum of the runs), and
the worst case the client configuration allows (the issue asks for at most 15 s). The tests in
``tests/test_s3.py`` check the behaviour (message, nothing saved); this only measures time.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SQLITE_PATH = ROOT / "var" / "bench-s3-faults.sqlite3"
VIEWS = {"single": "/admin/images/add/", "multiple": "/admin/images/multiple/add/"}


def setup_django() -> None:
    SQLITE_PATH.parent.mkdir(exist_ok=True)
    SQLITE_PATH.unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE_PATH}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_core.settings.test")
    import django

    django.setup()


def upload(client, view: str) -> tuple[float, bool]:
    """POST one image; the time until the answer, and whether it carried the storage message."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from wagtail.models import Collection

    from site_core.storage import STORAGE_ERROR_MESSAGE
    from tests.factories import png_bytes

    file = SimpleUploadedFile("upload.png", png_bytes(), content_type="image/png")
    collection = Collection.get_first_root_node().pk
    if view.endswith("/multiple/add/"):
        data = {"files[]": file, "collection": collection}
    else:
        data = {"title": "Benchmark upload", "collection": collection, "file": file}
    started = time.monotonic()
    response = client.post(view, data)
    elapsed = time.monotonic() - started
    if response.status_code == 303:
        told = STORAGE_ERROR_MESSAGE in client.get(response["Location"]).content.decode()
    else:
        told = response.json().get("error_message") == STORAGE_ERROR_MESSAGE
    return elapsed, told


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="uploads per fast case and view")
    parser.add_argument("--silent-runs", type=int, default=1, help="uploads per silent case")
    args = parser.parse_args(argv)

    setup_django()
    import logging

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client, override_settings

    from wagtail.images import get_image_model

    from site_core.settings.storage import s3_client_config, worst_case_failure_seconds
    from tests.test_s3 import FaultyS3, SilentServer, closed_port, storages_for

    logging.disable(logging.CRITICAL)  # the middleware logs every failure with a traceback
    print("Building the benchmark database…", file=sys.stderr, flush=True)
    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_superuser("bench", "bench@example.org", "x")
    client = Client()
    client.force_login(user)

    silent = SilentServer()
    failing = FaultyS3("http://127.0.0.1:9", rule=lambda method, path: 503)
    endpoints = {
        "refused": (f"http://127.0.0.1:{closed_port()}", args.runs),
        "503": (failing.endpoint, args.runs),
        "silent": (f"http://127.0.0.1:{silent.port}", args.silent_runs),
    }
    rows = []
    try:
        for case, (endpoint, runs) in endpoints.items():
            with override_settings(STORAGES=storages_for(endpoint, "confnotes-media")):
                for label, view in VIEWS.items():
                    times = []
                    for run in range(1, runs + 1):
                        print(f"{case}, {label} upload {run}/{runs}…", file=sys.stderr, flush=True)
                        elapsed, told = upload(client, view)
                        if not told:
                            raise SystemExit(f"{case}/{label}: the editor was not told")
                        times.append(elapsed)
                    rows.append((case, label, statistics.median(times), max(times), runs))
    finally:
        silent.close()
        failing.close()
    assert get_image_model().objects.count() == 0, "a failed upload left an Image row"

    config = s3_client_config({})
    print(
        f"\nS3 faults, admin image upload (connect {config.connect_timeout:g} s, read "
        f"{config.read_timeout:g} s, {config.retries['total_max_attempts']} attempts)"
    )
    print(f"{'endpoint':<10}{'view':<10}{'runs':>5}{'median s':>10}{'max s':>8}")
    for case, label, median, worst, runs in rows:
        print(f"{case:<10}{label:<10}{runs:>5}{median:>10.2f}{worst:>8.2f}")
    print(f"worst case allowed by the client configuration: {worst_case_failure_seconds(config)} s")
    print("no Image row left behind")
    return 0


if __name__ == "__main__":
    sys.exit(main())
