package io.switchboard.agent.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class JsonWriterTest {

    @Test
    void writesOneFlatObjectLeavingOutWhatIsUnknown() {
        String json = new JsonWriter()
                .field("host", "a\"b\\c\n\u0001")
                .field("clients", 3)
                .field("missing", (Integer) null)
                .field("cpu", 12.34567)
                .field("nan", Double.NaN)
                .field("big", 123456789012L)
                .field("whole", 2.0)
                .end();
        assertEquals("{\"host\":\"a\\\"b\\\\c\\n\\u0001\",\"clients\":3,\"cpu\":12.346,\"big\":123456789012,\"whole\":2}", json);
        assertEquals("{}", new JsonWriter().end());
    }
}
