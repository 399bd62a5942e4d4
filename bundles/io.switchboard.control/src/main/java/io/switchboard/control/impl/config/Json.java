package io.switchboard.control.impl.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict reader for configuration files in JSON: one object whose values are strings, numbers,
 * booleans, or arrays of those. Errors name the line and column.
 */
public final class Json {
    private final String text;
    private int pos;

    private Json(String text) {
        this.text = text;
    }

    /** Thrown for text that is not a configuration object. */
    public static final class SyntaxError extends Exception {
        private static final long serialVersionUID = 1L;

        SyntaxError(String message) {
            super(message);
        }
    }

    public static Map<String, Object> parseObject(String text) throws SyntaxError {
        Json p = new Json(text);
        p.skipSpace();
        if (p.pos < text.length() && text.charAt(p.pos) == '\uFEFF') {
            p.pos++;
            p.skipSpace();
        }
        Map<String, Object> m = p.object();
        p.skipSpace();
        if (p.pos != text.length()) {
            throw p.error("unexpected text after the closing '}'");
        }
        return m;
    }

    private Map<String, Object> object() throws SyntaxError {
        expect('{');
        Map<String, Object> m = new LinkedHashMap<>();
        skipSpace();
        if (peek() == '}') {
            pos++;
            return m;
        }
        while (true) {
            skipSpace();
            if (peek() != '"') {
                throw error("expected a key in double quotes");
            }
            int keyAt = pos;
            String key = string();
            if (m.containsKey(key)) {
                pos = keyAt;
                throw error("duplicate key '" + key + "'");
            }
            skipSpace();
            expect(':');
            skipSpace();
            m.put(key, value(true));
            skipSpace();
            char c = peek();
            if (c == ',') {
                pos++;
            } else if (c == '}') {
                pos++;
                return m;
            } else {
                throw error("expected ',' or '}'");
            }
        }
    }

    private Object value(boolean arrayAllowed) throws SyntaxError {
        char c = peek();
        if (c == '"') {
            return string();
        }
        if (c == '[' && arrayAllowed) {
            return array();
        }
        if (c == '-' || (c >= '0' && c <= '9')) {
            return number();
        }
        if (text.startsWith("true", pos)) {
            pos += 4;
            return Boolean.TRUE;
        }
        if (text.startsWith("false", pos)) {
            pos += 5;
            return Boolean.FALSE;
        }
        if (text.startsWith("null", pos)) {
            throw error("null is not a configuration value (leave the key out)");
        }
        throw error(arrayAllowed ? "expected a value" : "expected a string, number or boolean");
    }

    private String[] array() throws SyntaxError {
        expect('[');
        List<String> items = new ArrayList<>();
        skipSpace();
        if (peek() == ']') {
            pos++;
            return new String[0];
        }
        while (true) {
            skipSpace();
            items.add(String.valueOf(value(false)));
            skipSpace();
            char c = peek();
            if (c == ',') {
                pos++;
            } else if (c == ']') {
                pos++;
                return items.toArray(new String[0]);
            } else {
                throw error("expected ',' or ']'");
            }
        }
    }

    private Object number() throws SyntaxError {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        while (pos < text.length() && "0123456789.eE+-".indexOf(text.charAt(pos)) >= 0) {
            pos++;
        }
        String n = text.substring(start, pos);
        try {
            if (n.matches("-?(0|[1-9][0-9]*)")) {
                return Long.parseLong(n);
            }
            if (n.matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?")) {
                return Double.parseDouble(n);
            }
        } catch (NumberFormatException e) {
            // fall through to the error below
        }
        pos = start;
        throw error("'" + n + "' is not a number");
    }

    private String string() throws SyntaxError {
        expect('"');
        StringBuilder sb = new StringBuilder();
        while (pos < text.length()) {
            char c = text.charAt(pos++);
            if (c == '"') {
                return sb.toString();
            }
            if (c == '\n') {
                pos--;
                throw error("line break inside a string");
            }
            if (c == '\\') {
                if (pos >= text.length()) {
                    break;
                }
                char e = text.charAt(pos++);
                switch (e) {
                    case '"': sb.append('"'); break;
                    case '\\': sb.append('\\'); break;
                    case '/': sb.append('/'); break;
                    case 'n': sb.append('\n'); break;
                    case 't': sb.append('\t'); break;
                    case 'r': sb.append('\r'); break;
                    case 'b': sb.append('\b'); break;
                    case 'f': sb.append('\f'); break;
                    case 'u':
                        if (pos + 4 > text.length()) {
                            throw error("short \\u escape");
                        }
                        try {
                            sb.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                        } catch (NumberFormatException ex) {
                            throw error("bad \\u escape");
                        }
                        pos += 4;
                        break;
                    default:
                        pos--;
                        throw error("bad escape '\\" + e + "'");
                }
            } else {
                sb.append(c);
            }
        }
        throw error("string not closed");
    }

    private void expect(char c) throws SyntaxError {
        if (peek() != c) {
            throw error("expected '" + c + "'");
        }
        pos++;
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private void skipSpace() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    private SyntaxError error(String what) {
        int line = 1;
        int col = 1;
        for (int i = 0; i < pos && i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        String at = pos >= text.length() ? "end of file" : "line " + line + " column " + col;
        return new SyntaxError(at + ": " + what);
    }
}
