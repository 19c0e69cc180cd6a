-- PostgreSQL's version 7 adds the SQL functions of the field operators ($inc, $push, …); SQLite registers
-- vellum_update on every connection (FieldUpdates.apply itself), so there is nothing to store. The versions stay in
-- step on every backend.
SELECT 1;
