package io.promfetcher.workload.source;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A minimal WebSocket server speaking Jetstream's side of the protocol for tests: each connection
 * gets the next scripted batch of text messages, then a close frame. It records every request
 * line, so a test can see the cursor a reconnecting client sent.
 */
final class LocalJetstream implements AutoCloseable {
    private static final String WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private final ServerSocket server;
    private final List<List<String>> batches;
    final List<String> requestLines = new CopyOnWriteArrayList<>();
    private final Thread thread;

    LocalJetstream(List<List<String>> batches) throws IOException {
        this.server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        this.batches = batches;
        this.thread = new Thread(this::serve, "local-jetstream");
        thread.setDaemon(true);
        thread.start();
    }

    String url() {
        return "ws://127.0.0.1:" + server.getLocalPort() + "/subscribe?wantedCollections=app.bsky.feed.post";
    }

    private void serve() {
        int connection = 0;
        while (!server.isClosed()) {
            try (Socket socket = server.accept()) {
                List<String> batch = connection < batches.size() ? batches.get(connection) : List.of();
                connection++;
                handshake(socket);
                OutputStream out = socket.getOutputStream();
                for (String message : batch) {
                    frame(out, 0x1, message.getBytes(StandardCharsets.UTF_8));
                }
                if (connection <= batches.size()) {
                    frame(out, 0x8, new byte[] {0x03, (byte) 0xE8}); // close, 1000 normal
                    out.flush();
                    Thread.sleep(200);
                } else {
                    Thread.sleep(60_000); // the last connection stays open and quiet
                }
            } catch (IOException | InterruptedException e) {
                return;
            }
        }
    }

    private void handshake(Socket socket) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
        requestLines.add(in.readLine());
        String key = null;
        for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
            if (line.toLowerCase().startsWith("sec-websocket-key:")) {
                key = line.substring(line.indexOf(':') + 1).trim();
            }
        }
        String accept;
        try {
            accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                    .digest((key + WEBSOCKET_GUID).getBytes(StandardCharsets.ISO_8859_1)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        socket.getOutputStream().write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
    }

    /** One unmasked frame (servers never mask), FIN set. */
    private static void frame(OutputStream out, int opcode, byte[] payload) throws IOException {
        out.write(0x80 | opcode);
        if (payload.length < 126) {
            out.write(payload.length);
        } else if (payload.length < 65536) {
            out.write(126);
            out.write(payload.length >>> 8);
            out.write(payload.length & 0xFF);
        } else {
            out.write(127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) ((long) payload.length >>> shift) & 0xFF);
            }
        }
        out.write(payload);
    }

    @Override
    public void close() throws IOException {
        server.close();
        thread.interrupt();
    }
}
