-- PostgreSQL's version 9 lets feed writers commit without waiting for each other (pending changes, numbered by a
-- sequencer). SQLite has one writer at a time, so its triggers number changes as they are written and nothing
-- changes here. The versions stay in step on every backend.
SELECT 1;
