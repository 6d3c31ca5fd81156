"""Every public demo page, byte for byte, against another commit: a speed-up must not change HTML.

    python -m benchmarks.same_html 3e84f0b      # compare this work tree with commit 3e84f0b

Uses the database ``benchmarks.scratch`` built (var/bench-scratch.sqlite3; run it first). The
other commit is checked out in a temporary git worktree that shares this venv, and both render
every live page plus the speaker, tag, search and feed pages from a copy of the same database,
twice (fragments cached, then emptied), with the benchmark settings (production caches and
stored parts). Prints the URLs whose HTML differs; exits 1 when any does.
"""

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE = ROOT / "var" / "bench-scratch.sqlite3"
EXTRA_URLS = [
    "/speakers/",
    "/tags/",
    "/feeds/rss/",
    "/search/?q=django",
    "/search/?q=caching+django",
    '/search/?q="query+count"',
    "/search/?q=testing+OR+fixtures",
    "/search/?q=accessibility+-forms",
    "/search/?q=djnago",
    "/search/?q=caching+kubernetes+graphql",
    "/search/?q=django&tag=testing",
    "/search/?q=django&conference=fernhollow-pydays-2025",
    "/search/?q=django&lang=python&page=2",
    "/search/?q=",
    "/search/?q=c%2B%2B+it%27s",
]


def capture(out: str) -> None:
    """In the checkout this runs from: write each page's HTML into ``out``."""
    import django

    django.setup()
    from django.core.cache import caches
    from django.test import Client

    from wagtail.models import Page

    client = Client()
    urls = sorted(page.url for page in Page.objects.live() if page.url) + EXTRA_URLS
    for round_ in ("cached", "emptied"):
        for url in urls:
            response = client.get(url)
            name = hashlib.blake2b(url.encode(), digest_size=8).hexdigest()
            Path(out, f"{name}.{round_}.html").write_bytes(
                f"{url} {response.status_code}\n".encode() + response.content
            )
        caches["fragments"].clear()
    print(f"{len(urls)} URLs rendered twice", file=sys.stderr)


def render_in(checkout: Path, database: Path, out: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "TEST_MEDIA_ROOT": str(ROOT / "var" / "bench-scratch-media"),
        "PYTHONPATH": str(checkout),
    }
    script = (
        f"import sys; sys.path.insert(0, {str(checkout)!r}); "
        f"from benchmarks.same_html import capture; capture({str(out)!r})"
    )
    migrate = [sys.executable, "manage.py", "migrate", "-v0"]
    subprocess.run(migrate, cwd=checkout, env=env, check=True)
    subprocess.run([sys.executable, "-c", script], cwd=checkout, env=env, check=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("commit", help="the commit to compare with (e.g. main's last)")
    args = parser.parse_args(argv)
    if not DATABASE.exists():
        raise SystemExit(f"{DATABASE} is missing: run python -m benchmarks.scratch first")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        other = tmp / "other"
        subprocess.run(
            ["git", "worktree", "add", "--detach", "-q", str(other), args.commit],
            cwd=ROOT,
            check=True,
        )
        try:
            if not (other / "benchmarks" / "same_html.py").exists():  # an older commit
                shutil.copy(__file__, other / "benchmarks" / "same_html.py")
            # Renditions are created on first view with random file names: render once here
            # first, so that both sides find them in the database.
            shutil.copy(DATABASE, tmp / "warm.sqlite3")
            render_in(ROOT, tmp / "warm.sqlite3", Path(tempfile.mkdtemp(dir=tmp)))
            for side in ("this", "other"):
                shutil.copy(tmp / "warm.sqlite3", tmp / f"{side}.sqlite3")
            (tmp / "this-html").mkdir()
            (tmp / "other-html").mkdir()
            render_in(other, tmp / "other.sqlite3", tmp / "other-html")
            render_in(ROOT, tmp / "this.sqlite3", tmp / "this-html")
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(other)], cwd=ROOT, check=False
            )
        differ = []
        for mine in sorted((tmp / "this-html").iterdir()):
            theirs = tmp / "other-html" / mine.name
            if not theirs.exists() or theirs.read_bytes() != mine.read_bytes():
                differ.append(mine.read_bytes().split(b"\n", 1)[0].decode())
        total = len(list((tmp / "this-html").iterdir()))
    if differ:
        print(f"{len(differ)} of {total} renders differ from {args.commit}:")
        print("\n".join(differ))
        return 1
    print(f"All {total} renders are the same bytes as at {args.commit}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
