-- Which form of a backend's index DDL built each index: a store opening with auto-migrate rebuilds the indexes of
-- an older form (see RecordDialect.indexForm), so a change to the index expressions reaches existing databases.
ALTER TABLE vellum_indexes ADD COLUMN form INTEGER NOT NULL DEFAULT 1;
