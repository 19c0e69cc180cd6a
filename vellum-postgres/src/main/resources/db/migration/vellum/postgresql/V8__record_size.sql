-- VELLUM_MAX_RECORD_SIZE on the writes whose result only the database sees (merge patches and field operators),
-- refused inside the UPDATE, before it commits. The size is that of compact JSON text, as Java counts inserts and
-- replaces: jsonb's text form less the space it writes after each ':' and ',', counted only near the limit.

CREATE FUNCTION vellum_guard_size(doc jsonb, max_bytes bigint, record_id text) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
DECLARE
    size bigint := octet_length(doc::text);
BEGIN
    IF size > max_bytes THEN
        size := size - (SELECT coalesce(sum(CASE jsonb_typeof(v)
                WHEN 'object' THEN 2 * (SELECT count(*) FROM jsonb_object_keys(v)) - 1
                ELSE jsonb_array_length(v) - 1 END), 0)
            FROM jsonb_path_query(doc, 'strict $.**') AS v
            WHERE jsonb_typeof(v) IN ('object', 'array') AND v <> '{}' AND v <> '[]');
        IF size > max_bytes THEN
            RAISE EXCEPTION USING ERRCODE = 'VLU02', MESSAGE = 'vellum_record_too_large ' || size || ' ' || max_bytes
                || ' ' || length(record_id) || ':' || record_id;
        END IF;
    END IF;
    RETURN doc;
END
$$;
