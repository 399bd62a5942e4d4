package io.switchboard.tls.impl;

import io.switchboard.support.config.ConfigProblem;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a certificate chain and its private key from PEM files and checks that they belong
 * together. Every problem names the file and says what is wrong with it.
 */
final class PemFiles {
    private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([^-]*)-----END \\1-----");

    private PemFiles() {
    }

    /** A certificate chain and its key, as read. */
    record Loaded(X509Certificate[] chain, PrivateKey key) {
    }

    static Loaded load(TlsSettings.CertFiles files) throws ConfigProblem {
        X509Certificate[] chain = certificates(files.certKey(), files.certificate());
        PrivateKey key = privateKey(files.keyKey(), files.key());
        if (!matches(chain[0], key)) {
            throw new ConfigProblem(files.keyKey(), files.key() + ": the private key does not belong to the certificate in "
                    + files.certificate() + " (" + chain[0].getSubjectX500Principal().getName() + ")");
        }
        return new Loaded(chain, key);
    }

    static String read(String key, Path file) throws ConfigProblem {
        try {
            if (Files.isDirectory(file)) {
                throw new ConfigProblem(key, file + ": is a directory, not a PEM file");
            }
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new ConfigProblem(key, file + ": no such file");
        } catch (AccessDeniedException e) {
            throw new ConfigProblem(key, file + ": cannot be read (permission denied)");
        } catch (IOException e) {
            throw new ConfigProblem(key, file + ": cannot be read (" + e.getMessage() + ")");
        }
    }

    static X509Certificate[] certificates(String key, Path file) throws ConfigProblem {
        String text = read(key, file);
        List<X509Certificate> chain = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        try {
            CertificateFactory f = CertificateFactory.getInstance("X.509");
            while (m.find()) {
                if (m.group(1).equals("CERTIFICATE")) {
                    chain.add((X509Certificate) f.generateCertificate(new ByteArrayInputStream(der(key, file, m.group(2)))));
                }
            }
        } catch (CertificateException e) {
            throw new ConfigProblem(key, file + ": not a valid certificate (" + e.getMessage() + ")");
        }
        if (chain.isEmpty()) {
            throw new ConfigProblem(key, file + ": no PEM certificate in it (-----BEGIN CERTIFICATE-----)");
        }
        return chain.toArray(new X509Certificate[0]);
    }

    static PrivateKey privateKey(String key, Path file) throws ConfigProblem {
        String text = read(key, file);
        if (text.contains("Proc-Type: 4,ENCRYPTED")) {
            throw new ConfigProblem(key, file + ": the key is encrypted; give an unencrypted one (openssl pkcs8 -topk8 -nocrypt)");
        }
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            String type = m.group(1);
            switch (type) {
                case "PRIVATE KEY":
                    return pkcs8(key, file, der(key, file, m.group(2)));
                case "RSA PRIVATE KEY":
                    return pkcs8(key, file, rsaToPkcs8(der(key, file, m.group(2))));
                case "ENCRYPTED PRIVATE KEY":
                    throw new ConfigProblem(key, file + ": the key is encrypted; give an unencrypted one (openssl pkcs8 -topk8 -nocrypt)");
                case "EC PRIVATE KEY":
                    throw new ConfigProblem(key, file + ": SEC1 EC key; convert it to PKCS#8 (openssl pkcs8 -topk8 -nocrypt)");
                default:
                    break; // e.g. EC PARAMETERS before the key
            }
        }
        throw new ConfigProblem(key, file + ": no PEM private key in it (-----BEGIN PRIVATE KEY-----)");
    }

    private static byte[] der(String key, Path file, String base64) throws ConfigProblem {
        try {
            return Base64.getMimeDecoder().decode(base64.trim());
        } catch (IllegalArgumentException e) {
            throw new ConfigProblem(key, file + ": bad base64 in a PEM block");
        }
    }

    private static PrivateKey pkcs8(String key, Path file, byte[] der) throws ConfigProblem {
        for (String alg : new String[] {"RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS"}) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // not this algorithm
            }
        }
        throw new ConfigProblem(key, file + ": not a private key this server can use (RSA, EC, Ed25519)");
    }

    /** A PKCS#1 RSAPrivateKey wrapped in a PKCS#8 PrivateKeyInfo. */
    private static byte[] rsaToPkcs8(byte[] pkcs1) {
        byte[] algorithm = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
        byte[] version = {0x02, 0x01, 0x00};
        byte[] octets = tlv(0x04, pkcs1);
        byte[] body = new byte[version.length + algorithm.length + octets.length];
        System.arraycopy(version, 0, body, 0, version.length);
        System.arraycopy(algorithm, 0, body, version.length, algorithm.length);
        System.arraycopy(octets, 0, body, version.length + algorithm.length, octets.length);
        return tlv(0x30, body);
    }

    private static byte[] tlv(int tag, byte[] value) {
        int n = value.length;
        byte[] len = n < 0x80 ? new byte[] {(byte) n}
                : n < 0x100 ? new byte[] {(byte) 0x81, (byte) n}
                : n < 0x10000 ? new byte[] {(byte) 0x82, (byte) (n >> 8), (byte) n}
                : new byte[] {(byte) 0x83, (byte) (n >> 16), (byte) (n >> 8), (byte) n};
        byte[] out = new byte[1 + len.length + n];
        out[0] = (byte) tag;
        System.arraycopy(len, 0, out, 1, len.length);
        System.arraycopy(value, 0, out, 1 + len.length, n);
        return out;
    }

    /** Whether the key signs what the certificate's public key verifies. */
    static boolean matches(X509Certificate cert, PrivateKey key) {
        String alg = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            case "Ed448" -> "Ed448";
            default -> null;
        };
        if (alg == null) {
            return true; // nothing to check with: the handshake will tell
        }
        try {
            byte[] probe = "switchboard key check".getBytes(StandardCharsets.US_ASCII);
            Signature s = Signature.getInstance(alg);
            s.initSign(key);
            s.update(probe);
            byte[] signature = s.sign();
            Signature v = Signature.getInstance(alg);
            v.initVerify(cert.getPublicKey());
            v.update(probe);
            return v.verify(signature);
        } catch (GeneralSecurityException e) {
            return false; // e.g. an EC key with an RSA certificate
        }
    }
}
