package io.promfetcher.tls;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an unencrypted PEM private key in any of the three forms Cloud Foundry tooling produces:
 * PKCS#8 ({@code BEGIN PRIVATE KEY}), PKCS#1 RSA ({@code BEGIN RSA PRIVATE KEY}, what CredHub
 * generates) and SEC1 EC ({@code BEGIN EC PRIVATE KEY}). The JDK reads only PKCS#8, so the other
 * two are wrapped into PKCS#8 first (a fixed DER envelope, no parsing of the key itself beyond
 * the EC curve name).
 */
public final class PemPrivateKey {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z ]*PRIVATE KEY)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");
    private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86,
            (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
    private static final byte[] EC_PUBLIC_KEY_OID = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};

    private PemPrivateKey() {}

    /** The key in {@code file}; {@link IllegalArgumentException} naming {@code key} when it cannot be used. */
    public static PrivateKey read(Path file, String key) {
        String pem;
        try {
            pem = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException(key + " " + file + " cannot be read: " + e.getMessage(), e);
        }
        if (pem.contains("Proc-Type: 4,ENCRYPTED")) {
            throw new IllegalArgumentException(key + " " + file + " holds an encrypted key, which is not supported:"
                    + " decrypt it with openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8");
        }
        Matcher m = BLOCK.matcher(pem);
        if (!m.find()) {
            throw new IllegalArgumentException(key + " " + file + " holds no unencrypted PEM private key"
                    + " (PKCS#8, PKCS#1 RSA or SEC1 EC)");
        }
        byte[] der = Base64.getMimeDecoder().decode(m.group(2));
        try {
            switch (m.group(1)) {
                case "PRIVATE KEY":
                    return pkcs8(der);
                case "RSA PRIVATE KEY":
                    return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(
                            sequence(new byte[] {0x02, 0x01, 0x00}, RSA_ALGORITHM, tlv(0x04, der))));
                case "EC PRIVATE KEY":
                    byte[] algorithm = tlv(0x30, concat(EC_PUBLIC_KEY_OID, curveOf(der)));
                    return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(
                            sequence(new byte[] {0x02, 0x01, 0x00}, algorithm, tlv(0x04, der))));
                default:
                    throw new IllegalArgumentException(key + " " + file + " holds an " + m.group(1)
                            + ", which is not supported: use an unencrypted PKCS#8, PKCS#1 RSA or SEC1 EC key");
            }
        } catch (GeneralSecurityException | RuntimeException e) {
            if (e instanceof IllegalArgumentException iae && iae.getMessage() != null && iae.getMessage().startsWith(key)) {
                throw iae;
            }
            throw new IllegalArgumentException(key + " " + file + " holds a private key that cannot be decoded: " + e, e);
        }
    }

    private static PrivateKey pkcs8(byte[] der) throws GeneralSecurityException {
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "EdDSA"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException notThisOne) {
                // try the next algorithm
            }
        }
        throw new GeneralSecurityException("not an RSA, EC or EdDSA PKCS#8 key");
    }

    /** The named-curve OID (as a full DER element) in the [0] parameters of a SEC1 ECPrivateKey. */
    private static byte[] curveOf(byte[] sec1) {
        int[] pos = {0};
        expect(sec1, pos, 0x30);
        int end = length(sec1, pos) + pos[0];
        while (pos[0] < end) {
            int tag = sec1[pos[0]++] & 0xff;
            int len = length(sec1, pos);
            if (tag == 0xa0) {
                if ((sec1[pos[0]] & 0xff) != 0x06) {
                    break;
                }
                return Arrays.copyOfRange(sec1, pos[0], pos[0] + len);
            }
            pos[0] += len;
        }
        throw new IllegalArgumentException("SEC1 EC key without a named curve");
    }

    private static void expect(byte[] der, int[] pos, int tag) {
        if ((der[pos[0]++] & 0xff) != tag) {
            throw new IllegalArgumentException("unexpected DER tag");
        }
    }

    private static int length(byte[] der, int[] pos) {
        int first = der[pos[0]++] & 0xff;
        if (first < 0x80) {
            return first;
        }
        int n = first & 0x7f;
        if (n > 3) {
            throw new IllegalArgumentException("DER length too large");
        }
        int len = 0;
        for (int i = 0; i < n; i++) {
            len = (len << 8) | (der[pos[0]++] & 0xff);
        }
        return len;
    }

    private static byte[] sequence(byte[]... parts) {
        return tlv(0x30, concat(parts));
    }

    private static byte[] tlv(int tag, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(value.length + 6);
        out.write(tag);
        int len = value.length;
        if (len < 0x80) {
            out.write(len);
        } else if (len < 0x100) {
            out.write(0x81);
            out.write(len);
        } else if (len < 0x10000) {
            out.write(0x82);
            out.write(len >> 8);
            out.write(len);
        } else {
            out.write(0x83);
            out.write(len >> 16);
            out.write(len >> 8);
            out.write(len);
        }
        out.writeBytes(value);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
