"""Search benchmark: p50/p95 of in-process search time over generated talks, SQLite and PostgreSQL.

    python -m benchmarks.search --talks 10000          # both databases, side by side
    python -m benchmarks.search --talks 2000 --only sqlite

Each database gets its own throw-away database (var/bench-search.sqlite3, PostgreSQL
``confnotes_bench_search`` (or BENCH_POSTGRES_DB) on BENCH_POSTGRES_URL or 127.0.0.1). Talks are
generated from a fixed seed and written in bulk, the index is built with the search backend's
bulk indexer (progress on stderr), then a fixed set of queries is run through the real search
view (parsing, search, facets, excerpts, template) with Django's test client, several rounds,
each search from scratch (the result cache emptied first, untimed), and the per-query times
are summarised.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: the throw-away PostgreSQL database (BENCH_POSTGRES_DB, so that parallel runs do not share one)
BENCH_DB = os.environ.get("BENCH_POSTGRES_DB", "confnotes_bench_search")
if not BENCH_DB.replace("_", "").isalnum():
    raise SystemExit("BENCH_POSTGRES_DB: letters, digits and underscores only")

#: issue #20's budget: p95 of the search view on PostgreSQL at 100,000 talks
P95_BUDGET_MS = 60
P95_BUDGET_TALKS = 100_000

QUERIES = [
    "django",
    "database migrations",
    "caching",
    '"query count"',
    "testing OR fixtures",
    "accessibility -forms",
    "postgres index",
    "async views",
    "wagtail streamfield",
    "performance budget",
    # a typo (corrected, then searched) and words no talk has together (partial matches)
    "djnago",
    "caching kubernetes graphql",
]

WORDS = [
    "django",
    "wagtail",
    "python",
    "database",
    "migration",
    "migrations",
    "caching",
    "cache",
    "query",
    "queries",
    "index",
    "postgres",
    "sqlite",
    "testing",
    "fixtures",
    "factories",
    "accessibility",
    "forms",
    "labels",
    "headings",
    "async",
    "views",
    "streamfield",
    "blocks",
    "performance",
    "budget",
    "latency",
    "template",
    "render",
    "deploy",
    "container",
    "secrets",
    "search",
    "ranking",
    "excerpt",
    "facets",
    "pagination",
    "security",
    "headers",
    "content",
    "policy",
    "images",
    "renditions",
    "storage",
    "upload",
    "schema",
    "backfill",
    "rollout",
    "feature",
    "flags",
    "observability",
    "logging",
    "metrics",
    "tracing",
]


SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ne",
    "ru",
    "ta",
    "vo",
    "si",
    "pe",
    "da",
    "go",
    "fu",
    "ri",
    "ze",
    "mo",
    "ba",
    "le",
    "ti",
    "nu",
    "ko",
]


def filler_vocabulary(rng: random.Random, size: int = 4000) -> list[str]:
    return ["".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(size)]


def sentence(rng: random.Random, n: int = 14, filler: list[str] | None = None) -> str:
    """Mostly filler words (Zipf-like), with a topic word now and then, so queries are selective."""
    words = []
    for _ in range(n):
        if filler and rng.random() < 0.93:
            words.append(filler[min(int(rng.paretovariate(1.1)) - 1, len(filler) - 1)])
        else:
            words.append(rng.choice(WORDS))
    return " ".join(words).capitalize() + "."


def build(talks: int) -> None:
    """Speakers, tags, conferences and days through the models; talks in bulk (rows written
    directly, a few thousand a second), then the search index with the backend's bulk indexer."""
    from taggit.models import Tag

    from tests.factories import ConferenceFactory, DayFactory, SpeakerFactory

    rng = random.Random(20261122)
    filler = filler_vocabulary(rng)
    rng.shuffle(filler)
    speakers = [SpeakerFactory(name=f"Bench Speaker {i}") for i in range(200)]
    tags = [Tag.objects.create(name=word, slug=word) for word in WORDS[:40]]
    conferences = [
        ConferenceFactory(title=f"Benchconf {2000 + i}") for i in range(max(1, talks // 500))
    ]
    days = [DayFactory(parent=c, title=f"Day {d + 1}") for c in conferences for d in range(3)]
    started = time.perf_counter()
    for first in range(0, talks, BATCH):
        _create_talks(rng, filler, days, speakers, tags, first, min(first + BATCH, talks))
        done = min(first + BATCH, talks)
        rate = done / (time.perf_counter() - started)
        print(f"  created {done}/{talks} talks ({rate:.0f}/s)", file=sys.stderr, flush=True)
    index_talks(talks)
    _finish_tree(days)


#: talks written per transaction (and indexed per bulk insert)
BATCH = 1000


def _create_talks(rng, filler, days, speakers, tags, first: int, last: int) -> None:
    """Talks ``first`` to ``last - 1``: the ``wagtailcore_page`` rows with ``bulk_create``, the
    ``pages_talkpage`` rows in one ``executemany`` (Django cannot bulk-create a multi-table
    child), then their speakers and tags. What ``TalkPage.save()`` derives (summary, code
    languages) is derived here the same way; the same random sequence as one save per talk."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from django.utils import timezone
    from django.utils.text import slugify

    from wagtail.models import Page

    from pages.models import TalkPage, TalkSpeaker, TalkTag
    from pages.summaries import derive_summary

    now = timezone.now()
    content_type = ContentType.objects.get_for_model(TalkPage)
    pages, talks, links = [], [], []
    for n in range(first, last):
        day = days[n % len(days)]
        day.numchild += 1
        title = f"{sentence(rng, 4)[:-1]} {n}"
        slug = slugify(title)
        talk = TalkPage(
            title=title,
            summary=sentence(rng, 20, filler),
            body=[
                {"type": "heading", "value": {"text": sentence(rng, 3, filler), "level": "h2"}},
                {"type": "paragraph", "value": f"<p>{sentence(rng, 60, filler)}</p>"},
                {
                    "type": "code",
                    "value": {
                        "language": rng.choice(["python", "sql", "bash"]),
                        "code": "x = 1\n",
                        "filename": "",
                        "highlight_lines": "",
                        "line_numbers": False,
                    },
                },
                {"type": "paragraph", "value": f"<p>{sentence(rng, 60, filler)}</p>"},
            ],
        )
        languages = sorted(
            {b["value"]["language"] for b in talk.body.raw_data if b["type"] == "code"}
        )
        talk.code_languages = f" {' '.join(languages)} "
        talk.derived_summary = derive_summary(talk.body.raw_data)
        pages.append(
            Page(
                title=title,
                draft_title=title,
                slug=slug,
                path=Page._get_path(day.path, day.depth + 1, day.numchild),
                depth=day.depth + 1,
                numchild=0,
                url_path=f"{day.url_path}{slug}/",
                content_type=content_type,
                locale_id=day.locale_id,
                live=True,
                has_unpublished_changes=False,
                first_published_at=now,
                last_published_at=now,
            )
        )
        talks.append(talk)
        links.append(
            (
                rng.sample(speakers, rng.choice((1, 1, 2))),
                rng.sample(tags, rng.choice((1, 2, 3))),
            )
        )
    fields = list(TalkPage._meta.local_concrete_fields)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    with transaction.atomic():
        Page.objects.bulk_create(pages)
        rows = []
        for page, talk in zip(pages, talks, strict=True):
            talk.page_ptr_id = page.pk
            rows.append([f.get_db_prep_save(getattr(talk, f.attname), connection) for f in fields])
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {TalkPage._meta.db_table} ({columns}) VALUES ({placeholders})",  # noqa: S608
                rows,
            )
        TalkSpeaker.objects.bulk_create(
            TalkSpeaker(page_id=page.pk, speaker=speaker, sort_order=order)
            for page, (chosen, _tags) in zip(pages, links, strict=True)
            for order, speaker in enumerate(chosen)
        )
        TalkTag.objects.bulk_create(
            TalkTag(content_object_id=page.pk, tag=tag)
            for page, (_speakers, chosen) in zip(pages, links, strict=True)
            for tag in chosen
        )


def _finish_tree(days) -> None:
    """Each day's number of children, a new content version (as a publish leaves), and
    ``VACUUM ANALYZE``: what autovacuum does on a production server (dead rows of the index's
    title-norm refresh cleared, visibility maps set, statistics gathered; see README
    "Backups"). The PostgreSQL these benchmarks run on has autovacuum switched off."""
    from django.db import connection

    from wagtail.models import Page

    from pages.fragments import bump_now

    for day in days:
        Page.objects.filter(pk=day.pk).update(numchild=day.numchild)
    bump_now()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    checkpoint()


def checkpoint() -> None:
    """PostgreSQL writes out what the build or the untimed round changed now, not during the
    timed searches (a server does it every few minutes, whatever the searches)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")


def index_talks(talks: int) -> None:
    from wagtail.search.backends import get_search_backend

    from pages.models import TalkPage

    index = get_search_backend().get_index_for_model(TalkPage)
    # What `update_index` reads: the search fields' related objects prefetched (tags, speakers).
    queryset = (
        TalkPage.get_indexed_objects().order_by("pk").prefetch_related("talk_speakers__speaker")
    )
    started = time.perf_counter()
    print("  indexing…", file=sys.stderr, flush=True)
    last_pk = 0
    done = 0
    while True:
        batch = list(queryset.filter(pk__gt=last_pk)[:BATCH])
        if not batch:
            break
        index.add_items(TalkPage, batch)
        last_pk = batch[-1].pk
        done += len(batch)
        rate = done / (time.perf_counter() - started)
        print(f"  indexed {done}/{talks} ({rate:.0f}/s)", file=sys.stderr, flush=True)


def measure(rounds: int) -> dict:
    from django.test import Client

    client = Client()
    per_query: dict[str, list[float]] = {q: [] for q in QUERIES}
    for query in QUERIES:  # warm-up round, not counted
        client.get("/search/", {"q": query})
    vocabulary_built()
    checkpoint()
    for _ in range(rounds):
        for query in QUERIES:
            forget()
            started = time.perf_counter()
            response = client.get("/search/", {"q": query})
            per_query[query].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
    all_times = sorted(t for times in per_query.values() for t in times)
    return {
        "p50_ms": round(statistics.median(all_times), 2),
        "p95_ms": round(percentile(all_times, 0.95), 2),
        "max_ms": round(all_times[-1], 2),
        "samples": len(all_times),
        "per_query_p50_ms": {q: round(statistics.median(t), 2) for q, t in per_query.items()},
        "per_query_p95_ms": {
            q: round(percentile(sorted(t), 0.95), 2) for q, t in per_query.items()
        },
        # the slowest search of each round: shows whether the first round pays for something
        "per_round_max_ms": [
            round(max(times[n] for times in per_query.values()), 2) for n in range(rounds)
        ],
        "queries_per_search": queries_per_search(client),
    }


def measure_postings_ab(rounds: int) -> dict:
    """PostgreSQL: the same searches with common words' postings used and not used, interleaved
    query by query in one run, so the ratio holds on a noisy machine (pages/search/postings.py;
    "off" ranks every match, as before them)."""
    from django.test import Client

    from pages.search import ranking

    client = Client()
    used = ranking.POSTINGS_FROM_LIMIT
    times: dict[str, list[float]] = {"off": [], "on": []}
    try:
        for _ in range(rounds):
            for query in QUERIES:
                for mode in times:
                    ranking.POSTINGS_FROM_LIMIT = used if mode == "on" else 10**9
                    forget()
                    started = time.perf_counter()
                    assert client.get("/search/", {"q": query}).status_code == 200
                    times[mode].append((time.perf_counter() - started) * 1000)
    finally:
        ranking.POSTINGS_FROM_LIMIT = used
    summary = {}
    for mode, values in times.items():
        values.sort()
        summary[mode] = {
            "p50_ms": round(statistics.median(values), 2),
            "p95_ms": round(percentile(values, 0.95), 2),
        }
    return summary


def measure_typo_after_change() -> dict:
    """The first typo search after a content change (a new content version, as a publish
    makes), and how long the new spelling vocabulary then takes to build in the background."""
    from django.test import Client

    from pages.fragments import bump_now

    bump_now()
    forget()
    started = time.perf_counter()
    response = Client().get("/search/", {"q": "djnago"})
    searched = time.perf_counter()
    vocabulary_built()
    built = time.perf_counter()
    return {
        "search_ms": round((searched - started) * 1000, 2),
        "corrected": "Showing results for" in response.content.decode(),
        "vocabulary_built_after_s": round(built - started, 2),
    }


def vocabulary_built() -> None:
    """Wait until the spelling vocabulary the warm-up round asked for is built (in a background
    thread, as in production: pages/search/vocabulary.py), so that it neither competes with the
    timed searches nor leaves the typo query uncorrected in the first round."""
    from pages.search import vocabulary

    while vocabulary._building:
        time.sleep(0.1)


def forget() -> None:
    """Searches are measured from scratch: the result cache (``fragments``) is emptied first, as
    after a publish (untimed). A cached search costs a token and a cache look-up."""
    from django.core.cache import caches

    caches["fragments"].clear()


def percentile(ordered: list[float], fraction: float) -> float:
    return ordered[max(0, int(len(ordered) * fraction) - 1)]


def queries_per_search(client) -> dict[str, int]:
    """SQL statements each query's search runs (one more, untimed, pass)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for query in QUERIES:
        forget()
        with CaptureQueriesContext(connection) as captured:
            client.get("/search/", {"q": query})
        counts[query] = len(captured.captured_queries)
    return counts


def worker(talks: int, rounds: int, reuse: bool = False, compare: bool = False) -> None:
    """Runs inside a subprocess whose DATABASE_URL names the throw-away database."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import DatabaseError, connection

    from pages.models import TalkPage

    try:
        existing = TalkPage.objects.count() if reuse else -1
    except DatabaseError:  # --reuse on an empty database: build it
        existing = -1
    if existing == talks:
        print(f"  reusing the {talks} talks already there", file=sys.stderr, flush=True)
    else:
        call_command("migrate", verbosity=0)
        build(talks)
    result = measure(rounds)
    if compare and connection.vendor == "postgresql":
        result["postings_ab"] = measure_postings_ab(rounds)
    result["typo_after_change"] = measure_typo_after_change()
    result.update({"database": connection.vendor, "talks": talks})
    print(json.dumps(result))


def run_on(
    database_url: str, talks: int, rounds: int, reuse: bool = False, compare: bool = False
) -> dict:
    # Persistent connections, as production runs (CONN_MAX_AGE in base settings).
    env = {**os.environ, "DATABASE_URL": database_url, "CONN_MAX_AGE": "60"}
    output = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.search",
            "--worker",
            "--talks",
            str(talks),
            "--rounds",
            str(rounds),
            *(["--reuse"] if reuse else []),
            *(["--compare-postings"] if compare else []),
        ],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def fresh_postgres(url: str) -> str:
    import psycopg

    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS " + BENCH_DB)
        conn.execute("CREATE DATABASE " + BENCH_DB)
    return url.rsplit("/", 1)[0] + "/" + BENCH_DB


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--talks", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument(
        "--reuse", action="store_true", help="measure again on the databases a previous run built"
    )
    parser.add_argument(
        "--compare-postings",
        action="store_true",
        help="PostgreSQL: also time each search with word postings used and not, interleaved",
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.talks, args.rounds, args.reuse, args.compare_postings)
        return 0
    results = []
    if args.only in (None, "sqlite"):
        path = ROOT / "var" / "bench-search.sqlite3"
        path.parent.mkdir(exist_ok=True)
        if not args.reuse:
            path.unlink(missing_ok=True)
        print(f"SQLite: {args.talks} talks", file=sys.stderr, flush=True)
        results.append(run_on(f"sqlite:///{path}", args.talks, args.rounds, args.reuse))
    if args.only in (None, "postgres"):
        base = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
        try:
            url = base.rsplit("/", 1)[0] + "/" + BENCH_DB if args.reuse else fresh_postgres(base)
        except Exception as exc:  # no server: say so, keep the SQLite figures
            print(f"PostgreSQL not available ({exc}); skipped", file=sys.stderr)
        else:
            print(f"PostgreSQL: {args.talks} talks", file=sys.stderr, flush=True)
            results.append(run_on(url, args.talks, args.rounds, args.reuse, args.compare_postings))
    print(f"\nSearch view, in-process, {args.rounds} rounds x {len(QUERIES)} queries")
    print(
        f"{'database':<12}{'talks':>8}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}{'SQL/search':>12}"
    )
    for r in results:
        counts = r["queries_per_search"].values()
        sql = f"{min(counts)}-{max(counts)}" if min(counts) != max(counts) else str(max(counts))
        print(
            f"{r['database']:<12}{r['talks']:>8}{r['p50_ms']:>10}{r['p95_ms']:>10}{r['max_ms']:>10}"
            f"{sql:>12}"
        )
        if r["database"] == "postgresql" and r["talks"] >= P95_BUDGET_TALKS:
            verdict = "within" if r["p95_ms"] <= P95_BUDGET_MS else "OVER"
            print(
                f"{'':<20}p95 {r['p95_ms']} ms beside its budget of {P95_BUDGET_MS} ms"
                f" (issue #20, PostgreSQL at {P95_BUDGET_TALKS:,} talks): {verdict}"
            )
    if results:
        print(f"\n{'p50 / p95 ms by query':<24}" + "".join(f"{r['database']:>22}" for r in results))
        for query in QUERIES:
            cells = "".join(
                f"{r['per_query_p50_ms'][query]:>10} /{r['per_query_p95_ms'][query]:>9}"
                for r in results
            )
            print(f"{query:<24}{cells}")
    if len(results) == 2:
        print(f"ratio p95 postgresql/sqlite: {results[1]['p95_ms'] / results[0]['p95_ms']:.2f}")
    for r in results:
        typo = r["typo_after_change"]
        print(
            f"{r['database']}: the first typo search after a content change {typo['search_ms']} ms"
            f" ({'corrected' if typo['corrected'] else 'not corrected'}); the new spelling"
            f" vocabulary built in the background {typo['vocabulary_built_after_s']} s later"
        )
    for r in results:
        if "postings_ab" in r:
            on, off = r["postings_ab"]["on"], r["postings_ab"]["off"]
            print(
                f"\nword postings, interleaved in one run (p50 / p95 ms): used {on['p50_ms']} /"
                f" {on['p95_ms']}, not used {off['p50_ms']} / {off['p95_ms']}; ratio"
                f" {off['p50_ms'] / on['p50_ms']:.2f}x / {off['p95_ms'] / on['p95_ms']:.2f}x"
            )
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
