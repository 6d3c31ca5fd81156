"""Fernhollow PyDays 2025: three days of Python (day 1 is in ``fernhollow_day1``)."""

import datetime

from .code_samples import (
    CI_YAML,
    FORM_CSS,
    FORM_FIELD_TEMPLATE,
    PARTIAL_INDEX_MODEL,
    PARTIAL_INDEX_SQL,
    STATICFILES_GREP,
    TASK_DEFINITION,
    TASK_ENQUEUE,
    TASK_SETTINGS,
    WAGTAIL_PYTEST,
    WAGTAIL_TREE_TEST,
)
from .fernhollow_day1 import DAY_1
from .stream import checklist, code, figure, h2, h3, para, quote, table

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
        DAY_1,
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
