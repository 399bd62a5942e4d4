package io.switchboard.webconsole.impl;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The console password, kept only as what checks it: a SHA-256 digest, in the Web Console's own
 * notation {@code {sha-256}BASE64} so that an operator can hand in either the password or its digest
 * ({@code printf %s secret | openssl dgst -sha256 -binary | base64}).
 */
final class ConsolePassword {
    static final String PREFIX = "{sha-256}";

    private final byte[] digest;

    private ConsolePassword(byte[] digest) {
        this.digest = digest;
    }

    /** From an operator's setting: a digest in {@code {sha-256}BASE64} notation, or the password itself. */
    static ConsolePassword of(String setting) {
        if (setting.startsWith(PREFIX)) {
            byte[] d = Base64.getDecoder().decode(setting.substring(PREFIX.length()).trim());
            if (d.length != 32) {
                throw new IllegalArgumentException("a {sha-256} password digest is 32 bytes, not " + d.length);
            }
            return new ConsolePassword(d);
        }
        if (setting.isEmpty()) {
            throw new IllegalArgumentException("the password is empty");
        }
        return new ConsolePassword(sha256(setting));
    }

    /** A fresh random password (18 random bytes, 24 characters of URL-safe Base64). */
    static String generate() {
        byte[] b = new byte[18];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    boolean matches(String password) {
        return password != null && MessageDigest.isEqual(digest, sha256(password));
    }

    /** The digest in {@code {sha-256}BASE64} notation: what is stored, never the password. */
    String notation() {
        return PREFIX + Base64.getEncoder().encodeToString(digest);
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
