-- Index definitions of record collections (the indexes themselves are expression indexes on each collection table).
CREATE TABLE vellum_indexes (
    collection TEXT NOT NULL,
    name       TEXT NOT NULL,
    paths      TEXT NOT NULL,
    is_unique  INTEGER NOT NULL,
    PRIMARY KEY (collection, name)
);
