package io.promfetcher;

import io.promfetcher.testkit.PostgresServer;
import org.junit.jupiter.api.AfterAll;

/** The broker's OSB API on a real PostgreSQL, as several gateways share it in production. */
class OsbApiPostgresIT extends OsbApiContract {
    private PostgresServer postgres;
    private String url;

    @Override
    String[] database() {
        if (postgres == null) {
            postgres = new PostgresServer().startReady();
            url = postgres.createDatabase("broker");
        }
        return new String[] {url, PostgresServer.USER, PostgresServer.PASSWORD};
    }

    @AfterAll
    void stopPostgres() {
        stopGateway();
        if (postgres != null) {
            postgres.close();
        }
    }
}
