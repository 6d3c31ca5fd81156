"""The demo content loaded by ``manage.py load_demo``: speakers, pictures, videos and notes.

Everything here is plain Python data. Page bodies are lists of ``(block type, value)`` pairs
made with the small helpers below; speakers and images are referred to by key (a speaker's
slug, an image key of ``IMAGES``, a video key of ``VIDEOS``) and resolved by the command.

The conferences, people and talks are fictional; the notes are original writing.
"""

import datetime

from . import demo_images

# --- Block helpers -----------------------------------------------------------------------


def h2(text: str) -> tuple:
    return ("heading", {"text": text, "level": "h2"})


def h3(text: str) -> tuple:
    return ("heading", {"text": text, "level": "h3"})


def h4(text: str) -> tuple:
    return ("heading", {"text": text, "level": "h4"})


def para(html: str) -> tuple:
    """Rich text in Wagtail's database format: <p>, <b>, <i>, <a href>, <ul>/<ol>/<li>, <code>."""
    return ("paragraph", html)


def quote(text: str, *, speaker: str = "", attribution: str = "", source_url: str = "") -> tuple:
    return (
        "quote",
        {"text": text, "speaker": speaker, "attribution": attribution, "source_url": source_url},
    )


def code(
    language: str,
    source: str,
    *,
    filename: str = "",
    highlight_lines: str = "",
    line_numbers: bool = False,
) -> tuple:
    return (
        "code",
        {
            "language": language,
            "code": source,
            "filename": filename,
            "highlight_lines": highlight_lines,
            "line_numbers": line_numbers,
        },
    )


def checklist(title: str, items: list[tuple[str, bool]]) -> tuple:
    return ("checklist", {"title": title, "items": [{"text": t, "done": d} for t, d in items]})


def figure(image: str, *, alt_text: str = "", caption: str = "", decorative: bool = False) -> tuple:
    return (
        "image",
        {"image": image, "alt_text": alt_text, "decorative": decorative, "caption": caption},
    )


def table(caption: str, columns: list[tuple[str, str]], rows: list[list]) -> tuple:
    """``columns`` are (type, heading) with type "text", "number" or "rich_text"."""
    return ("table", {"caption": caption, "columns": columns, "rows": rows})


def video(key: str, title: str) -> tuple:
    return ("video", {"video": key, "title": title})


# --- Speakers, pictures, videos ------------------------------------------------------------

#: Drawn at load time; keyed by title in the image library.
IMAGES = {
    "n-plus-one": {
        "title": "Diagram: one query per talk versus one joined query (demo)",
        "filename": "demo-n-plus-one-diagram.png",
        "description": "Diagram comparing a list view that runs one query per talk with a view "
        "that loads talks and speakers in a single joined query",
        "draw": demo_images.n_plus_one_diagram,
    },
    "caching-layers": {
        "title": "Diagram: caching layers from browser to database (demo)",
        "filename": "demo-caching-layers-diagram.png",
        "description": "Four boxes in a row, browser, CDN, Django and database, each with the "
        "kind of cache it can hold",
        "draw": demo_images.caching_layers_diagram,
    },
    "layout-shift": {
        "title": "Diagram: a late banner pushing text down (demo)",
        "filename": "demo-layout-shift-diagram.png",
        "description": "Two phone mock-ups: in one a late banner pushes the text down, in the "
        "other a reserved slot keeps the text in place",
        "draw": demo_images.layout_shift_diagram,
    },
    "index-chart": {
        "title": "Chart: lookup time with and without an index (demo)",
        "filename": "demo-index-scan-chart.png",
        "description": "Bar chart of lookup times: 182 ms for a sequential scan, 1.9 ms with a "
        "B-tree index and 0.6 ms with a partial index",
        "draw": demo_images.index_scan_chart,
    },
    "strip-teal": {
        "title": "Decorative wave strip, teal to blue (demo)",
        "filename": "demo-wave-strip-teal.png",
        "description": "",
        "draw": lambda: demo_images.wave_strip((16, 118, 122), (37, 99, 176), seed=0),
    },
    "strip-amber": {
        "title": "Decorative wave strip, amber to red (demo)",
        "filename": "demo-wave-strip-amber.png",
        "description": "",
        "draw": lambda: demo_images.wave_strip((196, 120, 24), (176, 52, 60), seed=2),
    },
    "avatar-mira": {
        "title": "Avatar illustration: Mira Castellanos (demo)",
        "filename": "demo-avatar-mira-castellanos.png",
        "description": "Illustrated portrait of Mira Castellanos",
        "draw": lambda: demo_images.avatar(
            (16, 118, 122),
            (224, 172, 130),
            (48, 34, 26),
            (190, 56, 56),
            glasses=True,
            initials="MC",
        ),
    },
    "avatar-tobias": {
        "title": "Avatar illustration: Tobias Lindqvist (demo)",
        "filename": "demo-avatar-tobias-lindqvist.png",
        "description": "Illustrated portrait of Tobias Lindqvist",
        "draw": lambda: demo_images.avatar(
            (37, 99, 176),
            (240, 200, 170),
            (214, 170, 90),
            (30, 120, 80),
            initials="TL",
        ),
    },
    "avatar-amara": {
        "title": "Avatar illustration: Amara Nwosu (demo)",
        "filename": "demo-avatar-amara-nwosu.png",
        "description": "Illustrated portrait of Amara Nwosu",
        "draw": lambda: demo_images.avatar(
            (180, 110, 20),
            (141, 85, 60),
            (22, 22, 22),
            (37, 99, 176),
            long_hair=True,
            initials="AN",
        ),
    },
    "avatar-dara": {
        "title": "Avatar illustration: Dara Quinlan (demo)",
        "filename": "demo-avatar-dara-quinlan.png",
        "description": "Illustrated portrait of Dara Quinlan",
        "draw": lambda: demo_images.avatar(
            (120, 80, 160),
            (236, 190, 160),
            (150, 60, 30),
            (31, 41, 55),
            glasses=True,
            long_hair=True,
            initials="DQ",
        ),
    },
}

SPEAKERS = [
    {
        "slug": "mira-castellanos",
        "name": "Mira Castellanos",
        "bio": "Engineering lead at a small public-sector software cooperative. Has spent a "
        "decade keeping Django sites alive long after the launch party.",
        "photo": "avatar-mira",
        "photo_alt_text": "Illustrated avatar of Mira Castellanos: round glasses, short dark "
        "hair and a red top on a teal circle",
        "website": "https://example.org/people/mira-castellanos/",
        "mastodon": "https://example.social/@mira",
        "github": "mira-castellanos-example",
    },
    {
        "slug": "tobias-lindqvist",
        "name": "Tobias Lindqvist",
        "bio": "Backend developer who likes databases more than he admits. Maintains the "
        "performance budget of a busy ticketing site.",
        "photo": "avatar-tobias",
        "photo_alt_text": "Illustrated avatar of Tobias Lindqvist: fair hair, smiling, green "
        "top on a blue circle",
        "website": "https://example.org/people/tobias-lindqvist/",
        "mastodon": "https://example.social/@tobias",
        "github": "",
    },
    {
        "slug": "amara-nwosu",
        "name": "Amara Nwosu",
        "bio": "Content designer turned Wagtail developer. Builds editing experiences that "
        "newsroom staff can use on a deadline.",
        "photo": "avatar-amara",
        "photo_alt_text": "Illustrated avatar of Amara Nwosu: long black hair and a blue top "
        "on an amber circle",
        "website": "https://example.org/people/amara-nwosu/",
        "mastodon": "",
        "github": "amara-nwosu-example",
    },
    {
        "slug": "kenji-arakawa",
        "name": "Kenji Arakawa",
        "bio": "Database engineer. Reads query plans for fun and writes them up so others "
        "do not have to.",
        "website": "https://example.org/people/kenji-arakawa/",
    },
    {
        "slug": "sofia-marchetti",
        "name": "Sofia Marchetti",
        "bio": "Full-stack developer on a ten-year-old Django monolith that is slowly "
        "becoming a typed, well-tested ten-year-old Django monolith.",
        "mastodon": "https://example.social/@sofia",
    },
    {
        "slug": "dara-quinlan",
        "name": "Dara Quinlan",
        "bio": "Accessibility specialist. Audits public services, then pairs with the teams "
        "that build them until the fixes stick.",
        "photo": "avatar-dara",
        "photo_alt_text": "Illustrated avatar of Dara Quinlan: auburn hair, round glasses and "
        "a dark top on a purple circle",
        "website": "https://example.org/people/dara-quinlan/",
        "mastodon": "https://example.social/@dara",
    },
    {
        "slug": "helene-varga",
        "name": "Hélène Varga",
        "bio": "Test automation engineer for a group of university websites built with Wagtail.",
        "github": "helene-varga-example",
    },
    {
        "slug": "rafael-oyelaran",
        "name": "Rafael Oyelaran",
        "bio": "Front-end developer who measures before optimising and deletes before adding.",
        "website": "https://example.org/people/rafael-oyelaran/",
    },
    {
        "slug": "ingrid-solheim",
        "name": "Ingrid Solheim",
        "bio": "Works on the infrastructure team of a regional news site, where every "
        "e-mail, thumbnail and sitemap is built by a background task.",
    },
    {
        "slug": "yusuf-demir",
        "name": "Yusuf Demir",
        "bio": "Maintainer of several Django packages and an occasional contributor to many more.",
        "mastodon": "https://example.social/@yusuf",
    },
    {
        "slug": "leilani-kahale",
        "name": "Leilani Kahale",
        "bio": "Web performance consultant. Believes every millisecond has a user attached to it.",
        "website": "https://example.org/people/leilani-kahale/",
    },
    {
        "slug": "piotr-zawadzki",
        "name": "Piotr Zawadzki",
        "bio": "Developer at a photo agency, where the images are the product and every "
        "kilobyte shows up on the hosting bill.",
    },
]

#: Made-up video ids: the embeds are stored in Wagtail's embed cache, never fetched.
VIDEOS = {
    "query-counting": {
        "video_id": "Fh25qCount1",
        "title": "Query Counting as a Habit (recording)",
    },
    "layout-shift": {
        "video_id": "Sw26cLsFix2",
        "title": "Fixing Layout Shift for Good (recording)",
    },
    "screen-readers": {
        "video_id": "Sw26sRtest3",
        "title": "Screen Reader Testing for Developers (recording)",
    },
}


def video_url(key: str) -> str:
    return f"https://www.youtube.com/watch?v={VIDEOS[key]['video_id']}"


# --- Code samples (kept at column 0 so they read as they would in an editor) --------------

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


# --- Conferences ---------------------------------------------------------------------------

FERNHOLLOW = {
    "slug": "fernhollow-pydays-2025",
    "title": "Fernhollow PyDays 2025",
    "start_date": datetime.date(2025, 9, 17),
    "location": "Fernhollow, The Old Tannery Hall",
    "website": "https://example.org/fernhollow-pydays-2025/",
    "tags": ["python", "django", "wagtail"],
    "body": [
        para(
            "<p>Three days of Python in a converted tannery by the river: one track of talks, "
            "one room for workshops and a lot of conversations in the corridor. These notes were "
            "written by attendees, talk by talk, and checked against the "
            '<a href="https://example.org/fernhollow-pydays-2025/programme/">published '
            "Fernhollow PyDays programme</a>.</p>"
        ),
        figure("strip-teal", decorative=True),
        h2("How to read these notes"),
        para(
            "<p>Each talk page starts with a one-paragraph summary, then the notes. Code was "
            "copied from the slides and tidied so that it runs; where the speaker showed "
            "pseudo-code we say so. Quotes are as close to the spoken words as our typing "
            "allowed.</p>"
            "<ul><li><b>Day 1</b> is about foundations: queries, content models and types.</li>"
            "<li><b>Day 2</b> is about quality: forms, indexes and tests.</li>"
            "<li><b>Day 3</b> is about running things: background work and looking after "
            "people.</li></ul>"
        ),
    ],
    "days": [
        {
            "slug": "day-1",
            "title": "Day 1: Foundations",
            "body": [
                para(
                    "<p>The first day opened with a keynote on choosing technology on purpose "
                    "and then went straight into the ORM. If you only read one page from today, "
                    "make it the notes on <i>query counting</i>: three teams in the hallway "
                    "said they would add a query-count test the same week.</p>"
                ),
            ],
            "talks": [
                {
                    "slug": "boring-technology-happy-teams",
                    "title": "Keynote: Boring Technology, Happy Teams",
                    "speakers": ["mira-castellanos"],
                    "start_time": "09:30",
                    "room": "Main Hall",
                    "summary": "Mira argued that most teams have a small budget for novelty "
                    "and spend it by accident. She showed how her cooperative writes short "
                    "decision records, why their stack has barely changed in eight years, and "
                    "where they still chose something new on purpose.",
                    "tags": ["keynote", "architecture", "teams"],
                    "body": [
                        para(
                            "<p>Mira started with a picture of her team's dependency list from "
                            "2017 next to the one from this year. Apart from version numbers, "
                            "they were almost the same, and she said that was the point: every "
                            "tool the team knows well is a tool nobody has to learn at three in "
                            "the morning.</p>"
                        ),
                        quote(
                            "The price of a new tool is not paid by the person who adds it. "
                            "It is paid by whoever is on call when it breaks.",
                            speaker="mira-castellanos",
                        ),
                        h2("A budget for novelty"),
                        para(
                            "<p>Her team allows itself <b>one</b> unfamiliar technology per "
                            "project. Anything else new must replace something old, not sit "
                            "next to it. The budget makes the trade-off visible: if you want "
                            "a new queue <i>and</i> a new front-end framework, which one is "
                            "worth more to the people using the service?</p>"
                        ),
                        h2("Write the decision down"),
                        para(
                            "<p>Decisions are recorded in a plain-text file next to the code, "
                            "one per decision, short enough to read in two minutes. The format "
                            "she showed is below; she recommended the "
                            '<a href="https://example.org/guides/decision-records/">guide to '
                            "lightweight decision records</a> for a longer version.</p>"
                        ),
                        code("text", DECISION_RECORD, filename="docs/decisions/0012-search.txt"),
                        para(
                            "<p>The <i>Consequences</i> section is the one people skip and the "
                            "one that matters most a year later, when someone asks why search "
                            "cannot do fuzzy matching in Finnish.</p>"
                        ),
                        checklist(
                            "To try on Monday",
                            [
                                (
                                    "List every service and library the team runs in production",
                                    True,
                                ),
                                ("Mark the ones that only one person understands", False),
                                ("Write a decision record for the next new dependency", False),
                            ],
                        ),
                    ],
                },
                {
                    "slug": "query-counting-as-a-habit",
                    "title": "Query Counting as a Habit: Finding N+1s Before Your Users Do",
                    "speakers": ["tobias-lindqvist"],
                    "start_time": "11:00",
                    "room": "Main Hall",
                    "video": "query-counting",
                    "summary": "Tobias showed how his team finds pages that run one database "
                    "query per row, fixes them with select_related, prefetch_related and "
                    "Prefetch objects, and keeps them fixed with query-count assertions in "
                    "tests. The programme page of their ticketing site went from 214 queries "
                    "to 6.",
                    "tags": ["django", "orm", "performance", "testing"],
                    "body": [
                        para(
                            "<p>An <i>N+1</i> is a page that runs one query to get a list and "
                            "then one more query for every item in it. It is invisible with "
                            "ten rows of test data and painful with two thousand rows in "
                            "production. Tobias's rule: <b>count queries the way you count "
                            "tests</b>, all the time and automatically.</p>"
                        ),
                        h2("The problem in one picture"),
                        figure(
                            "n-plus-one",
                            alt_text="Left: a talk list view runs one extra SELECT for the "
                            "speaker of each talk. Right: the view runs a single query joining "
                            "talks and speakers.",
                            caption="The same list, before and after: the number of queries "
                            "on the left grows with the number of talks.",
                        ),
                        h2("Finding the queries"),
                        h3("In development"),
                        para(
                            "<p>Django logs every SQL statement to the "
                            "<code>django.db.backends</code> logger when <code>DEBUG</code> is "
                            "on. Sending that logger to the console is the cheapest profiler "
                            "there is: load the page and watch the terminal scroll.</p>"
                        ),
                        code(
                            "python",
                            LOGGING_SNIPPET,
                            filename="settings/dev.py",
                            highlight_lines="5-10",
                        ),
                        para(
                            "<p>For a friendlier view, a debugging toolbar that groups "
                            "duplicate queries makes repeated statements stand out. Tobias "
                            "prefers the raw log because it also works for management "
                            "commands and background tasks.</p>"
                        ),
                        h3("In tests"),
                        para(
                            "<p>pytest-django has a <code>django_assert_num_queries</code> "
                            "fixture (and <code>django_assert_max_num_queries</code> for an "
                            "upper bound). The test below fails as soon as someone adds a "
                            "query to the programme page, and the failure message lists the "
                            "queries that ran.</p>"
                        ),
                        code(
                            "python",
                            QUERY_COUNT_TEST,
                            filename="tests/test_programme.py",
                            highlight_lines="6",
                        ),
                        para(
                            "<p>The important detail: the fixture must create <b>more than "
                            "one</b> talk with <b>more than one</b> speaker. With a single row "
                            "an N+1 and a join run the same number of queries.</p>"
                        ),
                        h2("Fixing them"),
                        h3("select_related for single objects"),
                        para(
                            "<p>For foreign keys and one-to-one relations, "
                            "<code>select_related</code> adds a join to the same query. Use it "
                            "when each row points to <i>one</i> related object: the room of a "
                            "talk, the day it belongs to.</p>"
                        ),
                        code("python", SELECT_RELATED_SNIPPET),
                        h3("prefetch_related for collections"),
                        para(
                            "<p>For many-to-many and reverse foreign keys, a join would repeat "
                            "each talk once per speaker. <code>prefetch_related</code> runs "
                            "one extra query per relation instead and stitches the results "
                            "together in Python, so the count stays constant however many "
                            "talks there are.</p>"
                        ),
                        h4("Prefetch objects with a custom queryset"),
                        para(
                            "<p>A <code>Prefetch</code> object lets you filter, order or trim "
                            "the related rows, and <code>to_attr</code> stores them as a plain "
                            "list so templates do not accidentally trigger a new query by "
                            "calling <code>.all()</code> with different ordering.</p>"
                        ),
                        code("python", PREFETCH_OBJECT_SNIPPET),
                        h2("Results"),
                        table(
                            "Queries per page before and after the fixes",
                            [
                                ("text", "Page"),
                                ("number", "Queries before"),
                                ("number", "Queries after"),
                                ("rich_text", "Main fix"),
                            ],
                            [
                                [
                                    "Programme",
                                    "214",
                                    "6",
                                    "<p><code>select_related</code> and one <code>Prefetch</code>"
                                    "</p>",
                                ],
                                [
                                    "Speaker profile",
                                    "48",
                                    "4",
                                    "<p><code>prefetch_related</code> on talks and rooms</p>",
                                ],
                                [
                                    "Search results",
                                    "31",
                                    "5",
                                    "<p>An annotation instead of <code>.count()</code> in a "
                                    "loop</p>",
                                ],
                            ],
                        ),
                        h2("Keeping them fixed"),
                        checklist(
                            "Habits from the talk",
                            [
                                ("Log SQL to the console in development", True),
                                ("Add a query-count test to each list page", False),
                                ("Use test data with several related rows per object", False),
                                (
                                    "Review new template loops for attribute access on relations",
                                    False,
                                ),
                            ],
                        ),
                        video("query-counting", "Query Counting as a Habit: full talk recording"),
                    ],
                },
                {
                    "slug": "streamfield-without-tears",
                    "title": "StreamField Without Tears: Modelling Content for Editors",
                    "speakers": ["amara-nwosu", "kenji-arakawa"],
                    "start_time": "13:30",
                    "room": "Main Hall",
                    "summary": "Amara and Kenji shared what a newsroom taught them about "
                    "Wagtail StreamField: start from the sentences editors say, make blocks "
                    "validate themselves, know what is stored in the database, and migrate "
                    "block data with the tools Wagtail provides rather than by hand.",
                    "tags": ["wagtail", "streamfield", "content-design"],
                    "body": [
                        para(
                            "<p>Amara opened with a confession: their first StreamField had "
                            "twenty-three block types, and editors used four of them. The talk "
                            "was the story of getting from there to nine blocks that editors "
                            "actually like.</p>"
                        ),
                        h2("Start from the editor's sentence"),
                        para(
                            "<p>Before designing a block, write down the sentence an editor "
                            "would say when asking for it: “I want to add a quote from the "
                            "minister, with a link to the speech.” The nouns become fields; "
                            "anything nobody says out loud probably does not need a field.</p>"
                        ),
                        table(
                            "What editors asked for and the block that answered",
                            [
                                ("text", "Editor's sentence"),
                                ("rich_text", "Block"),
                                ("text", "Why not rich text?"),
                            ],
                            [
                                [
                                    "I want to quote someone and say who",
                                    "<p><code>QuoteBlock</code> with an attribution</p>",
                                    "Attribution is structured, so it can be styled and checked",
                                ],
                                [
                                    "I want a button to the sign-up page",
                                    "<p><code>CallToActionBlock</code></p>",
                                    "Needs exactly one target: a page or a URL",
                                ],
                                [
                                    "I want a table of results",
                                    "<p>A typed table block</p>",
                                    "Numbers in their own column can be aligned and sorted",
                                ],
                            ],
                        ),
                        h2("Blocks that validate themselves"),
                        para(
                            "<p>Kenji showed a <code>StructBlock</code> with a "
                            "<code>clean</code> method. Raising "
                            "<code>StructBlockValidationError</code> with "
                            "<code>block_errors</code> puts the message next to the field that "
                            "needs fixing instead of at the top of the page.</p>"
                        ),
                        code(
                            "python",
                            STRUCT_BLOCK_CLEAN,
                            filename="blocks.py",
                            highlight_lines="11-16",
                        ),
                        quote(
                            "Every rule you put in a block's clean method is a rule you no "
                            "longer have to explain in a training session.",
                            speaker="kenji-arakawa",
                        ),
                        h2("What is stored"),
                        para(
                            "<p>A StreamField is stored as JSON: a list of objects with a "
                            "<code>type</code>, a <code>value</code> and a stable "
                            "<code>id</code>. Knowing the shape helps when writing data "
                            "migrations, debugging a page that will not render, or searching "
                            "the database for every page that uses a block.</p>"
                        ),
                        code("json", STREAM_JSON, filename="body (as stored)"),
                        h3("Renaming a block type"),
                        para(
                            "<p>Renaming a block in Python does not rename it in the stored "
                            "JSON, and old pages then show nothing where the block used to be. "
                            "Wagtail ships data-migration helpers that walk every page and "
                            "every revision; Kenji recommended reading the "
                            '<a href="https://example.org/wagtail/streamfield-migrations/">'
                            "notes on StreamField data migrations</a> before the first "
                            "one.</p>"
                        ),
                        code(
                            "python",
                            STREAM_MIGRATION,
                            filename="pages/migrations/0008_rename_text_blocks.py",
                        ),
                        h3("Keeping revisions loadable"),
                        para(
                            "<p>Old revisions are JSON too. If a migration only touches live "
                            "pages, comparing or reverting to an old revision can fail later. "
                            "The helpers migrate every revision by default; their "
                            "<code>revisions_from</code> option limits that to recent ones "
                            "when there are millions.</p>"
                        ),
                    ],
                },
                {
                    "slug": "typing-a-legacy-django-codebase",
                    "title": "Typing a Legacy Django Codebase One Module at a Time",
                    "speakers": ["sofia-marchetti"],
                    "start_time": "15:00",
                    "room": "Loom Room",
                    "summary": "Sofia described adding type checking to a ten-year-old Django "
                    "project without a big-bang rewrite: a lenient global configuration, "
                    "strict settings for the modules that handle money, and a rule that "
                    "every touched function gets annotations.",
                    "tags": ["python", "typing", "mypy", "legacy-code"],
                    "body": [
                        para(
                            "<p>The project has 180,000 lines of Python and no type hints. "
                            "Turning on strict checking everywhere produced eleven thousand "
                            "errors, so Sofia's team turned it off again the same afternoon "
                            "and tried a gentler plan.</p>"
                        ),
                        h2("Strict where it matters"),
                        para(
                            "<p>The global configuration is lenient; a per-module override "
                            "makes billing code strict. The Django plugin from django-stubs "
                            "teaches the checker about model fields and managers.</p>"
                        ),
                        code("toml", MYPY_TOML, filename="pyproject.toml", highlight_lines="9-11"),
                        h2("The first real bug"),
                        para(
                            "<p>Within a week the checker found a bug in invoice totals: "
                            "<code>sum()</code> of an empty list returns the integer "
                            "<code>0</code>, not a <code>Decimal</code>, and the rounding code "
                            "further down treated the two differently.</p>"
                        ),
                        code("console", MYPY_CONSOLE),
                        code("diff", INVOICE_DIFF, filename="billing/totals.py"),
                        para(
                            "<p>Her team's rules, as shown on the last slide:</p>"
                            "<ol><li>Every function you touch gets annotations.</li>"
                            "<li>New modules start strict.</li>"
                            "<li>No <code># type: ignore</code> without an error code and a "
                            "comment.</li></ol>"
                        ),
                    ],
                },
            ],
        },
        {
            "slug": "day-2",
            "title": "Day 2: Quality",
            "body": [
                para(
                    "<p>Forms, indexes and tests: the things users never notice when they are "
                    "right. The afternoon workshop on screen readers was hands-on and nobody "
                    "took notes; Dara and Amara later gave it as a talk, written up under "
                    "<i>Saltmarsh Web Summit 2026</i>.</p>"
                ),
                quote(
                    "Quality is what is left when the deadline has passed and nobody is watching.",
                    attribution="Opening remarks by the day's host",
                ),
            ],
            "talks": [
                {
                    "slug": "accessible-forms-in-django-templates",
                    "title": "Accessible Forms in Django Templates",
                    "speakers": ["dara-quinlan"],
                    "start_time": "09:30",
                    "room": "Main Hall",
                    "summary": "Dara walked through a Django form template that works with a "
                    "keyboard and a screen reader: real labels, help text and errors linked "
                    "to their fields, errors that do not rely on colour, and a visible focus "
                    "style.",
                    "tags": ["accessibility", "django", "forms", "templates"],
                    "body": [
                        para(
                            "<p>Dara's audits find the same three form problems again and "
                            "again: placeholders used as labels, error messages that are only "
                            "red, and focus outlines removed because a designer found them "
                            "ugly. All three can be fixed in one template.</p>"
                        ),
                        h2("One template for every field"),
                        para(
                            "<p>Rendering fields in a loop keeps the markup consistent. Recent "
                            "Django versions already connect help text to the input with "
                            "<code>aria-describedby</code> and mark fields with errors as "
                            "<code>aria-invalid</code>, provided the help text element uses "
                            "the expected id. Check the rendered HTML rather than assuming.</p>"
                        ),
                        code(
                            "html+django",
                            FORM_FIELD_TEMPLATE,
                            filename="templates/includes/form_fields.html",
                            highlight_lines="3-6",
                        ),
                        h3("Errors people can find"),
                        para(
                            "<p>An error summary at the top of the form, with a link to each "
                            "field, helps people who cannot see the whole page at once. Move "
                            "focus to the summary after a failed submit so screen reader users "
                            "hear that something went wrong.</p>"
                        ),
                        quote(
                            "If the only thing that changes when a field is wrong is its "
                            "colour, some of your users will never find out that it is wrong.",
                            speaker="dara-quinlan",
                            source_url="https://example.org/people/dara-quinlan/form-checklist/",
                        ),
                        h2("Focus you can see"),
                        para(
                            "<p>Keep focus outlines, and make them stronger rather than weaker. "
                            "<code>:focus-visible</code> shows the outline for keyboard users "
                            "without showing it after every mouse click.</p>"
                        ),
                        code("css", FORM_CSS, filename="static/css/forms.css"),
                        checklist(
                            "Form checklist from the talk",
                            [
                                ("Every input has a visible label element", True),
                                (
                                    "Required fields say so in words, not only with an asterisk",
                                    True,
                                ),
                                ("Errors name the field and say how to fix it", False),
                                ("The form can be completed with the keyboard alone", False),
                                ("Focus moves to the error summary after a failed submit", False),
                            ],
                        ),
                    ],
                },
                {
                    "slug": "postgres-indexes-you-actually-need",
                    "title": "Postgres Indexes You Actually Need",
                    "speakers": ["kenji-arakawa"],
                    "start_time": "11:00",
                    "room": "Main Hall",
                    "summary": "Kenji read query plans live on stage and showed when a plain "
                    "B-tree index is enough, when a partial or expression index is better, and "
                    "how to declare them in Django models and add them to a busy table without "
                    "locking it.",
                    "tags": ["postgresql", "databases", "django", "performance"],
                    "body": [
                        para(
                            "<p>Kenji's opening slide said “An index is a promise to do extra "
                            "work on every write so that some reads are faster.” The talk was "
                            "about choosing which promises to make.</p>"
                        ),
                        h2("Read the plan first"),
                        para(
                            "<p>Run the slow query with <code>EXPLAIN (ANALYZE, BUFFERS)</code> "
                            "before adding anything. Look for a <i>Seq Scan</i> on a large "
                            "table with a filter that throws most rows away, and for a "
                            "<i>Sort</i> that spills to disk.</p>"
                        ),
                        code("sql", PARTIAL_INDEX_SQL, line_numbers=True, highlight_lines="9-11"),
                        para(
                            "<p>Only three percent of talks are <code>scheduled</code>, and "
                            "the page only ever asks for those. A partial index (lines 9 to "
                            "11) stores just those rows, so it is small, stays in memory and "
                            "is cheap to update.</p>"
                        ),
                        figure(
                            "index-chart",
                            alt_text="Bar chart: a sequential scan takes 182 ms, a B-tree "
                            "index 1.9 ms and a partial index 0.6 ms for the same lookup.",
                            caption="Kenji's measurements on a copy of production data. "
                            "Your numbers will differ; the ratios usually do not.",
                        ),
                        h2("Declaring indexes in Django"),
                        code(
                            "python",
                            PARTIAL_INDEX_MODEL,
                            filename="talks/models.py",
                            highlight_lines="13-17",
                        ),
                        para(
                            "<p>The second index is an <i>expression index</i> on "
                            '<code>Lower("title")</code>, which serves case-insensitive '
                            "lookups such as <code>title__iexact</code> only if the query uses "
                            "the same expression. Check with <code>EXPLAIN</code>.</p>"
                        ),
                        h3("Adding an index to a busy table"),
                        para(
                            "<p>A normal <code>CREATE INDEX</code> blocks writes until it "
                            "finishes. On PostgreSQL, Django's "
                            "<code>AddIndexConcurrently</code> operation builds it without "
                            "that lock; the migration must set <code>atomic = False</code>. "
                            'The <a href="https://example.org/guides/postgres-index-types/">'
                            "overview of PostgreSQL index types</a> Kenji shared covers the "
                            "rest.</p>"
                        ),
                        table(
                            "Which index for which query",
                            [("text", "Index"), ("text", "Good for"), ("rich_text", "In Django")],
                            [
                                [
                                    "B-tree",
                                    "Equality, ranges and ORDER BY",
                                    "<p><code>models.Index(fields=[...])</code></p>",
                                ],
                                [
                                    "Partial",
                                    "Queries that always filter on the same condition",
                                    "<p><code>models.Index(..., condition=Q(...))</code></p>",
                                ],
                                [
                                    "GIN",
                                    "Full-text search, JSON containment, arrays",
                                    "<p><code>GinIndex</code> from "
                                    "<code>django.contrib.postgres.indexes</code></p>",
                                ],
                                [
                                    "BRIN",
                                    "Huge append-only tables ordered by time",
                                    "<p><code>BrinIndex</code></p>",
                                ],
                            ],
                        ),
                    ],
                },
                {
                    "slug": "testing-wagtail-sites-with-pytest",
                    "title": "Testing Wagtail Sites with pytest",
                    "speakers": ["helene-varga", "rafael-oyelaran"],
                    "start_time": "14:00",
                    "room": "Loom Room",
                    "summary": "Hélène and Rafael showed the test suite behind forty university "
                    "sites: factories for page trees, tests that every page type renders, "
                    "rules about where pages may be created, and a CI job that runs the "
                    "suite against PostgreSQL on every push.",
                    "tags": ["wagtail", "testing", "pytest", "ci"],
                    "body": [
                        para(
                            "<p>Their suite has one goal: no page type can reach production "
                            "without a test that renders it. Everything else grew from "
                            "there.</p>"
                        ),
                        h2("Render every page type"),
                        para(
                            "<p>Factories build a small page tree in a few lines. The tests "
                            "use Django's test client, so templates, context processors and "
                            "URL routing all run, just as for a visitor.</p>"
                        ),
                        code("python", WAGTAIL_PYTEST, filename="tests/test_talk_page.py"),
                        h2("Test the rules of the tree"),
                        para(
                            "<p><code>WagtailPageTestCase</code> adds assertions about the "
                            "page tree, such as <code>assertCanCreateAt</code> and "
                            "<code>assertCanNotCreateAt</code>. They catch a missing "
                            "<code>parent_page_types</code> before an editor does.</p>"
                        ),
                        code("python", WAGTAIL_TREE_TEST, filename="tests/test_tree_rules.py"),
                        h2("Run it on every push"),
                        code(
                            "yaml",
                            CI_YAML,
                            filename=".github/workflows/tests.yml",
                            highlight_lines="7-12",
                        ),
                        para(
                            "<p>They run tests against PostgreSQL in CI even though developers "
                            "use SQLite locally: search, JSON lookups and constraint errors "
                            "differ between the two.</p>"
                        ),
                        checklist(
                            "Their definition of done for a new page type",
                            [
                                ("A factory exists", True),
                                ("A render test passes", True),
                                ("Tree rules are tested", True),
                                ("The admin edit view opens without errors", False),
                            ],
                        ),
                    ],
                },
            ],
        },
        {
            "slug": "day-3",
            "title": "Day 3: Running Things",
            "body": [
                para(
                    "<p>The last day covered work that happens after the response is sent, and "
                    "the people who keep it all going. It ended, as it should, with a keynote "
                    "about rest.</p>"
                ),
                checklist(
                    "Before you leave Fernhollow",
                    [
                        ("Hand back your badge holder at the registration desk", False),
                        ("Fill in the feedback form", False),
                    ],
                ),
            ],
            "talks": [
                {
                    "slug": "background-tasks-in-django-6",
                    "title": "Background Tasks in Django 6: What Changed",
                    "speakers": ["ingrid-solheim"],
                    "start_time": "09:30",
                    "room": "Main Hall",
                    "summary": "Ingrid introduced Django's built-in tasks framework: defining "
                    "tasks with a decorator, enqueuing them after the transaction commits, "
                    "choosing a backend, and what still needs a separate worker process.",
                    "tags": ["django", "tasks", "background-jobs"],
                    "body": [
                        para(
                            "<p>Django 6 ships a common interface for background work. It does "
                            "not replace a job queue; it gives every job queue the same front "
                            "door, so reusable apps can enqueue work without knowing which "
                            "queue the project uses.</p>"
                        ),
                        h2("Defining a task"),
                        code(
                            "python",
                            TASK_DEFINITION,
                            filename="notifications/tasks.py",
                            highlight_lines="5",
                        ),
                        para(
                            "<p>Arguments and return values must survive a round trip through "
                            "JSON. Pass ids and strings, not model instances.</p>"
                        ),
                        h2("Enqueue after commit"),
                        para(
                            "<p>A worker may pick a task up before the request's transaction "
                            "has committed, and then not find the row it was asked about. "
                            "Ingrid's fix is to enqueue from <code>on_commit</code>:</p>"
                        ),
                        code("python", TASK_ENQUEUE, filename="notifications/services.py"),
                        h2("Backends"),
                        para(
                            "<p>The built-in backends are for development and tests: the "
                            "immediate backend runs the task in the same process, straight "
                            "away. Production needs a backend with a real queue and a worker, "
                            "from a third-party package.</p>"
                        ),
                        code("python", TASK_SETTINGS, filename="settings/test.py"),
                    ],
                },
                {
                    "slug": "lightning-talks",
                    "title": "Lightning Talks",
                    "speakers": ["yusuf-demir", "piotr-zawadzki"],
                    "start_time": "11:30",
                    "room": "Main Hall",
                    "summary": "Five-minute talks on upgrading old templates, naming things, "
                    "a tiny profiler and a plea for better error messages, introduced by "
                    "Yusuf and Piotr.",
                    "tags": ["lightning-talks", "django"],
                    "body": [
                        para(
                            "<p>Seven talks in forty minutes. The ones we managed to take "
                            "notes on:</p>"
                            "<ol><li><b>Grep before you upgrade.</b> A one-liner that finds "
                            "templates still using a removed template tag library.</li>"
                            "<li><b>Name things after what they mean.</b> "
                            "<code>is_visible</code> beats <code>flag2</code>, every "
                            "time.</li>"
                            "<li><b>Profile with the standard library.</b> "
                            "<code>python -m cProfile -s cumtime</code> is often all you "
                            "need.</li>"
                            "<li><b>Error messages are UI.</b> Say what happened, why, and "
                            "what to do next.</li></ol>"
                        ),
                        code("bash", STATICFILES_GREP, filename="find-old-tags.sh"),
                    ],
                },
                {
                    "slug": "maintaining-open-source-without-burning-out",
                    "title": "Closing Keynote: Maintaining Open Source Without Burning Out",
                    "speakers": ["yusuf-demir"],
                    "start_time": "15:30",
                    "room": "Main Hall",
                    "summary": "Yusuf talked about ten years of maintaining Django packages: "
                    "saying no, sharing the keys, writing things down so others can help, and "
                    "treating his own time as a resource the project depends on.",
                    "tags": ["keynote", "open-source", "community"],
                    "body": [
                        para(
                            "<p>Yusuf maintains packages used by thousands of sites. Most of "
                            "his talk was about the parts of that work that do not show up in "
                            "the commit history: triage, e-mail, and deciding what not to "
                            "do.</p>"
                        ),
                        quote(
                            "A closed issue with a kind explanation is a gift. An open issue "
                            "that nobody answers for a year is a small debt, and they add up.",
                            speaker="yusuf-demir",
                        ),
                        h2("Share the keys"),
                        para(
                            "<p>Every package he maintains now has at least two people who can "
                            "publish a release, and the release steps are written in the "
                            'repository. His <a href="https://example.org/guides/'
                            'maintainer-handover/">maintainer handover template</a> is a '
                            "good place to start.</p>"
                        ),
                        quote(
                            "Rest is part of the maintenance plan, not a break from it.",
                            attribution="Slide shown at the end of the keynote",
                        ),
                        checklist(
                            "For maintainers",
                            [
                                ("Write down how to cut a release", True),
                                ("Give a second person publish rights", False),
                                ("Add a short note about response times to the README", False),
                            ],
                        ),
                    ],
                },
            ],
        },
    ],
}

SALTMARSH = {
    "slug": "saltmarsh-web-summit-2026",
    "title": "Saltmarsh Web Summit 2026",
    "start_date": datetime.date(2026, 3, 12),
    "location": "Port Saltmarsh, Lighthouse Convention Centre",
    "website": "https://example.org/saltmarsh-web-summit-2026/",
    "tags": ["web-performance", "accessibility", "frontend"],
    "body": [
        para(
            "<p>Two days about the parts of the web that users feel: speed, stability and "
            "access. The summit ran a single track, so every talk is covered here. Slides "
            "are linked from each talk page and collected on the "
            '<a href="https://example.org/saltmarsh-web-summit-2026/slides/">Saltmarsh '
            "slides archive</a>.</p>"
        ),
        figure("strip-amber", decorative=True),
        para(
            "<p>Thank you to the volunteers who took notes in every session, and to the "
            "speakers who answered our follow-up questions.</p>"
        ),
    ],
    "days": [
        {
            "slug": "day-1",
            "title": "Day 1: Fast and Stable",
            "body": [
                para(
                    "<p>The first day was about pages that load quickly and then stay where "
                    "they are. Two of the three talks used real-user measurements rather than "
                    "lab tests, which set the tone for the rest of the summit.</p>"
                ),
            ],
            "talks": [
                {
                    "slug": "fixing-layout-shift-for-good",
                    "title": "Fixing Layout Shift for Good",
                    "speakers": ["leilani-kahale"],
                    "start_time": "09:30",
                    "room": "Lantern Hall",
                    "video": "layout-shift",
                    "summary": "Leilani explained Cumulative Layout Shift with one diagram, "
                    "measured it on real visitors' devices, and fixed the three usual causes: "
                    "images without dimensions, late banners and embeds without a reserved "
                    "aspect ratio.",
                    "tags": ["web-performance", "core-web-vitals", "css"],
                    "body": [
                        para(
                            "<p>You start reading, an advert loads above the paragraph, and "
                            "the text jumps away. Cumulative Layout Shift (CLS) puts a number "
                            "on that experience; a score of 0.1 or less counts as good.</p>"
                        ),
                        figure(
                            "layout-shift",
                            alt_text="Two phone mock-ups. Left: a banner loads late and pushes "
                            "the text down. Right: an empty slot is reserved so nothing moves.",
                            caption="The same page with and without space reserved for the banner.",
                        ),
                        h2("Measure on real devices"),
                        para(
                            "<p>Lab tools load the page once, on a fast machine, without "
                            "scrolling. Most layout shifts happen later, so Leilani collects "
                            "CLS from visitors' browsers with a small script and a beacon "
                            "endpoint.</p>"
                        ),
                        code("javascript", WEB_VITALS_JS, filename="static/js/rum.js"),
                        h2("The three usual causes"),
                        h3("Images without dimensions"),
                        para(
                            "<p>With <code>width</code> and <code>height</code> attributes the "
                            "browser knows the aspect ratio before the file arrives. CSS "
                            "<code>height: auto</code> keeps the image responsive.</p>"
                        ),
                        code("html+django", CLS_IMG_TEMPLATE),
                        h3("Late banners and embeds"),
                        para(
                            "<p>Reserve the space with <code>min-height</code> or "
                            "<code>aspect-ratio</code> before the content arrives. If the "
                            "banner sometimes does not appear, an empty slot is still better "
                            "than a jump.</p>"
                        ),
                        code(
                            "css",
                            CLS_CSS,
                            filename="static/css/layout.css",
                            highlight_lines="1-3, 5-8",
                        ),
                        h2("Results"),
                        table(
                            "CLS at the 75th percentile of visits",
                            [("text", "Page"), ("number", "Before"), ("number", "After")],
                            [
                                ["Home page", "0.31", "0.02"],
                                ["Article", "0.18", "0.04"],
                                ["Search results", "0.12", "0.01"],
                            ],
                        ),
                        video("layout-shift", "Fixing Layout Shift for Good: full talk recording"),
                    ],
                },
                {
                    "slug": "responsive-images-without-the-guesswork",
                    "title": "Responsive Images Without the Guesswork",
                    "speakers": ["piotr-zawadzki"],
                    "start_time": "11:00",
                    "room": "Lantern Hall",
                    "summary": "Piotr showed how his photo agency serves modern image formats "
                    "at the right size with Wagtail's picture tag, what the formats saved on "
                    "real photos, and how to tell decorative images from informative ones.",
                    "tags": ["images", "web-performance", "wagtail"],
                    "body": [
                        para(
                            "<p>Images are usually the largest part of a page. Piotr's advice "
                            "came down to two questions for every image: <i>how big will it be "
                            "on screen?</i> and <i>does it carry information?</i></p>"
                        ),
                        h2("Let the browser choose"),
                        para(
                            "<p>Wagtail's <code>picture</code> tag writes a "
                            "<code>&lt;picture&gt;</code> element with one source per format "
                            "and a <code>srcset</code> of widths. The <code>sizes</code> "
                            "attribute tells the browser how wide the image will be shown, so "
                            "it can download the smallest file that is sharp enough.</p>"
                        ),
                        code(
                            "html+django",
                            PICTURE_TAG_TEMPLATE,
                            filename="templates/includes/hero.html",
                        ),
                        table(
                            "One 1200-pixel-wide photo in three formats",
                            [("text", "Format"), ("number", "Size in KB"), ("rich_text", "Notes")],
                            [
                                ["JPEG", "212", "<p>Quality 80; the fallback</p>"],
                                ["WebP", "148", "<p>Supported by every current browser</p>"],
                                ["AVIF", "96", "<p>Slowest to encode, so render ahead of time</p>"],
                            ],
                        ),
                        h2("Decorative or informative?"),
                        para(
                            "<p>If an image only adds atmosphere, it should have an empty "
                            "<code>alt</code> so screen readers skip it; Wagtail's image block "
                            "has a <i>decorative</i> checkbox for this. If it carries "
                            "information, describe that information, not the file.</p>"
                            "<ul><li>Good: “Bar chart: AVIF files are less than half the size "
                            "of JPEG.”</li>"
                            "<li>Not useful: “chart.png”.</li></ul>"
                        ),
                    ],
                },
                {
                    "slug": "screen-reader-testing-for-developers",
                    "title": "Screen Reader Testing for Developers",
                    "speakers": ["dara-quinlan", "amara-nwosu"],
                    "start_time": "14:00",
                    "room": "Lantern Hall",
                    "video": "screen-readers",
                    "summary": "Dara and Amara taught the five screen reader commands a "
                    "developer needs to check their own work, which screen reader and browser "
                    "pairs to test, and what to listen for on a typical page.",
                    "tags": ["accessibility", "testing", "screen-readers"],
                    "body": [
                        para(
                            "<p>You do not need to be an expert screen reader user to catch "
                            "most problems. You need to know how to move by headings, "
                            "landmarks, links and form fields, and you need to listen.</p>"
                        ),
                        h2("Which pairs to test"),
                        table(
                            "Common screen reader and browser pairs",
                            [("text", "Screen reader"), ("text", "Platform"), ("text", "Browser")],
                            [
                                ["NVDA", "Windows", "Firefox or Chrome"],
                                ["JAWS", "Windows", "Chrome or Edge"],
                                ["VoiceOver", "macOS and iOS", "Safari"],
                                ["TalkBack", "Android", "Chrome"],
                            ],
                        ),
                        h2("What to listen for"),
                        checklist(
                            "A ten-minute check for any page",
                            [
                                ("The page title says where you are", True),
                                ("Headings form an outline without gaps", True),
                                ("Every link makes sense out of context", False),
                                ("Buttons say what they do", False),
                                ("Images are described, or skipped if decorative", False),
                            ],
                        ),
                        quote(
                            "I had read about headings for years. Hearing my own page read out "
                            "as eleven level-one headings taught me more in a minute.",
                            attribution="A participant in the hands-on part of the session",
                        ),
                        video(
                            "screen-readers",
                            "Screen Reader Testing for Developers: full talk recording",
                        ),
                    ],
                },
            ],
        },
        {
            "slug": "day-2",
            "title": "Day 2: Less and Safer Code",
            "body": [
                para(
                    "<p>The second day was about sending less to the browser and trusting what "
                    "comes back. Bring a laptop: two talks had code you will want to try.</p>"
                ),
            ],
            "talks": [
                {
                    "slug": "typing-your-fetch-calls",
                    "title": "TypeScript for Django Developers: Typing Your Fetch Calls",
                    "speakers": ["sofia-marchetti"],
                    "start_time": "09:30",
                    "room": "Lantern Hall",
                    "summary": "Sofia showed how to stop trusting JSON from your own API: "
                    "describe the response as a TypeScript type, check it at runtime with a "
                    "type guard, and fail loudly when the server and the client disagree.",
                    "tags": ["typescript", "javascript", "api"],
                    "body": [
                        para(
                            "<p>Casting <code>response.json()</code> to a type feels safe and "
                            "is not: the compiler believes you, and the bug shows up three "
                            "functions later. Sofia's alternative is a small generic helper "
                            "that checks the shape before returning it.</p>"
                        ),
                        code("json", TALKS_JSON, filename="GET /api/talks/?day=1"),
                        code(
                            "typescript",
                            FETCH_TS,
                            filename="static/ts/api.ts",
                            highlight_lines="10-15",
                        ),
                        para(
                            "<p>The type guard only checks what the page relies on. Note the "
                            "<code>null</code> start time in the sample response: the type "
                            "says <code>string | null</code>, so the compiler makes you handle "
                            "breaks and lunch.</p>"
                        ),
                    ],
                },
                {
                    "slug": "caching-from-template-fragment-to-cdn",
                    "title": "Caching from Template Fragment to CDN",
                    "speakers": ["tobias-lindqvist"],
                    "start_time": "11:00",
                    "room": "Lantern Hall",
                    "summary": "Tobias walked through the caching layers between a visitor and "
                    "the database, what each layer is good at, how Django sets the headers "
                    "that control the outer layers, and how to check what actually happened.",
                    "tags": ["caching", "django", "web-performance", "cdn"],
                    "body": [
                        figure(
                            "caching-layers",
                            alt_text="Four layers from left to right: browser, CDN, Django and "
                            "database, each above a note on what it can cache.",
                            caption="A request goes right until a layer has a fresh copy.",
                        ),
                        h2("Headers control the outer layers"),
                        para(
                            "<p><code>max-age</code> is for browsers, <code>s-maxage</code> for "
                            "shared caches such as a CDN, and "
                            "<code>stale-while-revalidate</code> lets a cache answer with a "
                            "slightly old copy while it fetches a new one.</p>"
                        ),
                        code(
                            "python",
                            CACHE_VIEW,
                            filename="programme/views.py",
                            highlight_lines="4-5",
                        ),
                        h2("Fragments inside Django"),
                        para(
                            "<p>When a page cannot be cached as a whole (it greets a logged-in "
                            "user, say) cache the expensive part. Including the page's "
                            "<code>last_published_at</code> in the key means publishing a "
                            "change produces a new key instead of needing a purge.</p>"
                        ),
                        code("html+django", FRAGMENT_CACHE, filename="templates/programme.html"),
                        h2("Check what happened"),
                        code("bash", CURL_HEADERS),
                        table(
                            "Where to cache what",
                            [
                                ("text", "Layer"),
                                ("text", "Typical lifetime"),
                                ("text", "How it is refreshed"),
                            ],
                            [
                                ["Browser", "A minute", "Expires; cannot be purged"],
                                ["CDN", "Minutes to hours", "Purge or a new URL"],
                                ["Django fragment", "Until the content changes", "A new key"],
                            ],
                        ),
                    ],
                },
                {
                    "slug": "shipping-less-javascript",
                    "title": "Shipping Less JavaScript",
                    "speakers": ["rafael-oyelaran", "leilani-kahale"],
                    "start_time": "14:00",
                    "room": "Lantern Hall",
                    "summary": "Rafael and Leilani cut the JavaScript of a conference site by "
                    "loading the venue map only when someone asks for it, telling the bundler "
                    "what is safe to drop, and measuring compressed sizes on every build.",
                    "tags": ["javascript", "web-performance", "bundling"],
                    "body": [
                        para(
                            "<p>The site's main bundle was 240 KB, and 200 KB of it was an "
                            "interactive venue map that one visitor in twenty opened. Loading "
                            "it on demand was the single biggest win.</p>"
                        ),
                        h2("Load on interaction"),
                        code(
                            "javascript",
                            LAZY_IMPORT_JS,
                            filename="src/main.js",
                            highlight_lines="6",
                        ),
                        h2("Tell the bundler what is safe"),
                        para(
                            "<p>Marking the package as free of side effects (except CSS) lets "
                            "the bundler drop unused modules. Code splitting puts the map in "
                            "its own file.</p>"
                        ),
                        code("json", PACKAGE_JSON, filename="package.json"),
                        h2("Measure every build"),
                        code("console", BUILD_CONSOLE),
                        checklist(
                            "Before adding a dependency",
                            [
                                ("Check its size, compressed, in the bundle", True),
                                ("Ask whether the browser already does it", True),
                                ("Load it only on the pages that need it", False),
                            ],
                        ),
                    ],
                },
            ],
        },
    ],
}

CONFERENCES = [FERNHOLLOW, SALTMARSH]

#: The home page intro once the demo is loaded (only replaces the intro from the migration).
HOME_DEFAULT_INTRO = "Notes from conference talks, written by the people who were in the room."
HOME_INTRO = (
    "Notes from conference talks, written by the people who were in the room: what was said, "
    "the code that was shown and what to try afterwards. Pick a conference below or search "
    "for a topic."
)
