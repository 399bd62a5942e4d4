package io.switchboard.control.impl.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigFileFormatTest {
    @Test
    void cfgFilesAreJavaPropertiesWithStringValues() throws Exception {
        Map<String, Object> p = read("io.switchboard.frontend-web.cfg",
                "# comment\naddress = 127.0.0.1\nport=8080\nendpoints = a=127.0.0.1:1, \\\n  b=127.0.0.1:2\nvia = caf\\u00e9\n");
        assertEquals(Map.of("address", "127.0.0.1", "port", "8080", "endpoints", "a=127.0.0.1:1, b=127.0.0.1:2", "via", "café"), p);
    }

    @Test
    void cfgFilesInXml() throws Exception {
        assertEquals(Map.of("port", "8080"), read("a.cfg", "<?xml version=\"1.0\"?>\n<!DOCTYPE properties SYSTEM "
                + "\"http://java.sun.com/dtd/properties.dtd\">\n<properties><entry key=\"port\">8080</entry></properties>\n"));
    }

    @Test
    void configFilesAreFelixTypedPropertiesOrJson() throws Exception {
        Map<String, Object> typed = read("a.config", "port=I\"8080\"\ncluster=\"web\"\nendpoints=[\"a\",\"b\"]\n");
        assertEquals(8080, typed.get("port"));
        assertEquals("web", typed.get("cluster"));
        assertArrayEquals(new String[] {"a", "b"}, (String[]) typed.get("endpoints"));
        assertEquals(Map.of("port", 8080L), read("a.config", "\n  {\"port\": 8080}"));
    }

    @Test
    void jsonFilesMustBeUtf8AndStrict() {
        assertEquals("line 1 column 2: Unexpected character ('p' (code 112)): was expecting double-quote to start field name",
                assertThrows(ConfigSyntaxError.class, () -> read("a.json", "{port: 1}")).getMessage());
        assertEquals("not UTF-8 text", assertThrows(ConfigSyntaxError.class,
                () -> ConfigFileFormat.read("a.json", new byte[] {'{', '"', (byte) 0xff, '"', ':', '1', '}'})).getMessage());
    }

    @Test
    void aBrokenEscapeInACfgFileIsRejected() {
        assertThrows(ConfigSyntaxError.class, () -> read("a.cfg", "via = \\u12zz\n"));
    }

    private static Map<String, Object> read(String name, String text) throws ConfigSyntaxError {
        return ConfigFileFormat.read(name, text.getBytes(StandardCharsets.ISO_8859_1.newEncoder().canEncode(text)
                ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8));
    }
}
