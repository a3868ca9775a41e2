"""Each search entry's tsvector holds its owner's lexemes ("<owner id>:<lemma>").

A search used to read a word's posting list for every owner from the GIN index and
then drop the other owners' rows; with the owner in each lexeme it reads only the
owner's. The entries written before are rewritten here (PostgreSQL only: SQLite's FTS5
table holds the plain lemmas and is unchanged).
"""

from django.db import migrations

BATCH = 1_000


def vectors_rewrite(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from notes.search.indexing import WEIGHTS, search_vector

    Entry = apps.get_model("notes", "NoteSearchEntry")
    columns = [column for column, _weight in WEIGHTS]
    entries = Entry.objects.order_by("pk").only("owner_id", *columns)
    batch = []
    for entry in entries.iterator(chunk_size=BATCH):
        values = {column: getattr(entry, column) for column in columns}
        entry.vector = search_vector(entry.owner_id, values)
        batch.append(entry)
        if len(batch) >= BATCH:
            Entry.objects.bulk_update(batch, ["vector"])
            batch = []
    Entry.objects.bulk_update(batch, ["vector"])


def vectors_plain(apps, schema_editor):
    """Back to the plain lemmas the code before this migration searched for."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "UPDATE notes_notesearchentry SET vector = "
        "setweight(to_tsvector('simple', title_terms), 'A') || "
        "setweight(to_tsvector('simple', body_terms), 'B') || "
        "setweight(to_tsvector('simple', extra_terms), 'C')"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("notes", "0011_filing_example_embedding"),
    ]

    operations = [
        migrations.RunPython(vectors_rewrite, vectors_plain),
    ]
