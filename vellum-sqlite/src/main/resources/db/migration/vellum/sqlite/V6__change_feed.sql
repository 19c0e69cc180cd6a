-- The change feed (docs/semantics.md, "Change feed"). Each collection whose feed is enabled has triggers that
-- record every written row here; SQLite has one writer at a time, so numbers are in commit order. The number is the
-- rowid (the newest + 1; retention always keeps the newest change, so numbers never repeat).
CREATE TABLE vellum_changes (
    seq        INTEGER PRIMARY KEY,
    collection TEXT NOT NULL,
    op         TEXT NOT NULL,
    id         TEXT NOT NULL,
    version    INTEGER NOT NULL,
    fields     TEXT,
    metadata   TEXT,
    created_at TEXT,
    updated_at TEXT,
    at         TEXT NOT NULL
);

CREATE TABLE vellum_feeds (
    collection TEXT PRIMARY KEY NOT NULL,
    enabled_at TEXT NOT NULL
);

-- The highest change number retention has removed: a token below it has lost changes and is refused.
CREATE TABLE vellum_feed_state (
    one            INTEGER PRIMARY KEY CHECK (one = 1),
    purged_through INTEGER NOT NULL
);
INSERT INTO vellum_feed_state (one, purged_through) VALUES (1, 0);
