"""Hostile image uploads: how fast each is refused, and proof that bombs are never decoded.

    python -m benchmarks.uploads                 # 15 POSTs per file, memory per file
    python -m benchmarks.uploads --repeat 50
    python -m benchmarks.uploads --control       # also decode the PNG bomb (~1 GB of memory)

Every hostile file of ``tests/test_uploads.py`` (``HOSTILE``) is POSTed ``--repeat`` times to
the admin image add view (``/admin/images/add/``, which re-renders its whole page on a refusal)
and to the multiple uploader (JSON), as a logged-in superuser through Django's test client with
in-memory SQLite (a refusal touches no table). The table gives the median (and p90 for the add
view) of the whole request, the ratio to the median of *accepting* a normal 1-megapixel PNG the
same way (which also decodes, stores the file and writes the Image row; accepted images are
deleted outside the timing), and the median of ``pages.editors.uploads.check_image_bytes`` alone.

Memory: each file is checked in a fresh subprocess and the growth of its peak resident set is
reported (the kernel's VmHWM, reset just before the check through /proc/self/clear_refs; it sees
Pillow's C allocations, which tracemalloc does not).
Decoding the 30000×30000 PNG bomb would need about 900 MB (``--control`` does it, with Pillow's
own limit lifted, to show the difference). Timings on these shared machines swing about 2x:
quote ratios from one run.
"""

import argparse
import contextlib
import io
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django() -> None:
    os.environ["DATABASE_URL"] = "sqlite://:memory:"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_core.settings.test")
    os.environ.setdefault("TEST_MEDIA_ROOT", tempfile.mkdtemp(prefix="bench-uploads-media-"))
    import django

    django.setup()


def files() -> dict[str, tuple[str, bytes]]:
    """kind -> (name, bytes): the hostile files, then the normal 1 MP PNG as "accept"."""
    from tests.test_uploads import HOSTILE, png_file

    cases = {kind: (name, build()) for kind, (name, build, _message) in HOSTILE.items()}
    cases["accept-1mp-png"] = ("normal.png", png_file(1000, 1000))
    return cases


def _status_kb(key: str) -> int:
    text = Path("/proc/self/status").read_text()
    return int(re.search(key + r":\s+(\d+)", text).group(1))


def reset_peak() -> int:
    """Reset the kernel's peak RSS (VmHWM) to the current RSS; returns the current RSS in KB.

    Without /proc/self/clear_refs (not Linux), falls back to getrusage's maxrss, which only
    shows growth beyond the process's earlier peak (an underestimate).
    """
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return _status_kb("VmRSS")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def peak_kb() -> int:
    try:
        return _status_kb("VmHWM")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def rss_child(path: str, control: bool) -> None:
    """In a fresh process: peak RSS growth of checking (or, with control, decoding) one file.

    The file is read from disk so nothing else was allocated (and freed, but still resident)
    before the measurement.
    """
    setup_django()
    from django.core.exceptions import ValidationError

    from PIL import Image

    from pages.editors.uploads import check_image_bytes

    Image.init()  # import every Pillow format plugin now: a one-off ~3 MB, not the check's
    data = Path(path).read_bytes()
    before = reset_peak()
    started = time.perf_counter()
    if control:
        Image.MAX_IMAGE_PIXELS = None  # what would happen without any pixel limit
        with Image.open(io.BytesIO(data)) as image:
            image.load()
        outcome = f"decoded {image.size[0]}×{image.size[1]}"
    else:
        try:
            check_image_bytes(Path(path).name, data)
            outcome = "accepted"
        except ValidationError as error:
            outcome = f"refused ({error.code})"
    elapsed = time.perf_counter() - started
    growth = peak_kb() - before
    print(json.dumps({"growth_kb": growth, "seconds": elapsed, "outcome": outcome}))


def measure_rss(path: Path, control: bool = False) -> dict:
    command = [sys.executable, "-m", "benchmarks.uploads", "--rss-child", str(path)]
    if control:
        command.append("--control")
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def post_add(client, name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from wagtail.models import Collection

    return client.post(
        reverse("wagtailimages:add"),
        {
            "title": "Benchmark upload",
            "file": SimpleUploadedFile(name, data),
            "collection": Collection.get_first_root_node().pk,
        },
    )


def post_multiple(client, name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    return client.post(
        reverse("wagtailimages:add_multiple"),
        {"files[]": SimpleUploadedFile(name, data)},
        headers={"x-requested-with": "XMLHttpRequest"},
    )


def time_views(cases: dict, repeat: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.core.exceptions import ValidationError
    from django.test import Client

    from wagtail.images import get_image_model

    from pages.editors.uploads import check_image_bytes

    user = get_user_model().objects.create_superuser("bench", "bench@example.org", "x")
    client = Client()
    client.force_login(user)
    image_model = get_image_model()
    post_add(client, *cases["accept-1mp-png"])  # warm up templates, URL resolver, Pillow
    image_model.objects.all().delete()

    results = {}
    for kind, (name, data) in cases.items():
        accept = kind.startswith("accept")
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = post_add(client, name, data)
            times.append((time.perf_counter() - started) * 1000)
            expected = 302 if accept else 200
            if response.status_code != expected:
                raise SystemExit(f"{kind}: status {response.status_code}, expected {expected}")
            if accept:
                for image in image_model.objects.all():
                    image.delete()
            elif image_model.objects.exists():
                raise SystemExit(f"{kind}: an Image row was saved")
        ajax = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = post_multiple(client, name, data)
            ajax.append((time.perf_counter() - started) * 1000)
            if response.json()["success"] != accept:
                raise SystemExit(f"{kind}: multiple uploader answered {response.json()}")
            for image in image_model.objects.all():
                image.delete()
        checks = []
        for _ in range(repeat):
            started = time.perf_counter()
            with contextlib.suppress(ValidationError):
                check_image_bytes(name, data)
            checks.append((time.perf_counter() - started) * 1000)
        times.sort()
        results[kind] = {
            "bytes": len(data),
            "median_ms": statistics.median(times),
            "p90_ms": times[max(0, int(len(times) * 0.9) - 1)],
            "check_ms": statistics.median(checks),
            "ajax_ms": statistics.median(ajax),
        }
        print(f"  {kind:<20} {results[kind]['median_ms']:8.1f} ms", flush=True)
    return results


def human_bytes(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} B"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="POSTs per file (median of N)")
    parser.add_argument("--control", action="store_true", help="also decode the PNG bomb")
    parser.add_argument("--no-memory", action="store_true", help="skip the subprocess memory part")
    parser.add_argument("--rss-child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.rss_child:
        rss_child(args.rss_child, args.control)
        return 0

    print("setting up (in-memory SQLite, migrate)...", flush=True)
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print("building files...", flush=True)
    cases = files()
    print(f"timing the add view and the multiple uploader, {args.repeat} POSTs each:", flush=True)
    results = time_views(cases, args.repeat)

    memory = {}
    if not args.no_memory:
        print("peak memory per check, one subprocess per file:", flush=True)
        with tempfile.TemporaryDirectory(prefix="bench-uploads-") as folder:
            paths = {}
            for kind, (name, data) in cases.items():
                (Path(folder) / kind).mkdir()
                paths[kind] = Path(folder) / kind / name
                paths[kind].write_bytes(data)
            for kind, path in paths.items():
                memory[kind] = measure_rss(path)
                print(f"  {kind:<20} +{memory[kind]['growth_kb'] / 1024:7.1f} MB", flush=True)
            if args.control:
                print("control: decoding the PNG bomb with Pillow's limit lifted...", flush=True)
                memory["control"] = measure_rss(paths["png-bomb"], control=True)

    accept = results["accept-1mp-png"]
    print()
    print("add view = /admin/images/add/ (re-renders the whole form page on refusal);")
    print(
        "ajax = the multiple uploader (JSON); check = pages.editors.uploads.check_image_bytes alone"
    )
    print(
        f"{'file':<20} {'size':>9} {'add median':>11} {'add p90':>9} {'vs accept':>9} "
        f"{'ajax':>9} {'vs accept':>9} {'check':>9} {'peak RSS +':>10}"
    )
    for kind, row in results.items():
        rss = memory.get(kind)
        rss_text = f"{rss['growth_kb'] / 1024:.1f} MB" if rss else "-"
        print(
            f"{kind:<20} {human_bytes(row['bytes']):>9} {row['median_ms']:>8.1f} ms "
            f"{row['p90_ms']:>6.1f} ms {row['median_ms'] / accept['median_ms']:>8.2f}x "
            f"{row['ajax_ms']:>6.1f} ms {row['ajax_ms'] / accept['ajax_ms']:>8.2f}x "
            f"{row['check_ms']:>6.2f} ms {rss_text:>10}"
        )
    for column, label in (("median_ms", "add view"), ("ajax_ms", "multiple uploader")):
        hostile = [row[column] for kind, row in results.items() if kind != "accept-1mp-png"]
        print(
            f"{label}: slowest refusal {max(hostile):.1f} ms = "
            f"{max(hostile) / accept[column]:.2f}x accepting a 1 MP PNG ({accept[column]:.1f} ms);"
            f" median refusal {statistics.median(hostile):.1f} ms = "
            f"{statistics.median(hostile) / accept[column]:.2f}x"
        )
    if memory:
        worst = max((m["growth_kb"], k) for k, m in memory.items() if k != "control")
        print(f"largest peak RSS growth of a check: {worst[0] / 1024:.1f} MB ({worst[1]})")
    if "control" in memory:
        control = memory["control"]
        print(
            f"control, PNG bomb decoded by Pillow without limits: +{control['growth_kb'] / 1024:.0f}"
            f" MB peak RSS in {control['seconds']:.2f} s ({control['outcome']})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
