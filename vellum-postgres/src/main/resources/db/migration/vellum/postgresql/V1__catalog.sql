-- The catalog of record collections; each collection gets its own table when it is first written.
CREATE TABLE vellum_collections (
    name       TEXT PRIMARY KEY,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    options    JSONB NOT NULL DEFAULT '{}'
);
