package io.promfetcher.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Debian's real {@code chromium}, headless, driven over the DevTools protocol on one page: load a
 * URL, run JavaScript in it, take a screenshot at a given viewport. Started with the flags CI
 * machines need ({@code --headless --no-sandbox --disable-gpu --disable-background-networking})
 * and a user-data folder of its own, removed on {@link #close()}. Only the JDK's WebSocket and
 * Jackson: no WebDriver.
 */
public final class Chromium implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final List<Consumer<JsonNode>> listeners = new CopyOnWriteArrayList<>();

    private Chromium(Process process, Path profile, WebSocket socket) {
        this.process = process;
        this.profile = profile;
        this.socket = socket;
    }

    /** Starts the browser with one blank page and connects to that page. */
    public static Chromium start() throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory("testkit-chromium-");
        Process process = new ProcessBuilder("chromium", "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--no-first-run", "--user-data-dir=" + profile,
                "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "about:blank")
                .redirectErrorStream(true)
                .redirectOutput(profile.resolve("chromium.log").toFile())
                .start();
        try {
            Path portFile = profile.resolve("DevToolsActivePort");
            long deadline = System.nanoTime() + PATIENCE.toNanos();
            while (!Files.exists(portFile) || Files.readAllLines(portFile).isEmpty()) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IOException("chromium did not start: " + Files.readString(profile.resolve("chromium.log")));
                }
                Thread.sleep(50);
            }
            int port = Integer.parseInt(Files.readAllLines(portFile).get(0).trim());
            HttpClient http = HttpClient.newHttpClient();
            String pageSocket = null;
            while (pageSocket == null) {
                JsonNode targets = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list")).build(),
                        HttpResponse.BodyHandlers.ofString()).body());
                for (JsonNode target : targets) {
                    if (target.path("type").asText().equals("page")) {
                        pageSocket = target.path("webSocketDebuggerUrl").asText();
                    }
                }
                if (pageSocket == null) {
                    if (System.nanoTime() > deadline) {
                        throw new IOException("chromium has no page to drive");
                    }
                    Thread.sleep(50);
                }
            }
            Chromium[] self = new Chromium[1];
            WebSocket socket = http.newWebSocketBuilder().buildAsync(URI.create(pageSocket), new WebSocket.Listener() {
                private final StringBuilder message = new StringBuilder();

                @Override
                public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                    message.append(data);
                    if (last) {
                        String text = message.toString();
                        message.setLength(0);
                        while (self[0] == null) {
                            Thread.onSpinWait();
                        }
                        self[0].received(text);
                    }
                    webSocket.request(1);
                    return null;
                }
            }).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            self[0] = new Chromium(process, profile, socket);
            self[0].call("Page.enable", Map.of());
            self[0].call("Network.enable", Map.of());
            self[0].call("Runtime.enable", Map.of());
            return self[0];
        } catch (IOException | InterruptedException | RuntimeException e) {
            process.destroyForcibly();
            throw e;
        } catch (Exception e) {
            process.destroyForcibly();
            throw new IOException("cannot drive chromium", e);
        }
    }

    private void received(String text) {
        try {
            JsonNode message = JSON.readTree(text);
            if (message.has("id")) {
                CompletableFuture<JsonNode> call = pending.remove(message.get("id").asInt());
                if (call != null) {
                    if (message.has("error")) {
                        call.completeExceptionally(new IllegalStateException("DevTools: " + message.get("error")));
                    } else {
                        call.complete(message.path("result"));
                    }
                }
            } else {
                listeners.forEach(l -> l.accept(message));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One DevTools command; its result. */
    public JsonNode call(String method, Map<String, ?> params) {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> result = new CompletableFuture<>();
        pending.put(id, result);
        ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
        message.set("params", JSON.valueToTree(params));
        socket.sendText(message.toString(), true).join();
        try {
            return result.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(method + " failed", e);
        }
    }

    /** Headers sent with every request of the page from now on (e.g. {@code Authorization}). */
    public void sendHeaders(Map<String, String> headers) {
        call("Network.setExtraHTTPHeaders", Map.of("headers", headers));
    }

    /** Loads {@code url} and waits for its load event; returns the HTTP status of the document. */
    public int load(String url) {
        return awaitNavigation(() -> call("Page.navigate", Map.of("url", url)));
    }

    /** Runs {@code action} (a click on a link, say) and waits for the page it leads to; returns its HTTP status. */
    public int awaitNavigation(Runnable action) {
        CompletableFuture<Void> loaded = new CompletableFuture<>();
        CompletableFuture<Integer> status = new CompletableFuture<>();
        Consumer<JsonNode> listener = event -> {
            String method = event.path("method").asText();
            if (method.equals("Network.responseReceived") && event.path("params").path("type").asText().equals("Document")) {
                status.complete(event.path("params").path("response").path("status").asInt());
            } else if (method.equals("Page.loadEventFired")) {
                loaded.complete(null);
            }
        };
        listeners.add(listener);
        try {
            action.run();
            loaded.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            return status.getNow(0);
        } catch (Exception e) {
            throw new IllegalStateException("the page did not load", e);
        } finally {
            listeners.remove(listener);
        }
    }

    /** The value of a JavaScript expression in the page (promises are awaited), as JSON. */
    public JsonNode eval(String expression) {
        JsonNode result = call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true, "awaitPromise", true));
        if (result.has("exceptionDetails")) {
            throw new IllegalStateException("JavaScript failed: " + result.get("exceptionDetails"));
        }
        return result.path("result").path("value");
    }

    /** The page's visible text. */
    public String text() {
        return eval("document.body.innerText").asText();
    }

    /** Sets the viewport, as a screen of that size would (mobile: a phone's touch screen and scale). */
    public void viewport(int width, int height, boolean mobile) {
        call("Emulation.setDeviceMetricsOverride", Map.of("width", width, "height", height,
                "deviceScaleFactor", 1, "mobile", mobile));
    }

    /** A PNG of the whole page (beyond the viewport) written to {@code file}. */
    public Path screenshot(Path file) throws IOException {
        JsonNode shot = call("Page.captureScreenshot", Map.of("format", "png", "captureBeyondViewport", true));
        Files.createDirectories(file.getParent());
        Files.write(file, Base64.getDecoder().decode(shot.path("data").asText()));
        return file;
    }

    @Override
    public void close() throws IOException {
        socket.abort();
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Path> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(profile)) {
            walk.sorted(Comparator.reverseOrder()).forEach(files::add);
        }
        for (Path f : files) {
            try {
                Files.deleteIfExists(f);
            } catch (IOException stillInUse) {
                // a last crash report written while it stopped: the temporary folder goes with the machine
            }
        }
    }
}
