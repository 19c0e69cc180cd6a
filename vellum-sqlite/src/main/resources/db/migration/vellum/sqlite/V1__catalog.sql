-- The catalog of record collections; each collection gets its own table when it is first written.
CREATE TABLE vellum_collections (
    name       TEXT PRIMARY KEY,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    options    TEXT NOT NULL DEFAULT '{}'
);
