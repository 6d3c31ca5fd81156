"""Tags named only with punctuation or emoji had an empty slug (or taggit's "_1", "_2"…): give
them one made from their characters' names (pages.tag_slugs), so their pages have a URL."""

from django.db import migrations
from django.utils.text import slugify


def fix_slugs(apps, schema_editor):
    from pages.tag_slugs import unique_slug

    Tag = apps.get_model("taggit", "Tag")
    for tag in Tag.objects.order_by("pk"):
        if slugify(tag.name, allow_unicode=True):
            continue  # taggit's own slug is usable
        tag.slug = unique_slug(Tag, tag.name, exclude_pk=tag.pk)
        tag.save(update_fields=["slug"])


class Migration(migrations.Migration):
    dependencies = [
        ("pages", "0013_code_keeps_its_whitespace"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [migrations.RunPython(fix_slugs, migrations.RunPython.noop)]
