"""Talk page render benchmark: time, queries and instructions, 50 blocks vs 500 blocks.

    python -m benchmarks.render                 # SQLite (var/bench-render.sqlite3)
    DATABASE_URL=postgres://… python -m benchmarks.render
    python -m benchmarks.render --no-callgrind  # skip the (slow) instruction counts

Builds a throw-away database with two talk pages: 50 blocks (10 code, 5 images, 3 quotes,
2 checklists, 30 headings and paragraphs) and the same mix times ten (500 blocks). Reports, side
by side in one run, the in-process render time of the whole view (median and p90 of 200 renders
through Django's test client), the queries per page, and — with valgrind installed — the
instructions per render counted by callgrind (the difference between runs of N and N+R renders,
so start-up is not counted). Timings on these machines swing about 2x; quote ratios from one run.

Each page is measured twice: "cached", as visitors get it once the page has been shown since the
last edit (its fragments come from the ``fragments`` cache, pages.fragments), and "uncached",
with that cache emptied before every render, as the first visitor after an edit gets it.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SQLITE_PATH = ROOT / "var" / "bench-render.sqlite3"


def body(scale: int, images, speaker) -> list[dict]:
    """Raw StreamField data: per unit of 50 blocks, 10 code, 5 images, 3 quotes, 2 checklists."""
    blocks = []
    for unit in range(scale):
        for n in range(10):
            blocks.append({"type": "heading", "value": {"text": f"Part {unit}.{n}", "level": "h2"}})
            blocks.append(
                {
                    "type": "paragraph",
                    "value": f"<p>Notes for part {unit}.{n} with <b>bold</b>, "
                    f"<i>italic</i>, <code>code</code> and a <a href='https://example.org/{n}'>link to "
                    f"the slides of part {n}</a>.</p><ul><li>one</li><li>two</li></ul>",
                }
            )
            blocks.append(
                {"type": "paragraph", "value": "<p>" + "A sentence about the talk. " * 8 + "</p>"}
            )
            blocks.append(
                {
                    "type": "code",
                    "value": {
                        "language": ["python", "sql", "bash", "html+django", "json"][n % 5],
                        "code": "def handler(request):\n    talks = Talk.objects.select_related('day')\n"
                        "    return render(request, 'talks.html', {'talks': talks})\n" * 3,
                        "filename": f"part_{n}.py",
                        "highlight_lines": "2",
                        "line_numbers": n % 2 == 0,
                    },
                }
            )
        for n in range(5):
            blocks.append(
                {
                    "type": "image",
                    "value": {
                        "image": {
                            "image": images[n % len(images)].pk,
                            "decorative": n == 4,
                            "alt_text": "" if n == 4 else f"Diagram number {n} of the talk",
                        },
                        "caption": f"Figure {unit}.{n}",
                    },
                }
            )
        for _ in range(3):
            blocks.append(
                {
                    "type": "quote",
                    "value": {
                        "text": "Measure first, then optimise.",
                        "attribution": "",
                        "speaker": speaker.pk,
                        "source_url": "",
                    },
                }
            )
        for n in range(2):
            blocks.append(
                {
                    "type": "checklist",
                    "value": {
                        "title": f"Checklist {unit}.{n}",
                        "items": [
                            {"type": "item", "value": {"text": "Count queries", "done": True}},
                            {"type": "item", "value": {"text": "Cache renditions", "done": False}},
                        ],
                    },
                }
            )
    assert len(blocks) == 50 * scale, len(blocks)
    return blocks


def build() -> dict:
    """Create the two talks (with renditions) and return their URLs."""
    from django.test import Client

    from tests.factories import (
        ConferenceFactory,
        DayFactory,
        ImageFactory,
        SpeakerFactory,
        TalkFactory,
    )

    conference = ConferenceFactory(title="Benchmark conference")
    day = DayFactory(parent=conference, title="Day 1")
    images = [ImageFactory(title=f"Bench image {n}") for n in range(5)]
    speaker = SpeakerFactory(name="Bench Speaker")
    urls = {}
    for label, scale in (("50 blocks", 1), ("500 blocks", 10)):
        talk = TalkFactory(
            parent=day,
            title=f"Talk with {label}",
            body=body(scale, images, speaker),
            speakers=[speaker],
        )
        urls[label] = talk.url
    client = Client()
    for url in urls.values():  # first view creates the renditions
        assert client.get(url).status_code == 200
    return urls


MODES = ("uncached", "cached")


def forget_fragments(mode: str) -> None:
    if mode == "uncached":
        from django.core.cache import caches

        caches["fragments"].clear()


def measure(urls: dict, renders: int) -> dict:
    """Per page and mode: queries, bytes, median and p90 ms; the two modes interleaved."""
    from django.db import connection
    from django.test import Client

    client = Client()
    results = {}
    for label, url in urls.items():
        times: dict[str, list[float]] = {mode: [] for mode in MODES}
        for mode in MODES:
            executed: list[str] = []

            def count(execute, sql, params, many, context, executed=executed):
                executed.append(sql)
                return execute(sql, params, many, context)

            forget_fragments(mode)
            with connection.execute_wrapper(count):
                response = client.get(url)
            results[f"{label}, {mode}"] = {
                "queries": len(executed),
                "bytes": len(response.content),
            }
        for _ in range(renders):
            for mode in MODES:
                forget_fragments(mode)
                started = time.perf_counter()
                client.get(url)
                times[mode].append((time.perf_counter() - started) * 1000)
        for mode in MODES:
            ordered = sorted(times[mode])
            results[f"{label}, {mode}"].update(
                median_ms=round(statistics.median(ordered), 2),
                p90_ms=round(ordered[int(len(ordered) * 0.9) - 1], 2),
            )
    return results


def render_loop(url: str, count: int, mode: str = "cached") -> None:
    """Used under callgrind: set up Django, render ``url`` once to warm up, then ``count`` times."""
    from django.test import Client

    client = Client()
    client.get(url)
    for _ in range(count):
        forget_fragments(mode)
        client.get(url)


def callgrind_instructions(
    database_url: str, url: str, extra: int = 5, mode: str = "cached"
) -> int | None:
    """Instructions per render: callgrind total for 1+extra renders minus the total for 1."""
    if not shutil.which("valgrind"):
        return None

    def total(count: int) -> int:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "callgrind.out"
            env = {**os.environ, "DATABASE_URL": database_url, "PYTHONHASHSEED": "0"}
            subprocess.run(
                [
                    "valgrind",
                    "--tool=callgrind",
                    f"--callgrind-out-file={out}",
                    sys.executable,
                    "-m",
                    "benchmarks.render",
                    "--loop",
                    url,
                    "--count",
                    str(count),
                    "--mode",
                    mode,
                ],
                cwd=ROOT,
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for line in out.read_text().splitlines():
                if line.startswith("totals:") or line.startswith("summary:"):
                    return int(line.split()[1])
        raise RuntimeError("no totals in callgrind output")

    return (total(1 + extra) - total(1)) // extra


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    os.environ.setdefault("CONN_MAX_AGE", "60")
    import django

    django.setup()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=200)
    parser.add_argument("--no-callgrind", action="store_true")
    parser.add_argument("--loop", help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--mode", choices=MODES, default="cached", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    database_url = os.environ.get("DATABASE_URL", "")
    if args.loop:
        setup_django(database_url)
        render_loop(args.loop, args.count, args.mode)
        return 0
    if database_url.startswith("postgres"):
        import psycopg

        admin = database_url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin.replace("postgres://", "postgresql://"), autocommit=True) as c:
            c.execute("DROP DATABASE IF EXISTS confnotes_bench_render")
            c.execute("CREATE DATABASE confnotes_bench_render")
        database_url = database_url.rsplit("/", 1)[0] + "/confnotes_bench_render"
    else:
        SQLITE_PATH.parent.mkdir(exist_ok=True)
        SQLITE_PATH.unlink(missing_ok=True)
        database_url = f"sqlite:///{SQLITE_PATH}"
    os.environ.setdefault("TEST_MEDIA_ROOT", str(ROOT / "var" / "bench-media"))
    setup_django(database_url)
    from django.core.management import call_command
    from django.db import connection

    print("Building the benchmark database…", file=sys.stderr, flush=True)
    call_command("migrate", verbosity=0)
    urls = build()
    print(f"Rendering each page {args.renders} times…", file=sys.stderr, flush=True)
    results = measure(urls, args.renders)
    if not args.no_callgrind:
        for label, url in urls.items():
            for mode in MODES:
                print(
                    f"Counting instructions for {label}, {mode}, with callgrind…",
                    file=sys.stderr,
                    flush=True,
                )
                results[f"{label}, {mode}"]["instructions"] = callgrind_instructions(
                    database_url, url, mode=mode
                )
    print(f"\nTalk page, in-process, {connection.vendor}, {args.renders} renders each")
    print(f"{'page':<22}{'queries':>8}{'median ms':>11}{'p90 ms':>9}{'Minstr':>9}{'KiB':>7}")
    for label, r in results.items():
        instructions = r.get("instructions")
        minstr = f"{instructions / 1e6:.1f}" if instructions else "-"
        print(
            f"{label:<22}{r['queries']:>8}{r['median_ms']:>11}{r['p90_ms']:>9}{minstr:>9}"
            f"{r['bytes'] // 1024:>7}"
        )
    for mode in MODES:
        small, large = results[f"50 blocks, {mode}"], results[f"500 blocks, {mode}"]
        print(
            f"ratio 500/50 blocks, {mode}: time {large['median_ms'] / small['median_ms']:.2f}x, "
            f"queries {large['queries']} vs {small['queries']}"
        )
    small = results["50 blocks, uncached"]
    print(
        "50 blocks, cached/uncached: time "
        f"{results['50 blocks, cached']['median_ms'] / small['median_ms']:.2f}"
    )
    print(json.dumps({"database": connection.vendor, **results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
