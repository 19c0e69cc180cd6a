-- The change feed without a lock across writers (docs/architecture.md, "The change feed on PostgreSQL").
--
-- Version 6 numbered changes as they were written, under one advisory lock held from a writer's first captured row
-- to its commit, so writers to feeds committed one at a time. Now a writer's triggers only append its rows here,
-- unnumbered; a sequencer (vellum_sequence_changes, one short transaction at a time) moves the rows of committed
-- transactions into vellum_changes, numbering them after the newest change. Numbers stay gap-free and tokens keep
-- their meaning: numbering continues where version 6 stopped.
--
-- The order of the numbers: transactions in the order the sequencer sees them commit, each one's changes together
-- and in the order it wrote them; within one run of the sequencer, a transaction's place is its last row's ord.
-- A writer that waits for another's row lock (or reads its committed data) draws every ord after that other's last,
-- so per record, and causally, the order is the order of commits. Two transactions that never saw each other may be
-- numbered in either order, which no reader can tell from the commit order.
CREATE SEQUENCE vellum_changes_ord; -- CACHE 1 (the default): a per-session cache would break the order above

CREATE TABLE vellum_changes_pending (
    tx         BIGINT NOT NULL DEFAULT txid_current(),
    ord        BIGINT NOT NULL DEFAULT nextval('vellum_changes_ord'),
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

-- One statement's rows, from its transition table, in one INSERT, with no lock and no notification (a NOTIFY would
-- serialize the writers' commits again: PostgreSQL queues notifications in commit order under one lock).
-- The columns are the record table's (RecordTable.SCHEMA, in its order; RecordTable.changeValues renders the same
-- lists, and PostgresFeedSequencerTest holds this function to them).
CREATE OR REPLACE FUNCTION vellum_feed_capture() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO vellum_changes_pending (collection, op, id, fields, metadata, version, created_at, updated_at, at)
        SELECT TG_ARGV[0], 'delete', o.id, NULL, NULL, o.version + 1, NULL, NULL, statement_timestamp()
          FROM vellum_old o;
    ELSE
        INSERT INTO vellum_changes_pending (collection, op, id, fields, metadata, version, created_at, updated_at, at)
        SELECT TG_ARGV[0], lower(TG_OP), n.id, n.fields, n.metadata, n.version, n.created_at, n.updated_at,
               statement_timestamp()
          FROM vellum_new n;
    END IF;
    RETURN NULL;
END $$;

-- The lock of version 6 goes: its triggers are dropped (a process of an older Vellum still calling the function
-- finds it does nothing).
CREATE OR REPLACE FUNCTION vellum_feed_lock_now() RETURNS boolean
    LANGUAGE sql AS $$ SELECT TRUE $$;

DO $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT c.oid::regclass AS tab FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
              WHERE g.tgname = 'vellum_feed_lock' AND NOT g.tgisinternal LOOP
        EXECUTE format('DROP TRIGGER vellum_feed_lock ON %s', t.tab);
    END LOOP;
END $$;

-- Numbers the changes of every transaction that has committed: each statement inside reads a snapshot taken after
-- the lock, so it sees what the sequencer before it committed. Runs in a transaction of its own (the caller's
-- autocommit statement); with wait false it gives up (-1) when another sequencer is running, whose notification
-- will follow. Returns how many changes it numbered and, when any, notifies readers in every process.
CREATE FUNCTION vellum_sequence_changes(wait boolean) RETURNS bigint
    LANGUAGE plpgsql AS $$
DECLARE
    numbered bigint;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM vellum_changes_pending) THEN
        RETURN 0;
    END IF;
    IF wait THEN
        PERFORM pg_advisory_xact_lock(1986358380, 1936027233);
    ELSIF NOT pg_try_advisory_xact_lock(1986358380, 1936027233) THEN
        RETURN -1;
    END IF;
    WITH moved AS (
        DELETE FROM vellum_changes_pending RETURNING *
    ), placed AS (
        SELECT m.*, max(m.ord) OVER (PARTITION BY m.tx) AS tx_last FROM moved m
    )
    INSERT INTO vellum_changes (seq, collection, op, id, version, fields, metadata, created_at, updated_at, at)
    SELECT (SELECT GREATEST(COALESCE(max(seq), 0), (SELECT purged_through FROM vellum_feed_state)) FROM vellum_changes)
               + row_number() OVER (ORDER BY p.tx_last, p.ord),
           p.collection, p.op, p.id, p.version, p.fields, p.metadata, p.created_at, p.updated_at, p.at
      FROM placed p;
    GET DIAGNOSTICS numbered = ROW_COUNT;
    IF numbered > 0 THEN
        PERFORM pg_notify('vellum_changes', '');
    END IF;
    RETURN numbered;
END $$;
