package io.promfetcher.routes;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away CA, a server certificate for 127.0.0.1/localhost and a client certificate, made with
 * the real {@code openssl} in a folder, all PEM as BOSH hands them out. Keys are PKCS#8; the client
 * key is also written as PKCS#1 ({@code client-rsa.key}), and an EC SEC1 key is made ({@code ec.key}).
 */
record TestCertificates(Path dir) {
    Path ca() {
        return dir.resolve("ca.pem");
    }

    Path serverCert() {
        return dir.resolve("server.pem");
    }

    Path serverKey() {
        return dir.resolve("server.key");
    }

    /** A server certificate of the same CA for another host name only. */
    Path elsewhereCert() {
        return dir.resolve("elsewhere.pem");
    }

    Path elsewhereKey() {
        return dir.resolve("elsewhere.key");
    }

    Path clientCert() {
        return dir.resolve("client.pem");
    }

    Path clientKey() {
        return dir.resolve("client.key");
    }

    Path clientKeyPkcs1() {
        return dir.resolve("client-rsa.key");
    }

    Path ecKey() {
        return dir.resolve("ec.key");
    }

    Path ecCert() {
        return dir.resolve("ec.pem");
    }

    static TestCertificates create(Path dir) throws Exception {
        Files.writeString(dir.resolve("server.ext"),
                "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
        Files.writeString(dir.resolve("client.ext"), "extendedKeyUsage=clientAuth\n");
        openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
                "-days", "2", "-subj", "/CN=promfetcher test CA");
        signed(dir, "server", "localhost", "rsa:2048");
        Files.writeString(dir.resolve("elsewhere.ext"), "subjectAltName=DNS:nats.elsewhere.example\nextendedKeyUsage=serverAuth\n");
        signed(dir, "elsewhere", "nats.elsewhere.example", "rsa:2048");
        signed(dir, "client", "promfetcher", "rsa:2048");
        openssl(dir, "rsa", "-in", "client.key", "-traditional", "-out", "client-rsa.key");
        openssl(dir, "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ec.key");
        openssl(dir, "req", "-new", "-key", "ec.key", "-out", "ec.csr", "-subj", "/CN=promfetcher-ec");
        openssl(dir, "x509", "-req", "-in", "ec.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", "ec.pem", "-days", "2", "-extfile", "client.ext");
        return new TestCertificates(dir);
    }

    private static void signed(Path dir, String name, String cn, String key) throws Exception {
        openssl(dir, "req", "-newkey", key, "-nodes", "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/CN=" + cn);
        openssl(dir, "x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", name + ".pem", "-days", "2", "-extfile", name + ".ext");
    }

    private static void openssl(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(command + " failed: " + new String(out, StandardCharsets.UTF_8));
        }
    }
}
