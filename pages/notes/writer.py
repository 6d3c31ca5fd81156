"""Writing one notes file into the page tree, inside the importer's transaction: pages matched
by slug and saved as revisions (published or drafts), speakers, images read next to the file,
block values validated as the editor would, links, aliases and redirects."""

import contextlib
import hashlib
import html
import io
import json
import re
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

from django.core.exceptions import ValidationError
from django.core.files.images import ImageFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import strip_tags

from wagtail.contrib.redirects.models import Redirect
from wagtail.images import get_image_model
from wagtail.log_actions import log
from wagtail.models import Collection, Page, ReferenceIndex, Site
from wagtail.permissions import policy_registry

from pages.accessibility.rules import check_stream
from pages.editors.groups import conference_collection
from pages.editors.permissions import user_can
from pages.editors.uploads import SafeImageField
from pages.models import ConferenceIndex, DayPage, HomePage, TalkPage
from snippets.models import Speaker

from .block_errors import describe_block_error, flatten_errors
from .document import BlockSpec, ImageSpec
from .results import FileResult, PageNode

if TYPE_CHECKING:
    from .importer import NotesImporter

#: page field -> front matter key, to point errors at the right line
_FIELD_KEYS = {
    "title": "title",
    "slug": "slug",
    "start_date": "date",
    "end_date": "end_date",
    "location": "location",
    "website": "url",
    "search_description": "summary",
}
_URL_SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//")
_PAGE_LINK_ID_RE = re.compile(r'linktype="page"[^>]*\sid="(\d+)"|\sid="(\d+)"[^>]*linktype="page"')


def default_parent() -> Page | None:
    return HomePage.objects.order_by("path").first()


class ImportRun:
    """One file's import, inside its transaction."""

    def __init__(self, importer: "NotesImporter", document, result: FileResult, base_dir: Path):
        self.importer = importer
        self.document = document
        self.result = result
        self.diagnostics = result.diagnostics
        self.base_dir = base_dir
        self.user = importer.user
        self.publish = importer.publish
        self.images: dict[str, object] = {}
        self.collection = None  # the conference's collection, for new images
        self.speakers: dict[str, Speaker] = {}
        self.created_files: list = []
        self.saved: list = []  # objects whose references are indexed at the end
        self.site_root_paths = None

    # -- permissions (no user: a management command, which may do anything)
    def can(self, page, action: str) -> bool:
        return user_can(self.user, page, action)

    def user_has_perm(self, codename: str) -> bool:
        return self.user is None or self.user.has_perm(codename)

    # -- the whole file
    def apply(self) -> None:
        document = self.document
        parent = self.importer.parent or default_parent()
        if parent is None:
            self.diagnostics.error(None, "There is no home page to import under (--parent).")
            return
        parent = parent.specific
        if not isinstance(parent, tuple(ConferenceIndex.allowed_parent_page_models())):
            self.diagnostics.error(
                None,
                f"“{parent.title}” cannot hold conferences; choose the home page as --parent.",
            )
            return
        tree = self.result.tree
        self.speakers_of_front_matter()
        existing = self.find_child(parent, document.slug, ConferenceIndex, tree)
        if existing is False:
            return
        meta = document.meta
        start = meta.get("date") or (existing.start_date if existing else None)
        if start is None:
            self.diagnostics.error(
                document.title_line,
                "The conference has no start date: add “date: YYYY-MM-DD” to the front matter.",
            )
            return
        last_day = max((day.number for day in document.days), default=1)
        end = meta.get("end_date")
        if end is None:
            end = start + timedelta(days=max(last_day, 1) - 1)
            if existing and existing.end_date and existing.end_date >= end:
                end = existing.end_date

        def assign(page):
            page.title = document.title
            page.slug = document.slug
            page.start_date = start
            page.end_date = end
            if "location" in meta:
                page.location = meta["location"]
            if "url" in meta:
                page.website = meta["url"]
            if "summary" in meta:
                page.search_description = meta["summary"]
            if "tags" in meta:
                page.tags.set(meta["tags"])

        if existing:
            self.collection = conference_collection(existing)
        conference = self.save_page(
            parent, existing, ConferenceIndex(), assign, document.body, tree
        )
        if conference is None:
            return
        if self.collection is None:  # a new conference: move its introduction's images
            self.collection = conference_collection(conference)
            new_images = [obj.pk for obj in self.saved if isinstance(obj, get_image_model())]
            get_image_model().objects.filter(pk__in=new_images).update(collection=self.collection)
        self.redirects(conference)
        day_pages = []
        for day, day_node in zip(document.days, tree.children, strict=True):
            date = start + timedelta(days=max(day.number, 1) - 1)
            if date > end:
                self.diagnostics.warn(
                    day.line, f"Day {day.number} ({date}) is after the end date ({end})."
                )
            day_node.detail = f"day {day.number}, {date}"
            day_page = self.import_day(conference, day, day_node, date)
            if day_page is not None:
                day_pages.append(day_page)
        self.list_stale(conference, day_pages, DayPage)
        self.ensure_order(conference, day_pages)

    def import_day(self, conference, day, node: PageNode, date):
        existing = self.find_child(conference, day.slug, DayPage, node)
        if existing is False:
            return None

        def assign(page):
            page.title = day.title
            page.slug = day.slug
            page.date = date
            page.day_number = day.number

        day_page = self.save_page(conference, existing, DayPage(), assign, day.body, node)
        if day_page is None:
            return None
        talk_pages = []
        for talk, talk_node in zip(day.talks, node.children, strict=True):
            talk_page = self.import_talk(day_page, talk, talk_node)
            if talk_page is not None:
                talk_pages.append(talk_page)
        if existing:
            self.list_stale(day_page, talk_pages, TalkPage)
        self.ensure_order(day_page, talk_pages)
        return day_page

    def import_talk(self, day_page, talk, node: PageNode):
        existing = self.find_child(day_page, talk.slug, TalkPage, node)
        if existing is False:
            return None
        speakers = [self.speaker(name, talk.speakers_line or talk.line) for name in talk.speakers]
        speakers = [s for s in speakers if s is not None]

        def assign(page):
            page.title = talk.title
            page.slug = talk.slug
            for name, value in talk.details.items():
                if name == "tags":
                    page.tags.set(value)
                else:
                    setattr(page, name, value)
            page.set_speakers(speakers)

        return self.save_page(day_page, existing, TalkPage(), assign, talk.body, node, speakers)

    # -- pages
    def find_child(self, parent, slug: str, model, node: PageNode):
        """The specific child page with ``slug``, None when there is none, False on a clash."""
        child = Page.objects.child_of(parent).filter(slug=slug).first() if parent.pk else None
        if child is None:
            return None
        child = child.specific
        if not isinstance(child, model):
            self.diagnostics.error(
                node.line,
                f"“{slug}” under “{parent.title}” is a {child._meta.verbose_name}, not a "
                f"{model._meta.verbose_name}: rename one of them.",
            )
            return False
        return child

    def save_page(
        self, parent, existing, new_page, assign, body_specs, node: PageNode, speakers=()
    ):
        kind = node.kind
        if existing is not None:
            if not self.can(existing, "edit"):
                self.diagnostics.error(node.line, f"You may not edit the {kind} “{node.title}”.")
                return None
            lock = existing.get_lock() if self.user is not None else None
            if lock is not None and lock.for_user(self.user):
                reason = html.unescape(strip_tags(str(lock.get_message(self.user))))
                self.diagnostics.error(node.line, f"The {kind} cannot be updated: {reason}")
                return None
            if self.publish and not self.can(existing, "publish"):
                self.diagnostics.error(node.line, f"You may not publish the {kind} “{node.title}”.")
                return None
            page = existing.get_latest_revision_as_object()
            before = _signature(page)
        else:
            if not self.can(parent, "add"):
                self.diagnostics.error(
                    node.line, f"You may not add a {kind} under “{parent.title}”."
                )
                return None
            if self.publish and not self.can(parent, "publish_child"):
                self.diagnostics.error(
                    node.line, f"You may not publish pages under “{parent.title}”."
                )
                return None
            page = new_page
            page.live = False
            page.owner = self.user
            before = None
        assign(page)
        body = self.build_body(body_specs, speakers)
        page.body = body if body is not None else []
        node.page_id = existing.pk if existing else None
        if existing is not None and before == _signature(page):
            up_to_date = not self.publish or (
                existing.live and not existing.has_unpublished_changes
            )
            if up_to_date:
                node.action = "unchanged"
                node.url = self.url(existing)
                return existing
        try:
            if existing is None:
                fresh_parent = Page.objects.get(pk=parent.pk)
                fresh_parent.add_child(instance=page)
                log(instance=page, action="wagtail.create", user=self.user)
                revision = page.save_revision(user=self.user, log_action=False)
            else:
                revision = page.save_revision(user=self.user, log_action=True)
            if self.publish:
                revision.publish(user=self.user)
        except ValidationError as error:
            self.page_errors(error, node)
            return None
        saved = type(page).objects.get(pk=page.pk)
        self.saved.append(saved)
        node.action = "update" if existing is not None else "create"
        node.page_id = saved.pk
        node.url = self.url(saved)
        return saved

    def url(self, page) -> str:
        """_url(page), reading the sites' root paths once per import instead of once per page
        (Wagtail caches them on the object given as ``cache_object``: here, the page)."""
        if self.site_root_paths is None:
            self.site_root_paths = Site.get_site_root_paths()
        page._wagtail_cached_site_root_paths = self.site_root_paths
        return _url(page)

    def page_errors(self, error: ValidationError, node: PageNode) -> None:
        messages = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
        for field_name, field_messages in messages.items():
            line = node.line
            label = ""
            if node.kind == "conference" and field_name in _FIELD_KEYS:
                key = _FIELD_KEYS[field_name]
                line = self.document.meta_lines.get(key, node.line)
                label = f"{key}: "
            elif field_name and field_name != "__all__":
                label = f"{field_name.replace('_', ' ')}: "
            for message in field_messages:
                self.diagnostics.error(
                    line, f"{node.kind.capitalize()} “{node.title}”: {label}{message}"
                )

    def list_stale(self, parent, kept: list, model) -> None:
        kept_ids = {page.pk for page in kept}
        for child in model.objects.child_of(parent).order_by("path"):
            if child.pk not in kept_ids:
                self.result.stale.append(f"{child.title} ({_url(child)})")

    def ensure_order(self, parent, pages: list) -> None:
        """Put the file's pages in the file's order (after any pages the file does not list)."""
        wanted = [page.pk for page in pages]
        current = [
            pk for pk in Page.objects.child_of(parent).order_by("path").values_list("pk", flat=True)
            if pk in set(wanted)
        ]  # fmt: skip
        if current == wanted:
            return
        for pk in wanted:
            Page.objects.get(pk=pk).move(Page.objects.get(pk=parent.pk), pos="last-child")

    # -- redirects
    def redirects(self, conference) -> None:
        aliases = self.document.meta.get("aliases") or []
        line = self.document.meta_lines.get("aliases")
        if aliases and not (
            self.user_has_perm("wagtailredirects.add_redirect")
            and self.user_has_perm("wagtailredirects.change_redirect")
        ):
            self.diagnostics.error(
                line, "You may not add redirects, so the aliases cannot be imported."
            )
            return
        own_path = Redirect.normalise_path(_url(conference) or "/")
        for alias in aliases:
            old_path = Redirect.normalise_path(alias)
            if old_path in ("/", own_path):
                self.diagnostics.warn(line, f"Alias {alias} skipped: it is the page's own address.")
                continue
            redirect = Redirect.objects.filter(old_path=old_path, site__isnull=True).first()
            if redirect is None:
                redirect = Redirect(old_path=old_path, site=None)
            elif redirect.redirect_page_id != conference.pk:
                self.diagnostics.warn(
                    line, f"The redirect from {old_path} now points to this conference."
                )
            redirect.redirect_page = conference
            redirect.redirect_link = ""
            redirect.is_permanent = True
            redirect.save()
            self.result.redirects.append(old_path)

    # -- speakers and images
    def speaker(self, name: str, line: int) -> Speaker | None:
        key = name.casefold()
        if key in self.speakers:
            return self.speakers[key]
        max_length = Speaker._meta.get_field("name").max_length
        if len(name) > max_length:
            self.diagnostics.error(
                line, f"The speaker name “{name[:40]}…” is over {max_length} characters."
            )
            return None
        spec = next((s for s in self.document.speakers.values() if s.name.casefold() == key), None)
        matches = []
        if spec is not None and spec.fields.get("slug"):
            matches = list(Speaker.objects.filter(slug=spec.fields["slug"]))
        matches = matches or list(Speaker.objects.filter(name__iexact=name).order_by("pk")[:2])
        if len(matches) > 1:
            self.diagnostics.warn(
                line, f"Several speakers are called “{name}”; the first one is linked."
            )
        speaker = matches[0] if matches else None
        if speaker is None:
            if not self.user_has_perm("snippets.add_speaker"):
                self.diagnostics.error(
                    line, f"“{name}” is a new speaker and you may not add speakers."
                )
                return None
            speaker = Speaker(name=name)
            if not self.describe_speaker(speaker, spec):
                return None
            speaker.save()
            self.saved.append(speaker)
            self.result.speakers_created.append(name)
        elif spec is not None and not self.describe_speaker(speaker, spec):
            return None
        self.speakers[key] = speaker
        return speaker

    def speakers_of_front_matter(self) -> None:
        """Speakers described in the front matter but on no talk are created or updated too."""
        for spec in self.document.speakers.values():
            self.speaker(spec.name, spec.line)

    def describe_speaker(self, speaker: Speaker, spec) -> bool:
        """Set what the front matter says about a speaker; saves an existing one if it changes
        (False after reporting an error)."""
        if spec is None:
            return True
        before = {name: getattr(speaker, name) for name in ("slug", *_SPEAKER_FIELDS)}
        for name, value in spec.fields.items():
            if name == "photo":
                speaker.photo = None
            else:
                setattr(speaker, name, value)
        if spec.photo is not None:
            speaker.photo = self.image(spec.photo)
            if speaker.photo is None:
                return False
        after = {name: getattr(speaker, name) for name in ("slug", *_SPEAKER_FIELDS)}
        if speaker.pk is not None and before == after:
            return True
        if speaker.pk is not None and not self.user_has_perm("snippets.change_speaker"):
            self.diagnostics.error(
                spec.line, f"The details of “{speaker.name}” differ and you may not edit speakers."
            )
            return False
        try:
            speaker.full_clean(exclude=["slug"] if not speaker.slug else None)
        except ValidationError as error:
            for field_name, messages in error.message_dict.items():
                label = "" if field_name == "__all__" else f"{field_name.replace('_', ' ')}: "
                line = spec.lines.get(field_name, spec.line)
                for message in messages:
                    self.diagnostics.error(line, f"Speaker “{speaker.name}”: {label}{message}")
            return False
        if speaker.pk is not None:
            speaker.save()
            self.saved.append(speaker)
        return True

    def image(self, spec: ImageSpec):
        src = spec.src
        if not src:
            self.diagnostics.error(spec.line, "An image has no file path.")
            return None
        if _URL_SCHEME_RE.match(src):
            self.diagnostics.error(
                spec.line,
                f"The image {src[:80]} is a URL: images are not downloaded. Save the file next to "
                "the notes and use its relative path, e.g. images/photo.png.",
            )
            return None
        relative = unquote(src)
        if relative.startswith(("/", "\\")) or Path(relative).is_absolute():
            self.diagnostics.error(
                spec.line, f"The image path {relative} must be relative to the Markdown file."
            )
            return None
        path = (self.base_dir / relative).resolve()
        root = self.importer.image_root
        if root is not None and not path.is_relative_to(root):
            self.diagnostics.error(
                spec.line, f"The image {relative} is outside the uploaded files."
            )
            return None
        if not path.is_file():
            self.diagnostics.error(spec.line, f"Image file not found: {relative}.")
            return None
        data = path.read_bytes()
        digest = hashlib.sha1(data, usedforsecurity=False).hexdigest()
        if digest in self.images:
            return self.images[digest]
        image_model = get_image_model()
        image = image_model.objects.filter(file_hash=digest).order_by("pk").first()
        if image is None:
            policy = policy_registry.get_by_type(image_model)
            if self.user is not None and not policy.user_has_permission(self.user, "add"):
                self.diagnostics.error(
                    spec.line, f"{relative} is a new image and you may not add images."
                )
                return None
            try:
                SafeImageField().clean(SimpleUploadedFile(path.name, data))
            except ValidationError as error:
                for message in error.messages:
                    self.diagnostics.error(spec.line, f"Image {relative}: {message}")
                return None
            image = image_model(
                title=_image_title(path),
                file=ImageFile(io.BytesIO(data), name=path.name),
                collection=self.collection or Collection.get_first_root_node(),
                uploaded_by_user=self.user,
            )
            image._set_image_file_metadata()
            image.save()
            self.saved.append(image)
            self.created_files.append(image.file.name)
            self.result.images_created += 1
        self.images[digest] = image
        return image

    def update_reference_index(self) -> None:
        for instance in self.saved:
            ReferenceIndex.create_or_update_for_object(instance)

    def discard_files(self) -> None:
        """Delete image files written by an import that was rolled back."""
        if not self.created_files:
            return
        storage = get_image_model()._meta.get_field("file").storage
        for name in self.created_files:
            with contextlib.suppress(OSError):
                storage.delete(name)
        self.created_files = []

    # -- bodies
    def build_body(self, specs: list[BlockSpec], speakers=()):
        """The validated StreamValue of a body, or None after reporting its errors."""
        raw = []
        kept: list[BlockSpec] = []
        for spec in specs:
            value = spec.value
            if spec.type == "image":
                image_spec: ImageSpec = value["image"]
                image = self.image(image_spec)
                if image is None:
                    continue
                value = {
                    "image": {
                        "image": image.pk,
                        "decorative": image_spec.decorative,
                        "alt_text": image_spec.alt,
                    },
                    "caption": value["caption"],
                }
            elif spec.type == "quote" and spec.attribution_name:
                match = next(
                    (s for s in speakers if s.name.casefold() == spec.attribution_name.casefold()),
                    None,
                )
                if match is not None:
                    value = {**value, "speaker": match.pk, "attribution": ""}
            elif spec.type == "paragraph":
                self.check_page_links(value, spec.line)
            raw.append({"type": spec.type, "value": value})
            kept.append(spec)
        stream_block = TalkPage._meta.get_field("body").stream_block
        stream = stream_block.to_python(raw)
        try:
            if self.publish:
                cleaned = stream_block.clean(stream)
            else:
                cleaned = stream_block.clean_deferred(stream)
        except ValidationError as error:
            for path, message in flatten_errors(error):
                self.diagnostics.error(*describe_block_error(kept, path, message))
            return None
        if len(kept) < len(specs):
            return None
        for finding in check_stream(cleaned):
            # Publishing: the errors were refused by clean() above; warnings never block.
            if finding.is_error and self.publish:
                continue
            index = int(finding.path.split(".")[1])
            consequence = "publishing will refuse this" if finding.is_error else "warning"
            self.diagnostics.warn(
                kept[index].line, f"{finding.message} [{finding.rule}; {consequence}]"
            )
        return cleaned

    def check_page_links(self, html: str, line: int) -> None:
        ids = {int(a or b) for a, b in _PAGE_LINK_ID_RE.findall(html)}
        if ids:
            found = set(Page.objects.filter(pk__in=ids).values_list("pk", flat=True))
            for missing in sorted(ids - found):
                self.diagnostics.warn(line, f"The link to page {missing} points to no page.")


# --- helpers --------------------------------------------------------------------------------------


_SPEAKER_FIELDS = ("bio", "website", "mastodon", "github", "photo_id", "photo_alt_text")


def _signature(page) -> dict:
    """What the import sets on a page, to tell whether it changes anything."""
    signature = {
        name: getattr(page, name, None)
        for name in (
            "title",
            "slug",
            "start_date",
            "end_date",
            "location",
            "website",
            "search_description",
            "date",
            "day_number",
            "start_time",
            "room",
            "slides_url",
            "video_url",
            "summary",
        )
    }
    body = page.body.get_prep_value() if page.body else []
    signature["body"] = _strip_ids(json.loads(json.dumps(body, cls=DjangoJSONEncoder)))
    if hasattr(page, "tags"):
        signature["tags"] = sorted(tag.name for tag in page.tags.all())
    if hasattr(page, "talk_speakers"):
        links = sorted(page.talk_speakers.all(), key=lambda link: link.sort_order or 0)
        signature["speakers"] = [link.speaker_id for link in links]
    return signature


def _strip_ids(value):
    if isinstance(value, list):
        return [_strip_ids(item) for item in value]
    if isinstance(value, dict):
        return {key: _strip_ids(item) for key, item in value.items() if key != "id"}
    return value


def _url(page) -> str:
    try:
        return page.get_url() or page.url_path
    except Exception:  # a page outside any site
        return page.url_path


def _image_title(path: Path) -> str:
    return re.sub(r"[-_]+", " ", path.stem).strip()[:255] or path.name[:255]
