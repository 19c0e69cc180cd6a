package dev.vellum.spi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RecordTableTest {

    @Test
    void aFeedTriggerCopiesEveryColumnInSchemaOrder() {
        assertThat(RecordTable.selectList()).isEqualTo("id, fields, metadata, version, created_at, updated_at");
        assertThat(RecordTable.changeValues("NEW", false))
                .isEqualTo("NEW.id, NEW.fields, NEW.metadata, NEW.version, NEW.created_at, NEW.updated_at");
    }

    @Test
    void aDeletionKeepsTheIdAndTheVersionAfterTheLast() {
        assertThat(RecordTable.changeValues("OLD", true)).isEqualTo("OLD.id, NULL, NULL, OLD.version + 1, NULL, NULL");
    }

    @Test
    void longNamesAreShortenedToTheIdentifierLimitAndStayDistinct() {
        String a = RecordTable.name("x".repeat(100) + "a");
        String b = RecordTable.name("x".repeat(100) + "b");
        assertThat(a).hasSizeLessThanOrEqualTo(63).isNotEqualTo(b);
        assertThat(RecordTable.name("notes")).isEqualTo("vc_notes");
    }
}
