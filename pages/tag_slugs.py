"""Every tag gets a usable, unique slug, whatever its name (issue 18).

Tags are taggit's ``Tag`` (shared by talks and conferences). Taggit slugifies the name keeping
letters of any script (``café``, ``日本``), but a name of punctuation or emoji only (``!!!``,
``🐍``) slugifies to nothing: the tag got an empty slug, and ``/tags/``, the sitemap and every
page listing the tag failed to build its URL.

Such a name gets a slug from the Unicode names of its characters instead: ``🐍`` → ``snake``,
``!!!`` → ``exclamation-mark``, ``C#`` keeps taggit's ``c``. It is readable, the same for the
same name, and stays unique: a slug in use gets ``-2``, ``-3``… Marks without a name of their
own (variation selectors, joiners) are left out; if nothing is left, the slug is ``tag``.
Migration ``0014_hostile_web_tag_slugs`` gives existing tags with an empty slug theirs.
"""

import unicodedata

from django.db.models.signals import pre_save
from django.utils.text import slugify

MAX_LENGTH = 50


def base_slug(name: str) -> str:
    """Taggit's slug of ``name``; for punctuation and emoji, one from the characters' names."""
    slug = slugify(name, allow_unicode=True)
    if slug:
        return slug
    words = []
    for char in dict.fromkeys(name):  # each character once, in order
        if unicodedata.category(char) in ("Mn", "Me", "Cf", "Cc", "Zs"):
            continue
        words.append(unicodedata.name(char, ""))
    slug = slugify(" ".join(words))[:MAX_LENGTH].strip("-")
    return slug or "tag"


def unique_slug(tag_model, name: str, exclude_pk=None) -> str:
    base = base_slug(name)
    taken = set(
        tag_model._default_manager.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


def give_slug(sender, instance, **kwargs):
    """Before a tag is saved without a slug (or with an unusable one), give it one."""
    if not slugify(instance.slug or "", allow_unicode=True):
        instance.slug = unique_slug(sender, instance.name, exclude_pk=instance.pk)


def connect():
    from taggit.models import Tag

    pre_save.connect(give_slug, sender=Tag, dispatch_uid="pages.tag_slugs")
