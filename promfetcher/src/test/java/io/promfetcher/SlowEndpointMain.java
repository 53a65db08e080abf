package io.promfetcher;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.promfetcher.api.Reply;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The real gateway process with one extra endpoint, {@code /test/slow?ms=N}, that answers after
 * N milliseconds: lifecycle tests need a request that is reliably in flight when a signal lands.
 */
public final class SlowEndpointMain {
    private SlowEndpointMain() {}

    public static void main(String[] args) {
        System.exit(Main.run(args, System.getenv(), router -> router.exact("/test/slow", "slow", request -> {
            long ms = Long.parseLong(request.queryParameter("ms").orElse("2000"));
            return CompletableFuture.supplyAsync(() -> Reply.text(HttpResponseStatus.OK, "slow request done after " + ms + " ms"),
                    CompletableFuture.delayedExecutor(ms, TimeUnit.MILLISECONDS));
        })));
    }
}
