package io.switchboard.control.impl.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void readsAConfigurationObject() throws Exception {
        Map<String, Object> m = Json.parseObject("{\n \"port\": 8081,\n \"cluster\": \"api\",\n \"on\": true,\n"
                + " \"endpoints\": [\"a=127.0.0.1:1\", \"127.0.0.1:2\"], \"ratio\": 0.5, \"s\": \"q\\\"\\u0041\" }");
        assertEquals(8081L, m.get("port"));
        assertEquals("api", m.get("cluster"));
        assertEquals(Boolean.TRUE, m.get("on"));
        assertArrayEquals(new String[] {"a=127.0.0.1:1", "127.0.0.1:2"}, (String[]) m.get("endpoints"));
        assertEquals(0.5, m.get("ratio"));
        assertEquals("q\"A", m.get("s"));
    }

    @Test
    void syntaxErrorsNameLineAndColumn() {
        assertEquals("line 2 column 9: expected ':'",
                assertThrows(Json.SyntaxError.class, () -> Json.parseObject("{\n \"port\" 8081 }")).getMessage());
        assertEquals("line 1 column 9: expected ',' or '}'",
                assertThrows(Json.SyntaxError.class, () -> Json.parseObject("{\"a\": 1 \"b\": 2}")).getMessage());
        assertEquals("end of file: expected ',' or '}'",
                assertThrows(Json.SyntaxError.class, () -> Json.parseObject("{\"a\": 1")).getMessage());
    }

    @Test
    void rejectsWhatIsNotAFlatConfigurationObject() {
        for (String bad : new String[] {"", "[]", "{\"a\": null}", "{\"a\": {\"b\": 1}}", "{\"a\": [[1]]}",
                "{\"a\": 1} x", "{\"a\": 1, \"a\": 2}", "{a: 1}", "{\"a\": 01}", "{\"a\": \"x\ny\"}"}) {
            assertThrows(Json.SyntaxError.class, () -> Json.parseObject(bad), bad);
        }
    }
}
