package io.promfetcher.workload.announce;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Subscription;
import io.promfetcher.testkit.NatsServer;
import io.promfetcher.workload.config.Env;
import io.promfetcher.workload.linkfarm.LinkFarm;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A workload process announces its route on a real nats-server like route-emitter, and withdraws it. */
class RouteAnnouncerIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private NatsServer nats;
    private Connection listener;

    @BeforeEach
    void start() throws Exception {
        nats = new NatsServer();
        nats.start();
        listener = Nats.connect(nats.url());
    }

    @AfterEach
    void stop() throws Exception {
        listener.close();
        nats.close();
    }

    @Test
    void processRegistersRepeatedlyAndUnregistersOnClose() throws Exception {
        Subscription registers = listener.subscribe("router.register");
        Subscription unregisters = listener.subscribe("router.unregister");
        listener.flush(Duration.ofSeconds(2));

        LinkFarm farm = LinkFarm.fromEnv(Env.of(Map.of(
                "PORT", "0", "NATS_URL", nats.url(), "ANNOUNCE_INTERVAL", "200ms", "INSTANCE_INDEX", "2")));
        farm.start();
        Message first = registers.nextMessage(Duration.ofSeconds(10));
        Message second = registers.nextMessage(Duration.ofSeconds(10));
        assertThat(first).isNotNull();
        assertThat(second).isNotNull();
        JsonNode message = JSON.readTree(first.getData());
        assertThat(message.get("host").asText()).isEqualTo("127.0.0.1");
        assertThat(message.get("port").asInt()).isEqualTo(farm.port());
        assertThat(message.get("uris").toString()).isEqualTo("[\"linkfarm.thux.local\"]");
        assertThat(message.get("private_instance_index").isTextual()).isTrue();
        assertThat(message.get("private_instance_index").asText()).isEqualTo("2");
        JsonNode tags = message.get("tags");
        assertThat(tags.get("organization_name").asText()).isEqualTo("thux");
        assertThat(tags.get("space_name").asText()).isEqualTo("local");
        assertThat(tags.get("app_name").asText()).isEqualTo("linkfarm");
        assertThat(tags.get("instance_id").asText()).isEqualTo("2");
        assertThat(tags.get("process_instance_id").asText()).isEqualTo(message.get("private_instance_id").asText());
        assertThat(tags.get("app_id").asText()).isEqualTo(message.get("app").asText());

        farm.close();
        Message gone = unregisters.nextMessage(Duration.ofSeconds(10));
        assertThat(gone).isNotNull();
        assertThat(JSON.readTree(gone.getData()).get("private_instance_id").asText())
                .isEqualTo(message.get("private_instance_id").asText());
    }

    @Test
    void announcerStartedBeforeNatsRegistersOnceNatsIsUp() throws Exception {
        try (NatsServer late = new NatsServer()) {
            RouteRegistration registration = RouteRegistration.forInstance("127.0.0.1", 8083, "thux.local", "thux", "local", "cleaner", 0);
            try (RouteAnnouncer announcer = RouteAnnouncer.start(late.url(), registration, Duration.ofMillis(200))) {
                late.start();
                try (Connection lateListener = Nats.connect(late.url())) {
                    Subscription registers = lateListener.subscribe("router.register");
                    assertThat(registers.nextMessage(Duration.ofSeconds(15))).isNotNull();
                }
            }
        }
    }

    @Test
    void routerStartTriggersAnImmediateRegister() throws Exception {
        Subscription registers = listener.subscribe("router.register");
        listener.flush(Duration.ofSeconds(2));
        RouteRegistration registration = RouteRegistration.forInstance("127.0.0.1", 8082, "thux.local", "thux", "local", "resolver", 0);
        try (RouteAnnouncer announcer = RouteAnnouncer.start(nats.url(), registration, Duration.ofMinutes(10))) {
            assertThat(registers.nextMessage(Duration.ofSeconds(10))).isNotNull(); // the first, at start
            listener.publish("router.start", "{\"id\":\"r1\",\"minimumRegisterIntervalInSeconds\":20}".getBytes(StandardCharsets.UTF_8));
            Message again = registers.nextMessage(Duration.ofSeconds(10));
            assertThat(again).isNotNull();
            assertThat(again.getData()).isEqualTo(registration.toJson());
        }
    }
}
