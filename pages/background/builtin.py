"""Jobs of the site itself: a full search index rebuild (``manage.py update_index``), started
from the jobs page by a superuser, so a rebuild of a large site does not hold a request."""

from io import StringIO

from django.core.management import call_command

RUNNER = "pages.background.builtin.rebuild_search_index"


def rebuild_search_index(job, progress) -> dict:
    progress(0, 1, "rebuilding the search index")
    out = StringIO()
    call_command("update_index", stdout=out, stderr=out)
    progress(1, 1, "done")
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    return {"ok": True, "summary": "The search index was rebuilt.", "lines": lines}
