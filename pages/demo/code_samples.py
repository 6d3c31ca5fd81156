"""Code shown in the demo notes (kept at column 0 so it reads as it would in an editor)."""

LOGGING_SNIPPET = """\
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "django.db.backends": {
            "handlers": ["console"],
            "level": "DEBUG",
        },
    },
}
"""

QUERY_COUNT_TEST = """\
from django.urls import reverse


def test_programme_query_count(client, django_assert_num_queries, conference):
    url = reverse("programme", args=[conference.slug])
    with django_assert_num_queries(4):
        response = client.get(url)
    assert response.status_code == 200
"""

SELECT_RELATED_SNIPPET = """\
talks = (
    Talk.objects.filter(day__conference=conference)
    .select_related("room", "day")
    .prefetch_related("speakers")
    .order_by("day__date", "start_time")
)
"""

PREFETCH_OBJECT_SNIPPET = """\
from django.db.models import Prefetch

speakers = Speaker.objects.only("name", "slug").order_by("name")
talks = Talk.objects.prefetch_related(
    Prefetch("speakers", queryset=speakers, to_attr="speaker_list"),
)
for talk in talks:
    names = [speaker.name for speaker in talk.speaker_list]
"""

STRUCT_BLOCK_CLEAN = """\
from django.core.exceptions import ValidationError
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError


class CallToActionBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=80)
    page = blocks.PageChooserBlock(required=False)
    url = blocks.URLBlock(required=False)

    def clean(self, value):
        value = super().clean(value)
        if bool(value["page"]) == bool(value["url"]):
            message = "Choose a page or enter a URL (exactly one of them)."
            raise StructBlockValidationError(block_errors={"url": ValidationError(message)})
        return value
"""

STREAM_JSON = """\
[
  {
    "type": "heading",
    "value": {"text": "What we learned", "level": "h2"},
    "id": "0c8f1d9e-2a47-4b8e-9a53-6f0e4c2b7d10"
  },
  {
    "type": "paragraph",
    "value": "<p>Store the <b>meaning</b>, not the layout.</p>",
    "id": "5d2e7b3a-91c4-4f06-8e2d-b4a1c9f03e77"
  }
]
"""

STREAM_MIGRATION = """\
from django.db import migrations

from wagtail.blocks.migrations.migrate_operation import MigrateStreamData
from wagtail.blocks.migrations.operations import RenameStreamChildrenOperation


class Migration(migrations.Migration):
    dependencies = [("pages", "0007_talkpage_body")]

    operations = [
        MigrateStreamData(
            app_name="pages",
            model_name="TalkPage",
            field_name="body",
            operations_and_block_paths=[
                (RenameStreamChildrenOperation(old_name="text", new_name="paragraph"), ""),
            ],
        ),
    ]
"""

MYPY_TOML = """\
[tool.mypy]
python_version = "3.12"
plugins = ["mypy_django_plugin.main"]
warn_unused_ignores = true

[tool.django-stubs]
django_settings_module = "config.settings.dev"

[[tool.mypy.overrides]]
module = ["billing.*", "accounts.services"]
strict = true
"""

INVOICE_DIFF = """\
-def invoice_total(invoice, include_tax=True):
-    total = sum(line.amount for line in invoice.lines.all())
+def invoice_total(invoice: Invoice, include_tax: bool = True) -> Decimal:
+    total = sum((line.amount for line in invoice.lines.all()), Decimal(0))
     if include_tax:
         total += total * invoice.tax_rate
     return total
"""

MYPY_CONSOLE = (
    "$ mypy billing/\n"
    'billing/totals.py:9: error: Incompatible return value type (got "Decimal | int", '
    'expected "Decimal")  [return-value]\n'
    "Found 1 error in 1 file (checked 14 source files)\n"
)

FORM_FIELD_TEMPLATE = """\
{% for field in form %}
  <div class="field{% if field.errors %} field--invalid{% endif %}">
    {{ field.label_tag }}
    {% if field.help_text %}
      <p class="field__help" id="{{ field.auto_id }}_helptext">{{ field.help_text }}</p>
    {% endif %}
    {{ field }}
    {% if field.errors %}
      <ul class="field__errors" id="{{ field.auto_id }}_errors">
        {% for error in field.errors %}<li>{{ error }}</li>{% endfor %}
      </ul>
    {% endif %}
  </div>
{% endfor %}
"""

FORM_CSS = """\
:focus-visible {
  outline: 3px solid #1d4ed8;
  outline-offset: 2px;
}

.field--invalid input,
.field--invalid select,
.field--invalid textarea {
  border: 2px solid #b91c1c;
}

.field__errors li::before {
  content: "Error: ";
  font-weight: bold;
}
"""

PARTIAL_INDEX_SQL = """\
EXPLAIN (ANALYZE, BUFFERS)
SELECT id, title, starts_at
FROM talks_talk
WHERE status = 'scheduled'
  AND starts_at >= now()
ORDER BY starts_at
LIMIT 20;

CREATE INDEX CONCURRENTLY talks_scheduled_starts_idx
    ON talks_talk (starts_at)
    WHERE status = 'scheduled';
"""

PARTIAL_INDEX_MODEL = """\
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower


class Talk(models.Model):
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=20)
    starts_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(
                fields=["starts_at"],
                condition=Q(status="scheduled"),
                name="talks_scheduled_starts_idx",
            ),
            models.Index(Lower("title"), name="talks_title_lower_idx"),
        ]
"""

WAGTAIL_PYTEST = """\
import pytest

from tests.factories import TalkFactory

pytestmark = pytest.mark.django_db


def test_talk_page_renders(client):
    talk = TalkFactory(title="Accessible forms", summary="Labels, errors and focus.")
    response = client.get(talk.url)
    assert response.status_code == 200
    assert b"Accessible forms" in response.content


def test_unpublished_talk_is_not_public(client):
    talk = TalkFactory(live=False)
    assert client.get(talk.url).status_code == 404
"""

WAGTAIL_TREE_TEST = """\
from wagtail.test.utils import WagtailPageTestCase

from pages.models import ConferenceIndex, DayPage, TalkPage


class PageTreeRulesTests(WagtailPageTestCase):
    def test_talks_only_live_under_days(self):
        self.assertCanCreateAt(DayPage, TalkPage)
        self.assertCanNotCreateAt(ConferenceIndex, TalkPage)
"""

CI_YAML = """\
name: tests
on: [push, pull_request]

jobs:
  pytest:
    runs-on: ubuntu-latest
    services:
      postgres:
        image: postgres:17
        env:
          POSTGRES_PASSWORD: postgres
        ports: ["5432:5432"]
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.13"
      - run: pip install -r requirements-test.lock
      - run: pytest -q
        env:
          DATABASE_URL: postgres://postgres:postgres@localhost:5432/postgres
"""

TASK_DEFINITION = """\
from django.core.mail import send_mail
from django.tasks import task


@task
def send_talk_reminder(email: str, talk_title: str) -> int:
    return send_mail(
        subject=f"Starting soon: {talk_title}",
        message="Your talk starts in 15 minutes.",
        from_email=None,
        recipient_list=[email],
    )
"""

TASK_ENQUEUE = """\
from functools import partial

from django.db import transaction


def schedule_reminder(registration):
    transaction.on_commit(
        partial(
            send_talk_reminder.enqueue,
            email=registration.email,
            talk_title=registration.talk.title,
        )
    )
"""

TASK_SETTINGS = """\
TASKS = {
    "default": {
        "BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
    },
}
"""

STATICFILES_GREP = """\
# Templates still loading the "staticfiles" library, removed in Django 3.0
grep -rn --include='*.html' 'load staticfiles' templates/

# The same, fixed in place (GNU sed; keep a backup until you have looked at the diff)
grep -rl --include='*.html' 'load staticfiles' templates/ \\
  | xargs sed -i.bak 's/load staticfiles/load static/'
"""

DECISION_RECORD = """\
Decision: Use PostgreSQL full-text search instead of a separate search server
Date: 2025-03-04
Status: accepted

Context
  Search covers 40,000 pages in one language. Nobody on the team has run a
  search cluster in production.

Decision
  Use the database search backend on PostgreSQL. Revisit if we add languages
  or the index passes one million documents.

Consequences
  One service fewer to patch and monitor. Relevance tuning is more limited.
"""

CLS_CSS = """\
.promo-banner {
  min-height: 5.5rem;
}

.video-embed {
  aspect-ratio: 16 / 9;
  width: 100%;
}

img {
  max-width: 100%;
  height: auto;
}
"""

CLS_IMG_TEMPLATE = """\
<img src="{{ photo.url }}"
     width="{{ photo.width }}"
     height="{{ photo.height }}"
     alt="{{ photo_alt }}">
"""

WEB_VITALS_JS = """\
import { onCLS } from "web-vitals";

onCLS((metric) => {
  const body = JSON.stringify({
    name: metric.name,
    value: metric.value,
    page: location.pathname,
  });
  navigator.sendBeacon("/rum/", body);
});
"""

PICTURE_TAG_TEMPLATE = (
    "{% load wagtailimages_tags %}\n"
    "{% picture page.photo format-{avif,webp,jpeg} width-{400,800,1200} "
    'sizes="(min-width: 60rem) 50vw, 100vw" alt=page.photo_alt %}\n'
)

FETCH_TS = """\
type Speaker = { name: string; slug: string };

type Talk = {
  id: number;
  title: string;
  startTime: string | null;
  speakers: Speaker[];
};

function isTalkList(data: unknown): data is Talk[] {
  return (
    Array.isArray(data) &&
    data.every((item) => typeof item === "object" && item !== null && "title" in item)
  );
}

async function getJSON<T>(url: string, check: (data: unknown) => data is T): Promise<T> {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  if (!response.ok) {
    throw new Error(`${url} answered ${response.status}`);
  }
  const data: unknown = await response.json();
  if (!check(data)) {
    throw new Error(`${url} sent data of an unexpected shape`);
  }
  return data;
}

const talks = await getJSON("/api/talks/?day=1", isTalkList);
"""

TALKS_JSON = """\
[
  {
    "id": 412,
    "title": "Fixing Layout Shift for Good",
    "startTime": "09:30",
    "speakers": [{"name": "Leilani Kahale", "slug": "leilani-kahale"}]
  },
  {
    "id": 418,
    "title": "Lunch",
    "startTime": null,
    "speakers": []
  }
]
"""

CACHE_VIEW = """\
from django.views.decorators.cache import cache_control, cache_page


@cache_page(60 * 5)
@cache_control(public=True, max_age=60, s_maxage=300, stale_while_revalidate=60)
def programme(request, conference_slug):
    ...
"""

FRAGMENT_CACHE = """\
{% load cache %}
{% cache 600 programme_day day.pk day.last_published_at %}
  {% for talk in talks %}
    {% include "includes/talk_summary.html" %}
  {% endfor %}
{% endcache %}
"""

CURL_HEADERS = """\
# Ask twice: the second answer should come from the CDN
curl -sI https://example.org/saltmarsh-2026/programme/ | grep -iE '^(cache-control|age|x-cache):'
curl -sI https://example.org/saltmarsh-2026/programme/ | grep -iE '^(cache-control|age|x-cache):'
"""

LAZY_IMPORT_JS = """\
const button = document.querySelector("[data-map-toggle]");

button?.addEventListener(
  "click",
  async () => {
    const { renderMap } = await import("./venue-map.js");
    renderMap(document.getElementById("venue-map"));
  },
  { once: true },
);
"""

PACKAGE_JSON = """\
{
  "name": "saltmarsh-site",
  "private": true,
  "type": "module",
  "sideEffects": ["*.css"],
  "scripts": {
    "build": "esbuild src/main.js --bundle --splitting --format=esm --outdir=static/js --minify"
  }
}
"""

BUILD_CONSOLE = """\
$ npm run build

  static/js/main.js                 31.4kb
  static/js/venue-map-7QK2JD4A.js  198.2kb
  static/js/chunk-L5XWQ3NB.js        2.1kb

$ gzip -9 --stdout static/js/main.js | wc -c
10874
"""
