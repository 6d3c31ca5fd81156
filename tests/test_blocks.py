"""Each block renders what a reader needs and rejects what an editor got wrong."""

from django.core.exceptions import ValidationError

from wagtail.blocks.struct_block import StructBlockValidationError

import pytest

from pages import blocks
from tests.factories import ImageFactory, SpeakerFactory


def struct(block, **values):
    return block.to_python(values)


class TestHeadingBlock:
    block = blocks.HeadingBlock()

    def test_renders_level_and_anchor(self):
        html = self.block.render(struct(self.block, text="Why it matters", level="h3"))
        # The heading's accessible name is its text alone; the anchor link follows it.
        assert '<h3 id="why-it-matters" class="heading-block__title">Why it matters</h3>' in html
        assert html.index("</h3>") < html.index('href="#why-it-matters"')

    def test_page_given_anchor_wins(self):
        html = self.block.render(
            struct(self.block, text="Setup", level="h2"), context={"anchor_id": "setup-2"}
        )
        assert 'id="setup-2"' in html

    def test_level_is_required_and_defaults_to_h2(self):
        assert self.block.child_blocks["level"].get_default() == "h2"
        with pytest.raises(StructBlockValidationError) as exc:
            self.block.clean(struct(self.block, text="No level", level=""))
        assert "level" in exc.value.block_errors

    def test_empty_text_is_rejected(self):
        with pytest.raises(StructBlockValidationError) as exc:
            self.block.clean(struct(self.block, text="", level="h2"))
        assert "text" in exc.value.block_errors

    def test_level_outside_h2_h4_is_rejected(self):
        with pytest.raises(StructBlockValidationError):
            self.block.clean(struct(self.block, text="Title", level="h1"))

    def test_non_ascii_text_gets_an_anchor(self):
        html = self.block.render(struct(self.block, text="¿¿??", level="h2"))
        assert 'id="section"' in html


class TestParagraphBlock:
    block = blocks.ParagraphBlock()

    def test_features_are_limited(self):
        assert self.block.features == ["bold", "italic", "link", "ol", "ul", "code"]

    def test_renders_rich_text(self):
        value = self.block.to_python("<p>Use <code>select_related</code> <b>often</b>.</p>")
        html = self.block.render(value)
        assert "<code>select_related</code>" in html
        assert '<div class="rich-text">' in html

    def test_required(self):
        with pytest.raises(ValidationError):
            self.block.clean(self.block.to_python(""))


@pytest.mark.django_db
class TestQuoteBlock:
    block = blocks.QuoteBlock()

    def test_renders_figure_blockquote_figcaption(self):
        speaker = SpeakerFactory(name="Quinn Quoted")
        value = self.block.to_python(
            {
                "text": "Ship small.",
                "attribution": "keynote",
                "speaker": speaker.pk,
                "source_url": "https://example.org/talk",
            }
        )
        html = self.block.render(value)
        assert "<figure" in html and "<blockquote" in html and "<figcaption>" in html
        assert 'cite="https://example.org/talk"' in html
        assert "Quinn Quoted, keynote" in html

    def test_source_without_attribution_is_rejected(self):
        value = self.block.to_python(
            {
                "text": "Words",
                "attribution": "",
                "speaker": None,
                "source_url": "https://example.org/",
            }
        )
        with pytest.raises(StructBlockValidationError) as exc:
            self.block.clean(value)
        assert "attribution" in exc.value.block_errors

    def test_text_required(self):
        value = self.block.to_python(
            {"text": "", "attribution": "A", "speaker": None, "source_url": ""}
        )
        with pytest.raises(StructBlockValidationError) as exc:
            self.block.clean(value)
        assert "text" in exc.value.block_errors


class TestCodeBlock:
    block = blocks.CodeBlock()

    def value(self, **kw):
        data = {
            "language": "python",
            "code": "def f():\n    return 1\n",
            "filename": "",
            "highlight_lines": "",
            "line_numbers": False,
        }
        data.update(kw)
        return self.block.to_python(data)

    def test_highlighted_on_server_with_named_region(self):
        html = self.block.render(self.value(filename="f.py"))
        assert 'role="region"' in html and 'tabindex="0"' in html
        assert 'aria-label="Python code: f.py"' in html
        assert '<span class="k">def</span>' in html
        numbered = self.block.render(self.value(filename="f.py"), context={"code_number": 2})
        assert 'aria-label="Code example 2: Python, f.py"' in numbered
        assert "<script" not in html

    def test_code_is_escaped(self):
        html = self.block.render(
            self.value(language="html+django", code="<script>alert(1)</script>")
        )
        assert "<script>" not in html
        assert "&lt;" in html

    def test_highlight_lines_and_hidden_line_numbers(self):
        html = self.block.render(self.value(highlight_lines="2", line_numbers=True))
        assert '<span class="hll">' in html
        assert '<span class="linenos" aria-hidden="true">' in html

    @pytest.mark.parametrize("spec", ["abc", "0", "3-1", "5", "1,,2"])
    def test_bad_highlight_lines_rejected(self, spec):
        with pytest.raises(StructBlockValidationError) as exc:
            self.block.clean(self.value(highlight_lines=spec))
        assert "highlight_lines" in exc.value.block_errors

    def test_language_required(self):
        with pytest.raises(StructBlockValidationError) as exc:
            self.block.clean(self.value(language=""))
        assert "language" in exc.value.block_errors

    def test_every_language_choice_has_a_lexer(self):
        from pygments.lexers import get_lexer_by_name

        for alias, _label in blocks.CODE_LANGUAGES:
            assert get_lexer_by_name(alias)

    def test_parse_line_numbers(self):
        assert blocks.parse_line_numbers("2, 4-6") == [2, 4, 5, 6]
        assert blocks.parse_line_numbers("") == []


class TestChecklistBlock:
    block = blocks.ChecklistBlock()

    def test_done_state_said_in_text_no_inputs(self):
        value = self.block.to_python(
            {
                "title": "After the talk",
                "items": [
                    {"text": "Read docs", "done": True},
                    {"text": "Write tests", "done": False},
                ],
            }
        )
        html = self.block.render(value)
        assert "<ul" in html and "<input" not in html
        assert "Done:</span> Read docs" in html
        assert "Not done:</span> Write tests" in html
        assert 'aria-hidden="true">✓' in html

    def test_needs_an_item(self):
        with pytest.raises(ValidationError):
            self.block.clean(self.block.to_python({"title": "", "items": []}))


@pytest.mark.django_db
class TestFigureBlock:
    block = blocks.FigureBlock()

    def test_renders_picture_with_alt_and_modern_formats(self):
        image = ImageFactory()
        value = self.block.to_python(
            {
                "image": {
                    "image": image.pk,
                    "decorative": False,
                    "alt_text": "A bar chart of response times",
                },
                "caption": "Response times before and after",
            }
        )
        html = self.block.render(value)
        assert "<picture>" in html
        assert 'type="image/avif"' in html and 'type="image/webp"' in html
        assert 'alt="A bar chart of response times"' in html
        assert "srcset=" in html
        assert "<figcaption>Response times before and after</figcaption>" in html

    def test_decorative_image_has_empty_alt(self):
        image = ImageFactory()
        value = self.block.to_python(
            {"image": {"image": image.pk, "decorative": True, "alt_text": ""}, "caption": ""}
        )
        html = self.block.render(value)
        assert 'alt=""' in html
        assert "<figure" not in html  # nothing to caption: a plain picture

    @pytest.mark.parametrize("alt_text", ["", "   "])
    def test_non_decorative_image_without_alt_text_has_no_alt_attribute(self, alt_text):
        """alt="" would say "decorative" (and axe's image-alt would pass): leave it out instead."""
        image = ImageFactory()
        value = self.block.to_python(
            {
                "image": {"image": image.pk, "decorative": False, "alt_text": alt_text},
                "caption": "A caption is not alt text",
            }
        )
        html = self.block.render(value)
        assert "<img " in html
        assert " alt=" not in html
        assert "<figure" in html

    def test_decorative_image_keeps_empty_alt_even_with_stale_alt_text(self):
        image = ImageFactory()
        value = self.block.to_python(
            {"image": {"image": image.pk, "decorative": True, "alt_text": "Old"}, "caption": ""}
        )
        html = self.block.render(value)
        assert html.count(' alt=""') == 1 and "Old" not in html

    def test_missing_image_file_does_not_break_the_page(self):
        image = ImageFactory()
        image.file.storage.delete(image.file.name)
        value = self.block.to_python(
            {
                "image": {"image": image.pk, "decorative": False, "alt_text": "Gone"},
                "caption": "Still here",
            }
        )
        html = self.block.render(value)
        assert "<img" not in html

    def test_srcset_widths_never_repeat_for_small_images(self):
        import re

        image = ImageFactory()  # 64 px wide: smaller than every offered width
        value = self.block.to_python(
            {
                "image": {"image": image.pk, "decorative": False, "alt_text": "A small square"},
                "caption": "",
            }
        )
        html = self.block.render(value)
        for srcset in re.findall(r'srcset="([^"]+)"', html):
            widths = [entry.split()[-1] for entry in srcset.split(", ")]
            assert len(widths) == len(set(widths)), srcset
        assert 'width="64"' in html and 'height="48"' in html

    def test_alt_text_or_decorative_required(self):
        image = ImageFactory()
        value = self.block.to_python(
            {"image": {"image": image.pk, "decorative": False, "alt_text": ""}, "caption": ""}
        )
        with pytest.raises(StructBlockValidationError) as exc:
            self.block.clean(value)
        assert "image" in exc.value.block_errors

    def test_picture_sources_follow_a_replaced_file_and_cost_no_query_when_known(
        self, django_assert_num_queries
    ):
        import io

        from django.core.files.images import ImageFile

        from tests.factories import png_bytes

        image = ImageFactory()
        raw = {
            "image": {"image": image.pk, "decorative": False, "alt_text": "A chart"},
            "caption": "",
        }
        first = self.block.render(self.block.to_python(raw))
        assert "width-480" not in first  # 64 px original: one width only
        value = self.block.to_python(raw)
        with django_assert_num_queries(0):
            assert self.block.render(value) == first
        image.file = ImageFile(io.BytesIO(png_bytes(600, 300)), name="replaced-chart.png")
        image._set_image_file_metadata()
        image.save()
        second = self.block.render(self.block.to_python(raw))
        assert second != first
        assert "replaced-chart" in second and 'width="600"' in second


class TestTableBlock:
    block = blocks.TableBlock()

    def test_renders_headers_and_caption(self):
        value = self.block.to_python(
            {
                "caption": "Timings",
                "columns": [
                    {"type": "text", "heading": "Step"},
                    {"type": "number", "heading": "ms"},
                ],
                "rows": [{"values": ["Parse", "1.5"]}],
            }
        )
        html = self.block.render(value)
        assert '<th scope="col">Step</th>' in html
        assert "<caption>Timings</caption>" in html
        assert "<td>Parse</td>" in html
        assert 'role="region"' in html


@pytest.mark.django_db
class TestVideoBlock:
    block = blocks.VideoBlock()

    def test_iframe_gets_title_and_fallback_link(self):
        from wagtail.embeds.embeds import get_embed_hash
        from wagtail.embeds.models import Embed

        url = "https://video.example.org/watch?v=abc"
        Embed.objects.create(
            url=url,
            hash=get_embed_hash(url),
            type="video",
            html='<iframe src="https://video.example.org/embed/abc"></iframe>',
        )
        value = self.block.to_python({"url": url, "title": "Recording of the talk"})
        html = self.block.render(value)
        assert '<iframe title="Recording of the talk"' in html
        assert f'href="{url}"' in html


def test_every_block_has_meta_for_admin_previews():
    body = blocks.BodyBlock()
    for name, child in body.child_blocks.items():
        assert child.meta.icon, name
        assert child.meta.template.startswith("blocks/"), name
        assert child.get_description(), name
        assert child.is_previewable, name


def test_line_numbers_count_blank_lines():
    html = blocks.render_code("a = 1\n\nb = 2\n", "python", line_numbers=True)
    assert html.count('class="linenos"') == 3
    assert '<span class="linenos" aria-hidden="true">3</span>' in html


@pytest.mark.django_db
def test_block_previews_render_in_the_admin(admin_client):
    from wagtail.embeds.embeds import get_embed_hash
    from wagtail.embeds.models import Embed

    ImageFactory()
    url = "https://video.example.org/watch?v=preview"
    Embed.objects.create(
        url=url, hash=get_embed_hash(url), type="video", html="<iframe src='about:blank'></iframe>"
    )
    from pages.models import TalkPage

    for name, child in TalkPage.body.field.stream_block.child_blocks.items():
        response = admin_client.get(f"/admin/block-preview/?id={child.definition_prefix}")
        assert response.status_code == 200, name
        html = response.content.decode()
        assert "css/site.css" in html, name  # previews use the site's own styles
        assert f"block-{name}" in html, name


class TestRichHtmlFilter:
    def test_same_html_as_wagtails_richtext_filter(self):
        from wagtail.rich_text import RichText
        from wagtail.templatetags.wagtailcore_tags import richtext

        from pages.templatetags.body_tags import rich_html

        source = '<p>It\'s <b>bold</b> and <a href="https://example.org/">a link</a>.</p>'
        assert str(rich_html(RichText(source))) == str(richtext(source))
        assert str(rich_html(source)) == str(richtext(source))
        assert rich_html(None) == ""
