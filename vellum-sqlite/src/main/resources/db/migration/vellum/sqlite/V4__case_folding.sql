-- PostgreSQL's version 4 adds its vellum_fold function; SQLite registers vellum_fold on every connection (Java's
-- own case mapping), so there is nothing to store. The versions stay in step on every backend.
SELECT 1;
