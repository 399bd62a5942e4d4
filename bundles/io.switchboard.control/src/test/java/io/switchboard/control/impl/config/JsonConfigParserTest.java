package io.switchboard.control.impl.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonConfigParserTest {
    @Test
    void readsAConfigurationObject() throws Exception {
        Map<String, Object> m = JsonConfigParser.parse("\uFEFF{\n \"port\": 8081,\n \"cluster\": \"api\",\n \"on\": true,\n"
                + " \"endpoints\": [\"a=127.0.0.1:1\", \"127.0.0.1:2\"], \"ratio\": 0.5, \"s\": \"q\\\"\\u0041\", \"mixed\": [1, 0.5, false] }");
        assertEquals(8081L, m.get("port"));
        assertEquals("api", m.get("cluster"));
        assertEquals(Boolean.TRUE, m.get("on"));
        assertArrayEquals(new String[] {"a=127.0.0.1:1", "127.0.0.1:2"}, (String[]) m.get("endpoints"));
        assertEquals(0.5, m.get("ratio"));
        assertEquals("q\"A", m.get("s"));
        assertArrayEquals(new String[] {"1", "0.5", "false"}, (String[]) m.get("mixed"));
        assertEquals(List.of("port", "cluster", "on", "endpoints", "ratio", "s", "mixed"), List.copyOf(m.keySet()));
    }

    @Test
    void syntaxErrorsNameLineAndColumn() {
        assertEquals("line 1 column 12: Unexpected character ('\"' (code 34)): was expecting comma to separate Object entries",
                error("{\"port\": 1 \"cluster\": \"demo\"}"));
        assertEquals("line 2 column 9: Unexpected character ('8' (code 56)): was expecting a colon to separate field name and value",
                error("{\n \"port\" 8081 }"));
        assertEquals("line 2 column 7: Unexpected end-of-input: expected close marker for Object opened at line 1 column 1",
                error("{\n\"a\": 1"));
        assertEquals("line 1 column 10: Non-standard token 'NaN'", error("{\"a\": NaN}"));
    }

    @Test
    void theRulesOfAConfigurationObjectNameWhereTheyAreBroken() {
        assertEquals("line 3 column 2: duplicate key 'a'", error("{\n \"a\": 1,\n \"a\": 2}"));
        assertEquals("line 1 column 7: null is not a configuration value (leave the key out)", error("{\"a\": null}"));
        assertEquals("line 1 column 7: an object is not a configuration value (strings, numbers, booleans and arrays of those are)",
                error("{\"a\": {\"b\": 1}}"));
        assertEquals("line 1 column 8: an array inside an array is not a configuration value", error("{\"a\": [[1]]}"));
        assertEquals("line 1 column 11: null is not a configuration value (leave the key out)", error("{\"a\": [1, null]}"));
        assertEquals("line 1 column 1: expected a JSON object: '{'", error("[]"));
        assertEquals("line 1 column 10: unexpected text after the closing '}'", error("{\"a\": 1} {\"b\": 2}"));
        assertEquals("line 1 column 7: '99999999999999999999' is too large a number", error("{\"a\": 99999999999999999999}"));
    }

    @Test
    void rejectsWhatIsNotStrictJson() {
        for (String bad : new String[] {"", "   ", "{\"a\": 1} x", "{a: 1}", "{'a': 1}", "{\"a\": 01}", "{\"a\": \"x\ny\"}",
                "{\"a\": 1,}", "{\"a\": [1,]}", "{\"a\": 1} // c", "{\"a\": tru}", "{\"a\": \"\\q\"}"}) {
            ConfigSyntaxError e = assertThrows(ConfigSyntaxError.class, () -> JsonConfigParser.parse(bad), bad);
            assertEquals(true, e.getMessage().matches("line \\d+ column \\d+: .+"), e.getMessage());
        }
    }

    private static String error(String text) {
        return assertThrows(ConfigSyntaxError.class, () -> JsonConfigParser.parse(text), text).getMessage();
    }
}
