package io.switchboard.control.impl.config;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Properties;
import org.apache.felix.cm.file.ConfigurationHandler;

/**
 * Turns a configuration file's bytes into Config Admin properties, by the kind of file, the way
 * FileInstall reads them: {@code .cfg} as Java properties (every value a string; XML properties when
 * the file starts with '<'), {@code .config} in Felix's typed format, and JSON ({@code .json}, or a
 * {@code .config} whose text is a JSON object).
 */
final class ConfigFileFormat {
    private ConfigFileFormat() {
    }

    static Hashtable<String, Object> read(String fileName, byte[] content) throws ConfigSyntaxError {
        if (fileName.endsWith(".json") || (fileName.endsWith(".config") && looksLikeJson(content))) {
            return new Hashtable<>(JsonConfigParser.parse(utf8(content)));
        }
        if (fileName.endsWith(".config")) {
            return typed(content);
        }
        return properties(content);
    }

    private static boolean looksLikeJson(byte[] content) {
        String text = new String(content, StandardCharsets.UTF_8).stripLeading();
        return text.startsWith("{") || text.startsWith("\uFEFF{");
    }

    private static String utf8(byte[] content) throws ConfigSyntaxError {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(content)).toString();
        } catch (CharacterCodingException e) {
            throw new ConfigSyntaxError("not UTF-8 text");
        }
    }

    /** Java properties, ISO-8859-1 with \\u escapes, as FileInstall reads them by default. */
    private static Hashtable<String, Object> properties(byte[] content) throws ConfigSyntaxError {
        Properties p = new Properties();
        try {
            if (content.length > 0 && content[0] == '<') {
                p.loadFromXML(new ByteArrayInputStream(content));
            } else {
                p.load(new ByteArrayInputStream(content));
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigSyntaxError(String.valueOf(e.getMessage()));
        }
        Hashtable<String, Object> props = new Hashtable<>();
        for (String key : p.stringPropertyNames()) {
            props.put(key, p.getProperty(key));
        }
        return props;
    }

    /** Felix's typed format: {@code key = "text"}, {@code port = I"8080"}, {@code list = ["a", "b"]}. */
    private static Hashtable<String, Object> typed(byte[] content) throws ConfigSyntaxError {
        Dictionary<?, ?> d;
        try {
            d = ConfigurationHandler.read(new ByteArrayInputStream(content));
        } catch (IOException e) {
            throw new ConfigSyntaxError(String.valueOf(e.getMessage()));
        }
        Hashtable<String, Object> props = new Hashtable<>();
        for (Object key : Collections.list(d.keys())) {
            props.put(key.toString(), d.get(key));
        }
        return props;
    }
}
