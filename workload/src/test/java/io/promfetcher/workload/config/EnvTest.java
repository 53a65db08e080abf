package io.promfetcher.workload.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.promfetcher.workload.redis.AgeingMode;
import io.promfetcher.workload.redis.RedisAddress;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvTest {
    private static Env env(String name, String value) {
        return Env.of(Map.of(name, value));
    }

    @Test
    void unsetOrBlankGivesTheDefault() {
        assertThat(Env.of(Map.of()).integer("PORT", 8080, 0, 65535)).isEqualTo(8080);
        assertThat(env("PORT", "  ").integer("PORT", 8080, 0, 65535)).isEqualTo(8080);
    }

    @Test
    void durationsAcceptUnitsAndBareSeconds() {
        Duration max = Duration.ofDays(1);
        assertThat(env("T", "500ms").duration("T", Duration.ZERO, Duration.ZERO, max)).isEqualTo(Duration.ofMillis(500));
        assertThat(env("T", "3s").duration("T", Duration.ZERO, Duration.ZERO, max)).isEqualTo(Duration.ofSeconds(3));
        assertThat(env("T", "3600").duration("T", Duration.ZERO, Duration.ZERO, max)).isEqualTo(Duration.ofHours(1));
        assertThat(env("T", "5m").duration("T", Duration.ZERO, Duration.ZERO, max)).isEqualTo(Duration.ofMinutes(5));
        assertThat(env("T", "1h").duration("T", Duration.ZERO, Duration.ZERO, max)).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void badDurationNamesTheVariableAndTheValue() {
        assertThatThrownBy(() -> env("HOTLIST_TTL", "soon").duration("HOTLIST_TTL", Duration.ZERO, Duration.ZERO, Duration.ofDays(1)))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("HOTLIST_TTL=soon is invalid: expected a duration");
        assertThatThrownBy(() -> env("HOTLIST_TTL", "2d").duration("HOTLIST_TTL", Duration.ZERO, Duration.ZERO, Duration.ofDays(1)))
                .isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> env("HOTLIST_TTL", "99999999999999999999h").duration("HOTLIST_TTL", Duration.ZERO, Duration.ZERO, Duration.ofDays(1)))
                .isInstanceOf(ConfigException.class);
    }

    @Test
    void integerOutOfRangeOrNotANumberIsRejected() {
        assertThatThrownBy(() -> env("PORT", "70000").integer("PORT", 0, 0, 65535))
                .hasMessage("PORT=70000 is invalid: expected an integer from 0 to 65535");
        assertThatThrownBy(() -> env("PORT", "eighty").integer("PORT", 0, 0, 65535))
                .isInstanceOf(ConfigException.class);
    }

    @Test
    void choiceListsTheAllowedWords() {
        assertThat(env("HOTLIST_AGEING", "last-mention").choice("HOTLIST_AGEING", AgeingMode.SLIDING, AgeingMode.class))
                .isEqualTo(AgeingMode.LAST_MENTION);
        assertThatThrownBy(() -> env("HOTLIST_AGEING", "never").choice("HOTLIST_AGEING", AgeingMode.SLIDING, AgeingMode.class))
                .hasMessage("HOTLIST_AGEING=never is invalid: expected one of sliding, last-mention");
    }

    @Test
    void redisAddressAcceptsHostPortAndUrls() {
        assertThat(RedisAddress.from(env("R", "10.0.0.1:6380"), "R", "x:1").toString()).isEqualTo("10.0.0.1:6380");
        RedisAddress withPassword = RedisAddress.from(env("R", "redis://:s3cret@redis.local:6379"), "R", "x:1");
        assertThat(withPassword.host()).isEqualTo("redis.local");
        assertThat(withPassword.password()).hasValue("s3cret");
    }

    @Test
    void badRedisAddressIsRejected() {
        for (String bad : new String[] {"localhost", "localhost:0", "http://localhost:6379", "host:port", "redis://h:1/3"}) {
            assertThatThrownBy(() -> RedisAddress.from(env("INBOX_REDIS", bad), "INBOX_REDIS", "x:1"))
                    .as(bad)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("INBOX_REDIS=" + bad + " is invalid");
        }
    }

    @Test
    void instanceIndexComesFromVcapApplicationWhenNotGivenDirectly() {
        Env cf = Env.of(Map.of("VCAP_APPLICATION", "{\"instance_index\":4,\"application_name\":\"resolver\"}", "PORT", "8080"));
        assertThat(Instance.from("resolver", cf, 1)).isEqualTo(new Instance("resolver", 4, 8080));
        assertThat(Instance.from("resolver", cf.with("INSTANCE_INDEX", "1"), 1).index()).isEqualTo(1);
        assertThat(Instance.from("resolver", cf.with("CF_INSTANCE_INDEX", "2"), 1).index()).isEqualTo(2);
    }

    @Test
    void brokenVcapApplicationIsRejected() {
        assertThatThrownBy(() -> Instance.from("resolver", env("VCAP_APPLICATION", "{not json"), 1))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("VCAP_APPLICATION is invalid");
        assertThatThrownBy(() -> Instance.from("resolver", env("VCAP_APPLICATION", "{\"instance_index\":-1}"), 1))
                .isInstanceOf(ConfigException.class);
    }
}
