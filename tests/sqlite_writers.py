"""Several threads saving revisions of pages at once on a SQLite file (run by
tests/test_sqlite_concurrency.py in a subprocess: ``python -m tests.sqlite_writers DB [plain]``).

Prints one JSON line: the number of saves and the errors seen. ``plain`` runs with SQLite's
defaults as Django would use them without this project's settings (deferred transactions,
no waiting), to show the test can see lock errors at all.
"""

import json
import os
import sys
import threading

os.environ["DJANGO_SETTINGS_MODULE"] = "site_core.settings.test"
os.environ["DATABASE_URL"] = f"sqlite:///{sys.argv[1]}"

import django  # noqa: E402
from django.conf import settings  # noqa: E402

if len(sys.argv) > 2 and sys.argv[2] == "plain":
    settings.DATABASES["default"]["OPTIONS"] = {"timeout": 0.001}
django.setup()

from django.db import connection  # noqa: E402

from wagtail.models import Page  # noqa: E402

THREADS = 4
SAVES = 12


def main():
    home = Page.objects.get(depth=2)
    ids = [home.pk]
    for n in range(THREADS - 1):
        child = home.add_child(instance=Page(title=f"Writer {n}", slug=f"writer-{n}"))
        ids.append(child.pk)
    connection.close()
    errors: list[str] = []
    saves = [0]
    start = threading.Barrier(THREADS)

    def writer(pk: int):
        start.wait()
        try:
            for n in range(SAVES):
                try:
                    page = Page.objects.get(pk=pk).specific
                    page.title = f"{page.title.split(' #')[0]} #{n}"
                    page.save_revision(log_action=True)
                    saves[0] += 1
                except Exception as error:  # noqa: BLE001 (counted and reported)
                    errors.append(f"{type(error).__name__}: {error}")
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(pk,)) for pk in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    mode = connection.cursor().execute("PRAGMA journal_mode").fetchone()[0]
    print(json.dumps({"saves": saves[0], "errors": errors, "journal_mode": mode}))


if __name__ == "__main__":
    main()
