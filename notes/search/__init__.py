"""Finding notes again: one search for every surface, and "already saved".

``indexing`` keeps each note's search entry (its words as lemmas, its link,
forward and text keys) current from the worker's preparing step;
``selectors`` answers searches and names an earlier copy of a note. The
database's own full-text index does the work: PostgreSQL's tsvector (GIN)
with pg_trgm for typos, SQLite's FTS5 on the embedded default.
"""
