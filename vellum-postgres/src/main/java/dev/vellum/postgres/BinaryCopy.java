package dev.vellum.postgres;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vellum.internal.JsonValues;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import org.postgresql.copy.CopyIn;

/**
 * Rows in COPY's binary format: Jackson writes each JSON document's UTF-8 bytes straight into the buffer (jsonb's
 * binary form is its text after a version byte), so no String is built and nothing is escaped, and the server reads
 * numbers and timestamps without parsing text.
 */
final class BinaryCopy extends ByteArrayOutputStream {
    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0};
    private static final byte[] EMPTY_OBJECT = {1, '{', '}'};
    /** PostgreSQL counts timestamps in microseconds from 2000-01-01T00:00:00Z. */
    private static final long EPOCH_2000_SECONDS = 946_684_800L;

    private static final int FLUSH_AT = 1 << 20;

    private final CopyIn copy;

    BinaryCopy(CopyIn copy) throws SQLException {
        super(FLUSH_AT + (64 << 10));
        this.copy = copy;
        write(SIGNATURE, 0, SIGNATURE.length);
        int32(0); // flags
        int32(0); // header extension length
    }

    void row(int fields) {
        int16(fields);
    }

    void text(String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        int32(bytes.length);
        write(bytes, 0, bytes.length);
    }

    void jsonb(JsonNode value) {
        if (value.isEmpty() && value.isObject()) {
            int32(EMPTY_OBJECT.length);
            write(EMPTY_OBJECT, 0, EMPTY_OBJECT.length);
            return;
        }
        int lengthAt = count;
        int32(0);
        write(1);
        try {
            JsonValues.WRITER.writeValue(this, value);
        } catch (IOException e) {
            throw new IllegalStateException(e); // writing into memory
        }
        int length = count - lengthAt - 4;
        buf[lengthAt] = (byte) (length >>> 24);
        buf[lengthAt + 1] = (byte) (length >>> 16);
        buf[lengthAt + 2] = (byte) (length >>> 8);
        buf[lengthAt + 3] = (byte) length;
    }

    void int8(long value) {
        int32(8);
        int64(value);
    }

    void timestamptz(Instant value) {
        int32(8);
        int64((value.getEpochSecond() - EPOCH_2000_SECONDS) * 1_000_000L + value.getNano() / 1_000);
    }

    /** Sends the buffer once it is large enough (COPY data is one byte stream: a row may span two sends). */
    void flushIfFull() throws SQLException {
        if (count >= FLUSH_AT) {
            send();
        }
    }

    /** The trailer, the last bytes, and the end of the COPY. */
    void finish() throws SQLException {
        int16(-1);
        send();
        copy.endCopy();
    }

    private void send() throws SQLException {
        copy.writeToCopy(buf, 0, count);
        reset();
    }

    private void int16(int value) {
        write(value >>> 8);
        write(value);
    }

    private void int32(int value) {
        write(value >>> 24);
        write(value >>> 16);
        write(value >>> 8);
        write(value);
    }

    private void int64(long value) {
        int32((int) (value >>> 32));
        int32((int) value);
    }
}
