package dev.vellum.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.InvalidRecordException;
import dev.vellum.QueryException;
import org.junit.jupiter.api.Test;

/** Field operators as the memory backend (the reference) applies them, and what is refused before any write. */
class FieldUpdatesTest {

    private static ObjectNode object(String json) {
        return (ObjectNode) JsonValues.parse(json);
    }

    private static String apply(String update, String fields) {
        return JsonValues.write(FieldUpdates.parse(object(update)).apply(object(fields), "r1"));
    }

    @Test
    void anUpdateIsADocumentOfOperators() {
        assertThat(FieldUpdates.isUpdate(JsonValues.parse("{\"$inc\":{\"n\":1}}")))
                .isTrue();
        assertThat(FieldUpdates.isUpdate(JsonValues.parse("{\"n\":1}"))).isFalse();
        assertThat(FieldUpdates.isUpdate(JsonValues.parse("[1]"))).isFalse();
    }

    @Test
    void operatorsApplyToTheRecordAsItIs() {
        assertThat(apply("{\"$inc\":{\"n\":2,\"m\":1.5}}", "{\"n\":1}")).isEqualTo("{\"n\":3,\"m\":1.5}");
        assertThat(apply("{\"$set\":{\"a.b\":true},\"$unset\":{\"x\":\"\"}}", "{\"x\":1}"))
                .isEqualTo("{\"a\":{\"b\":true}}");
        assertThat(apply("{\"$push\":{\"t\":\"c\"}}", "{\"t\":[\"a\"]}")).isEqualTo("{\"t\":[\"a\",\"c\"]}");
        assertThat(apply("{\"$addToSet\":{\"t\":\"a\"}}", "{\"t\":[\"a\"]}")).isEqualTo("{\"t\":[\"a\"]}");
        assertThat(apply("{\"$pull\":{\"t\":\"a\"}}", "{\"t\":[\"a\",\"b\",\"a\"]}"))
                .isEqualTo("{\"t\":[\"b\"]}");
        assertThat(apply("{\"$min\":{\"n\":1},\"$max\":{\"m\":9}}", "{\"n\":5,\"m\":5}"))
                .isEqualTo("{\"n\":1,\"m\":9}");
    }

    @Test
    void theFormSqlFunctionsReceiveReadsBackAsTheSameSteps() {
        FieldUpdates update = FieldUpdates.parse(object("{\"$inc\":{\"a.b\":1},\"$pull\":{\"t\":\"x\"}}"));
        assertThat(FieldUpdates.fromJson(update.json()).steps()).isEqualTo(update.steps());
    }

    @Test
    void decimalsStayExact() {
        assertThat(apply("{\"$inc\":{\"n\":0.1}}", "{\"n\":0.2}")).isEqualTo("{\"n\":0.3}");
    }

    @Test
    void badUpdatesAreRefusedBeforeAnyWrite() {
        assertThatThrownBy(() -> FieldUpdates.parse(object("{\"$incr\":{\"n\":1}}")))
                .isInstanceOf(QueryException.class)
                .hasMessageContaining("$incr");
        assertThatThrownBy(() -> FieldUpdates.parse(object("{\"$inc\":{\"n\":\"one\"}}")))
                .isInstanceOf(QueryException.class)
                .hasMessageContaining("needs a number");
        assertThatThrownBy(() -> FieldUpdates.parse(object("{\"$set\":{\"n\":1},\"$inc\":{\"n\":1}}")))
                .isInstanceOf(QueryException.class);
    }

    @Test
    void anOperatorThatDoesNotFitTheStoredValueSaysWhichRecord() {
        assertThatThrownBy(() -> apply("{\"$inc\":{\"n\":1}}", "{\"n\":\"text\"}"))
                .isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("$inc");
    }
}
