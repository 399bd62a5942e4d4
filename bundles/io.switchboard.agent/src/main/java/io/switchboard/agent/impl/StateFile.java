package io.switchboard.agent.impl;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;

/**
 * The operator's override: a file holding agent-check tokens ({@code drain}, {@code 25%},
 * {@code 40% drain}) that replace the computed ones while it exists. Looked at on every answer but
 * read again only when its modification time, size or inode changed. A malformed file is ignored
 * with one warning per version of it; the agent goes on answering its computed tokens.
 */
final class StateFile {
    private static final int MAX_BYTES = 1024;

    private final Path path;
    private final System.Logger log;
    private Object version;
    private AgentTokens tokens;

    StateFile(Path path, System.Logger log) {
        this.path = path;
        this.log = log;
    }

    /** The tokens the file sets, or null when it does not exist or is malformed. */
    synchronized AgentTokens current() {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (IOException gone) {
            version = null;
            tokens = null;
            return null;
        }
        Object v = new Version(attrs.lastModifiedTime(), attrs.size(), attrs.fileKey());
        if (!v.equals(version)) {
            version = v;
            tokens = read(attrs.size());
        }
        return tokens;
    }

    private AgentTokens read(long size) {
        try {
            if (size > MAX_BYTES) {
                throw new IllegalArgumentException("it has " + size + " bytes, at most " + MAX_BYTES + " expected");
            }
            String text = new String(Files.readAllBytes(path), StandardCharsets.UTF_8).strip();
            if (text.contains("\n")) {
                throw new IllegalArgumentException("it has more than one line");
            }
            return AgentTokens.parse(text);
        } catch (NoSuchFileException gone) {
            return null;
        } catch (IOException | IllegalArgumentException e) {
            log.log(Level.WARNING, "state file " + path + " ignored: " + e.getMessage());
            return null;
        }
    }

    /** What tells one content of the file from the next without reading it. */
    private record Version(FileTime modified, long size, Object key) {
    }
}
