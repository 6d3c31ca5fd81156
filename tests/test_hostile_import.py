"""Hostile notes files and uploads (issue #18, the import half): a YAML alias bomb, shapes that
made rich text conversion quadratic, floods of warnings, files over the page and block caps and
malformed zips each get a short, clear answer, write nothing and leave no files behind.

Time is never measured here (``python -m benchmarks.import_hostile`` does): the converter's
work is counted as element comparisons, which grow with n² in the stock converter."""

import io
import json
import re
import struct
import tempfile
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

from wagtail.admin.rich_text import get_rich_text_editor_widget
from wagtail.admin.rich_text.converters.contentstate import ContentstateConverter

import pytest
from draftjs_exporter.engines.string import Elt

from pages.blocks import INLINE_FEATURES, PARAGRAPH_FEATURES
from pages.models import ConferenceIndex
from pages.notes.diagnostics import Diagnostics
from pages.notes.parser import parse_notes
from pages.notes.richtext import sanitise
from tests.notes_support import run

HEAD = "---\ntitle: Hostile Conf\ndate: 2026-05-12\n---\n## Day 1\n### Talk\n\n"


def write(tmp_path, text: str, name: str = "notes.md"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def alias_bomb(levels: int = 7) -> str:
    lines = ["---", "title: Bomb", "date: 2026-05-12", "l0: &l0 [a, a, a, a, a, a, a, a, a, a]"]
    for level in range(1, levels):
        lines.append(f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 10) + "]")
    return "\n".join([*lines, f"tags: [*l{levels - 1}]", "---", "# Bomb", ""])


# --- YAML front matter ------------------------------------------------------------------------


def test_an_alias_bomb_is_refused_with_one_short_error():
    diagnostics = Diagnostics()
    parse_notes(alias_bomb(), diagnostics)  # 10^6 values once expanded
    errors = [d for d in diagnostics if "alias" in d.message]
    assert len(errors) == 1
    assert errors[0].line == 5  # the first *l0
    assert "cannot use aliases" in errors[0].message
    assert sum(len(d.message) for d in diagnostics) < 500


def test_an_alias_bomb_through_the_command_prints_a_few_lines(home, tmp_path, capsys):
    status, out, err = run("import_notes", write(tmp_path, alias_bomb()), capsys=capsys)
    assert status == 1
    assert "notes.md:5: error: The front matter uses a YAML alias (*l0)" in err
    assert len(out) + len(err) < 2000
    assert not ConferenceIndex.objects.exists()


def test_deep_nesting_is_an_error_not_a_crash():
    diagnostics = Diagnostics()
    parse_notes("---\ntags: " + "[" * 5000 + "]" * 5000 + "\n---\n# T\n", diagnostics)
    assert any("nests lists or mappings too deeply" in d.message for d in diagnostics)


@pytest.mark.parametrize(
    "front",
    [
        "date: " + "9" * 20000,
        "date: '" + "x" * 20000 + "'",
        "tags: [[" + ", ".join(["word"] * 5000) + "]]",
        "k" * 1000 + ": 1",
    ],
)
def test_values_quoted_in_messages_are_shortened(front):
    diagnostics = Diagnostics()
    parse_notes(f"---\ntitle: T\n{front}\n---\n", diagnostics)
    assert diagnostics
    assert all(len(d.message) < 300 for d in diagnostics), [len(d.message) for d in diagnostics]


# --- warnings cap -----------------------------------------------------------------------------


def test_warnings_are_capped_with_a_summary_line(home, tmp_path, capsys, settings):
    settings.CONFNOTES_IMPORT_MAX_WARNINGS = 5
    path = write(tmp_path, HEAD + "text {{< toc >}} " * 40 + "\n")
    status, out, err = run("import_notes", path, "--dry-run", capsys=capsys)
    assert status == 0
    warnings = [line for line in err.splitlines() if ": warning: " in line]
    assert len(warnings) == 6
    assert warnings[-1] == (
        f"{path}: warning: 35 more warning(s) not listed: only the first 5 warnings of a file "
        "are (setting CONFNOTES_IMPORT_MAX_WARNINGS)."
    )
    assert "; 40 warning(s)." in out  # the summary counts them all


def test_errors_are_capped_too():
    diagnostics = Diagnostics(limit=3)
    for line in range(10):
        diagnostics.error(line, "x" * 10_000)
    listed = diagnostics.sorted()
    assert len(listed) == 4 and diagnostics.error_count == 10 and diagnostics.has_errors
    assert all(len(d.message) <= 500 for d in listed)
    assert "7 more error(s) not listed" in listed[-1].message


# --- page and block caps ----------------------------------------------------------------------


def talks(count: int, blocks: int = 1) -> str:
    body = "\n\n".join(f"#### Part {n}" for n in range(blocks))  # a heading block each
    return HEAD.split("### Talk")[0] + "".join(f"### Talk {n}\n\n{body}\n\n" for n in range(count))


@pytest.mark.parametrize(
    ("setting", "limit", "text", "message"),
    [
        (
            "CONFNOTES_IMPORT_MAX_PAGES",
            4,
            talks(3),
            "The file has 5 pages; one import takes at most 4",
        ),
        (
            "CONFNOTES_IMPORT_MAX_BLOCKS",
            5,
            talks(2, 3),
            "The file has 6 blocks; one import takes at most 5",
        ),
    ],
)
def test_caps_refuse_the_file_and_write_nothing(
    home, tmp_path, capsys, settings, setting, limit, text, message
):
    path = write(tmp_path, text)
    setattr(settings, setting, limit + 1)
    status, _out, err = run("import_notes", path, capsys=capsys)
    assert status == 0
    ConferenceIndex.objects.all().delete()
    setattr(settings, setting, limit)
    status, _out, err = run("import_notes", path, "--publish", capsys=capsys)
    assert status == 1
    assert f"{message} (setting {setting}). Split the file, or raise the limit." in err
    assert not ConferenceIndex.objects.exists()


def test_the_admin_import_has_the_same_caps(client, django_user_model, home, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CONFNOTES_IMPORT_MAX_PAGES = 2
    client.force_login(django_user_model.objects.create_superuser("boss", "b@example.com", "pw"))
    upload = SimpleUploadedFile("notes.md", talks(1).encode(), content_type="text/markdown")
    response = client.post("/admin/notes/import/", {"file": upload, "mode": "draft"})
    assert "one import takes at most 2 (setting CONFNOTES_IMPORT_MAX_PAGES)" in (
        response.content.decode()
    )
    assert not ConferenceIndex.objects.exists()


# --- rich text conversion in linear time --------------------------------------------------------


@pytest.fixture
def comparisons(monkeypatch):
    """Counts element comparisons (``==``) made while rich text is converted: the stock string
    engine compares each appended child with every child already there."""
    counter = {"n": 0}

    def counting_eq(self, other):
        counter["n"] += 1
        return self is other

    monkeypatch.setattr(Elt, "__eq__", counting_eq)
    monkeypatch.setattr(Elt, "__hash__", object.__hash__)
    return counter


def bold_contentstate(n: int) -> str:
    block = {
        "key": "a1b2c",
        "type": "unstyled",
        "depth": 0,
        "text": "word bold " * n,
        "inlineStyleRanges": [
            {"offset": 10 * i + 5, "length": 4, "style": "BOLD"} for i in range(n)
        ],
        "entityRanges": [],
        "data": {},
    }
    return json.dumps({"blocks": [block], "entityMap": {}})


def test_the_editor_saves_many_bold_ranges_in_linear_work(comparisons):
    widget = get_rich_text_editor_widget(features=PARAGRAPH_FEATURES)
    counts = {}
    for n in (200, 400):
        comparisons["n"] = 0
        html = widget.value_from_datadict({"body": bold_contentstate(n)}, {}, "body")
        assert html.count("<b>bold</b>") == n
        counts[n] = comparisons["n"]
    assert counts[400] <= 2 * counts[200] + 10, counts  # the stock engine: 20,000 and 80,000
    stock = ContentstateConverter(list(PARAGRAPH_FEATURES)).to_database_format
    assert html == stock(bold_contentstate(400))


@pytest.mark.django_db
def test_the_page_edit_form_saves_many_bold_ranges_in_linear_work(
    client, django_user_model, comparisons
):
    from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

    from tests.factories import DayFactory, TalkFactory

    client.force_login(django_user_model.objects.create_superuser("boss", "b@example.com", "pw"))
    talk = TalkFactory(parent=DayFactory(), title="Bold claims", body=[])
    counts = {}
    for n in (200, 400):
        data = nested_form_data(
            {
                "title": talk.title,
                "slug": talk.slug,
                "summary": "",
                "room": "",
                "start_time": "",
                "slides_url": "",
                "video_url": "",
                "talk_speakers": inline_formset([]),
                "body": streamfield([("paragraph", bold_contentstate(n))]),
                "tags": "",
                "comments": inline_formset([]),
                "seo_title": "",
                "search_description": "",
            }
        )
        comparisons["n"] = 0
        response = client.post(f"/admin/pages/{talk.pk}/edit/", data)
        assert response.status_code == 302, response.content.decode()[:3000]
        counts[n] = comparisons["n"]
        talk.refresh_from_db()
        saved = talk.latest_revision.as_object().body[0].value.source
        assert saved.count("<b>bold</b>") == n
    assert counts[400] <= 2 * counts[200] + 10, counts


def test_the_import_sanitises_many_emphases_in_linear_work(comparisons):
    counts = {}
    for n in (200, 400):
        comparisons["n"] = 0
        cleaned = sanitise("<p>" + "a<i>a</i>" * n + "</p>", PARAGRAPH_FEATURES)
        assert cleaned.count("<i>a</i>") == n
        counts[n] = comparisons["n"]
    assert counts[400] <= 2 * counts[200] + 10, counts


def without_keys(text: str) -> str:
    return re.sub(r'"key": "[^"]*"|data-block-key="[^"]*"', "", text)


@pytest.mark.parametrize(
    "html",
    [
        "",
        "plain text & more",
        "<p>  spaced   out  </p><p></p>",
        '<p>a <b>bold <i>both</i></b> <a href="https://example.org/?a=1&amp;b=2">link</a></p>',
        '<p><a linktype="page" id="3">page</a> <a href="javascript:alert(1)">x</a></p>',
        "<ul><li>one<ul><li>two<ul><li>three</li></ul></li></ul></li><li>four</li></ul>",
        "<ol><li>x</li></ol><p>x<br/>y <code>z &lt; 1</code></p><h2>dropped</h2>",
        "<p>" + "<b>b</b> " * 50 + "</p>",
    ],
)
@pytest.mark.django_db  # a page link is looked up
def test_the_linear_converter_writes_what_wagtails_writes(html):
    from pages.blocks.richtext_converter import LinearContentstateConverter

    for features in (PARAGRAPH_FEATURES, INLINE_FEATURES):
        stock = ContentstateConverter(list(features))
        linear = LinearContentstateConverter(list(features))
        stock_state, linear_state = (
            stock.from_database_format(html),
            linear.from_database_format(html),
        )
        assert without_keys(linear_state) == without_keys(stock_state)
        assert linear.to_database_format(stock_state) == stock.to_database_format(stock_state)


# --- malformed zip uploads ----------------------------------------------------------------------


def stored_zip(files: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def patch_headers(data: bytes, local: tuple[int, str, int], central: tuple[int, str, int]):
    """``data`` with a field of every local header and central directory entry replaced:
    (offset in the header, struct format, value)."""
    data = bytearray(data)
    for signature, (offset, fmt, value) in ((b"PK\x03\x04", local), (b"PK\x01\x02", central)):
        start = data.find(signature)
        while start >= 0:
            struct.pack_into(fmt, data, start + offset, value)
            start = data.find(signature, start + 4)
    return bytes(data)


NOTES = HEAD.encode() + b"Some notes.\n"
MALFORMED_ZIPS = {
    # general purpose flag bit 0: encrypted (Python reads no password here)
    "encrypted": (
        patch_headers(stored_zip({"notes.md": NOTES}), (6, "<H", 1), (8, "<H", 1)),
        "The .zip is encrypted (notes.md): make it again without a password.",
    ),
    # compression method 99 (AES), which zipfile cannot read
    "compression": (
        patch_headers(stored_zip({"notes.md": NOTES}), (8, "<H", 99), (10, "<H", 99)),
        "notes.md in the .zip is compressed with a method this site cannot read (method 99)",
    ),
    "bad CRC": (
        patch_headers(stored_zip({"notes.md": NOTES}), (14, "<I", 1), (16, "<I", 1)),
        "The .zip file is damaged: notes.md cannot be unpacked (Bad CRC-32",
    ),
    "file and folder": (
        stored_zip({"images": b"x", "images/a.png": b"x", "notes.md": NOTES}),
        "The .zip holds images both as a file and as a folder.",
    ),
    "same file twice": (
        stored_zip({"notes.md": NOTES, "a.png": b"x", "./a.png": b"y"}),
        "The .zip holds ./a.png twice.",
    ),
    "long name": (
        stored_zip({"notes.md": NOTES, "images/" + "n" * 300 + ".png": b"x"}),
        "A name in the .zip is too long: images/nnn",
    ),
}


@pytest.mark.filterwarnings("ignore::UserWarning")  # zipfile: "Duplicate name"
@pytest.mark.parametrize("kind", list(MALFORMED_ZIPS))
def test_malformed_zips_get_a_clear_error_and_leave_nothing(
    kind, client, django_user_model, home, settings, tmp_path, monkeypatch
):
    settings.MEDIA_ROOT = tmp_path / "media"
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    client.force_login(django_user_model.objects.create_superuser("boss", "b@example.com", "pw"))
    data, message = MALFORMED_ZIPS[kind]
    upload = SimpleUploadedFile("notes.zip", data, content_type="application/zip")
    response = client.post("/admin/notes/import/", {"file": upload, "mode": "draft"})
    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not ConferenceIndex.objects.exists()
    assert list(temporary.iterdir()) == []  # nothing unpacked is left
    assert not (tmp_path / "media" / "notes-import").exists() or not any(
        (tmp_path / "media" / "notes-import").iterdir()
    )
