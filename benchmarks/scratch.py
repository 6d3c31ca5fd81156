"""Pages rendered from scratch next to their cached render: instructions against the budgets.

    python -m benchmarks.scratch            # SQLite (var/bench-scratch.sqlite3), production caches
    python -m benchmarks.scratch --reuse    # measure the database a previous run built

Builds the demo (``load_demo``) plus three talks of 10, 50 and 500 blocks (the mix of
``benchmarks.render``), then counts with callgrind the instructions of one render of each page
through Django's test client, in three modes (``forget``):

- **cached**: the page has been shown since the last edit (its fragments come from the
  ``fragments`` cache);
- **from scratch**: before every render the page is really published again (search and the
  conference page: the largest demo talk), then the ``fragments`` cache is emptied: the first
  visitor after an edit of that page, on an app server whose memory holds nothing of it. What
  publishing keeps in the database (``pages.stored_parts``) is there, as it would be. The
  budgets apply to this column;
- **after a site-wide change**: the site-wide content version is replaced (an image, speaker or
  tag edit) and the cache emptied: nothing cached or stored applies, every part is rendered
  (and stored again). No budget; shown so that the cost of that case stays visible.

Everything runs in one valgrind process: a marker call (``os.getppid``, callgrind
``--dump-before=getppid``) before and after each render, so neither Python's start-up nor the
cache resets are counted; each figure is the average of ``--renders`` renders, after a warm-up
render of every page. Instruction counts
are stable under load (unlike times), so the budgets (``BUDGETS``, issue #20) are in
instructions. Prints each figure beside its budget and the ratio to the cached render; with
``--strict`` exits 1 when a budget is exceeded (``make bench`` goes on to the other benchmarks).
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SQLITE_PATH = ROOT / "var" / "bench-scratch.sqlite3"
MODES = ("cached", "scratch", "site-wide")
#: page label -> budget from scratch, in millions of instructions (None: measured, no budget)
BUDGETS = {
    "largest demo talk": 35,
    "10-block talk": 20,
    "50-block talk": 35,
    "500-block talk": None,
    "conference page": None,
    "search ?q=django": 40,
}


def build() -> dict[str, str]:
    """The demo and the three generated talks; returns {label: URL}."""
    from django.core.management import call_command
    from django.test import Client

    from benchmarks.render import body
    from pages.models import ConferenceIndex
    from tests.factories import DayFactory, ImageFactory, SpeakerFactory, TalkFactory

    call_command("migrate", verbosity=0)
    print("Loading the demo…", file=sys.stderr, flush=True)
    call_command("load_demo", verbosity=0)
    conference = ConferenceIndex.objects.order_by("path").first()
    day = DayFactory(parent=conference, title="Benchmark day", day_number=9)
    images = [ImageFactory(title=f"Bench image {n}") for n in range(5)]
    speaker = SpeakerFactory(name="Bench Speaker")
    for label, blocks in (("10-block talk", 10), ("50-block talk", 50), ("500-block talk", 500)):
        scale = max(1, blocks // 50)
        TalkFactory(
            parent=day,
            title=f"Talk with {label}",
            body=body(scale, images, speaker)[:blocks],
            speakers=[speaker],
        )
    return urls(Client())


def urls(client) -> dict[str, str]:
    from pages.models import ConferenceIndex, TalkPage

    demo = [talk for talk in TalkPage.objects.live() if not talk.title.startswith("Talk with")]
    sizes = {talk.url: len(client.get(talk.url).content) for talk in demo}
    found = {"largest demo talk": max(sizes, key=sizes.get)}
    for label in ("10-block talk", "50-block talk", "500-block talk"):
        found[label] = TalkPage.objects.get(title=f"Talk with {label}").url
    found["conference page"] = ConferenceIndex.objects.order_by("path").first().url
    found["search ?q=django"] = "/search/?q=django"
    return found


def forget(mode: str, path: str | None = None) -> None:
    """What the next render starts from.

    - ``scratch``: the page at ``path`` is published again (a real ``revision.publish()``: its
      conference's and the home page's fragments become stale, and what publishing stores
      is stored), then the ``fragments`` cache is emptied: the first visitor after an edit
      of that page, on an app server that did not serve the edit;
    - ``site-wide``: the site-wide content version is replaced (what an image, speaker or tag
      edit does: nothing cached or stored applies any more), and the cache is emptied.
    """
    if mode == "cached":
        return
    from django.core.cache import caches

    if mode == "scratch" and path:
        from wagtail.models import Page

        page = Page.objects.get(path=path).specific
        page.save_revision().publish()
    elif mode == "site-wide":
        from pages.fragments import bump_now

        bump_now()
    caches["fragments"].clear()


def page_paths(pages: dict[str, str]) -> dict[str, str]:
    """{URL: path of the page whose publish makes it stale} (search: the largest demo talk)."""
    from wagtail.models import Page

    by_url = {page.url: page.path for page in Page.objects.live()}
    talk = by_url[pages["largest demo talk"]]
    return {url: by_url.get(url, talk) for url in pages.values()}


def loop(renders: int) -> None:
    """Run under callgrind: warm up every page, then each render between two markers (parts
    alternate: a render, the ``forget`` before the next one, a render, …)."""
    from django.test import Client

    client = Client()
    pages = urls(client)
    paths = page_paths(pages)
    for url in pages.values():
        for mode in MODES:
            forget(mode, paths[url])
            assert client.get(url).status_code == 200, url
    first = True
    for url in pages.values():
        for mode in MODES:
            for n in range(renders):
                if not first:
                    os.getppid()  # end of a render, start of the unmeasured part
                first = False
                forget(mode, paths[url])
                if mode == "cached" and n == 0:
                    client.get(url)  # other pages' "from scratch" emptied the cache
                os.getppid()  # the marker: callgrind dumps the counts so far
                client.get(url)
    os.getppid()


def count_instructions(database_url: str, renders: int) -> list[int]:
    """Instructions per render of each (page, mode) in the order of ``loop``."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"
        env = {**os.environ, "DATABASE_URL": database_url, "PYTHONHASHSEED": "0"}
        subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                "--dump-before=getppid",
                f"--callgrind-out-file={out}",
                sys.executable,
                "-m",
                "benchmarks.scratch",
                "--loop",
                "--renders",
                str(renders),
            ],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        parts = sorted(Path(tmp).glob("callgrind.out.*"), key=lambda p: int(p.suffix[1:]))
        totals = []
        for part in parts:
            for line in part.read_text().splitlines():
                if line.startswith(("totals:", "summary:")):
                    totals.append(int(line.split()[1]))
                    break
    # callgrind.out.1 is start-up and warm-up, then renders and "forget" parts alternate (the
    # exit goes to callgrind.out, not read)
    measured = totals[1::2]
    return [sum(measured[n : n + renders]) // renders for n in range(0, len(measured), renders)]


def queries(pages: dict[str, str]) -> dict[tuple[str, str], int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    counts = {}
    paths = page_paths(pages)
    for label, url in pages.items():
        for mode in MODES:
            client.get(url)
            forget(mode, paths[url])
            with CaptureQueriesContext(connection) as ctx:
                client.get(url)
            counts[label, mode] = len(ctx.captured_queries)
    return counts


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    os.environ.setdefault("TEST_MEDIA_ROOT", str(ROOT / "var" / "bench-scratch-media"))
    import django

    django.setup()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=3)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--strict", action="store_true", help="exit 1 when over a budget")
    parser.add_argument("--loop", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    database_url = f"sqlite:///{SQLITE_PATH}"
    if args.loop:
        setup_django(os.environ["DATABASE_URL"])
        loop(args.renders)
        return 0
    if not args.reuse:
        SQLITE_PATH.parent.mkdir(exist_ok=True)
        SQLITE_PATH.unlink(missing_ok=True)
    setup_django(database_url)
    from django.test import Client

    pages = build() if not args.reuse else urls(Client())
    counts = queries(pages)
    if not shutil.which("valgrind"):
        print("valgrind is not installed: no instruction counts", file=sys.stderr)
        return 0
    print(
        f"Counting instructions with callgrind ({len(pages) * len(MODES)} measurements of "
        f"{args.renders} renders, one valgrind run of a few minutes)…",
        file=sys.stderr,
        flush=True,
    )
    figures = iter(count_instructions(database_url, args.renders))
    print("\nInstructions per render (millions), production caches, SQLite")
    print(
        f"{'page':<20}{'cached':>8}{'scratch':>9}{'budget':>8}{'ratio':>7}{'site-wide':>11}"
        f"{'queries':>11}  verdict"
    )
    over = []
    for label in pages:
        cached, scratch, site_wide = (next(figures) / 1e6 for _mode in MODES)
        budget = BUDGETS.get(label)
        verdict = "-" if budget is None else ("ok" if scratch <= budget else "OVER")
        if verdict == "OVER":
            over.append(label)
        queries_text = "/".join(str(counts[label, mode]) for mode in MODES)
        print(
            f"{label:<20}{cached:>8.1f}{scratch:>9.1f}{budget or '-':>8}"
            f"{scratch / cached:>6.2f}x{site_wide:>11.1f}{queries_text:>11}  {verdict}"
        )
    print(
        "(ratio: from scratch / cached; site-wide: after a site-wide change, no budget;"
        " queries: cached/scratch/site-wide)"
    )
    if over:
        print(f"Over budget: {', '.join(over)}")
    return 1 if over and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
