"""Accessibility rules: the rule module, the editor, the audit command and the admin report."""

import json

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from wagtail.blocks.stream_block import StreamBlockValidationError
from wagtail.blocks.struct_block import StructBlockValidationError

import pytest

from pages.accessibility import rules as a11y
from pages.accessibility.audit import store_findings
from pages.blocks import BodyBlock, FigureBlock, ParagraphBlock
from pages.models import AccessibilityFinding, TalkPage
from tests.factories import ConferenceFactory, DayFactory, ImageFactory, SpeakerFactory, TalkFactory


def rules(problems):
    return sorted({rule for rule, _message in problems})


class TestAltTextRules:
    @pytest.mark.parametrize(
        "alt",
        [
            "IMG_1234",
            "IMG_1234.JPG",
            "diagram.png",
            "team_photo_final",
            "DSC01234",
            "PXL_20260101_1",
        ],
    )
    def test_file_names_rejected(self, alt):
        assert "image-alt-filename" in rules(a11y.alt_text_problems(alt))

    @pytest.mark.parametrize(
        "alt", ["Image of a cat", "picture of the venue", "Photo of Ada", "A photo of a stage"]
    )
    def test_redundant_prefix_rejected(self, alt):
        assert rules(a11y.alt_text_problems(alt)) == ["image-alt-redundant-prefix"]

    def test_too_long_rejected(self):
        assert rules(a11y.alt_text_problems("word " * 31)) == ["image-alt-too-long"]
        assert a11y.alt_text_problems("x " * 75) == []  # 150 characters is allowed

    def test_caption_repeated_word_for_word(self):
        assert rules(a11y.alt_text_problems("Query counts by page", "Query counts, by page.")) == [
            "image-alt-repeats-caption"
        ]
        assert a11y.alt_text_problems("Bar chart of query counts", "Query counts by page") == []

    def test_empty_alt_needs_decorative(self):
        assert rules(a11y.image_problems("", decorative=False)) == ["image-alt-missing"]
        assert a11y.image_problems("", decorative=True) == []

    @pytest.mark.parametrize(
        "alt",
        [
            "A whiteboard covered in arrows between three boxes",
            "Ada at the lectern",
            "Screenshot of the admin's page explorer",
            "Python 3.13 release notes, first page",
        ],
    )
    def test_good_alt_text_passes(self, alt):
        assert a11y.alt_text_problems(alt) == []


class TestHeadingRules:
    def check(self, levels):
        return [(i, rule) for i, rule, _ in a11y.heading_problems([(lvl, "T") for lvl in levels])]

    def test_valid_sequences(self):
        assert self.check([2, 3, 4, 2, 3, 2]) == []
        assert self.check([2, 3, 4, 4, 2]) == []

    def test_first_heading_must_be_h2(self):
        assert self.check([3, 4]) == [(0, "heading-first-level")]

    def test_skipping_down_rejected(self):
        assert self.check([2, 4]) == [(1, "heading-skipped-level")]
        assert self.check([2, 3, 2, 4]) == [(3, "heading-skipped-level")]

    def test_empty_heading(self):
        problems = list(a11y.heading_problems([(2, "  ")]))
        assert [rule for _, rule, _ in problems] == ["heading-empty"]


class TestLinkTextRules:
    @pytest.mark.parametrize(
        "html",
        [
            '<p><a href="https://example.org">click here</a></p>',
            '<p>See <a href="https://example.org">Here</a>.</p>',
            '<p><a href="https://example.org">Read more…</a></p>',
            '<p><a href="https://example.org">link</a></p>',
            '<p><a href="https://example.org"> </a></p>',
        ],
    )
    def test_generic_or_empty_links_are_errors(self, html):
        assert rules(a11y.link_text_problems(html)) == ["link-text"]
        assert a11y.is_error("link-text")

    def test_bare_url_is_a_warning(self):
        html = '<p><a href="https://example.org/x">https://example.org/x</a></p>'
        assert rules(a11y.link_text_problems(html)) == ["link-text-url"]
        assert a11y.severity("link-text-url") == "warning"

    @pytest.mark.django_db
    def test_bare_url_passes_the_paragraph_block(self):
        html = '<p>Docs: <a href="https://example.org/x">https://example.org/x</a></p>'
        assert ParagraphBlock().clean(ParagraphBlock().to_python(html)).source == html

    def test_descriptive_links_pass(self):
        assert (
            a11y.link_text_problems(
                '<p><a href="https://example.org">the Django docs on signals</a></p>'
            )
            == []
        )


def stream(*blocks):
    return BodyBlock().to_python([{"type": t, "value": v} for t, v in blocks])


def heading(level, text="Heading"):
    return ("heading", {"text": text, "level": level})


class TestEditorValidation:
    def test_skipped_level_pinned_to_level_field_of_that_block(self):
        with pytest.raises(StreamBlockValidationError) as exc:
            BodyBlock().clean(stream(heading("h2"), ("paragraph", "<p>x</p>"), heading("h4")))
        errors = exc.value.block_errors
        assert list(errors) == [2]
        assert isinstance(errors[2], StructBlockValidationError)
        assert "level" in errors[2].block_errors
        assert "use level 3" in errors[2].block_errors["level"].messages[0]

    def test_going_back_up_is_fine(self):
        value = stream(heading("h2"), heading("h3"), heading("h4"), heading("h2"))
        assert len(BodyBlock().clean(value)) == 4

    def test_first_heading_h3_rejected(self):
        with pytest.raises(StreamBlockValidationError) as exc:
            BodyBlock().clean(stream(heading("h3")))
        assert "level 2" in exc.value.block_errors[0].block_errors["level"].messages[0]

    def test_deferred_validation_allows_drafts(self):
        block = BodyBlock()
        block.defer_required_validation()
        try:
            assert len(block.clean(stream(heading("h2"), heading("h4")))) == 2
        finally:
            block.restore_deferred_validation()

    def test_generic_link_text_rejected_on_paragraph(self):
        block = ParagraphBlock()
        with pytest.raises(ValidationError) as exc:
            block.clean(
                block.to_python('<p>Slides: <a href="https://example.org">click here</a></p>')
            )
        assert "does not say where it goes" in exc.value.messages[0]

    @pytest.mark.django_db
    def test_filename_alt_text_pinned_to_alt_text_field(self):
        image = ImageFactory()
        block = FigureBlock()
        value = block.to_python(
            {
                "image": {"image": image.pk, "decorative": False, "alt_text": "IMG_1234.jpg"},
                "caption": "",
            }
        )
        with pytest.raises(StructBlockValidationError) as exc:
            block.clean(value)
        inner = exc.value.block_errors["image"]
        assert "alt_text" in inner.block_errors
        assert "looks like a file name" in inner.block_errors["alt_text"].messages[0]

    @pytest.mark.django_db
    def test_alt_repeating_caption_is_a_warning(self):
        """Heard twice, but nothing is lost: listed by the audit, never refused."""
        image = ImageFactory()
        block = FigureBlock()
        raw = {
            "image": {"image": image.pk, "decorative": False, "alt_text": "The venue at night"},
            "caption": "The venue at night",
        }
        repeat = block.to_python(raw)
        assert block.clean(repeat)["caption"] == "The venue at night"
        findings = a11y.check_stream(stream(("image", raw)))
        assert [(f.rule, f.severity) for f in findings] == [
            ("image-alt-repeats-caption", "warning")
        ]
        raw = {
            "image": {"image": image.pk, "decorative": True, "alt_text": ""},
            "caption": "A pattern",
        }
        decorative = block.to_python(raw)
        assert block.clean(decorative)["image"].decorative is True
        assert a11y.check_stream(stream(("image", raw))) == []


def bad_body(image):
    return [
        {"type": "heading", "value": {"text": "Intro", "level": "h2"}},
        {"type": "heading", "value": {"text": "Deep", "level": "h4"}},
        {"type": "paragraph", "value": '<p><a href="https://example.org">click here</a></p>'},
        {
            "type": "image",
            "value": {
                "image": {"image": image.pk, "decorative": False, "alt_text": ""},
                "caption": "",
            },
        },
        {
            "type": "code",
            "value": {
                "language": "",
                "code": "x",
                "filename": "",
                "highlight_lines": "",
                "line_numbers": False,
            },
        },
    ]


@pytest.mark.django_db
class TestAudit:
    def test_clean_site_passes(self, capsys):
        TalkFactory(body=[{"type": "heading", "value": {"text": "Fine", "level": "h2"}}])
        call_command("a11y_audit")
        assert "0 finding(s)" in capsys.readouterr().out

    def test_orm_content_is_found_and_exits_non_zero(self, capsys):
        # Saved through the ORM: never validated by the editor.
        talk = TalkFactory(title="Sloppy talk", body=bad_body(ImageFactory()))
        with pytest.raises(CommandError) as exc:
            call_command("a11y_audit")
        assert exc.value.returncode == 1
        out = capsys.readouterr().out
        assert "Sloppy talk" in out
        for expected in [
            "body.1.heading.level [heading-skipped-level]",
            "body.2.paragraph [link-text]",
            "body.3.image.image.alt_text [image-alt-missing]",
            "body.4.code.language [code-language]",
        ]:
            assert expected in out, expected
        assert AccessibilityFinding.objects.filter(page=talk).count() == 4

    def test_warnings_are_listed_but_do_not_fail(self, capsys):
        bare = '<p>Repo: <a href="https://example.org/r">https://example.org/r</a></p>'
        TalkFactory(title="Cites URLs", body=[{"type": "paragraph", "value": bare}])
        call_command("a11y_audit")  # exit status 0: warnings only
        out = capsys.readouterr().out
        assert "[link-text-url] warning: Block 1 (Paragraph):" in out
        assert "1 finding(s): 0 error(s), 1 warning(s)" in out
        call_command("a11y_audit", "--errors-only")
        out = capsys.readouterr().out
        assert "Cites URLs" not in out and "0 finding(s)" in out

    def test_errors_only_still_fails_on_errors(self, capsys):
        bare = '<p>Repo: <a href="https://example.org/r">https://example.org/r</a></p>'
        TalkFactory(body=[*bad_body(ImageFactory()), {"type": "paragraph", "value": bare}])
        with pytest.raises(CommandError) as exc:
            call_command("a11y_audit", "--errors-only")
        assert str(exc.value) == "4 accessibility error(s)"
        assert "link-text-url" not in capsys.readouterr().out

    def test_json_format(self, capsys):
        TalkFactory(body=bad_body(ImageFactory()))
        with pytest.raises(CommandError):
            call_command("a11y_audit", "--format", "json")
        data = json.loads(capsys.readouterr().out)
        by_rule = {f["rule"]: f for f in data["findings"]}
        assert by_rule["image-alt-missing"]["where"] == "Block 4 (Image): alt text"
        assert by_rule["image-alt-missing"]["severity"] == "error"
        assert {f["rule"] for f in data["findings"]} == {
            "heading-skipped-level",
            "link-text",
            "image-alt-missing",
            "code-language",
        }
        assert data["pages_checked"] >= 4

    def test_latest_draft_is_checked_too(self, capsys):
        talk = TalkFactory(title="Good live, bad draft")
        draft = TalkPage.objects.get(pk=talk.pk)
        draft.body = [{"type": "heading", "value": {"text": "Oops", "level": "h3"}}]
        draft.save_revision()
        with pytest.raises(CommandError):
            call_command("a11y_audit")
        assert "Good live, bad draft" in capsys.readouterr().out
        finding = AccessibilityFinding.objects.get(page=talk)
        assert (finding.source, finding.rule) == ("draft", "heading-first-level")

    def test_speaker_photo_without_alt(self):
        speaker = SpeakerFactory(name="No Alt", photo=ImageFactory(), photo_alt_text="")
        talk = TalkFactory(speakers=[speaker])
        assert [f.rule for f in a11y.check_page(talk)] == ["speaker-photo-alt"]

    def test_findings_follow_publishing(self):
        # Live content that breaks the rules (saved past every gate), then a fix published.
        talk = TalkFactory(body=bad_body(ImageFactory()))
        store_findings(talk)
        assert AccessibilityFinding.objects.filter(page=talk).count() == 4
        talk = TalkPage.objects.get(pk=talk.pk)
        talk.body = [{"type": "heading", "value": {"text": "Fixed", "level": "h2"}}]
        talk.save_revision().publish()
        assert not AccessibilityFinding.objects.filter(page=talk).exists()


@pytest.mark.django_db
class TestAdmin:
    @pytest.fixture
    def setup(self, admin_client):
        conf_a = ConferenceFactory(title="Conf A")
        conf_b = ConferenceFactory(title="Conf B")
        talk_a = TalkFactory(
            title="Talk in A", parent=DayFactory(parent=conf_a), body=bad_body(ImageFactory())
        )
        talk_b = TalkFactory(
            title="Talk in B",
            parent=DayFactory(parent=conf_b),
            body=[{"type": "heading", "value": {"text": "x", "level": "h4"}}],
        )
        with pytest.raises(CommandError):
            call_command("a11y_audit", verbosity=0)
        return {"conf_a": conf_a, "conf_b": conf_b, "talk_a": talk_a, "talk_b": talk_b}

    def test_report_lists_findings_with_edit_links(self, admin_client, setup):
        response = admin_client.get("/admin/reports/accessibility/")
        html = response.content.decode()
        assert response.status_code == 200
        assert "Talk in A" in html and "Talk in B" in html
        assert f"/admin/pages/{setup['talk_a'].pk}/edit/" in html
        assert "link-text" in html

    def test_report_speaks_an_editors_language(self, admin_client, setup):
        html = admin_client.get("/admin/reports/accessibility/").content.decode()
        assert "Block 4 (Image): alt text" in html
        assert "Block 2 (Heading): level" in html
        assert "body.3.image.image.alt_text" not in html

    def test_report_filters_by_severity(self, admin_client, setup):
        bare = '<p>Repo: <a href="https://example.org/r">https://example.org/r</a></p>'
        talk = TalkFactory(title="Warned talk", body=[{"type": "paragraph", "value": bare}])
        store_findings(talk)
        errors = admin_client.get("/admin/reports/accessibility/?severity=error").content.decode()
        assert "Talk in A" in errors and "Warned talk" not in errors
        warnings = admin_client.get(
            "/admin/reports/accessibility/?severity=warning"
        ).content.decode()
        assert "Warned talk" in warnings and "Talk in A" not in warnings

    def test_report_filters_by_rule_and_conference(self, admin_client, setup):
        html = admin_client.get("/admin/reports/accessibility/?rule=link-text").content.decode()
        assert "Talk in A" in html and "Talk in B" not in html
        html = admin_client.get(
            f"/admin/reports/accessibility/?conference={setup['conf_b'].pk}"
        ).content.decode()
        assert "Talk in B" in html and "Talk in A" not in html

    def test_report_is_in_reports_menu(self, admin_client, setup):
        assert "/admin/reports/accessibility/" in admin_client.get("/admin/").content.decode()

    def test_publish_with_skipped_heading_shows_error_on_block_draft_saves(self, admin_client):
        from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

        day = DayFactory()
        data = nested_form_data(
            {
                "title": "Skipping talk",
                "slug": "skipping-talk",
                "summary": "",
                "talk_speakers": inline_formset([]),
                "body": streamfield(
                    [
                        ("heading", {"text": "Top", "level": "h2"}),
                        ("heading", {"text": "Too deep", "level": "h4"}),
                    ]
                ),
                "tags": "",
            }
        )
        url = f"/admin/pages/add/pages/talkpage/{day.pk}/"
        response = admin_client.post(url, {**data, "action-publish": "action-publish"})
        assert response.status_code == 200
        assert "use level 3, or add a level 3 heading before it" in response.content.decode()
        assert not TalkPage.objects.filter(slug="skipping-talk").exists()
        # A draft may be saved; the problem is then listed by the audit.
        response = admin_client.post(url, data)
        assert response.status_code == 302
        talk = TalkPage.objects.get(slug="skipping-talk")
        assert not talk.live
        assert AccessibilityFinding.objects.filter(
            page=talk, source="draft", rule="heading-skipped-level"
        ).exists()

    def test_page_editor_shows_help_panel(self, admin_client):
        day = DayFactory()
        html = admin_client.get(f"/admin/pages/add/pages/talkpage/{day.pk}/").content.decode()
        assert "Accessibility rules, checked when you publish" in html


@pytest.mark.django_db
def test_userbar_checker_rules_for_editors_and_superusers(rf, django_user_model):
    from wagtail.admin.userbar import AccessibilityItem

    from pages.accessibility.checker import ConfnotesContentChecker, use_confnotes_checker

    items = [AccessibilityItem()]
    use_confnotes_checker(None, items, None)
    assert isinstance(items[0], ConfnotesContentChecker)

    checker = ConfnotesContentChecker()
    request = rf.get("/")
    request.user = django_user_model.objects.create_user("editor", password="x")
    run_only = checker.get_axe_run_only(request)
    for rule in [
        "image-alt",
        "image-redundant-alt",
        "heading-order",
        "empty-heading",
        "link-name",
        "list",
        "listitem",
        "region",
        "button-name",
        "alt-text-quality",
    ]:
        assert rule in run_only
    request.user = django_user_model.objects.create_superuser("boss", password="x")
    assert checker.get_axe_options(request).get("runOnly") is None
    pattern = checker.get_axe_custom_checks(request)[0]["options"]["pattern"]
    import re

    assert re.search(pattern, "IMG_1234.jpg", re.I) and re.search(pattern, "Image of a cat", re.I)
    assert not re.search(pattern, "Ada at the lectern", re.I)


class TestDescribePath:
    @pytest.mark.parametrize(
        "path, label",
        [
            ("body.2.image.image.alt_text", "Block 3 (Image): alt text"),
            ("body.0.heading.level", "Block 1 (Heading): level"),
            ("body.1.heading.text", "Block 2 (Heading): text"),
            ("body.4.code.language", "Block 5 (Code): language"),
            ("body.6.paragraph", "Block 7 (Paragraph)"),
            ("body.9.table", "Block 10 (Table)"),
            ("speakers.Ada Lovelace", "Speaker “Ada Lovelace”: photo alt text"),
            ("title", "title"),
        ],
    )
    def test_labels(self, path, label):
        assert a11y.describe_path(path) == label


@pytest.mark.django_db
class TestStoredHeadingLevel:
    """A level stored past the form (a restore, the shell, an old revision) is checked when
    rendering: never written into the HTML as it is, rendered as h2, reported by the audit."""

    HOSTILE = "h7 onmouseover=x"

    def test_rendered_as_a_safe_default(self, client):
        talk = TalkFactory(
            body=[
                {"type": "heading", "value": {"text": "Intro", "level": self.HOSTILE}},
                {"type": "heading", "value": {"text": "Odd", "level": "h9"}},
            ]
        )
        response = client.get(talk.url)
        html = response.content.decode()
        assert response.status_code == 200
        assert "onmouseover" not in html and "<h7" not in html and "<h9" not in html
        assert '<h2 id="intro" class="heading-block__title">Intro</h2>' in html
        assert '<h2 id="odd" class="heading-block__title">Odd</h2>' in html

    def test_preview_of_the_block_too(self):
        block = BodyBlock()
        value = block.to_python(
            [{"type": "heading", "value": {"text": "x", "level": self.HOSTILE}}]
        )
        html = value.render_as_block()
        assert "onmouseover" not in html and "<h2 " in html

    def test_reported_and_refused(self, capsys):
        talk = TalkFactory(
            title="Stored odd level",
            body=[{"type": "heading", "value": {"text": "Intro", "level": self.HOSTILE}}],
        )
        with pytest.raises(CommandError):
            call_command("a11y_audit")
        out = capsys.readouterr().out
        assert "Block 1 (Heading): level" in out and "[heading-level-unknown]" in out
        from pages.accessibility.publishing import PublishRefused

        with pytest.raises(PublishRefused):
            TalkPage.objects.get(pk=talk.pk).save_revision().publish()
