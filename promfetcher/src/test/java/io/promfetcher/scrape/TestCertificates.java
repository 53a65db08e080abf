package io.promfetcher.scrape;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * Certificates made for one test run with the openssl CLI, the way a CF foundation has them: a CA,
 * an instance certificate whose only name is the instance GUID (server_cert_domain_san), a client
 * certificate for mutual TLS, and a second, unrelated CA.
 */
public final class TestCertificates {
    public static final String INSTANCE_SAN = "41653aa4-3a3a-486a-4431-ef258b39f042";

    final Path dir;
    public final Path caPem;
    final Path otherCaPem;
    final Path instanceCert;
    final Path instanceKey;
    final Path clientCert;
    final Path clientKey;
    /** The same client key in SEC1 form ("BEGIN EC PRIVATE KEY"). */
    final Path clientKeySec1;
    /** A second client certificate whose key is PKCS#1 RSA ("BEGIN RSA PRIVATE KEY", as CredHub writes it). */
    final Path rsaClientCert;
    final Path rsaClientKey;

    private TestCertificates(Path dir) {
        this.dir = dir;
        this.caPem = dir.resolve("ca.pem");
        this.otherCaPem = dir.resolve("other-ca.pem");
        this.instanceCert = dir.resolve("instance.pem");
        this.instanceKey = dir.resolve("instance.key");
        this.clientCert = dir.resolve("client.pem");
        this.clientKey = dir.resolve("client.key");
        this.clientKeySec1 = dir.resolve("client-sec1.key");
        this.rsaClientCert = dir.resolve("rsa-client.pem");
        this.rsaClientKey = dir.resolve("rsa-client.key");
    }

    public static TestCertificates generate(Path dir) throws IOException, InterruptedException {
        TestCertificates c = new TestCertificates(dir);
        c.ca("ca", "test-ca");
        c.ca("other-ca", "other-ca");
        c.leaf("instance", "instance", "subjectAltName=DNS:" + INSTANCE_SAN + "\nextendedKeyUsage=serverAuth\n");
        c.leaf("client", "promfetcher-client", "extendedKeyUsage=clientAuth\n");
        c.openssl("pkey", "-in", "client.key", "-traditional", "-out", "client-sec1.key");
        c.openssl("genrsa", "-traditional", "-out", "rsa-client.key", "2048");
        c.signed("rsa-client", "promfetcher-rsa-client", "extendedKeyUsage=clientAuth\n");
        return c;
    }

    private void ca(String name, String cn) throws IOException, InterruptedException {
        key(name);
        openssl("req", "-x509", "-new", "-key", name + ".key", "-subj", "/CN=" + cn, "-days", "2",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
                "-out", name + ".pem");
    }

    private void leaf(String name, String cn, String extensions) throws IOException, InterruptedException {
        key(name);
        signed(name, cn, extensions);
    }

    private void signed(String name, String cn, String extensions) throws IOException, InterruptedException {
        openssl("req", "-new", "-key", name + ".key", "-subj", "/CN=" + cn, "-out", name + ".csr");
        Files.writeString(dir.resolve(name + ".ext"), "basicConstraints=CA:FALSE\n" + extensions);
        openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-days", "2", "-extfile", name + ".ext", "-out", name + ".pem");
    }

    private void key(String name) throws IOException, InterruptedException {
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", name + ".key");
    }

    private void openssl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("openssl " + String.join(" ", args) + " failed: " + output);
        }
    }

    /** A server socket factory presenting the instance certificate; trusts the CA for client certificates. */
    public SSLSocketFactory instanceSocketFactory() throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("instance", privateKey(instanceKey), new char[0],
                new Certificate[] {certificate(instanceCert), certificate(caPem)});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, new char[0]);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", certificate(caPem));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return context.getSocketFactory();
    }

    private static Certificate certificate(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    private static PrivateKey privateKey(Path pem) throws Exception {
        String base64 = Files.readString(pem).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
    }

    static String subject(Certificate certificate) {
        return ((java.security.cert.X509Certificate) certificate).getSubjectX500Principal().getName();
    }

    static Certificate read(Path pem) throws Exception {
        return CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(Files.readAllBytes(pem)));
    }
}
