"""Fernhollow PyDays 2025, day 1 ("Foundations"): the longest day of the demo notes."""

from .code_samples import (
    DECISION_RECORD,
    INVOICE_DIFF,
    LOGGING_SNIPPET,
    MYPY_CONSOLE,
    MYPY_TOML,
    PREFETCH_OBJECT_SNIPPET,
    QUERY_COUNT_TEST,
    SELECT_RELATED_SNIPPET,
    STREAM_JSON,
    STREAM_MIGRATION,
    STRUCT_BLOCK_CLEAN,
)
from .stream import checklist, code, figure, h2, h3, h4, para, quote, table, video

DAY_1 = {
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
                            "<p><code>select_related</code> and one <code>Prefetch</code></p>",
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
                            "<p>An annotation instead of <code>.count()</code> in a loop</p>",
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
}
