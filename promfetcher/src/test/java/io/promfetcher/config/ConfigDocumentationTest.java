package io.promfetcher.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Keeps the README's configuration table and the example file in step with {@link Keys}. */
class ConfigDocumentationTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    @Test
    void theReadmeDocumentsEveryKeyWithItsVariableAndDefault() throws Exception {
        String readme = Files.readString(REPO.resolve("README.md"));
        for (Key<?> key : Keys.ALL) {
            String row = readme.lines().filter(l -> l.startsWith("| `" + key.name() + "` |")).findFirst()
                    .orElseThrow(() -> new AssertionError("README has no row for " + key.name()));
            assertThat(row).contains("`" + key.environmentVariable() + "`");
            if (!key.formattedDefault().isEmpty() && !key.type().secret()) {
                assertThat(row).as(key.name()).contains("`" + key.formattedDefault() + "`");
            }
        }
    }

    @Test
    void theExampleFileSetsEveryKeyToItsDefaultAndLoads() throws Exception {
        Path example = REPO.resolve("docs/promfetcher.example.yml");
        GatewayConfig fromExample = ConfigLoader.load(Optional.of(example), Map.of());
        GatewayConfig defaults = GatewayConfig.defaults();
        for (Key<?> key : Keys.ALL) {
            assertThat(fromExample.origin(key)).as(key.name() + " is set in the example").startsWith("file ");
            assertThat((Object) fromExample.get(key)).as(key.name()).isEqualTo(defaults.get(key));
        }
    }
}
