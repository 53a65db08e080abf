package io.promfetcher.routes;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Builds a TLS client context from PEM files, the form BOSH and cf-deployment hand out (no Java key
 * stores). Private keys may be PKCS#8, PKCS#1 RSA or SEC1 EC; the last two are re-wrapped as PKCS#8
 * with a few bytes of DER so the JDK's {@link KeyFactory} can read them. Encrypted keys are refused
 * with a message saying how to convert them.
 *
 * <p>The server's certificate is also checked against the host name it was reached by (as HTTPS
 * does): jnats does not ask for that itself, and without it any certificate of the same CA, say
 * another component's, would pass for the NATS server.
 */
public final class PemSslContext {
    private static final byte[] RSA_ALGORITHM = hex("300d06092a864886f70d0101010500");
    private static final byte[] EC_PUBLIC_KEY_OID = hex("06072a8648ce3d0201");
    private static final char[] NO_PASSWORD = new char[0];

    private PemSslContext() {}

    /**
     * @param caFile   CA certificates to trust; empty: the JDK's default trust store
     * @param certFile client certificate chain, with {@code keyFile}; empty: no client certificate
     */
    public static SSLContext create(Optional<Path> caFile, Optional<Path> certFile, Optional<Path> keyFile)
            throws IOException, GeneralSecurityException {
        KeyStore trusted = null; // null: the JDK's default trust store
        if (caFile.isPresent()) {
            trusted = emptyStore();
            int i = 0;
            for (Certificate ca : readCertificates(caFile.get())) {
                trusted.setCertificateEntry("ca-" + i++, ca);
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trusted);
        TrustManager[] trust = tmf.getTrustManagers();
        for (int i = 0; i < trust.length; i++) {
            if (trust[i] instanceof X509ExtendedTrustManager extended) {
                trust[i] = new HostnameVerifying(extended);
            }
        }
        KeyManager[] keys = null;
        if (certFile.isPresent() && keyFile.isPresent()) {
            List<Certificate> chain = readCertificates(certFile.get());
            KeyStore store = emptyStore();
            store.setKeyEntry("client", readPrivateKey(keyFile.get()), NO_PASSWORD, chain.toArray(new Certificate[0]));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, NO_PASSWORD);
            keys = kmf.getKeyManagers();
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys, trust, null);
        return context;
    }

    /** Every {@code CERTIFICATE} block of a PEM file, in order. */
    static List<Certificate> readCertificates(Path file) throws IOException, GeneralSecurityException {
        String pem = Files.readString(file, StandardCharsets.US_ASCII);
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        List<Certificate> certificates = new ArrayList<>();
        int from = 0;
        while (true) {
            Optional<Block> block = block(pem, "CERTIFICATE", from);
            if (block.isEmpty()) {
                break;
            }
            certificates.add(factory.generateCertificate(new ByteArrayInputStream(block.get().der())));
            from = block.get().end();
        }
        if (certificates.isEmpty()) {
            throw new GeneralSecurityException(file + ": no PEM CERTIFICATE block");
        }
        return certificates;
    }

    /** The private key of a PEM file: PKCS#8, PKCS#1 (RSA) or SEC1 (EC), unencrypted. */
    static PrivateKey readPrivateKey(Path file) throws IOException, GeneralSecurityException {
        String pem = Files.readString(file, StandardCharsets.US_ASCII);
        if (pem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") || pem.contains("Proc-Type: 4,ENCRYPTED")) {
            throw new GeneralSecurityException(file + ": encrypted private keys are not supported;"
                    + " decrypt it: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8");
        }
        byte[] pkcs8;
        Optional<Block> block;
        if ((block = block(pem, "PRIVATE KEY", 0)).isPresent()) {
            pkcs8 = block.get().der();
        } else if ((block = block(pem, "RSA PRIVATE KEY", 0)).isPresent()) {
            pkcs8 = der(0x30, hex("020100"), RSA_ALGORITHM, der(0x04, block.get().der()));
        } else if ((block = block(pem, "EC PRIVATE KEY", 0)).isPresent()) {
            byte[] sec1 = block.get().der();
            byte[] curve = sec1Curve(sec1).orElseThrow(() -> new GeneralSecurityException(
                    file + ": EC key without curve parameters; convert it: openssl pkcs8 -topk8 -nocrypt"));
            pkcs8 = der(0x30, hex("020100"), der(0x30, EC_PUBLIC_KEY_OID, curve), der(0x04, sec1));
        } else {
            throw new GeneralSecurityException(file + ": no PEM PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY block");
        }
        GeneralSecurityException last = null;
        for (String algorithm : List.of("RSA", "EC", "Ed25519", "Ed448")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw new GeneralSecurityException(file + ": unsupported private key (RSA, EC, Ed25519 expected)", last);
    }

    /** Turns on HTTPS-style host name verification for each handshake before delegating. */
    private static final class HostnameVerifying extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager delegate;

        HostnameVerifying(X509ExtendedTrustManager delegate) {
            this.delegate = delegate;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            if (socket instanceof SSLSocket ssl) {
                SSLParameters parameters = ssl.getSSLParameters();
                if (parameters.getEndpointIdentificationAlgorithm() == null) {
                    parameters.setEndpointIdentificationAlgorithm("HTTPS");
                    ssl.setSSLParameters(parameters);
                }
            }
            delegate.checkServerTrusted(chain, authType, socket);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            if (engine != null) {
                SSLParameters parameters = engine.getSSLParameters();
                if (parameters.getEndpointIdentificationAlgorithm() == null) {
                    parameters.setEndpointIdentificationAlgorithm("HTTPS");
                    engine.setSSLParameters(parameters);
                }
            }
            delegate.checkServerTrusted(chain, authType, engine);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("server certificate check without a connection: host name unknown");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            delegate.checkClientTrusted(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            delegate.checkClientTrusted(chain, authType, engine);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            delegate.checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return delegate.getAcceptedIssuers();
        }
    }

    private record Block(byte[] der, int end) {}

    private static Optional<Block> block(String pem, String type, int from) throws GeneralSecurityException {
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int start = pem.indexOf(begin, from);
        if (start < 0) {
            return Optional.empty();
        }
        int stop = pem.indexOf(end, start);
        if (stop < 0) {
            throw new GeneralSecurityException("PEM " + type + " block without its END line");
        }
        String body = pem.substring(start + begin.length(), stop).replaceAll("\\s", "");
        try {
            return Optional.of(new Block(Base64.getDecoder().decode(body), stop + end.length()));
        } catch (IllegalArgumentException e) {
            throw new GeneralSecurityException("PEM " + type + " block is not valid base64", e);
        }
    }

    /** The curve OID (a whole DER TLV) in the [0] parameters of a SEC1 ECPrivateKey. */
    private static Optional<byte[]> sec1Curve(byte[] sec1) {
        int[] outer = tlv(sec1, 0);
        int pos = outer[1];
        while (pos < outer[2]) {
            int[] element = tlv(sec1, pos);
            if ((sec1[pos] & 0xff) == 0xa0) {
                int[] oid = tlv(sec1, element[1]);
                byte[] copy = new byte[oid[2] - element[1]];
                System.arraycopy(sec1, element[1], copy, 0, copy.length);
                return Optional.of(copy);
            }
            pos = element[2];
        }
        return Optional.empty();
    }

    /** {tag, content start, content end} of the DER element at {@code pos}. */
    private static int[] tlv(byte[] der, int pos) {
        int tag = der[pos] & 0xff;
        int length = der[pos + 1] & 0xff;
        int start = pos + 2;
        if (length > 0x80) {
            int octets = length & 0x7f;
            length = 0;
            for (int i = 0; i < octets; i++) {
                length = (length << 8) | (der[start++] & 0xff);
            }
        }
        return new int[] {tag, start, start + length};
    }

    private static byte[] der(int tag, byte[]... parts) {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            content.writeBytes(part);
        }
        int length = content.size();
        ByteArrayOutputStream out = new ByteArrayOutputStream(length + 6);
        out.write(tag);
        if (length < 0x80) {
            out.write(length);
        } else if (length < 0x100) {
            out.write(0x81);
            out.write(length);
        } else if (length < 0x10000) {
            out.write(0x82);
            out.write(length >> 8);
            out.write(length);
        } else {
            out.write(0x83);
            out.write(length >> 16);
            out.write(length >> 8);
            out.write(length);
        }
        out.writeBytes(content.toByteArray());
        return out.toByteArray();
    }

    private static KeyStore emptyStore() throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        return store;
    }

    private static byte[] hex(String s) {
        byte[] bytes = new byte[s.length() / 2];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return bytes;
    }
}
