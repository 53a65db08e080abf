package io.promfetcher.tls;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemPrivateKeyTest {
    @TempDir
    Path dir;

    private Path file(String content) throws Exception {
        Path f = dir.resolve("key.pem");
        Files.writeString(f, content);
        return f;
    }

    @Test
    void aFileWithoutAKeyIsRefusedNamingTheSetting() throws Exception {
        Path f = file("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
        assertThatThrownBy(() -> PemPrivateKey.read(f, "scrape.tls.key_file"))
                .hasMessageStartingWith("scrape.tls.key_file " + f)
                .hasMessageContaining("holds no unencrypted PEM private key");
    }

    @Test
    void anEncryptedKeyIsRefusedSayingSo() throws Exception {
        Path f = file("-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n");
        assertThatThrownBy(() -> PemPrivateKey.read(f, "scrape.tls.key_file"))
                .hasMessageContaining("ENCRYPTED PRIVATE KEY, which is not supported");
    }

    @Test
    void aCorruptKeyIsRefusedWithoutAStackOfNonsense() throws Exception {
        Path f = file("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
        assertThatThrownBy(() -> PemPrivateKey.read(f, "scrape.tls.key_file"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot be decoded");
        Path ec = file("-----BEGIN EC PRIVATE KEY-----\nMAA=\n-----END EC PRIVATE KEY-----\n");
        assertThatThrownBy(() -> PemPrivateKey.read(ec, "scrape.tls.key_file"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot be decoded");
    }

    @Test
    void aMissingFileIsRefused() {
        assertThatThrownBy(() -> PemPrivateKey.read(dir.resolve("absent.pem"), "scrape.tls.key_file"))
                .hasMessageContaining("cannot be read");
    }
}
