package io.promfetcher.api;

import java.util.Collection;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Whether the caller of an app endpoint may read an app's metrics, from its {@code Authorization}
 * header. {@link #OPEN} ({@code auth.mode: none}) lets everyone read everything; the Cloud Foundry
 * implementation asks the Cloud Controller with the caller's token. Implementations answer from
 * memory when they can (a cached decision completes at once) and never block the event loop.
 */
public interface CallerAuthorization {
    /** What was decided about one caller and one app. */
    enum Decision {
        /** The caller may read the app. */
        ALLOWED,
        /** No token, or one the platform does not accept: 401. */
        UNAUTHORIZED,
        /** A valid token whose holder cannot see the app: 403. */
        FORBIDDEN,
        /** Nobody could be asked (the Cloud Controller is down): 503, fail closed. */
        UNAVAILABLE
    }

    /**
     * Of the apps asked about, those the caller may see, or why none could be decided.
     *
     * @param decision {@link Decision#ALLOWED} when {@code apps} is the answer, else the refusal
     */
    record Visible(Decision decision, Set<String> apps) {
        public Visible {
            Objects.requireNonNull(decision, "decision");
            apps = Set.copyOf(apps);
        }
    }

    /** Everyone may read everything ({@code auth.mode: none}). */
    CallerAuthorization OPEN = new CallerAuthorization() {
        @Override
        public CompletionStage<Decision> app(Optional<String> authorization, String appGuid) {
            return CompletableFuture.completedFuture(Decision.ALLOWED);
        }

        @Override
        public CompletionStage<Visible> visible(Optional<String> authorization, Collection<String> appGuids) {
            return CompletableFuture.completedFuture(new Visible(Decision.ALLOWED, Set.copyOf(appGuids)));
        }

        @Override
        public boolean open() {
            return true;
        }
    };

    /** May the caller read this app's metrics? */
    CompletionStage<Decision> app(Optional<String> authorization, String appGuid);

    /** Which of these apps may the caller see ({@code /v1/sd})? */
    CompletionStage<Visible> visible(Optional<String> authorization, Collection<String> appGuids);

    /** True when nothing is checked (no caller credential is consumed by the gateway). */
    default boolean open() {
        return false;
    }
}
