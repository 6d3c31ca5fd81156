"""The demo's speakers, pictures (drawn by ``images``) and videos, referred to by key."""

from . import images as demo_images

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
