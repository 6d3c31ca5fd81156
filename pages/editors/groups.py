"""Editor and moderator groups: who may do what in the admin.

Wagtail's own migrations create two groups, "Moderators" and "Editors", both with page
permissions on the root page, i.e. over the whole tree. Confnotes wants editors confined to the
conference they write notes for, so ``manage.py setup_groups`` (idempotent) turns that into:

- **Moderators**: add, edit, publish, lock and unlock pages anywhere (root page); add, edit,
  choose and delete images and documents in every collection (root collection); add, edit,
  delete speakers; search promotions and redirects. With those page permissions they see every
  report (locked pages, aging pages, workflows, site history, accessibility…). Wagtail's default
  workflow ("Moderators approval", on the root page) asks them to approve what editors submit.
- **Editors** (Wagtail's group, kept for people who look after the shared library): admin
  access, images and documents in every collection, add and edit speakers; *no page
  permissions* (the root-page ones are removed), so they can no longer edit the whole tree.
- **Editors: <conference title>**, one per ``ConferenceIndex``: a complete role on its own
  (put a conference's editors in this group only): admin access; add, edit and lock pages in
  that conference's subtree, *not publish*: they submit for moderation, and the Moderators
  publish; add, edit and choose images and documents in the conference's own collection (a
  child of the root collection, named after the conference, created here); add and edit
  speakers (speakers are shared by every conference, so every editor sees them all).

A group is tied to its conference by its page permission, not by its name: renaming a
conference renames its group and collection on the next ``setup_groups`` run. A conference that
is deleted leaves its group (without page permissions) behind; ``setup_groups`` lists such
groups and never deletes anything.

New conferences get their group and collection at once, whichever way they are created (admin,
notes import, ``load_demo``): :func:`conference_created` calls :func:`ensure_conference_group`
when a ``ConferenceIndex`` is first saved. ``load_demo`` does not depend on any of this.

Imports run one way: this module imports ``pages.models`` only.
"""

from dataclasses import dataclass, field

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

MODERATORS = "Moderators"
EDITORS = "Editors"
CONFERENCE_GROUP_PREFIX = "Editors: "

#: Page permission codenames (Wagtail's PAGE_PERMISSION_TYPES, suffixed ``_page``).
MODERATOR_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]
CONFERENCE_EDITOR_PAGE_PERMISSIONS = ["add_page", "change_page", "lock_page"]

#: (app label, codename) for collection permissions (images and documents).
MODERATOR_COLLECTION_PERMISSIONS = [
    (app, f"{action}_{model}")
    for app, model in (("wagtailimages", "image"), ("wagtaildocs", "document"))
    for action in ("add", "change", "choose", "delete")
]
EDITOR_COLLECTION_PERMISSIONS = [
    (app, f"{action}_{model}")
    for app, model in (("wagtailimages", "image"), ("wagtaildocs", "document"))
    for action in ("add", "change", "choose")
]

ADMIN_ACCESS = ("wagtailadmin", "access_admin")
EDITOR_MODEL_PERMISSIONS = [
    ADMIN_ACCESS,
    ("snippets", "add_speaker"),
    ("snippets", "change_speaker"),
    ("snippets", "view_speaker"),
]
MODERATOR_MODEL_PERMISSIONS = [
    *EDITOR_MODEL_PERMISSIONS,
    ("snippets", "delete_speaker"),
    ("wagtailsearchpromotions", "add_searchpromotion"),
    ("wagtailsearchpromotions", "change_searchpromotion"),
    ("wagtailsearchpromotions", "delete_searchpromotion"),
    ("wagtailredirects", "add_redirect"),
    ("wagtailredirects", "change_redirect"),
    ("wagtailredirects", "delete_redirect"),
]


@dataclass
class Changes:
    """What a run changed, as lines for the command's output."""

    lines: list[str] = field(default_factory=list)

    def add(self, line: str) -> None:
        self.lines.append(line)

    def __bool__(self) -> bool:
        return bool(self.lines)


def _permissions(pairs) -> list[Permission]:
    wanted = set(pairs)
    found = {
        (p.content_type.app_label, p.codename): p
        for p in Permission.objects.filter(
            codename__in={codename for _, codename in wanted}
        ).select_related("content_type")
    }
    missing = wanted - found.keys()
    if missing:
        raise LookupError(f"Permissions not found (migrations not run?): {sorted(missing)}")
    return [found[pair] for pair in pairs]


def _page_permissions(codenames) -> list[Permission]:
    return _permissions([("wagtailcore", codename) for codename in codenames])


def _grant_model_permissions(group: Group, pairs, changes: Changes) -> None:
    present = set(group.permissions.values_list("pk", flat=True))
    for permission in _permissions(pairs):
        if permission.pk not in present:
            group.permissions.add(permission)
            changes.add(f"{group.name}: + {permission.codename}")


def _set_page_permissions(group: Group, page: Page, codenames, changes: Changes) -> None:
    """Exactly these permissions on this page (others of the group on other pages stay)."""
    wanted = {p.pk: p for p in _page_permissions(codenames)}
    existing = GroupPagePermission.objects.filter(group=group, page=page)
    for grant in existing.exclude(permission_id__in=wanted):
        changes.add(f"{group.name}: - {grant.permission.codename} on “{page.title}”")
        grant.delete()
    present = set(existing.values_list("permission_id", flat=True))
    for pk, permission in wanted.items():
        if pk not in present:
            GroupPagePermission.objects.create(group=group, page=page, permission=permission)
            changes.add(f"{group.name}: + {permission.codename} on “{page.title}”")


def _set_collection_permissions(
    group: Group, collection: Collection, pairs, changes: Changes
) -> None:
    """At least these permissions on this collection (nothing is taken away)."""
    present = set(
        GroupCollectionPermission.objects.filter(group=group, collection=collection).values_list(
            "permission_id", flat=True
        )
    )
    for permission in _permissions(pairs):
        if permission.pk not in present:
            GroupCollectionPermission.objects.create(
                group=group, collection=collection, permission=permission
            )
            changes.add(f"{group.name}: + {permission.codename} in collection “{collection.name}”")


def setup_moderators(changes: Changes) -> Group:
    group, created = Group.objects.get_or_create(name=MODERATORS)
    if created:
        changes.add(f"created group {MODERATORS}")
    _grant_model_permissions(group, MODERATOR_MODEL_PERMISSIONS, changes)
    _set_page_permissions(group, Page.get_first_root_node(), MODERATOR_PAGE_PERMISSIONS, changes)
    _set_collection_permissions(
        group, Collection.get_first_root_node(), MODERATOR_COLLECTION_PERMISSIONS, changes
    )
    return group


def setup_editors(changes: Changes) -> Group:
    """Wagtail's "Editors" group without page permissions anywhere."""
    group, created = Group.objects.get_or_create(name=EDITORS)
    if created:
        changes.add(f"created group {EDITORS}")
    _grant_model_permissions(group, EDITOR_MODEL_PERMISSIONS, changes)
    for grant in GroupPagePermission.objects.filter(group=group).select_related(
        "page", "permission"
    ):
        changes.add(f"{EDITORS}: - {grant.permission.codename} on “{grant.page.title}”")
        grant.delete()
    _set_collection_permissions(
        group, Collection.get_first_root_node(), EDITOR_COLLECTION_PERMISSIONS, changes
    )
    return group


def conference_group_name(title: str) -> str:
    return (CONFERENCE_GROUP_PREFIX + title)[:150]


def conference_group(conference: Page) -> Group | None:
    """The "Editors: …" group holding page permissions on this conference, if any."""
    return (
        Group.objects.filter(
            name__startswith=CONFERENCE_GROUP_PREFIX, page_permissions__page=conference
        )
        .order_by("pk")
        .first()
    )


def _unique_group_name(title: str, exclude_pk=None) -> str:
    base = conference_group_name(title)
    name, n = base, 2
    while Group.objects.filter(name=name).exclude(pk=exclude_pk).exists():
        suffix = f" ({n})"
        name, n = base[: 150 - len(suffix)] + suffix, n + 1
    return name


def _conference_collection(group: Group, title: str, changes: Changes) -> Collection:
    """The group's own collection (the one it may add images to), made if missing."""
    root = Collection.get_first_root_node()
    granted = (
        Collection.objects.filter(
            group_permissions__group=group,
            group_permissions__permission__codename="add_image",
        )
        .exclude(pk=root.pk)
        .order_by("path")
        .first()
    )
    name = title[:255]
    if granted is not None:
        if granted.name != name:
            changes.add(f"renamed collection “{granted.name}” to “{name}”")
            granted.name = name
            granted.save(update_fields=["name"])
        return granted
    # A collection of that name is reused unless another conference's group already owns it.
    taken = Collection.objects.filter(
        group_permissions__group__name__startswith=CONFERENCE_GROUP_PREFIX
    ).values_list("pk", flat=True)
    candidate, n = name, 2
    while (collection := root.get_children().filter(name=candidate).first()) is not None:
        if collection.pk not in set(taken):
            return collection
        candidate, n = f"{name[:250]} ({n})", n + 1
    collection = root.add_child(instance=Collection(name=candidate))
    changes.add(f"created collection “{candidate}”")
    return collection


def ensure_conference_group(conference: Page, changes: Changes | None = None) -> Group:
    """Create or update the "Editors: <title>" group and collection of one conference."""
    changes = changes if changes is not None else Changes()
    title = conference.draft_title or conference.title
    with transaction.atomic():
        group = conference_group(conference)
        if group is None:
            group = Group.objects.create(name=_unique_group_name(title))
            changes.add(f"created group {group.name}")
        elif not group.name.startswith(conference_group_name(title)):
            new_name = _unique_group_name(title, exclude_pk=group.pk)
            changes.add(f"renamed group {group.name} to {new_name}")
            group.name = new_name
            group.save(update_fields=["name"])
        _grant_model_permissions(group, EDITOR_MODEL_PERMISSIONS, changes)
        _set_page_permissions(group, conference, CONFERENCE_EDITOR_PAGE_PERMISSIONS, changes)
        collection = _conference_collection(group, title, changes)
        _set_collection_permissions(group, collection, EDITOR_COLLECTION_PERMISSIONS, changes)
    return group


def conference_collection(conference: Page) -> Collection:
    """The conference's own collection (its group and collection are made if missing)."""
    group = ensure_conference_group(conference)
    return _conference_collection(group, conference.draft_title or conference.title, Changes())


def orphan_conference_groups():
    """ "Editors: …" groups whose conference is gone (no page permission left)."""
    return Group.objects.filter(
        name__startswith=CONFERENCE_GROUP_PREFIX, page_permissions__isnull=True
    ).order_by("name")


def setup_groups() -> Changes:
    """Bring every group in line with the design above; returns what changed."""
    from pages.models import ConferenceIndex

    changes = Changes()
    with transaction.atomic():
        setup_moderators(changes)
        setup_editors(changes)
        for conference in ConferenceIndex.objects.order_by("path"):
            ensure_conference_group(conference, changes)
    return changes


def conference_created(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """A new conference gets its "Editors: <title>" group and collection."""
    if created and not raw:
        ensure_conference_group(instance)


def connect() -> None:
    """Give every new conference its group (called by ``PagesConfig.ready``)."""
    from django.db.models.signals import post_save

    from pages.models import ConferenceIndex

    post_save.connect(conference_created, sender=ConferenceIndex, dispatch_uid="pages.groups")
