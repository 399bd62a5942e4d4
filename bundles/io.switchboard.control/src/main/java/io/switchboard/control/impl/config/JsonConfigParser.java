package io.switchboard.control.impl.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a configuration file written in JSON (Jackson's streaming parser) into Config Admin
 * properties, strictly: one object whose values are strings, numbers, booleans, or arrays of those
 * (read as string arrays); no null, no nested object, no key twice. Every error names the line and
 * the column.
 */
public final class JsonConfigParser {
    /** Jackson's defaults are strict JSON already: no comments, no single quotes, no NaN, no leading zeros. */
    private static final JsonFactory JSON = JsonFactory.builder().build();

    private final JsonParser parser;

    private JsonConfigParser(JsonParser parser) {
        this.parser = parser;
    }

    public static Map<String, Object> parse(String text) throws ConfigSyntaxError {
        // A byte order mark is no JSON token, but editors write one.
        String json = text.startsWith("\uFEFF") ? text.substring(1) : text;
        try (JsonParser p = JSON.createParser(json)) {
            return new JsonConfigParser(p).document();
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw ConfigSyntaxError.at(at.getLineNr(), at.getColumnNr(), reason(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new ConfigSyntaxError("cannot read: " + e.getMessage()); // reading a String: not expected
        }
    }

    private Map<String, Object> document() throws IOException, ConfigSyntaxError {
        if (parser.nextToken() != JsonToken.START_OBJECT) {
            throw error("expected a JSON object: '{'");
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (JsonToken t = parser.nextToken(); t != JsonToken.END_OBJECT; t = parser.nextToken()) {
            String key = parser.currentName();
            if (values.containsKey(key)) {
                throw error("duplicate key '" + key + "'");
            }
            parser.nextToken();
            values.put(key, value(true));
        }
        if (parser.nextToken() != null) {
            throw error("unexpected text after the closing '}'");
        }
        return values;
    }

    private Object value(boolean arrayAllowed) throws IOException, ConfigSyntaxError {
        switch (parser.currentToken()) {
            case VALUE_STRING:
                return parser.getText();
            case VALUE_TRUE:
            case VALUE_FALSE:
                return parser.getBooleanValue();
            case VALUE_NUMBER_INT:
                if (parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                    throw error("'" + parser.getText() + "' is too large a number");
                }
                return parser.getLongValue();
            case VALUE_NUMBER_FLOAT:
                double d = parser.getDoubleValue();
                if (Double.isInfinite(d)) {
                    throw error("'" + parser.getText() + "' is too large a number");
                }
                return d;
            case VALUE_NULL:
                throw error("null is not a configuration value (leave the key out)");
            case START_ARRAY:
                if (arrayAllowed) {
                    return array();
                }
                throw error("an array inside an array is not a configuration value");
            default:
                throw error(arrayAllowed ? "an object is not a configuration value (strings, numbers, booleans and arrays of those are)"
                        : "an object inside an array is not a configuration value");
        }
    }

    private String[] array() throws IOException, ConfigSyntaxError {
        List<String> items = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            items.add(String.valueOf(value(false)));
        }
        return items.toArray(new String[0]);
    }

    /** An error at the token just read. */
    private ConfigSyntaxError error(String reason) {
        JsonLocation at = parser.currentTokenLocation();
        return ConfigSyntaxError.at(at.getLineNr(), at.getColumnNr(), reason);
    }

    /**
     * Jackson's message without what speaks to a programmer: the redacted source of a location (the
     * line and column of the object or array left open are kept) and hints at parser features.
     */
    static String reason(String message) {
        return message
                .replaceAll("\\s*\\(start marker at \\[Source: [^;\\]]*; line: (\\d+), column: (\\d+)\\]\\)", " opened at line $1 column $2")
                .replaceAll(": enable `[^`]*` to allow$", "")
                .trim();
    }
}
