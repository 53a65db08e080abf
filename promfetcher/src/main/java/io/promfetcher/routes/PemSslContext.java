package io.promfetcher.routes;

import io.promfetcher.tls.PemPrivateKey;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
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
 * stores). Private keys are read by {@link PemPrivateKey}, the gateway's one reader of PKCS#8,
 * PKCS#1 RSA and SEC1 EC keys, shared with the scrape client's mutual TLS.
 *
 * <p>The server's certificate is also checked against the host name it was reached by (as HTTPS
 * does): jnats does not ask for that itself, and without it any certificate of the same CA, say
 * another component's, would pass for the NATS server.
 */
public final class PemSslContext {
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
        try {
            return PemPrivateKey.read(file, "nats.tls.key_file");
        } catch (IllegalArgumentException e) {
            if (e.getCause() instanceof IOException unreadable) {
                throw unreadable; // as for the certificate files: the I/O error says what is wrong
            }
            throw new GeneralSecurityException(e.getMessage(), e);
        }
    }

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

    private static KeyStore emptyStore() throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        return store;
    }

}
