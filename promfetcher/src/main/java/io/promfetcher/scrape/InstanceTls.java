package io.promfetcher.scrape;

import io.promfetcher.tls.PemPrivateKey;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * TLS towards instances with a {@code tls_port}: one client context (CA, optional client
 * certificate for mutual TLS), and per connection an engine that verifies the certificate against
 * the instance's {@code server_cert_domain_san}, never against its IP, as gorouter does.
 */
final class InstanceTls {
    private final SslContext context;

    InstanceTls(ScrapeSettings settings) {
        try {
            SslContextBuilder builder = SslContextBuilder.forClient().endpointIdentificationAlgorithm("HTTPS");
            if (!settings.tlsCaFile().isEmpty()) {
                builder.trustManager(readable(settings.tlsCaFile(), "scrape.tls.ca_file"));
            }
            if (!settings.tlsCertFile().isEmpty()) {
                builder.keyManager(PemPrivateKey.read(readable(settings.tlsKeyFile(), "scrape.tls.key_file").toPath(),
                        "scrape.tls.key_file"), certificates(readable(settings.tlsCertFile(), "scrape.tls.cert_file")));
            }
            context = builder.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("scrape TLS settings are unusable: " + message(e), e);
        }
    }

    /** A handler for one connection; the SAN is both the name verified and the SNI sent. */
    SslHandler newHandler(ByteBufAllocator alloc, String san, int port) {
        SSLEngine engine = context.newEngine(alloc, san, port);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        try {
            // The JDK sends SNI only for names with a dot; CF SANs are instance GUIDs, so set it.
            parameters.setServerNames(List.of(new SNIHostName(san)));
        } catch (IllegalArgumentException notAHostName) {
            // No SNI then; the certificate is still checked against the SAN.
        }
        engine.setSSLParameters(parameters);
        SslHandler handler = new SslHandler(engine);
        handler.setHandshakeTimeoutMillis(0); // the scrape's own timer bounds the handshake
        return handler;
    }

    /** The certificate chain in a PEM file, leaf first. */
    private static X509Certificate[] certificates(File pem) {
        try (InputStream in = new FileInputStream(pem)) {
            X509Certificate[] chain = CertificateFactory.getInstance("X.509").generateCertificates(in).stream()
                    .map(X509Certificate.class::cast).toArray(X509Certificate[]::new);
            if (chain.length == 0) {
                throw new IllegalArgumentException("scrape.tls.cert_file " + pem + " holds no certificate");
            }
            return chain;
        } catch (IOException | CertificateException e) {
            throw new IllegalArgumentException("scrape.tls.cert_file " + pem + " holds no readable PEM certificate: "
                    + e.getMessage(), e);
        }
    }

    private static File readable(String path, String key) {
        File file = new File(path);
        if (!file.canRead()) {
            throw new IllegalArgumentException(key + " " + path + " cannot be read");
        }
        return file;
    }

    private static String message(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return root == e || root.getMessage() == null ? text : text + " (" + root.getMessage() + ")";
    }
}
