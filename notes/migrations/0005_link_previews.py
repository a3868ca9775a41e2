"""Link metadata becomes one entry per link (a list), with what its page said."""

from django.db import migrations, models


def to_list(apps, schema_editor):
    Note = apps.get_model("notes", "Note")
    for note in Note.objects.filter(link_metadata__isnull=False).only("link_metadata").iterator():
        if isinstance(note.link_metadata, dict):
            entry = {key: str(value) for key, value in note.link_metadata.items() if value}
            # Entries stored before previews existed were never fetched: "failed" keeps the
            # pipeline from fetching links of notes long filed.
            entry.setdefault("status", "failed")
            note.link_metadata = [entry] if entry.get("url") else None
            note.save(update_fields=["link_metadata"])


def to_dict(apps, schema_editor):
    Note = apps.get_model("notes", "Note")
    for note in Note.objects.filter(link_metadata__isnull=False).only("link_metadata").iterator():
        if isinstance(note.link_metadata, list):
            first = note.link_metadata[0] if note.link_metadata else None
            note.link_metadata = (
                {key: first.get(key, "") for key in ("url", "title", "description")}
                if isinstance(first, dict)
                else None
            )
            note.save(update_fields=["link_metadata"])


class Migration(migrations.Migration):
    dependencies = [("notes", "0004_work_leases")]

    operations = [
        migrations.AlterField(
            model_name="note",
            name="link_metadata",
            field=models.JSONField(
                blank=True,
                help_text="One entry per link: its URL and what its page says.",
                null=True,
                verbose_name="link metadata",
            ),
        ),
        migrations.RunPython(to_list, to_dict, elidable=True),
    ]
