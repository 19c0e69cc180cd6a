-- Least privilege for Vellum (psql variables: db, migrator_password, app_password).
--   vellum_migrator owns the database and its schema: migrations, new collections, indexes (VELLUM_MIGRATION_URL).
--   vellum_app reads and writes rows and cannot change the schema (VELLUM_POSTGRES_URL).
CREATE ROLE vellum_migrator LOGIN PASSWORD :'migrator_password';
CREATE ROLE vellum_app LOGIN PASSWORD :'app_password';
ALTER DATABASE :"db" OWNER TO vellum_migrator;
ALTER SCHEMA public OWNER TO vellum_migrator;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"db" TO vellum_app;
GRANT USAGE ON SCHEMA public TO vellum_app;
-- everything the migrator creates from now on: rows readable and writable by the app, nothing more
ALTER DEFAULT PRIVILEGES FOR ROLE vellum_migrator IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO vellum_app;
ALTER DEFAULT PRIVILEGES FOR ROLE vellum_migrator IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO vellum_app;
