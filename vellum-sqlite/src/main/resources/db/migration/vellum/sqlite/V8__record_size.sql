-- PostgreSQL's version 8 adds vellum_guard_size (VELLUM_MAX_RECORD_SIZE on the fields a merge patch or field
-- operators compute); SQLite registers it on every connection, so there is nothing to store. The versions stay in
-- step on every backend.
SELECT 1;
