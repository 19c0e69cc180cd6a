-- The change feed (docs/semantics.md, "Change feed"). Each collection whose feed is enabled has triggers that
-- record every written row here; vellum_feeds lists those collections, so enabling survives restarts and copies.
CREATE TABLE vellum_changes (
    seq        BIGINT PRIMARY KEY,
    collection TEXT NOT NULL,
    op         TEXT NOT NULL,
    id         TEXT COLLATE "C" NOT NULL,
    version    BIGINT NOT NULL,
    fields     JSONB,
    metadata   JSONB,
    created_at TIMESTAMPTZ,
    updated_at TIMESTAMPTZ,
    at         TIMESTAMPTZ NOT NULL
);

CREATE TABLE vellum_feeds (
    collection TEXT PRIMARY KEY,
    enabled_at TIMESTAMPTZ NOT NULL
);

-- The highest change number retention has removed: a token below it has lost changes and is refused.
CREATE TABLE vellum_feed_state (
    one            BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
    purged_through BIGINT NOT NULL
);
INSERT INTO vellum_feed_state (purged_through) VALUES (0);

-- Before its first row, a statement on a feed's collection takes one transaction-scoped lock, held until commit:
-- writers to feeds commit one at a time, so change numbers (taken under the lock: the newest number + 1) are in
-- commit order and a reader that sees change n has every change below n that will ever commit. (A sequence alone
-- numbers in start order: a reader could pass a number whose transaction commits later, and skip it.) Taken before
-- any row is touched, so a writer never waits for the lock while holding rows another writer needs.
CREATE FUNCTION vellum_feed_lock_now() RETURNS boolean
    LANGUAGE sql AS $$ SELECT pg_advisory_xact_lock(1986358380, 1667785070) IS NOT NULL $$;

CREATE FUNCTION vellum_feed_lock() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM vellum_feed_lock_now();
    RETURN NULL;
END $$;

-- One statement's rows, from its transition table, in one INSERT: a bulk COPY pays per statement, not per row.
-- Numbers continue after the newest change, or after what retention removed (so they never repeat).
CREATE FUNCTION vellum_feed_capture() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    base bigint;
BEGIN
    SELECT GREATEST((SELECT max(seq) FROM vellum_changes), (SELECT purged_through FROM vellum_feed_state))
      INTO base;
    IF TG_OP = 'DELETE' THEN
        INSERT INTO vellum_changes (seq, collection, op, id, version, at)
        SELECT base + row_number() OVER (), TG_ARGV[0], 'delete', o.id, o.version + 1, statement_timestamp()
          FROM vellum_old o;
    ELSE
        INSERT INTO vellum_changes (seq, collection, op, id, version, fields, metadata, created_at, updated_at, at)
        SELECT base + row_number() OVER (), TG_ARGV[0], lower(TG_OP), n.id, n.version, n.fields, n.metadata,
               n.created_at, n.updated_at, statement_timestamp()
          FROM vellum_new n;
    END IF;
    IF FOUND THEN
        -- delivered at commit, once per transaction: wakes readers in every process
        PERFORM pg_notify('vellum_changes', '');
    END IF;
    RETURN NULL;
END $$;

-- The version of a re-created record: one more than its tombstone's. Volatile, so it reads what committed after the
-- statement's snapshot: an insert that waited on the feed's lock for a concurrent delete to commit sees that delete's
-- tombstone and never goes back to an older version.
CREATE FUNCTION vellum_version_after_tombstone(tombstones regclass, record_id text) RETURNS bigint
    LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    found bigint;
BEGIN
    EXECUTE 'SELECT version FROM ' || tombstones || ' WHERE id = $1' INTO found USING record_id;
    RETURN COALESCE(found, 0) + 1;
END $$;
