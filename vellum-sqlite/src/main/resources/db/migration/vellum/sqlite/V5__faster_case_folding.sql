-- PostgreSQL's version 5 rewrites its vellum_fold function for speed; SQLite registers vellum_fold on every connection
-- (Java's own case mapping), so there is nothing to store. The versions stay in step on every backend.
SELECT 1;
