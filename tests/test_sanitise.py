"""Rich text stored by any means (not only the editor) is whitelisted when it is loaded."""

import json
import re

from django.contrib.auth import get_user_model

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pages.blocks import BodyBlock
from pages.blocks.sanitise import clean_rich_text
from pages.models import TalkPage
from tests.factories import TalkFactory

HOSTILE = [
    ("<p><script>__xss(1)</script>kept</p>", "<p>kept</p>"),
    ("<p><script><img src=x onerror=__xss(2)></script>kept</p>", "<p>kept</p>"),
    ("<p><img src=x onerror=__xss(3)>kept</p>", "<p>kept</p>"),
    ('<p><a href="javascript:__xss(4)">x</a></p>', "<p><a>x</a></p>"),
    ('<p><a href="jav&#x09;ascript:__xss(5)">x</a></p>', "<p><a>x</a></p>"),
    (
        '<p><a href="https://example.org/" onclick="__xss(6)">x</a></p>',
        '<p><a href="https://example.org/">x</a></p>',
    ),
    ('<p><b onmouseover="__xss(7)">bold</b></p>', "<p><b>bold</b></p>"),
    ("<p><svg onload=__xss(8)><b>y</b></svg>after</p>", "<p>after</p>"),
    ("<p><style>*{}</style><!-- __xss(9) -->text</p>", "<p>text</p>"),
    ('<p><a linktype="page" id="1 onmouseover=__xss(10)">l</a></p>', "<p><a>l</a></p>"),
    ("<p><iframe srcdoc='<script>__xss(11)</script>'></iframe>ok</p>", "<p>ok</p>"),
    ("<p><marquee>moving</marquee> text</p>", "<p>moving text</p>"),
]


@pytest.mark.parametrize(("source", "expected"), HOSTILE)
def test_hostile_markup_is_removed(source, expected):
    assert clean_rich_text(source) == expected


def test_editor_output_is_unchanged():
    source = (
        '<p>It\'s a "quote" <b>b</b> <i>i</i> <code>a&lt;b</code> '
        '<a href="https://example.org/x?a=1&amp;b=2">'
        'ext</a> <a href="mailto:a@example.org">mail</a> <a id="3" linktype="page">int</a></p>'
        "<ul><li>one</li></ul><ol><li>two</li></ol>"
    )
    assert clean_rich_text(source) == source


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>/=\"' abcpisvgonerl&#;:!-[]")), max_size=80))
def test_cleaning_is_idempotent_and_leaves_no_handler(source):
    once = clean_rich_text(source)
    assert clean_rich_text(once) == once
    assert "<script" not in once.lower()
    assert not re.search(r"<[^>]*\son\w*\s*=", once, re.IGNORECASE), once


def test_body_block_loads_cleaned_paragraphs_and_table_cells():
    raw = [
        {"type": "paragraph", "value": "<p><img src=x onerror=__xss(1)>para</p>"},
        {
            "type": "table",
            "value": {
                "caption": "Caption",
                "columns": [{"type": "rich_text", "heading": "Notes"}],
                "rows": [{"values": ["<p><script>__xss(2)</script>cell</p>"]}],
            },
        },
    ]
    value = BodyBlock().to_python(raw)
    assert value[0].value.source == "<p>para</p>"
    html = str(BodyBlock().render(value))
    assert "__xss" not in html
    assert "para" in html and "cell" in html


@pytest.mark.django_db
def test_raw_body_written_past_the_editor_renders_and_edits_safely(client):
    """A body written straight into the database: public page and editor both stay safe."""
    talk = TalkFactory(title="Stored past the editor")
    TalkPage.objects.filter(pk=talk.pk).update(
        body=json.dumps(
            [
                {
                    "type": "paragraph",
                    "value": '<p>Visible words<img src=x onerror="__xss(1)">'
                    '<a href="javascript:__xss(2)">a link</a><script>__xss(3)</script></p>',
                    "id": "c0ffee00-0000-4000-8000-000000000001",
                }
            ]
        )
    )
    talk.refresh_from_db()
    talk.save_revision().publish()
    response = client.get(talk.url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Visible words" in html and "a link" in html
    assert "__xss" not in html
    admin = get_user_model().objects.create_superuser("boss", "boss@example.org", "pw")
    client.force_login(admin)
    edit = client.get(f"/admin/pages/{talk.pk}/edit/")
    assert edit.status_code == 200
    assert "__xss" not in edit.content.decode()
