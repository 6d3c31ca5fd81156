"""Hostile input (issue #8, first bullet): 250+ XSS payloads in every field a person can type,
rendered on public pages, the admin preview, admin listings and the revision comparison in
headless Chromium. No payload may run.

Each payload calls ``__xss(<id>)`` (tests/xss_payloads.py). Before any page script runs, the
browser gets a ``__xss`` hook (CDP ``Page.addScriptToEvaluateOnNewDocument``) that records the ids
in ``localStorage`` (so a navigation cannot lose them). CSP is bypassed (``Page.setBypassCSP``):
the test checks the escaping itself, not the Content Security Policy behind it.

Three checks on every view:

* fired: ids the hook recorded (a script ran);
* latent: a payload turned into markup that would run on a click or hover (an ``on…`` attribute
  or a ``javascript:``/``data:``/``vbscript:`` URL in a link, frame, form or image attribute);
* reached: the ids the view must show (from the fields it renders) are in its text or markup,
  so that the test cannot pass by rendering nothing.

Content comes in three ways: straight through the ORM (what bypasses the editor: raw rich text
HTML, any URL), the way the editor saves it (rich text through Draftail's ContentState converter,
which is what the admin form does; form fields' validation for URLs), and a Markdown import file.

Payloads are packed many to a field and page so that one Chromium session makes ~160 page loads:
every payload is in every body block field (a quarter of the corpus per talk, conference or day
body), every talk title, SEO title, meta description, summary and tag, every speaker name and bio,
every image title and description, a search query and the import file (in rotation over its
constructs). Fields too short for the corpus on the pages there are (room, GitHub name,
conference and day titles) take payloads in rotation; the summary printed with ``-s`` gives
each field's count.
"""

import datetime
import html
import itertools
import json
import re
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.test import Client

from wagtail.admin.rich_text.converters.contentstate import ContentstateConverter
from wagtail.models import Page

import pytest

from pages.blocks import INLINE_FEATURES, PARAGRAPH_FEATURES
from pages.blocks.sanitise import clean_rich_text
from pages.models import DESCRIPTION_LENGTH
from tests.browser import start_chromium
from tests.factories import (
    ConferenceFactory,
    DayFactory,
    ImageFactory,
    SpeakerFactory,
    TalkFactory,
    home_page,
    png_bytes,
)
from tests.xss_payloads import PAYLOADS

pytestmark = [pytest.mark.browser]

ID_RE = re.compile(r"xss\((\d+)\)")
DANGEROUS_SCHEME = re.compile(r"(javascript|vbscript|livescript|data):", re.IGNORECASE)


def browser_url(attribute: str) -> str:
    """An attribute value as a browser reads the URL in it: entities decoded, and the tabs,
    newlines and leading control characters it ignores removed."""
    return re.sub(r"[\x00-\x20]", "", html.unescape(attribute))


BY_ID = {p.id: p for p in PAYLOADS}
URL_PAYLOADS = [p for p in PAYLOADS if p.is_url]

CODE_LANGUAGES = ["html+django", "javascript", "json", "python", "text", "css", "bash"]
MARKER = "Quagga"  # in every talk title and summary: search results and suggestions find them

HOOK = """
(function () {
    var key = "__xss_hits";
    function record(id) {
        try {
            var hits = JSON.parse(window.localStorage.getItem(key) || "[]");
            hits.push([String(id), String(window.location.href)]);
            window.localStorage.setItem(key, JSON.stringify(hits));
        } catch (e) {
            (window.__xssHits = window.__xssHits || []).push([String(id), "?"]);
        }
    }
    Object.defineProperty(window, "__xss", {value: record, writable: false, configurable: false});
})();
"""

#: Markup that would run on interaction: handler attributes and dangerous URLs, with an id.
SCAN = r"""
const done = arguments[arguments.length - 1];
const urlAttrs = new Set(["href", "src", "action", "formaction", "xlink:href", "data", "poster",
    "background", "lowsrc", "dynsrc", "srcset", "ping"]);
const found = [];
function visit(doc) {
    for (const el of doc.querySelectorAll("*")) {
        for (const attr of el.attributes) {
            const name = attr.name.toLowerCase(), value = attr.value;
            if (!/xss\(\d+\)/.test(value)) continue;
            const flat = value.replace(/[\u0000-\u0020\u007f-\u00a0\u200b-\u200f\u2028\u2029\ufeff]/g, "").toLowerCase();
            if (name.startsWith("on")) found.push(["handler", el.tagName, name, value]);
            else if (urlAttrs.has(name) && /^(javascript|vbscript|livescript|data):/.test(flat))
                found.push(["url", el.tagName, name, value]);
            else if (name === "srcdoc") found.push(["srcdoc", el.tagName, name, value]);
            else if (el.tagName === "META" && name === "content"
                     && (el.getAttribute("http-equiv") || "").toLowerCase() === "refresh" && /url\s*=\s*(javascript|data|vbscript):/i.test(flat))
                found.push(["refresh", el.tagName, name, value]);
            else if (name === "style" && /(expression|javascript:|binding)/.test(flat))
                found.push(["style", el.tagName, name, value]);
        }
    }
    for (const frame of doc.querySelectorAll("iframe, frame")) {
        try { if (frame.contentDocument) visit(frame.contentDocument); } catch (e) {}
    }
}
visit(document);
const text = document.documentElement.outerHTML + "\n" + document.documentElement.textContent;
const ids = Array.from(new Set(Array.from(text.matchAll(/xss\((\d+)\)/g), m => m[1])));
let hits = [];
try { hits = JSON.parse(localStorage.getItem("__xss_hits") || "[]"); localStorage.removeItem("__xss_hits"); } catch (e) {}
hits = hits.concat(window.__xssHits || []);
// Requests for payload URLs ("x", "…xss(…)…"): payload text that became an element.
const injected = performance.getEntriesByType("resource").map(e => e.name)
    .filter(n => /\/x\/?$|xss/i.test(n) && !n.includes("/media/images/"));
requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => {
    let late = [];
    try { late = JSON.parse(localStorage.getItem("__xss_hits") || "[]"); localStorage.removeItem("__xss_hits"); } catch (e) {}
    done({latent: found, ids: ids, hits: hits.concat(late), injected: injected, url: location.href});
}, 20)));
"""


# --- placing payloads -----------------------------------------------------------------------------


def pack(pool, limit: int, prefix: str = "", sep: str = " ") -> list[tuple[str, list[int]]]:
    """All of ``pool`` joined into strings of at most ``limit`` characters (with their ids).
    A payload longer than the limit gets a string of its own, cut at the limit after its id
    (the id is what the reached check looks for); none is left out."""
    chunks, text, ids = [], prefix, []
    for payload in pool:
        piece = payload.text
        if len(prefix) + len(piece) > limit:
            call = payload.call
            start = piece.find(call)
            keep = max(limit - len(prefix), start + len(call) if start >= 0 else 0)
            piece = piece[:keep]
            if len(prefix) + len(piece) > limit:  # the id itself is beyond the limit
                piece = piece[max(0, start + len(call) - (limit - len(prefix))) :]
        candidate = text + (sep if ids else "") + piece
        if ids and len(candidate) > limit:
            chunks.append((text, ids))
            text, ids = prefix + piece, [payload.id]
        else:
            text, ids = candidate, ids + [payload.id]
    if ids:
        chunks.append((text, ids))
    return chunks


class Placement:
    """Which payload ids went into which field, for the coverage table and error messages."""

    def __init__(self):
        self.fields: dict[str, set[int]] = {}

    def put(self, field: str, ids) -> None:
        self.fields.setdefault(field, set()).update(ids)

    def where(self, pid: int) -> list[str]:
        return sorted(field for field, ids in self.fields.items() if pid in ids)


def spread(chunks, count: int) -> list[tuple[str, list[int]]]:
    """``chunks`` dealt onto ``count`` slots: every chunk is used (slots may get several,
    joined), and when there are fewer chunks than slots they wrap around."""
    if len(chunks) <= count:
        return [chunks[i % len(chunks)] for i in range(count)]
    slots = [[] for _ in range(count)]
    for i, chunk in enumerate(chunks):
        slots[i % count].append(chunk)
    return [(" ".join(t for t, _ in s), [i for _, ids in s for i in ids]) for s in slots]


_CONVERTERS: dict = {}


def editor_rich_text(texts: list[str], hrefs: list[str], features) -> str:
    """Rich text as the admin form saves it: Draftail sends ContentState JSON (each payload
    typed as a paragraph, and links whose URLs are ``hrefs``); the converter makes stored HTML."""
    key = tuple(features)
    if key not in _CONVERTERS:
        _CONVERTERS[key] = ContentstateConverter(list(features))
    link_text = "the source"
    blocks, entities = [], {}
    for n, text in enumerate(texts):
        style = [{"offset": 0, "length": min(5, len(text)), "style": "BOLD"}]
        blocks.append({"key": f"t{n}", "text": text, "type": "unstyled", "depth": 0,
                       "inlineStyleRanges": style, "entityRanges": [], "data": {}})  # fmt: skip
    for n, href in enumerate(hrefs):
        entities[str(n)] = {"type": "LINK", "mutability": "MUTABLE", "data": {"url": href}}
        blocks.append({"key": f"l{n}", "text": f"Read {link_text}", "type": "unstyled",
                       "depth": 0, "inlineStyleRanges": [],
                       "entityRanges": [{"offset": 5, "length": len(link_text), "key": n}],
                       "data": {}})  # fmt: skip
    contentstate = {"blocks": blocks, "entityMap": entities}
    return _CONVERTERS[key].to_database_format(json.dumps(contentstate))


BODY_FIELDS = (
    "heading.text",
    "paragraph (raw HTML)",
    "paragraph (editor)",
    "quote.text",
    "quote.attribution",
    "code.code",
    "code.filename",
    "checklist.title",
    "checklist.item",
    "image.alt_text",
    "image.caption",
    "table.caption",
    "table.heading",
    "table.cell (text)",
    "table.cell (rich text raw)",
    "table.cell (rich text editor)",
    "video.title",
)


def body_for(payloads, images, speaker, place: Placement, where: str) -> tuple[list, set[int]]:
    """Raw StreamField data holding every one of ``payloads`` in every block and sub-field
    (short sub-fields packed into several blocks of a kind); and the ids the page must show."""
    ids = [p.id for p in payloads]
    texts = [p.text for p in payloads]
    urls = [URL_PAYLOADS[(p.id * 7) % len(URL_PAYLOADS)] for p in payloads]
    url_of = itertools.cycle(urls)
    body = []
    for text, _ in pack(payloads, 120):
        body.append({"type": "heading", "value": {"text": text, "level": "h2"}})
    raw = "".join(f"<p>{t}</p>" for t in texts)
    raw += "".join(f'<p><a href="{u.text}">x</a></p>' for u in urls)
    body.append({"type": "paragraph", "value": raw})
    editor = editor_rich_text(texts, [u.text for u in urls], PARAGRAPH_FEATURES)
    body.append({"type": "paragraph", "value": editor})
    for n, (attribution, _) in enumerate(pack(payloads, 200)):
        quote = "\n".join(texts) if n == 0 else "Quoted again."
        value = {"text": quote, "attribution": attribution, "speaker": speaker.pk,
                 "source_url": next(url_of).text}  # fmt: skip
        body.append({"type": "quote", "value": value})
    for n, (filename, fids) in enumerate(pack(payloads, 200)):
        code = "\n".join(BY_ID[i].text for i in fids) + "\n"
        value = {"language": CODE_LANGUAGES[n % len(CODE_LANGUAGES)], "code": code,
                 "filename": filename, "highlight_lines": "1", "line_numbers": bool(n % 2)}  # fmt: skip
        body.append({"type": "code", "value": value})
    for title, tids in pack(payloads, 120):
        items = [{"type": "item", "value": {"text": BY_ID[i].text[:300], "done": bool(i % 2)}}
                 for i in tids]  # fmt: skip
        body.append({"type": "checklist", "value": {"title": title, "items": items}})
    alts, captions = pack(payloads, 150), pack(payloads, 250)
    for n in range(max(len(alts), len(captions))):
        image = {"image": images[n % len(images)].pk, "decorative": False,
                 "alt_text": alts[n][0] if n < len(alts) else ""}  # fmt: skip
        caption = captions[n][0] if n < len(captions) else ""
        body.append({"type": "image", "value": {"image": image, "caption": caption}})
    table = {
        "caption": " ".join(texts),
        "columns": [
            {"type": "text", "heading": " ".join(texts)},
            {"type": "rich_text", "heading": "Raw"},
            {"type": "rich_text", "heading": "Editor"},
            {"type": "number", "heading": "n"},
        ],
        "rows": [
            {"values": [t, f"<p>{t}</p>", editor_rich_text([t], [], INLINE_FEATURES), str(i)]}
            for t, i in zip(texts, ids, strict=True)
        ],
    }
    body.append({"type": "table", "value": table})
    for title, _ in pack(payloads, 150):
        body.append({"type": "video", "value": {"url": next(url_of).text, "title": title}})
    for field in BODY_FIELDS:
        place.put(f"{where} body {field}", ids)
    url_ids = [u.id for u in urls]
    place.put(f"{where} body link href (raw + editor), quote.source_url, video.url", url_ids)
    return body, set(ids)


# --- the content --------------------------------------------------------------------------------


ALL_IDS = frozenset(p.id for p in PAYLOADS)
#: Talks enough for every payload to be in a talk title (255 characters, with the marker).
TITLES = pack(PAYLOADS, 255, prefix=f"{MARKER} ")
N_TALKS = len(TITLES)
N_HEAVY = 4  # talks whose body holds a quarter of the corpus each; the others have no body
N_DAYS = 2  # one day per conference; conferences and days have bodies too (a quarter each)
NAMES = pack(PAYLOADS, 120)
N_SPEAKERS = len(NAMES)  # every payload in a speaker name
IMAGE_TITLES = pack(PAYLOADS, 255)
N_IMAGES = len(IMAGE_TITLES)
N_BODY_IMAGES = 2  # images used in bodies and as photos (renditions made once)


class World:
    """Every kind of content with payloads in it, and the views that show them."""

    def __init__(self, tmp_path: Path):
        self.place = Placement()
        self.tmp_path = tmp_path
        self.started = time.monotonic()
        self.build()

    def progress(self, what: str) -> None:
        print(f"  {time.monotonic() - self.started:6.1f} s  {what}", flush=True)

    def build(self) -> None:
        place = self.place
        home = home_page()
        home.intro = " ".join(p.text for p in PAYLOADS)
        home.save()
        place.put("home intro", ALL_IDS)

        # Images: titles and descriptions (the default alt text), every payload in each.
        descriptions = spread(pack(PAYLOADS[::-1], 255), N_IMAGES)
        self.images = []
        for (title, tids), (description, dids) in zip(IMAGE_TITLES, descriptions, strict=True):
            self.images.append(ImageFactory(title=title, description=description))
            place.put("image title", tids)
            place.put("image description (default alt text)", dids)
        self.body_images = self.images[:N_BODY_IMAGES]
        self.progress(f"{N_IMAGES} images")

        # Speakers: every payload in each field but GitHub (39 characters: in rotation).
        bios = spread(pack(PAYLOADS, 600), N_SPEAKERS)
        alts = spread(pack(PAYLOADS[::-1], 150), N_SPEAKERS)
        githubs = spread(pack(PAYLOADS, 39), N_SPEAKERS)
        self.speakers = []
        for n in range(N_SPEAKERS):
            website = URL_PAYLOADS[n % len(URL_PAYLOADS)]
            mastodon = URL_PAYLOADS[(n + 7) % len(URL_PAYLOADS)]
            alt, alt_ids = alts[n]
            if n % 7 == 3:  # a few photos without alt text: the accessibility report names them
                alt, alt_ids = "", []
            speaker = SpeakerFactory(
                name=NAMES[n][0],
                slug=f"speaker-{n}",
                bio=bios[n][0],
                photo=self.body_images[n % N_BODY_IMAGES],
                photo_alt_text=alt,
                github=githubs[n][0][:39],
            )
            # Model validation refuses these URLs: raw content reaches the database with update().
            type(speaker).objects.filter(pk=speaker.pk).update(
                website=website.text, mastodon=mastodon.text
            )
            speaker.ids = set(NAMES[n][1]) | set(bios[n][1])
            self.speakers.append(speaker)
            place.put("speaker name", NAMES[n][1])
            place.put("speaker bio", bios[n][1])
            place.put("speaker photo_alt_text", alt_ids)
            place.put("speaker github (39 characters, in rotation)", githubs[n][1][:1])
            place.put("speaker website, mastodon (URL)", [website.id, mastodon.id])
        self.progress(f"{N_SPEAKERS} speakers")

        # Two conferences of one day each; talks spread over the days.
        conf_titles = pack(PAYLOADS, 255)
        conf_seo = pack(PAYLOADS[::-1], 255)
        # Meta descriptions are cut at DESCRIPTION_LENGTH: packed to that, in rotation.
        descriptions = pack(PAYLOADS, DESCRIPTION_LENGTH - 1)
        conf_desc = pack(PAYLOADS[::-1], DESCRIPTION_LENGTH - 1)[:N_DAYS]
        locations = pack(PAYLOADS[::3], 200)
        day_titles = pack(PAYLOADS[1::3], 255)
        day_seo = pack(PAYLOADS[2::3], 255)
        day_desc = pack(PAYLOADS[::-1], DESCRIPTION_LENGTH - 1)[N_DAYS : 2 * N_DAYS]
        talk_seo = spread(pack(PAYLOADS[::-1], 255), N_TALKS)
        talk_desc = [descriptions[t % len(descriptions)] for t in range(N_TALKS)]
        one_paragraph = [p for p in PAYLOADS[::-1] if "\n\n" not in p.text]
        summaries = spread(pack(one_paragraph, 600, prefix=f"{MARKER} "), N_TALKS)
        rooms = pack(PAYLOADS[::-1], 100)
        tag_chunks = pack(PAYLOADS, 100)
        self.tag_chunks = tag_chunks
        quarters = [PAYLOADS[q::4] for q in range(4)]
        self.conferences, self.days, self.talks = [], [], []
        for d in range(N_DAYS):
            conf_body, conf_shown = body_for(
                quarters[d], self.body_images, self.speakers[d], place, "conference"
            )
            conference = ConferenceFactory(
                title=conf_titles[d][0],
                slug=f"conf-{d}",
                seo_title=conf_seo[d][0],
                search_description=conf_desc[d][0],
                location=locations[d][0],
                body=conf_body,
                start_date=datetime.date(2026, 5, 4),
                end_date=datetime.date(2026, 5, 4),
            )
            type(conference).objects.filter(pk=conference.pk).update(website=URL_PAYLOADS[d].text)
            conf_tags = tag_chunks[d :: N_DAYS * 4]
            conference.tags.add(*[tag for tag, _ in conf_tags])
            conference.save()
            for _tag, ids in conf_tags:
                place.put("conference tags", ids)
            place.put("conference title (in rotation)", conf_titles[d][1])
            place.put("conference seo_title (in rotation)", conf_seo[d][1])
            place.put("conference search_description (in rotation)", conf_desc[d][1])
            place.put("conference location (in rotation)", locations[d][1])
            place.put("conference website (URL)", [URL_PAYLOADS[d].id])
            day_body, day_shown = body_for(
                quarters[2 + d], self.body_images, self.speakers[d], place, "day"
            )
            day = DayFactory(
                parent=conference,
                title=day_titles[d][0],
                slug="day-1",
                seo_title=day_seo[d][0],
                search_description=day_desc[d][0],
                body=day_body,
                date=datetime.date(2026, 5, 4),
            )
            place.put("day title (in rotation)", day_titles[d][1])
            place.put("day seo_title (in rotation)", day_seo[d][1])
            place.put("day search_description (in rotation)", day_desc[d][1])
            conference.shown = (
                set(conf_titles[d][1]) | set(conf_seo[d][1]) | set(conf_desc[d][1])
                | set(locations[d][1]) | conf_shown
            )  # fmt: skip
            day.shown = set(day_titles[d][1]) | set(day_seo[d][1]) | set(day_desc[d][1]) | day_shown
            self.conferences.append(conference)
            self.days.append(day)
        self.progress("conferences and days")

        per_talk_tags = -(-len(tag_chunks) // N_TALKS)
        per_talk_speakers = -(-N_SPEAKERS // N_TALKS)
        for t in range(N_TALKS):
            d = t % N_DAYS
            day, conference = self.days[d], self.conferences[d]
            speakers = [
                self.speakers[(t + k * N_TALKS) % N_SPEAKERS] for k in range(per_talk_speakers)
            ]
            speakers = list({s.pk: s for s in speakers}.values())
            body, shown = [], set()
            if t < N_HEAVY:
                body, shown = body_for(quarters[t], self.body_images, speakers[0], place, "talk")
            slides, video = URL_PAYLOADS[t % len(URL_PAYLOADS)], URL_PAYLOADS[-1 - t % 20]
            room = rooms[t % len(rooms)]
            talk = TalkFactory(
                parent=day,
                title=TITLES[t][0],
                slug=f"talk-{t}",
                seo_title=talk_seo[t][0],
                search_description=talk_desc[t][0],
                summary=summaries[t][0],
                room=room[0],
                start_time=datetime.time(9 + t % 8, t % 60),
                body=body,
                speakers=speakers,
            )
            tags = tag_chunks[t * per_talk_tags : (t + 1) * per_talk_tags]
            if tags:
                talk.tags.add(*[tag for tag, _ in tags])
                talk.save()
            type(talk).objects.filter(pk=talk.pk).update(
                slides_url=slides.text, video_url=video.text
            )
            for _tag, ids in tags:
                place.put("talk tags", ids)
            place.put("talk title", TITLES[t][1])
            place.put("talk seo_title", talk_seo[t][1])
            place.put("talk search_description", talk_desc[t][1])
            place.put("talk summary", summaries[t][1])
            place.put("talk room (in rotation)", room[1])
            place.put("talk slides_url, video_url (URL)", [slides.id, video.id])
            talk.title_ids = set(TITLES[t][1])
            talk.summary_ids = set(summaries[t][1])
            talk.body_ids = shown
            talk.listed = talk.title_ids | set(summaries[t][1]) | set(room[1])
            talk.listed |= {i for s in speakers for i in NAMES[int(s.slug.split("-")[1])][1]}
            talk.shown = (
                talk.listed | set(talk_seo[t][1]) | set(talk_desc[t][1]) | shown
                | {i for _tag, ids in tags for i in ids}
                | set().union(*(s.ids for s in speakers))
                | set(conf_titles[d][1]) | set(day_titles[d][1])
            )  # fmt: skip
            self.talks.append(talk)
            day.shown |= talk.listed
        self.progress(f"{N_TALKS} talks ({N_HEAVY} with a body)")
        self.revise()
        self.progress("revisions")
        self.import_notes()
        self.progress("import")

    def revise(self) -> None:
        """A published revision, then a draft with other payloads: the first heavy talk gets the
        title, summary, room and body of others (the comparison shows both)."""
        # A talk without a body: the comparison shows the draft's body as inserted whole (a
        # word diff against similar payloads would interleave their ids' digits).
        talk = self.talks[N_HEAVY + 3].specific
        talk.save_revision(clean=False).publish()
        draft_payloads = PAYLOADS[1::12]  # a smaller body: the edit form builds every block
        draft = talk.get_latest_revision_as_object()
        draft.title = self.talks[N_HEAVY].title
        draft.summary = self.talks[N_HEAVY + 1].summary
        draft.room = self.talks[N_HEAVY + 2].room
        draft.body, body_ids = body_for(
            draft_payloads, self.body_images, self.speakers[0], self.place, "draft"
        )
        draft.save_revision(clean=False)
        talk.draft_ids = self.talks[N_HEAVY].title_ids | self.talks[N_HEAVY + 1].summary_ids
        talk.draft_ids |= body_ids
        talk.draft_body_ids = body_ids
        # The explorer lists the latest revision's title.
        self.talks[N_HEAVY + 3].admin_title_ids = self.talks[N_HEAVY].title_ids
        self.revised = [talk]
        self.place.put("revision (draft: title, summary, room, body)", talk.draft_ids)

    def import_notes(self) -> None:
        """A Markdown notes file with every payload in one of its constructs, imported."""
        from pages.notes.importer import NotesImporter

        directory = self.tmp_path / "notes"
        directory.mkdir()
        (directory / "picture.png").write_bytes(png_bytes())
        path = directory / "hostile.md"
        path.write_text(self.markdown(), encoding="utf-8")
        self.notes_file = path
        result = NotesImporter(parent=home_page()).import_path(path)
        assert result.committed, [d.format(path.name) for d in result.diagnostics.errors]
        conference = Page.objects.get(slug="imported-hostile-notes")
        for page in [conference, *conference.get_descendants().order_by("path")]:
            page.get_latest_revision().publish()
        self.imported = [
            page.specific for page in Page.objects.descendant_of(conference, inclusive=True)
        ]
        self.place.put("import file (in rotation over its constructs)", self.import_ids)

    def markdown(self) -> str:
        """Front matter, then talks whose constructs take the payloads in rotation: each payload
        is in one construct (heading, paragraph, link, checklist, code, code title, quote,
        attribution, image alt/title, table, talk title)."""
        ids: set[int] = set()
        short = [p for p in PAYLOADS if "\n" not in p.text and len(p.text) <= 100]
        tags = pack(short[8:20], 100)
        lines = [
            "---",
            f"title: {json.dumps('Imported ' + short[0].text)}",
            "slug: imported-hostile-notes",
            "date: 2026-03-02",
            f"location: {json.dumps(short[1].text)}",
            f"summary: {json.dumps(' '.join(p.text for p in short[2:8]))}",
            f"tags: {json.dumps([t for t, _ in tags])}",
            "---",
            "",
            "## Day 1",
            "",
        ]
        ids |= {p.id for p in short[:8]} | {i for _, t in tags for i in t}

        def one(p):
            return p.text.replace("\n", " ")

        def safe(p):  # inside code fences, attributions and image syntax
            text = one(p).replace("`", "'").replace("[", "(").replace("]", ")")
            return text.replace("!(", "! (")

        def url(p):
            return URL_PAYLOADS[p.id % len(URL_PAYLOADS)].text.replace("\n", "").strip()

        constructs = [
            lambda p: [f"#### {one(p)[:100]}", ""],
            lambda p: [safe(p), ""],
            lambda p: [f"Read [{safe(p)[:60]}]({url(p)}) and <{url(p)}>", ""],
            lambda p: [f"- [ ] {one(p)}", f"- [x] {one(p)}", ""],
            lambda p: ["```html", one(p).replace("```", "'''"), "```", ""],
            lambda p: [f"```text title={json.dumps(safe(p)[:150])}", "x = 1", "```", ""],
            lambda p: [f"> {safe(p)}", ""],
            lambda p: ["> Quoted.", ">", f"> — {safe(p)[:150]}", ""],
            lambda p: [f"![A {safe(p)[:100]}](picture.png {json.dumps(safe(p)[:200])})", ""],
            lambda p: [f"| {one(p).replace('|', '/')} | b |", "| --- | --- |", "| 1 | 2 |", ""],
        ]
        rest = [p for p in PAYLOADS if p.id not in ids]
        talk_size = 40
        for n, chunk in enumerate(itertools.batched(rest, talk_size)):
            title = next(
                p for p in chunk
                if "\n" not in p.text and len(p.text) < 200 and "<!--" not in p.text
            )  # fmt: skip
            lines += [f"### Talk {n}: {title.text}", "", f"Speakers: Imported Person {n}", ""]
            ids.add(title.id)
            for k, p in enumerate(chunk):
                if p is title:
                    continue
                lines += constructs[(n + k) % len(constructs)](p)
                if not ID_RE.search(clean_rich_text(p.text)):
                    # Its id is only in markup the whitelist drops (a comment, an attribute):
                    # shown once more as code, so that the reached check can see it arrived.
                    lines += constructs[4](p)
                ids.add(p.id)
        self.import_ids = ids
        return "\n".join(lines) + "\n"


# --- the browser --------------------------------------------------------------------------------


class Browser:
    def __init__(self, driver, base: str):
        self.driver, self.base = driver, base
        self.fired: list[str] = []
        self.latent: list[str] = []
        self.missing: list[str] = []
        self.loads = 0
        self.labels: set[str] = set()
        self.times: list[tuple[float, str]] = []
        self.reached_checks = self.reached_ok = self.reached_ids = 0
        driver.execute_cdp_cmd("Page.enable", {})
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": HOOK})
        driver.execute_cdp_cmd("Page.setBypassCSP", {"enabled": True})
        driver.set_script_timeout(30)
        driver.set_page_load_timeout(60)

    def load(self, label: str, path: str, expect=()) -> set[int]:
        started = time.monotonic()
        self.driver.get(self.base + path if path.startswith("/") else path)
        shown = self.check(label, path, expect)
        self.times.append((time.monotonic() - started, label))
        return shown

    def check(self, label: str, path: str, expect=()) -> set[int]:
        self.loads += 1
        self.labels.add(re.sub(r" p\d+$", "", label))
        result = self.driver.execute_async_script(SCAN)
        shown = {int(i) for i in result["ids"]}
        for pid, where in result["hits"]:
            self.fired.append(f"{label} {path}: payload {pid} ran (at {where}) {describe(pid)}")
        for kind, tag, attr, value in result["latent"]:
            ids = sorted({int(i) for i in ID_RE.findall(value)})
            self.latent.append(
                f"{label} {path}: {kind} <{tag.lower()} {attr}={value[:120]!r}> "
                + "; ".join(describe(i) for i in ids)
            )
        for url in result["injected"]:
            self.latent.append(f"{label} {path}: payload markup made a request for {url[:120]}")
        if not result["url"].startswith(self.base):
            self.fired.append(f"{label} {path}: navigated away to {result['url'][:120]}")
        if expect:
            self.expect(f"{label} {path}", expect, shown)
        return shown

    def expect(self, where: str, expect, shown) -> None:
        self.reached_checks += 1
        self.reached_ids += len(expect)
        missing = set(expect) - set(shown)
        if missing:
            self.missing.append(f"{where}: {len(missing)} ids not shown: {sorted(missing)}")
        else:
            self.reached_ok += 1

    def paged(self, label: str, path: str, expect, max_pages: int = 12) -> None:
        """Every page of a paginated listing: together they must show ``expect``."""
        seen: set[int] = set()
        sep = "&" if "?" in path else "?"
        for number in range(1, max_pages + 1):
            shown = self.load(f"{label} p{number}", f"{path}{sep}p={number}&page={number}")
            if shown <= seen:
                break
            seen |= shown
        if expect:
            self.expect(f"{label} {path} (all pages)", expect, seen)

    def login(self, user) -> None:
        client = Client()
        client.force_login(user)
        self.driver.get(self.base + "/healthz")
        self.driver.add_cookie(
            {"name": "sessionid", "value": client.cookies["sessionid"].value, "path": "/"}
        )


_PLACE: Placement | None = None


def describe(pid: int) -> str:
    payload = BY_ID.get(pid)
    if payload is None:
        return f"#{pid}"
    fields = _PLACE.where(pid) if _PLACE else []
    return f"#{pid} [{payload.category}] {payload.text[:80]!r} in {', '.join(fields[:6])}"


# --- tests ----------------------------------------------------------------------------------------


def test_corpus_has_200_distinct_payloads_each_calling_its_own_hook():
    assert len(PAYLOADS) >= 200
    assert len({p.text for p in PAYLOADS}) == len(PAYLOADS)
    assert [p.id for p in PAYLOADS] == list(range(1, len(PAYLOADS) + 1))
    for payload in PAYLOADS:
        assert {int(i) for i in ID_RE.findall(payload.text)} == {payload.id}, payload
    categories = {p.category for p in PAYLOADS}
    assert len(categories) == 10, categories


def test_packing_keeps_every_payload_and_its_id_within_the_limit():
    for limit in (39, 100, 120, 255):
        chunks = pack(PAYLOADS, limit)
        assert sorted(i for _, ids in chunks for i in ids) == sorted(ALL_IDS)
        for text, ids in chunks:
            assert len(text) <= limit
            assert {int(i) for i in ID_RE.findall(text)} == set(ids), (limit, text)
    for text, ids in search_queries():
        assert len(text) <= 200 and len(text.split()) <= 20
        assert {int(i) for i in ID_RE.findall(text)} == set(ids)
    assert sorted(i for _, ids in search_queries() for i in ids) == sorted(ALL_IDS)


@pytest.mark.django_db
def test_editor_path_drops_dangerous_link_urls_and_rejects_them_in_url_fields():
    """What the admin form saves: the ContentState converter keeps no javascript:/data:/vbscript:
    link, and URL fields (page, speaker, quote block) refuse those URLs."""
    from django.core.exceptions import ValidationError
    from django.forms import URLField

    from wagtail.blocks import URLBlock

    dangerous = [p for p in URL_PAYLOADS if not p.text.lstrip().startswith(("http", "//"))]
    assert len(dangerous) >= 30
    html = editor_rich_text(["text"], [p.text for p in dangerous], PARAGRAPH_FEATURES)
    hrefs = re.findall(r'href="([^"]*)"', html)
    for href in hrefs:
        assert not DANGEROUS_SCHEME.match(browser_url(href)), (href, html)
    for payload in dangerous:
        field = URLField(assume_scheme="https")
        with pytest.raises(ValidationError):
            field.clean(payload.text)
        with pytest.raises(ValidationError):
            URLBlock().clean(payload.text)


def test_urls_printed_into_links_keep_only_harmless_schemes():
    """Regression: URL fields and URL blocks stored past the form (ORM, import, script) were
    printed as they were into href/cite (quote source, video link, slides/video/website links,
    speaker links): ``javascript:`` and ``data:`` links. ``safe_url`` now empties them."""
    from pages.blocks.sanitise import safe_url

    kept = [p for p in URL_PAYLOADS if safe_url(p.text)]
    for payload in URL_PAYLOADS:
        if safe_url(payload.text):
            assert not DANGEROUS_SCHEME.match(browser_url(payload.text)), payload
    assert len(kept) < len(URL_PAYLOADS) - 30
    for url in ("https://example.org/a?b=1&c=2", "/relative/", "mailto:a@example.org", "#top"):
        assert safe_url(url) == url
    assert safe_url("java\tscript:alert(1)") == safe_url("javascript\u200b:x") == ""
    assert safe_url("&#106;avascript:x") == safe_url(" DATA:text/html,x") == ""


@pytest.mark.django_db
def test_quote_and_video_blocks_print_no_dangerous_link():
    from pages.blocks import QuoteBlock, VideoBlock

    for payload in URL_PAYLOADS:
        quote = QuoteBlock().to_python(
            {"text": "Words.", "attribution": "Someone", "speaker": None,
             "source_url": payload.text}
        )  # fmt: skip
        video = VideoBlock().to_python({"url": payload.text, "title": "Recording"})
        for html_out in (str(QuoteBlock().render(quote)), str(VideoBlock().render(video))):
            for attribute in re.findall(r'(?:href|cite|src)="([^"]*)"', html_out):
                assert not DANGEROUS_SCHEME.match(browser_url(attribute)), (payload, html_out)


def search_queries() -> list[tuple[str, list[int]]]:
    """The corpus as search queries the view keeps whole: 200 characters, 20 words, folded."""
    queries, text, ids = [], "", []
    for payload in PAYLOADS:
        piece = " ".join("".join(" " if ord(c) < 32 else c for c in payload.text).split())
        candidate = f"{text} {piece}" if ids else piece
        if ids and (len(candidate) > 200 or len(candidate.split()) > 20):
            queries.append((text, ids))
            candidate, ids = piece, []
        text, ids = candidate, ids + [payload.id]
    queries.append((text, ids))
    return queries


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_no_payload_runs_on_any_view(live_server, tmp_path):
    global _PLACE
    started = time.monotonic()
    driver = start_chromium()
    try:
        world = World(tmp_path)
        _PLACE = world.place
        browser = Browser(driver, live_server.url)
        run_views(world, browser)
        elapsed = time.monotonic() - started
    finally:
        driver.quit()
        _PLACE_reset()
    print_summary(world, browser, elapsed)
    report = []
    if browser.fired:
        report += ["SCRIPTS RAN:", *browser.fired[:60]]
    if browser.latent:
        report += ["MARKUP THAT WOULD RUN ON INTERACTION:", *sorted(set(browser.latent))[:60]]
    if browser.missing:
        report += ["PAYLOADS THAT DID NOT REACH THE PAGE:", *browser.missing[:60]]
    assert not report, "\n".join(report)


def _PLACE_reset():
    global _PLACE
    _PLACE = None


def run_views(world: World, browser: Browser) -> None:
    from urllib.parse import quote

    from taggit.models import Tag

    from selenium.webdriver.support.ui import WebDriverWait

    from pages.accessibility.audit import audit_pages, auditable_pages

    progress = Progress()
    # Public pages, anonymous.
    browser.load("home", home_page().url, ALL_IDS)
    for conference in world.conferences:
        browser.load("conference", conference.url, conference.shown)
    for day in world.days:
        browser.load("day", day.url, day.shown)
    for talk in world.talks:
        browser.load("talk", talk.url, talk.shown)
    progress(f"public pages ({browser.loads} loads)")
    imported: set[int] = set()
    for page in world.imported:
        imported |= browser.load("imported page", page.url)
    browser.expect("imported pages (together)", world.import_ids, imported)
    speaker_names = world.place.fields["speaker name"]
    browser.paged("speaker index", "/speakers/", speaker_names)
    for speaker in world.speakers[:: max(1, N_SPEAKERS // 3)]:
        browser.load("speaker", f"/speakers/{speaker.slug}/", speaker.ids)
    tag_ids = world.place.fields["talk tags"] | world.place.fields["conference tags"]
    browser.paged("tag index", "/tags/", tag_ids)
    tags = list(Tag.objects.order_by("name"))
    for tag in tags[:: max(1, len(tags) // 3)]:
        browser.load("tag", f"/tags/{tag.slug}/", {int(i) for i in ID_RE.findall(tag.name)})
    progress(f"imported, speaker and tag pages ({browser.loads} loads)")

    # Search: the queries themselves, results with excerpts and facets, suggestions.
    for query, ids in search_queries():
        browser.load("search query", f"/search/?q={quote(query)}", ids)
    world.place.put("search query", ALL_IDS)
    titles = set().union(*(t.title_ids for t in world.talks))
    browser.paged("search results", f"/search/?q={MARKER}", titles, max_pages=8)
    browser.load("search box", "/search/")
    box = browser.driver.find_element("css selector", "#search-q")
    box.send_keys(MARKER.lower()[:4])
    WebDriverWait(browser.driver, 5, poll_frequency=0.05).until(
        lambda d: d.find_elements("css selector", "[role=option]"), "no suggestions shown"
    )
    shown = browser.check("search suggestions", "/search/ (typed)")
    assert shown & titles, "the suggestions show no talk title"
    progress(f"search ({browser.loads} loads)")

    # Admin.
    user = get_user_model().objects.create_superuser("xss-admin", "a@example.org", "pw")
    audit_pages(auditable_pages())
    browser.login(user)
    browser.load("admin explorer (home)", f"/admin/pages/{home_page().pk}/")
    for day in world.days:
        expect = {
            i
            for t in world.talks
            if t.get_parent().pk == day.pk
            for i in getattr(t, "admin_title_ids", t.title_ids)
        }
        browser.paged("admin explorer (day)", f"/admin/pages/{day.pk}/", expect, max_pages=4)
    browser.paged("admin speaker listing", "/admin/snippets/snippets/speaker/", speaker_names)
    browser.paged("admin image listing", "/admin/images/", world.place.fields["image title"])
    browser.paged("admin accessibility report", "/admin/reports/accessibility/", set(), 2)
    progress(f"admin listings ({browser.loads} loads)")
    for talk in world.revised:
        browser.load("admin preview (draft)", f"/admin/pages/{talk.pk}/view_draft/", talk.draft_ids)
        browser.load(
            "admin revision comparison",
            f"/admin/pages/{talk.pk}/revisions/compare/earliest...latest/",
            talk.draft_body_ids,
        )
        browser.load("admin history", f"/admin/pages/{talk.pk}/history/")
        browser.load("admin page edit form", f"/admin/pages/{talk.pk}/edit/", talk.draft_ids)
    speaker = world.speakers[0]
    browser.load(
        "admin speaker edit form", f"/admin/snippets/snippets/speaker/edit/{speaker.pk}/",
        speaker.ids,
    )  # fmt: skip
    image = world.images[0]
    browser.load("admin image edit form", f"/admin/images/{image.pk}/", IMAGE_TITLES[0][1])
    progress(f"admin preview, comparison, edit forms ({browser.loads} loads)")
    browser.load("admin import notes", "/admin/notes/import/")
    browser.driver.find_element("css selector", "input[type=file]").send_keys(str(world.notes_file))
    upload = browser.driver.find_element("css selector", "input[type=file]")
    browser.driver.execute_script(
        "arguments[0].form.querySelector('[type=submit]').click()", upload
    )
    WebDriverWait(browser.driver, 60, poll_frequency=0.1).until(
        lambda d: (
            d.find_elements("css selector", "input[name=token]")
            or d.find_elements("css selector", ".error-message, .help-critical")
        ),
        "the import preview did not appear",
    )
    browser.check("admin import preview", "/admin/notes/import/ (upload)")
    progress(f"admin import preview ({browser.loads} loads)")


class Progress:
    def __init__(self):
        self.start = time.monotonic()

    def __call__(self, what: str) -> None:
        print(f"  {time.monotonic() - self.start:6.1f} s  {what}", flush=True)


def print_summary(world: World, browser: Browser, elapsed: float) -> None:
    fields = world.place.fields
    full = sum(1 for ids in fields.values() if ids >= ALL_IDS)
    print(f"\nXSS corpus: {len(PAYLOADS)} payloads ({len(URL_PAYLOADS)} of them URLs)")
    print(f"fields: {len(fields)} ({full} hold every payload); payloads placed per field:")
    for field, ids in sorted(fields.items()):
        print(f"  {len(ids):4d}/{len(PAYLOADS)}  {field}")
    print(f"views: {len(browser.labels)} kinds, {browser.loads} page loads in one Chromium")
    print(
        f"fired: {len(browser.fired)}  latent: {len(browser.latent)}  "
        f"reached: {browser.reached_ok}/{browser.reached_checks} views showed every id expected "
        f"({browser.reached_ids} ids checked; {len(browser.missing)} misses)"
    )
    by_label: dict[str, list[float]] = {}
    for seconds, label in browser.times:
        by_label.setdefault(re.sub(r" p\d+$", "", label), []).append(seconds)
    slowest = sorted(by_label.items(), key=lambda kv: -sum(kv[1]))[:8]
    print("slowest views: " + "; ".join(f"{k} {sum(v):.1f} s/{len(v)}" for k, v in slowest))
    print(f"test time {elapsed:.1f} s (browser and content; database setup not included)")
