"""The publish gate: every way to make a page revision live refuses error-level accessibility
findings, leaves the live page as it was, and still publishes a valid revision (so no test here
can pass by breaking publishing).

Paths (pages.accessibility.publishing): Revision.publish() from code, the create and edit forms, revert and
publish, bulk Publish (with descendants), workflow approval (code and the admin modal),
scheduled publishing, copy with "Publish copies", aliases, API v3's registry action,
import_notes --publish and load_demo.
"""

import datetime
import logging

from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from wagtail.actions import action_registry
from wagtail.models import Page, Revision, Workflow
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

import pytest

from pages.accessibility.publishing import PublishRefused
from pages.models import AccessibilityFinding, TalkPage
from tests.factories import DayFactory, ImageFactory, SpeakerFactory, TalkFactory
from tests.notes_support import run

pytestmark = pytest.mark.django_db

GOOD_BODY = [
    {"type": "heading", "value": {"text": "What was said", "level": "h2"}},
    {"type": "heading", "value": {"text": "A detail", "level": "h3"}},
]
SKIPPED_BODY = [
    {"type": "heading", "value": {"text": "What was said", "level": "h2"}},
    {"type": "heading", "value": {"text": "Too deep", "level": "h4"}},
]


def live_body_texts(page) -> list[str]:
    """The live page's headings, read fresh from the database."""
    page = TalkPage.objects.get(pk=page.pk)
    return [block.value["text"] for block in page.body]


def draft(talk, body, user=None) -> Revision:
    """A new revision of ``talk`` with ``body``, saved past the form (as code or an import can)."""
    talk = TalkPage.objects.get(pk=talk.pk)
    talk.body = body
    return talk.save_revision(user=user)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.fixture
def talk(db):
    return TalkFactory(title="Live talk", body=GOOD_BODY)


@pytest.fixture
def moderator(django_user_model):
    user = django_user_model.objects.create_superuser("mod", "mod@example.org", "pw")
    return user


@pytest.fixture
def admin(client, moderator):
    client.force_login(moderator)
    return client


# --- Revision.publish() from code (workflows, imports, demo and the shell land here) ----------


class TestRevisionPublish:
    def test_refuses_skipped_heading_and_keeps_live_page(self, talk):
        revision = draft(talk, SKIPPED_BODY)
        with pytest.raises(PublishRefused) as refused:
            revision.publish()
        [refusal] = refused.value.refusals
        assert [f.rule for f in refusal.findings] == ["heading-skipped-level"]
        assert refusal.findings[0].where == "Block 2 (Heading): level"
        assert "Block 2 (Heading): level" in str(refused.value)
        assert live_body_texts(talk) == ["What was said", "A detail"]
        talk.refresh_from_db()
        assert talk.live_revision_id != revision.pk
        # The refused revision is on the Accessibility report.
        assert AccessibilityFinding.objects.filter(
            page=talk, source="draft", rule="heading-skipped-level"
        ).exists()

    def test_valid_revision_goes_live(self, talk):
        revision = draft(talk, [{"type": "heading", "value": {"text": "Fixed", "level": "h2"}}])
        revision.publish()
        assert live_body_texts(talk) == ["Fixed"]

    def test_speaker_photo_without_alt_blocks_the_talk(self, talk):
        speaker = SpeakerFactory(name="Photo No Alt", photo=ImageFactory(), photo_alt_text="")
        page = TalkPage.objects.get(pk=talk.pk)
        page.talk_speakers.create(speaker=speaker)
        revision = page.save_revision()
        with pytest.raises(PublishRefused) as refused:
            revision.publish()
        assert refused.value.refusals[0].findings[0].rule == "speaker-photo-alt"
        speaker.photo_alt_text = "Portrait of the speaker on stage"
        speaker.save()
        revision.publish()
        assert TalkPage.objects.get(pk=talk.pk).live_revision_id == revision.pk

    def test_warnings_never_block(self, talk):
        bare = '<p>Slides: <a href="https://example.org/slides">https://example.org/slides</a></p>'
        revision = draft(talk, [*GOOD_BODY, {"type": "paragraph", "value": bare}])
        revision.publish()
        assert TalkPage.objects.get(pk=talk.pk).live_revision_id == revision.pk
        finding = AccessibilityFinding.objects.get(page=talk)
        assert (finding.rule, finding.severity) == ("link-text-url", "warning")

    def test_registry_action_is_the_gate(self, talk):
        """API v3 and other code asking Wagtail's action registry get the same gate."""
        action_class = action_registry.get_action_class(Page, "publish")
        revision = draft(talk, SKIPPED_BODY)
        with pytest.raises(PublishRefused):
            action_class(revision).execute()
        assert live_body_texts(talk) == ["What was said", "A detail"]
        good = draft(talk, GOOD_BODY[:1])
        action_class(good).execute()
        assert live_body_texts(talk) == ["What was said"]


# --- the admin's create and edit forms, and revert -----------------------------------------------


def talk_form(title: str, slug: str, body: list[tuple], speakers=()) -> dict:
    return nested_form_data(
        {
            "title": title,
            "slug": slug,
            "summary": "",
            "talk_speakers": inline_formset([{"speaker": s.pk} for s in speakers]),
            "body": streamfield(body),
            "tags": "",
        }
    )


SKIPPED_FORM = [
    ("heading", {"text": "Top", "level": "h2"}),
    ("heading", {"text": "Too deep", "level": "h4"}),
]
GOOD_FORM = [
    ("heading", {"text": "Top", "level": "h2"}),
    ("heading", {"text": "Sub", "level": "h3"}),
]


class TestAdminForms:
    def test_create_form_refuses_then_publishes(self, admin):
        day = DayFactory()
        url = f"/admin/pages/add/pages/talkpage/{day.pk}/"
        data = {**talk_form("Skipping", "skipping", SKIPPED_FORM), "action-publish": "1"}
        response = admin.post(url, data)
        assert response.status_code == 200  # the form shows the error on the level field
        assert "use level 3, or add a level 3 heading before it" in response.content.decode()
        assert not TalkPage.objects.filter(slug="skipping").exists()
        response = admin.post(url, {**talk_form("Fine", "fine", GOOD_FORM), "action-publish": "1"})
        assert response.status_code == 302
        assert TalkPage.objects.get(slug="fine").live

    def test_create_form_gate_catches_what_the_form_cannot_see(self, admin):
        """A speaker's photo without alt text is not in the talk's form: the gate refuses, the
        talk is kept as a draft, and the editor lands on its edit view with the reason."""
        day = DayFactory()
        speaker = SpeakerFactory(name="No Alt", photo=ImageFactory(), photo_alt_text="")
        data = {**talk_form("Photo", "photo", GOOD_FORM, [speaker]), "action-publish": "1"}
        response = admin.post(f"/admin/pages/add/pages/talkpage/{day.pk}/", data, follow=True)
        talk = TalkPage.objects.get(slug="photo")
        assert not talk.live
        assert response.redirect_chain[-1][0] == f"/admin/pages/{talk.pk}/edit/"
        [message] = [m for m in messages_of(response) if "was not published" in m]
        assert "speaker-photo-alt" in message and f"/admin/pages/{talk.pk}/edit/" in message

    def test_edit_form_refuses_then_publishes(self, admin, talk):
        url = f"/admin/pages/{talk.pk}/edit/"
        speaker = SpeakerFactory(name="No Alt", photo=ImageFactory(), photo_alt_text="")
        form = talk_form(talk.title, talk.slug, GOOD_FORM, [speaker])
        response = admin.post(url, {**form, "action-publish": "1"}, follow=True)
        assert any("was not published" in m for m in messages_of(response))
        assert live_body_texts(talk) == ["What was said", "A detail"]
        # Nothing typed is lost: the refused content is the latest draft.
        latest = TalkPage.objects.get(pk=talk.pk).get_latest_revision_as_object()
        assert [b.value["text"] for b in latest.body] == ["Top", "Sub"]
        response = admin.post(
            url, {**talk_form(talk.title, talk.slug, GOOD_FORM), "action-publish": "1"}
        )
        assert response.status_code == 302
        assert live_body_texts(talk) == ["Top", "Sub"]

    def test_warnings_are_shown_after_publishing(self, admin, talk):
        body = [
            *GOOD_FORM,
            (
                "paragraph",
                rich_text('<p><a href="https://example.org/r">https://example.org/r</a></p>'),
            ),
        ]
        form = talk_form(talk.title, talk.slug, body)
        response = admin.post(
            f"/admin/pages/{talk.pk}/edit/", {**form, "action-publish": "1"}, follow=True
        )
        live = TalkPage.objects.get(pk=talk.pk)
        assert [block.block_type for block in live.body] == ["heading", "heading", "paragraph"]
        [warning] = [m for m in messages_of(response) if "accessibility warning" in m]
        assert "Block 3 (Paragraph)" in warning and "[link-text-url]" in warning

    def test_revert_and_publish(self, admin, talk):
        """Revert to an old revision and publish: the edit view's revert URL, gated the same."""
        speaker = SpeakerFactory(name="No Alt", photo=ImageFactory(), photo_alt_text="")
        old = TalkPage.objects.get(pk=talk.pk)
        old.talk_speakers.create(speaker=speaker)
        old_revision = old.save_revision()
        url = f"/admin/pages/{talk.pk}/revisions/{old_revision.pk}/revert/"
        form = talk_form(talk.title, talk.slug, GOOD_FORM, [speaker])
        response = admin.post(url, {**form, "action-publish": "1"}, follow=True)
        assert any("speaker-photo-alt" in m for m in messages_of(response))
        assert live_body_texts(talk) == ["What was said", "A detail"]
        good = talk_form(talk.title, talk.slug, GOOD_FORM)
        response = admin.post(url, {**good, "action-publish": "1"})
        assert response.status_code == 302
        assert live_body_texts(talk) == ["Top", "Sub"]


# --- bulk Publish ------------------------------------------------------------------------------


class TestBulkPublish:
    def test_publishes_valid_pages_and_lists_refused_ones(self, admin):
        day = DayFactory()
        bad = TalkFactory(title="Bad draft", parent=day, body=GOOD_BODY, live=False)
        good = TalkFactory(title="Good draft", parent=day, body=GOOD_BODY, live=False)
        draft(bad, SKIPPED_BODY)
        draft(good, GOOD_BODY)
        url = f"/admin/bulk/wagtailcore/page/publish/?id={bad.pk}&id={good.pk}&next=/admin/"
        response = admin.post(url, {"include_descendants": ""}, follow=True)
        assert TalkPage.objects.get(pk=good.pk).live
        assert not TalkPage.objects.get(pk=bad.pk).live
        messages = messages_of(response)
        [refused] = [m for m in messages if "was not published" in m]
        assert "“Bad draft”" in refused
        assert "Block 2 (Heading): level" in refused and "[heading-skipped-level]" in refused
        assert f'href="/admin/pages/{bad.pk}/edit/"' in refused
        assert any("1 page has been published" in m for m in messages)

    def test_descendants_too(self, admin):
        day = DayFactory(live=False)
        bad = TalkFactory(title="Bad child", parent=day, body=GOOD_BODY, live=False)
        good = TalkFactory(title="Good child", parent=day, body=GOOD_BODY, live=False)
        draft(bad, SKIPPED_BODY)
        url = f"/admin/bulk/wagtailcore/page/publish/?id={day.pk}&next=/admin/"
        response = admin.post(url, {"include_descendants": "on"}, follow=True)
        assert Page.objects.get(pk=day.pk).live and TalkPage.objects.get(pk=good.pk).live
        assert not TalkPage.objects.get(pk=bad.pk).live
        assert any("“Bad child” was not published" in m for m in messages_of(response))


# --- workflow approval -------------------------------------------------------------------------


class TestWorkflowApproval:
    @pytest.fixture
    def workflow(self):
        return Workflow.objects.get(name="Moderators approval")

    def start(self, workflow, talk, body, user):
        revision = draft(talk, body, user)
        state = workflow.start(TalkPage.objects.get(pk=talk.pk), user)
        return revision, state

    def test_approval_in_code_is_refused_and_rolled_back(self, workflow, talk, moderator):
        _revision, state = self.start(workflow, talk, SKIPPED_BODY, moderator)
        task_state = state.current_task_state
        with pytest.raises(PublishRefused):
            task_state.task.specific.on_action(task_state, moderator, "approve")
        state.refresh_from_db()
        assert state.status == state.STATUS_IN_PROGRESS  # the approval did not happen
        assert live_body_texts(talk) == ["What was said", "A detail"]

    def test_approval_in_the_admin_modal(self, admin, workflow, talk, moderator):
        moderator.groups.add(Group.objects.get(name="Moderators"))
        _revision, state = self.start(workflow, talk, SKIPPED_BODY, moderator)
        url = f"/admin/pages/workflow/action/{talk.pk}/approve/{state.current_task_state.pk}/"
        response = admin.post(url, {"comment": ""}, headers={"x-requested-with": "XMLHttpRequest"})
        assert response.status_code == 200
        assert response.json()["redirect"] == f"/admin/pages/{talk.pk}/edit/"
        state.refresh_from_db()
        assert state.status == state.STATUS_IN_PROGRESS
        assert live_body_texts(talk) == ["What was said", "A detail"]
        edit = admin.get(f"/admin/pages/{talk.pk}/edit/")
        assert any("heading-skipped-level" in m for m in messages_of(edit))
        # Fixed and resubmitted: approval publishes.
        state.cancel(user=moderator)
        _revision, state = self.start(workflow, talk, GOOD_BODY[:1], moderator)
        url = f"/admin/pages/workflow/action/{talk.pk}/approve/{state.current_task_state.pk}/"
        response = admin.post(url, {"comment": ""}, headers={"x-requested-with": "XMLHttpRequest"})
        assert response.status_code == 200
        state.refresh_from_db()
        assert state.status == state.STATUS_APPROVED
        assert live_body_texts(talk) == ["What was said"]


# --- scheduled publishing ---------------------------------------------------------------------


class TestScheduledPublishing:
    def schedule(self, talk, body) -> Revision:
        revision = draft(talk, body)
        revision.approved_go_live_at = timezone.now() - datetime.timedelta(minutes=1)
        revision.save(update_fields=["approved_go_live_at"])
        return revision

    def test_refused_revision_stays_scheduled_and_is_logged(self, talk, caplog):
        bad = self.schedule(talk, SKIPPED_BODY)
        other = TalkFactory(title="Other talk", body=GOOD_BODY)
        good = self.schedule(other, GOOD_BODY[:1])
        with caplog.at_level(logging.WARNING, logger="pages.accessibility.publishing"):
            call_command("publish_scheduled")
        assert live_body_texts(talk) == ["What was said", "A detail"]
        bad.refresh_from_db()
        assert bad.approved_go_live_at is not None  # still scheduled
        assert f"revision {bad.pk}" in caplog.text and "heading-skipped-level" in caplog.text
        assert AccessibilityFinding.objects.filter(page=talk, source="draft").exists()
        # The command went on: the valid scheduled revision went live.
        assert live_body_texts(other) == ["What was said"]
        good.refresh_from_db()
        assert good.approved_go_live_at is None


# --- copies and aliases -------------------------------------------------------------------------


class TestCopy:
    @pytest.fixture
    def bad_live(self):
        # Live content that breaks a rule (saved past every gate, as before the gate existed).
        return TalkFactory(title="Old bad talk", slug="old-bad", body=SKIPPED_BODY)

    def test_copy_in_code(self, bad_live, talk):
        with pytest.raises(PublishRefused):
            bad_live.copy(update_attrs={"slug": "old-bad-copy"}, keep_live=True)
        assert not Page.objects.filter(slug="old-bad-copy").exists()
        draft_copy = bad_live.copy(update_attrs={"slug": "old-bad-copy"}, keep_live=False)
        assert not draft_copy.live
        live_copy = talk.copy(update_attrs={"slug": "good-copy"}, keep_live=True)
        assert live_copy.live

    def test_recursive_copy_checks_live_descendants(self, bad_live):
        day = Page.objects.get(pk=bad_live.get_parent().pk).specific
        with pytest.raises(PublishRefused) as refused:
            day.copy(recursive=True, update_attrs={"slug": "day-copy"}, keep_live=True)
        assert refused.value.refusals[0].title == "Old bad talk"
        assert not Page.objects.filter(slug="day-copy").exists()

    def test_copy_view_with_publish_copies(self, admin, bad_live, talk):
        def copy(page, slug, **extra):
            data = {
                "new_title": f"{page.title} (copy)",
                "new_slug": slug,
                "new_parent_page": page.get_parent().pk,
                **extra,
            }
            return admin.post(f"/admin/pages/{page.pk}/copy/", data, follow=True)

        response = copy(bad_live, "bad-copy", publish_copies="on")
        assert not Page.objects.filter(slug="bad-copy").exists()
        assert any("“Old bad talk” was not published" in m for m in messages_of(response))
        response = copy(bad_live, "bad-alias", alias="on")
        assert not Page.objects.filter(slug="bad-alias").exists()
        copy(bad_live, "bad-draft-copy")
        assert not Page.objects.get(slug="bad-draft-copy").live
        copy(talk, "good-copy", publish_copies="on")
        assert Page.objects.get(slug="good-copy").live


# --- imports and the demo ---------------------------------------------------------------------


def notes_file(tmp_path, body: str):
    path = tmp_path / "notes.md"
    path.write_text(
        "---\ntitle: Gateconf\ndate: 2026-05-04\n---\n## Day 1\n### A talk\n" + body,
        encoding="utf-8",
    )
    return path


class TestImportPublish:
    def test_refused_then_published(self, home, tmp_path, capsys):
        generic = notes_file(tmp_path, "#### Top\n\nSlides: [click here](https://example.org).\n")
        status, _out, err = run("import_notes", generic, "--publish", capsys=capsys)
        assert status == 1 and "does not say where it goes" in err
        assert not Page.objects.filter(slug="gateconf").exists()
        good = notes_file(tmp_path, "#### Top\n\n[The slides](https://example.org).\n")
        status, _out, err = run("import_notes", good, "--publish", capsys=capsys)
        assert status == 0, err
        assert TalkPage.objects.get(slug="a-talk").live

    def test_speaker_photo_gate(self, home, tmp_path, capsys):
        SpeakerFactory(name="Ada Photo", photo=ImageFactory(), photo_alt_text="")
        path = tmp_path / "notes.md"
        path.write_text(
            "---\ntitle: Gateconf\ndate: 2026-05-04\n---\n## Day 1\n### A talk\n"
            "Speakers: Ada Photo\n\n#### Top\n\ntext\n",
            encoding="utf-8",
        )
        status, _out, err = run("import_notes", path, "--publish", capsys=capsys)
        assert status == 1 and "speaker-photo-alt" in err
        assert not Page.objects.filter(slug="gateconf").exists()  # atomic: nothing kept

    def test_bare_url_links_publish_with_warnings(self, home, tmp_path, capsys):
        body = (
            "#### Links\n\nThe repository: [https://example.org/repo](https://example.org/repo)"
            " and <https://example.org/docs>.\n"
        )
        status, _out, err = run(
            "import_notes", notes_file(tmp_path, body), "--publish", capsys=capsys
        )
        assert status == 0, err
        assert TalkPage.objects.get(slug="a-talk").live
        warnings = [line for line in err.splitlines() if "link-text-url; warning" in line]
        assert len(warnings) >= 1


class TestLoadDemo:
    def test_demo_pages_go_through_the_gate(self, home, monkeypatch, tmp_path):
        from pages.management.commands import load_demo

        call_command("load_demo", verbosity=0)
        assert TalkPage.objects.live().count() > 0
        assert not TalkPage.objects.not_live().exists()
        # The demo is imported with --publish: a bad demo file would be refused, whole.
        (tmp_path / "bad.md").write_text(
            "---\ntitle: Bad demo\ndate: 2026-01-01\n---\n## Day 1\n### Bad demo talk\n"
            "Slides: [click here](https://example.org/slides/).\n"
        )
        monkeypatch.setattr(load_demo, "DEMO_NOTES", tmp_path)
        with pytest.raises(CommandError, match=r"bad\.md:\d+: error"):
            call_command("load_demo", verbosity=0)
        assert not Page.objects.filter(slug="bad-demo").exists()
