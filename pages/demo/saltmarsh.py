"""Saltmarsh Web Summit 2026: two days of the web platform."""

import datetime

from .code_samples import (
    BUILD_CONSOLE,
    CACHE_VIEW,
    CLS_CSS,
    CLS_IMG_TEMPLATE,
    CURL_HEADERS,
    FETCH_TS,
    FRAGMENT_CACHE,
    LAZY_IMPORT_JS,
    PACKAGE_JSON,
    PICTURE_TAG_TEMPLATE,
    TALKS_JSON,
    WEB_VITALS_JS,
)
from .stream import checklist, code, figure, h2, h3, para, quote, table, video

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
