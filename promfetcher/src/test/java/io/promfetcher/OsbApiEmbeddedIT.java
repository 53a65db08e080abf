package io.promfetcher;

import java.nio.file.Files;
import java.nio.file.Path;

/** The broker's OSB API on the embedded H2 file, the default for a single gateway. */
class OsbApiEmbeddedIT extends OsbApiContract {
    private Path dir;

    @Override
    String[] database() throws Exception {
        if (dir == null) {
            dir = Files.createTempDirectory("broker-h2-");
        }
        return new String[] {"jdbc:h2:file:" + dir.resolve("promfetcher-broker"), "", ""};
    }
}
