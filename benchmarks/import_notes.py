"""Import throughput: talks per second for a generated Markdown notes file.

    python -m benchmarks.import_notes                     # 1,000 talks, SQLite, as drafts
    python -m benchmarks.import_notes --talks 1000 --publish
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x python -m benchmarks.import_notes
    python -m benchmarks.import_notes --talks 200 --profile   # where the time goes (cProfile)

Writes one conference file in the format of ``pages/notes/__init__.py`` (front matter, a few
``## Day N`` sections, ``### talk`` sections each with a speakers line, ``####``/``#####``
headings, paragraphs with inline formatting and a link, a bullet list, a code block, a task
list and a quote) to ``var/bench-import/``, then imports it with ``manage.py import_notes``
(the same command editors' scripts run) into a fresh database: SQLite
``var/bench-import.sqlite3``, or ``confnotes_bench_import`` on the server of ``DATABASE_URL``.
Prints progress while importing, then the time and talks per second. Timings on these machines
swing about 2x; quote ratios from one run.
"""

import argparse
import io
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "bench-import"
SQLITE_PATH = ROOT / "var" / "bench-import.sqlite3"

TOPICS = [
    "caching",
    "database migrations",
    "async views",
    "property-based testing",
    "search ranking",
    "accessible forms",
    "deployment pipelines",
    "observability",
    "type hints",
    "packaging",
]
LANGUAGES = ["python", "sql", "bash", "json", "javascript"]
FIRST = ["Ada", "Bruno", "Chiara", "Dmitri", "Esi", "Farid", "Greta", "Hiro", "Ines", "Jonas"]
LAST = ["Quill", "Rowan", "Sato", "Tamm", "Umber", "Vale", "Wren", "Xu", "Young", "Zeller"]


def talk_markdown(number: int, rng: random.Random) -> str:
    topic = rng.choice(TOPICS)
    language = rng.choice(LANGUAGES)
    firsts = rng.sample(FIRST, 2)  # two different people when there are two
    speakers = ", ".join(f"{first} {rng.choice(LAST)}" for first in firsts[: rng.randint(1, 2)])
    return f"""### Talk {number}: lessons on {topic}

Speakers: {speakers}

The speaker opened with a story about {topic} going wrong on a **Friday afternoon**, and what
the team changed afterwards. Slides are on the [conference site for talk {number}](https://example.org/talks/{number}).

#### What went wrong

- The first symptom was *slow pages*, not errors
- Nobody owned the `{topic}` settings
- Alerts fired after the customers noticed

##### The fix

They wrote the rule down, then automated it. Measure first, change one thing, measure again.

```{language}
{"SELECT id, title FROM talk WHERE day_id = 4;" if language == "sql" else "run --check " + str(number)}
```

#### Take-aways

{{title="To try next week"}}
- [x] Write down who owns {topic}
- [ ] Add a test for the slow path
- [ ] Share the dashboard

> Most outages are a missing sentence in a runbook.
>
> — {speakers.split(", ")[0]}

"""


def notes_file(talks: int, days: int, seed: int = 8) -> str:
    rng = random.Random(seed)
    parts = [
        "---\n"
        'title: "Benchmark Conf 2026"\n'
        "date: 2026-06-01\n"
        f"end_date: 2026-06-{days:02d}\n"
        'location: "Test Hall"\n'
        "tags: [benchmark, python]\n"
        'summary: "A generated conference for measuring the importer."\n'
        "---\n\n"
        "Generated notes for the import benchmark.\n\n"
    ]
    per_day = -(-talks // days)
    number = 0
    for day in range(1, days + 1):
        parts.append(f"## Day {day}\n\nTalks of day {day}.\n\n")
        for _ in range(per_day):
            if number == talks:
                break
            number += 1
            parts.append(talk_markdown(number, rng))
    return "".join(parts)


def fresh_database(database_url: str) -> str:
    if database_url.startswith("postgres"):
        import psycopg

        admin = database_url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin.replace("postgres://", "postgresql://"), autocommit=True) as c:
            c.execute("DROP DATABASE IF EXISTS confnotes_bench_import")
            c.execute("CREATE DATABASE confnotes_bench_import")
        return database_url.rsplit("/", 1)[0] + "/confnotes_bench_import"
    SQLITE_PATH.parent.mkdir(exist_ok=True)
    SQLITE_PATH.unlink(missing_ok=True)
    return f"sqlite:///{SQLITE_PATH}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--talks", type=int, default=1000)
    parser.add_argument("--days", type=int, default=4)
    parser.add_argument("--publish", action="store_true", help="import with --publish")
    parser.add_argument("--profile", action="store_true", help="print the top of a cProfile")
    parser.add_argument("--profile-out", help="also save the profile (pstats) to this file")
    args = parser.parse_args(argv)

    WORK.mkdir(parents=True, exist_ok=True)
    path = WORK / f"benchmark-{args.talks}.md"
    path.write_text(notes_file(args.talks, args.days), encoding="utf-8")
    size = path.stat().st_size

    os.environ["DATABASE_URL"] = fresh_database(os.environ.get("DATABASE_URL", ""))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_core.settings.test")
    os.environ.setdefault("TEST_MEDIA_ROOT", str(ROOT / "var" / "bench-media"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models.signals import post_save

    from pages.models import TalkPage

    print("Building the benchmark database…", file=sys.stderr, flush=True)
    call_command("migrate", verbosity=0)

    seen: set[int] = set()
    started = 0.0

    def progress(sender, instance, created, **kwargs):
        if instance.pk in seen:
            return
        seen.add(instance.pk)
        if len(seen) % 100 == 0 or len(seen) == args.talks:
            elapsed = time.perf_counter() - started
            print(
                f"  {len(seen)}/{args.talks} talks saved, {elapsed:.1f}s",
                file=sys.stderr,
                flush=True,
            )

    post_save.connect(progress, sender=TalkPage, weak=False)
    mode = "--publish" if args.publish else "--draft"
    print(
        f"Importing {path.name} ({size / 1024:.0f} KiB, {args.talks} talks, {mode})…",
        file=sys.stderr,
        flush=True,
    )
    out, err = io.StringIO(), io.StringIO()
    command = [
        "import_notes",
        str(path),
        mode,
        f"--max-size={max(size, 5 * 1024 * 1024)}",
    ]
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile(time.process_time)  # CPU time: steadier on a busy machine
    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    started = time.perf_counter()
    cpu_started = time.process_time()
    if profiler:
        profiler.enable()
    with connection.execute_wrapper(count):
        call_command(*command, verbosity=0, stdout=out, stderr=err)
    if profiler:
        profiler.disable()
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started

    talks = TalkPage.objects.count()
    live = TalkPage.objects.live().count()
    if talks != args.talks:
        print(out.getvalue(), err.getvalue(), file=sys.stderr)
        raise SystemExit(f"expected {args.talks} talks, found {talks}")
    warning_lines = [line for line in err.getvalue().splitlines() if ": warning:" in line]
    warnings = len(warning_lines)
    for line in warning_lines[:5]:
        print(f"  {line}", file=sys.stderr)
    print(f"\nImport throughput, {connection.vendor}, manage.py import_notes {mode}")
    print(f"file: {args.talks} talks over {args.days} days, {size / 1024:.0f} KiB")
    print(f"talks saved: {talks} ({live} live), warnings: {warnings}")
    print(f"time: {elapsed:.1f} s, {talks / elapsed:.1f} talks/s")
    print(f"this process's CPU: {cpu:.1f} s ({talks / cpu:.1f} talks per CPU second)")
    print(f"queries: {queries} ({queries / talks:.0f} per talk)")
    print(out.getvalue().strip().splitlines()[-1])
    if profiler:
        import pstats

        if args.profile_out:
            profiler.dump_stats(args.profile_out)
        print("\nWhere the time goes (cumulative, top 30):")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
        print("Own time (top 20):")
        pstats.Stats(profiler).sort_stats("tottime").print_stats(20)
    return 0


if __name__ == "__main__":
    sys.exit(main())
