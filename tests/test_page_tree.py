"""The page tree allows exactly HomePage → ConferenceIndex → DayPage → TalkPage."""

from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from pages.models import ConferenceIndex, DayPage, HomePage, TalkPage
from tests.factories import ConferenceFactory, DayFactory, SpeakerFactory, home_page


class PageTreeTests(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.home = home_page()
        cls.conference = ConferenceFactory(parent=cls.home, title="Treeconf 2026")
        cls.day = DayFactory(parent=cls.conference, title="Day 1")
        cls.speaker = SpeakerFactory(name="Tree Speaker")

    def setUp(self):
        self.login()

    def test_allowed_subpage_types(self):
        self.assertAllowedSubpageTypes(HomePage, {ConferenceIndex})
        self.assertAllowedSubpageTypes(ConferenceIndex, {DayPage})
        self.assertAllowedSubpageTypes(DayPage, {TalkPage})
        self.assertAllowedSubpageTypes(TalkPage, set())

    def test_allowed_parent_types(self):
        self.assertAllowedParentPageTypes(HomePage, {Page})
        self.assertAllowedParentPageTypes(ConferenceIndex, {HomePage})
        self.assertAllowedParentPageTypes(DayPage, {ConferenceIndex})
        self.assertAllowedParentPageTypes(TalkPage, {DayPage})

    def test_talk_cannot_be_created_elsewhere(self):
        for parent in (HomePage, ConferenceIndex, TalkPage, Page):
            self.assertCanNotCreateAt(parent, TalkPage)
        self.assertCanCreateAt(DayPage, TalkPage)

    def test_editor_can_create_conference_through_admin(self):
        self.assertCanCreate(
            self.home,
            ConferenceIndex,
            nested_form_data(
                {
                    "title": "Admin Conf 2027",
                    "start_date": "2027-03-01",
                    "end_date": "2027-03-02",
                    "location": "Port Example",
                    "website": "https://example.org/conf",
                    "body": streamfield(
                        [("paragraph", rich_text("<p>Two days of talks.</p>", features=["bold"]))]
                    ),
                    "tags": "python, web",
                    "tagged_items": inline_formset([]),
                }
            ),
        )
        conference = ConferenceIndex.objects.get(title="Admin Conf 2027")
        self.assertEqual(conference.body[0].block_type, "paragraph")
        self.assertEqual(sorted(t.name for t in conference.tags.all()), ["python", "web"])

    def test_editor_can_create_talk_with_blocks_and_speakers(self):
        self.assertCanCreate(
            self.day,
            TalkPage,
            nested_form_data(
                {
                    "title": "Admin-made talk",
                    "summary": "A short summary.",
                    "room": "Room B",
                    "start_time": "14:30",
                    "talk_speakers": inline_formset([{"speaker": self.speaker.pk}]),
                    "body": streamfield(
                        [
                            ("heading", {"text": "Opening", "level": "h2"}),
                            ("paragraph", rich_text("<p>Body text.</p>")),
                            (
                                "code",
                                {
                                    "language": "python",
                                    "code": "print(1)",
                                    "filename": "",
                                    "highlight_lines": "1",
                                    "line_numbers": "",
                                },
                            ),
                            (
                                "checklist",
                                {
                                    "title": "",
                                    "items": {
                                        "count": "1",
                                        "0": {
                                            "value": {"text": "Try it", "done": "on"},
                                            "deleted": "",
                                            "order": "0",
                                            "id": "",
                                        },
                                    },
                                },
                            ),
                        ]
                    ),
                    "tags": "testing",
                }
            ),
        )
        talk = TalkPage.objects.get(title="Admin-made talk")
        self.assertEqual(
            [b.block_type for b in talk.body], ["heading", "paragraph", "code", "checklist"]
        )
        self.assertEqual(talk.body[0].value["level"], "h2")
        self.assertEqual(talk.body[3].value["items"][0]["done"], True)
        self.assertEqual(talk.speakers, [self.speaker])
        self.assertTrue(talk.live)

    def test_invalid_block_is_reported_on_the_block(self):
        # A highlight range past the end of the code is rejected with a message on that field.
        add_url = f"/admin/pages/add/pages/talkpage/{self.day.pk}/"
        data = nested_form_data(
            {
                "title": "Broken talk",
                "slug": "broken-talk",
                "summary": "",
                "talk_speakers": inline_formset([]),
                "body": streamfield(
                    [
                        (
                            "code",
                            {
                                "language": "python",
                                "code": "x = 1",
                                "filename": "",
                                "highlight_lines": "9",
                                "line_numbers": "",
                            },
                        )
                    ]
                ),
                "tags": "",
                "action-publish": "action-publish",
            }
        )
        response = self.client.post(add_url, data)
        self.assertEqual(response.status_code, 200)
        self.assertFalse(TalkPage.objects.filter(slug="broken-talk").exists())
        self.assertContains(response, "The code has only 1 lines")
