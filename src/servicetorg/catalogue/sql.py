"""The raw SQL of the catalogue, and only here (docs/architecture.md, "Where raw SQL lives").

SQLite's full-text index of services (FTS5): the portal's search on the embedded default ranks with
bm25 as PostgreSQL's full-text search does in production (:mod:`.selectors`, ``search_published``).
The index is an external-content FTS5 table over ``catalogue_service`` kept in step by triggers, so
every write (service, bulk update, demo loader, admin) reaches it. Django rebuilds a SQLite table
when a later migration alters it, and dropping the old table drops its triggers: :func:`ensure_fts`
runs after every ``migrate`` and puts back what is missing (and rebuilds the index when it had to).

Every other module reaches the database through the ORM; ruff's banned-api rule (TID251) refuses
``django.db.connection`` outside ``*/sql.py``, selectors and ``core/db.py``.
"""

from django.db import connections

FTS_TABLE = "catalogue_service_fts"
#: The indexed columns of catalogue_service, in the order of :data:`BM25_WEIGHTS`.
FTS_COLUMNS = ("name", "search_words", "search_words_en", "summary", "search_text")
#: bm25 weight of each column (in _SEARCH): the name and the search words staff chose count most.
BM25_WEIGHTS = (10.0, 10.0, 8.0, 3.0, 1.0)

# DDL: FTS5 virtual tables and triggers have no ORM form.
FTS_DDL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS catalogue_service_fts USING fts5("
    "name, search_words, search_words_en, summary, search_text, "
    "content='catalogue_service', content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER IF NOT EXISTS catalogue_service_fts_ai AFTER INSERT ON catalogue_service BEGIN "
    "INSERT INTO catalogue_service_fts(rowid, name, search_words, search_words_en, summary, search_text) "
    "VALUES (new.id, new.name, new.search_words, new.search_words_en, new.summary, new.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS catalogue_service_fts_ad AFTER DELETE ON catalogue_service BEGIN "
    "INSERT INTO catalogue_service_fts(catalogue_service_fts, rowid, name, search_words, search_words_en, "
    "summary, search_text) "
    "VALUES ('delete', old.id, old.name, old.search_words, old.search_words_en, old.summary, "
    "old.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS catalogue_service_fts_au "
    "AFTER UPDATE OF name, search_words, search_words_en, summary, search_text ON catalogue_service BEGIN "
    "INSERT INTO catalogue_service_fts(catalogue_service_fts, rowid, name, search_words, search_words_en, "
    "summary, search_text) "
    "VALUES ('delete', old.id, old.name, old.search_words, old.search_words_en, old.summary, "
    "old.search_text); "
    "INSERT INTO catalogue_service_fts(rowid, name, search_words, search_words_en, summary, search_text) "
    "VALUES (new.id, new.name, new.search_words, new.search_words_en, new.summary, new.search_text); END",
)
FTS_TRIGGERS = ("catalogue_service_fts_ai", "catalogue_service_fts_ad", "catalogue_service_fts_au")
# FTS5's own command: re-read every row of the content table.
FTS_REBUILD = "INSERT INTO catalogue_service_fts(catalogue_service_fts) VALUES ('rebuild')"

# The FTS5 MATCH and bm25() exist only in SQL; one statement joins the index to the tenant's
# published services and ranks them (the ORM would need a second query to order by rank).
_SEARCH = (
    "SELECT s.id FROM catalogue_service_fts JOIN catalogue_service s ON s.id = catalogue_service_fts.rowid "
    "WHERE catalogue_service_fts MATCH %s AND s.municipality_id = %s AND s.state = 'published' "
    "ORDER BY bm25(catalogue_service_fts, 10.0, 10.0, 8.0, 3.0, 1.0), s.name, s.id LIMIT %s"
)


def ensure_fts(using: str = "default") -> bool:
    """Create the SQLite index and its triggers where missing; rebuild the index when anything was.

    Returns whether it had to (no-op on PostgreSQL, which has its own vector and GIN index)."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        columns = {
            c.name for c in connection.introspection.get_table_description(cursor, "catalogue_service")
        }
        if not columns.issuperset(FTS_COLUMNS):  # migrated back before the search words
            return False
        # sqlite_master: which of our objects exist (introspection lists no triggers).
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE name IN (%s, %s, %s, %s)", [FTS_TABLE, *FTS_TRIGGERS]
        )
        present = {row[0] for row in cursor.fetchall()}
        if present == {FTS_TABLE, *FTS_TRIGGERS}:
            return False
        for statement in FTS_DDL:
            cursor.execute(statement)
        cursor.execute(FTS_REBUILD)
    return True


def fts_search(municipality_id: int, match: str, limit: int) -> list[int]:
    """Ids of the municipality's published services matching an FTS5 query, best first (SQLite)."""
    with connections["default"].cursor() as cursor:
        cursor.execute(_SEARCH, [match, municipality_id, limit])
        return [row[0] for row in cursor.fetchall()]
