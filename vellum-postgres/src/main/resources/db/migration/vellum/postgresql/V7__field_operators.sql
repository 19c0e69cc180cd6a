-- Field operators ($set, $unset, $inc, $push, $addToSet, $pull, $min, $max) run inside one UPDATE, so concurrent
-- updates of one record each apply to the value the one before committed (an UPDATE that waited on a row lock
-- re-reads the row). The rules are FieldUpdates.apply's, which the memory backend and SQLite run in Java; the
-- conformance suite holds every backend to the same results, and a failure carries the same message (SQLSTATE VLU01).

CREATE FUNCTION vellum_type_name(v jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE jsonb_typeof(v) WHEN 'number' THEN 'a number' WHEN 'string' THEN 'a string'
        WHEN 'boolean' THEN 'a boolean' WHEN 'array' THEN 'an array' WHEN 'object' THEN 'an object' ELSE 'null' END
$$;

CREATE FUNCTION vellum_shown(t text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN char_length(t) <= 80 THEN t ELSE left(t, 80) || '… (' || char_length(t) || ' characters)' END
$$;

CREATE FUNCTION vellum_update_failed(op text, path text[], record_id text, why text) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'VLU01', MESSAGE = 'Cannot apply $' || op || ' to '''
        || vellum_shown(array_to_string(path, '.')) || ''' of record ''' || vellum_shown(record_id) || ''': '''
        || why || '. Nothing was written.';
END
$$;

-- One operator at path[depth..] of the object doc.
CREATE FUNCTION vellum_update_at(doc jsonb, op text, path text[], depth int, val jsonb, record_id text)
    RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
DECLARE
    k text := path[depth];
    cur jsonb := doc -> k;
    absent boolean := cur IS NULL OR jsonb_typeof(cur) = 'null';
    whole text := array_to_string(path, '.');
    sum numeric;
    e jsonb;
    c int;
BEGIN
    IF depth < cardinality(path) THEN
        IF absent THEN
            IF op IN ('unset', 'pull') THEN
                RETURN doc; -- nothing there to remove
            END IF;
            cur := '{}';
        ELSIF jsonb_typeof(cur) <> 'object' THEN
            IF op = 'unset' THEN
                RETURN doc;
            END IF;
            RETURN vellum_update_failed(op, path, record_id, array_to_string(path[1:depth], '.') || ''' holds '
                || vellum_type_name(cur) || ', not an object');
        END IF;
        RETURN jsonb_set(doc, ARRAY[k], vellum_update_at(cur, op, path, depth + 1, val, record_id));
    END IF;
    CASE op
    WHEN 'set' THEN
        RETURN jsonb_set(doc, ARRAY[k], val);
    WHEN 'unset' THEN
        RETURN doc - k;
    WHEN 'inc' THEN
        IF absent THEN
            RETURN jsonb_set(doc, ARRAY[k], val);
        END IF;
        IF jsonb_typeof(cur) <> 'number' THEN
            RETURN vellum_update_failed(op, path, record_id, whole || ''' holds ' || vellum_type_name(cur)
                || ', not a number');
        END IF;
        sum := cur::numeric + val::numeric;
        -- the number rules of every backend (ValueRules): a double's range, at most 100 significant digits
        IF sum <> 0 AND (abs(sum) > 1.7976931348623157e308 OR abs(sum) < 4.9e-324
                OR length(trim(BOTH '0' FROM replace(abs(sum)::text, '.', ''))) > 100) THEN
            RETURN vellum_update_failed(op, path, record_id, whole || ''' would then hold a number Vellum cannot '
                || 'store (at most 100 significant digits, a magnitude from 4.9e-324 to 1.7976931348623157e308)');
        END IF;
        RETURN jsonb_set(doc, ARRAY[k], to_jsonb(sum));
    WHEN 'push', 'addToSet', 'pull' THEN
        IF NOT absent AND jsonb_typeof(cur) <> 'array' THEN
            RETURN vellum_update_failed(op, path, record_id, whole || ''' holds ' || vellum_type_name(cur)
                || ', not an array');
        END IF;
        IF op = 'pull' THEN
            IF absent THEN
                RETURN doc;
            END IF;
            RETURN jsonb_set(doc, ARRAY[k], (SELECT coalesce(jsonb_agg(x ORDER BY i), '[]')
                FROM jsonb_array_elements(cur) WITH ORDINALITY AS t(x, i) WHERE x <> val));
        END IF;
        IF absent THEN
            cur := '[]';
        END IF;
        IF op = 'push' THEN
            RETURN jsonb_set(doc, ARRAY[k], cur || val);
        END IF;
        FOR e IN SELECT x FROM jsonb_array_elements(val) WITH ORDINALITY AS t(x, i) ORDER BY i LOOP
            IF NOT EXISTS (SELECT 1 FROM jsonb_array_elements(cur) AS t(y) WHERE y = e) THEN
                cur := cur || jsonb_build_array(e);
            END IF;
        END LOOP;
        RETURN jsonb_set(doc, ARRAY[k], cur);
    WHEN 'min', 'max' THEN
        IF absent THEN
            RETURN jsonb_set(doc, ARRAY[k], val);
        END IF;
        IF jsonb_typeof(cur) <> jsonb_typeof(val) THEN
            RETURN vellum_update_failed(op, path, record_id, whole || ''' holds ' || vellum_type_name(cur)
                || ', which $' || op || ' does not compare with ' || vellum_type_name(val));
        END IF;
        c := CASE jsonb_typeof(val)
            WHEN 'number' THEN sign(val::numeric - cur::numeric)::int
            WHEN 'boolean' THEN val::boolean::int - cur::boolean::int
            -- strings by code point, as everywhere in Vellum
            ELSE CASE WHEN (val #>> '{}') COLLATE "C" < (cur #>> '{}') COLLATE "C" THEN -1
                      WHEN (val #>> '{}') = (cur #>> '{}') THEN 0 ELSE 1 END
            END;
        IF (op = 'min' AND c < 0) OR (op = 'max' AND c > 0) THEN
            RETURN jsonb_set(doc, ARRAY[k], val);
        END IF;
        RETURN doc;
    END CASE;
END
$$;

-- The fields after the operators FieldUpdates.json() lists, applied in order.
CREATE FUNCTION vellum_update(doc jsonb, ops jsonb, record_id text) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
DECLARE
    step jsonb;
BEGIN
    FOR step IN SELECT s FROM jsonb_array_elements(ops) WITH ORDINALITY AS t(s, i) ORDER BY i LOOP
        doc := vellum_update_at(doc, step ->> 'op', ARRAY(SELECT jsonb_array_elements_text(step -> 'path')), 1,
            step -> 'value', record_id);
    END LOOP;
    RETURN doc;
END
$$;
