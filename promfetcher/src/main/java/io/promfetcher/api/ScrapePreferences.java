package io.promfetcher.api;

import io.promfetcher.scrape.MetricPath;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * What apps have said about being scraped, by app GUID: the path of their metrics endpoint, and
 * whether they want to be scraped at all (an app that does not is left out of {@code /v1/sd}).
 * Said through a service-broker binding or an annotation on the app in the Cloud Controller; an
 * explicit {@code metric_path} in the request wins over both, and with nothing said the gateway
 * scrapes {@link MetricPath#DEFAULT}.
 *
 * <p>Implementations answer from memory (they refresh in the background): these are called on
 * the event loop, once per app of every request.
 */
public interface ScrapePreferences {
    /**
     * One thing an app said.
     *
     * @param source who said it, in words an operator recognises ("service binding",
     *               "annotation prometheus.io/path"), for logs and explanations
     */
    record Preference<T>(T value, String source) {
        public Preference {
            Objects.requireNonNull(value, "value");
            Objects.requireNonNull(source, "source");
        }
    }

    /** Nobody has said anything. */
    ScrapePreferences NONE = new ScrapePreferences() {
        @Override
        public Optional<Preference<MetricPath>> metricPath(String appGuid) {
            return Optional.empty();
        }

        @Override
        public Optional<Preference<Boolean>> scrape(String appGuid) {
            return Optional.empty();
        }
    };

    /** The app's own metrics path, already validated like {@code metric_path}. */
    Optional<Preference<MetricPath>> metricPath(String appGuid);

    /** Whether the app wants to be scraped; empty when it has not said. */
    Optional<Preference<Boolean>> scrape(String appGuid);

    /** Whether the app is to be listed for scraping: true unless it said otherwise. */
    default boolean listed(String appGuid) {
        return scrape(appGuid).map(Preference::value).orElse(true);
    }

    /** The preferences of several sources, the first that says something winning. */
    static ScrapePreferences inOrder(List<ScrapePreferences> sources) {
        List<ScrapePreferences> ordered = List.copyOf(sources);
        return new ScrapePreferences() {
            @Override
            public Optional<Preference<MetricPath>> metricPath(String appGuid) {
                return first(source -> source.metricPath(appGuid));
            }

            @Override
            public Optional<Preference<Boolean>> scrape(String appGuid) {
                return first(source -> source.scrape(appGuid));
            }

            private <T> Optional<Preference<T>> first(Function<ScrapePreferences, Optional<Preference<T>>> ask) {
                for (ScrapePreferences source : ordered) {
                    Optional<Preference<T>> said = ask.apply(source);
                    if (said.isPresent()) {
                        return said;
                    }
                }
                return Optional.empty();
            }
        };
    }
}
