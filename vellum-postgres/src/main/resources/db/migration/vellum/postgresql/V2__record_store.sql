-- Index definitions of record collections (the indexes themselves are expression indexes on each collection table).
CREATE TABLE vellum_indexes (
    collection TEXT NOT NULL,
    name       TEXT NOT NULL,
    paths      JSONB NOT NULL,
    is_unique  BOOLEAN NOT NULL,
    PRIMARY KEY (collection, name)
);

-- The canonical text of a JSON value, identical to dev.vellum.JsonValues.canonical: object keys in code-point
-- order, no spaces, numbers without trailing zeros. Sorting arrays and objects uses it on every backend.
CREATE FUNCTION vellum_canon(j jsonb) RETURNS text
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    result text;
BEGIN
    CASE jsonb_typeof(j)
        WHEN 'object' THEN
            SELECT '{' || COALESCE(string_agg(to_jsonb(e.key)::text || ':' || vellum_canon(e.value), ','
                       ORDER BY e.key COLLATE "C"), '') || '}'
              INTO result FROM jsonb_each(j) AS e;
        WHEN 'array' THEN
            SELECT '[' || COALESCE(string_agg(vellum_canon(a.value), ',' ORDER BY a.n), '') || ']'
              INTO result FROM jsonb_array_elements(j) WITH ORDINALITY AS a(value, n);
        WHEN 'number' THEN
            result := CASE WHEN j::numeric = 0 THEN '0' ELSE trim_scale(j::numeric)::text END;
        ELSE
            result := j::text;
    END CASE;
    RETURN result;
END $$;

-- RFC 7386 JSON merge patch (SQLite has json_patch built in).
CREATE FUNCTION vellum_merge_patch(target jsonb, patch jsonb) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    k text;
    v jsonb;
BEGIN
    IF patch IS NULL OR jsonb_typeof(patch) <> 'object' THEN
        RETURN patch;
    END IF;
    IF target IS NULL OR jsonb_typeof(target) <> 'object' THEN
        target := '{}'::jsonb;
    END IF;
    FOR k, v IN SELECT * FROM jsonb_each(patch) LOOP
        IF jsonb_typeof(v) = 'null' THEN
            target := target - k;
        ELSE
            target := jsonb_set(target, ARRAY[k], vellum_merge_patch(target -> k, v), true);
        END IF;
    END LOOP;
    RETURN target;
END $$;
