-- The service broker's state (io.promfetcher.broker.BindingStore). Portable SQL: the same script
-- runs on PostgreSQL (production, shared by every gateway) and on embedded H2 (one gateway).

-- Service instances the platform provisioned (cf create-service promfetcher fetch-app NAME).
CREATE TABLE broker_service_instance (
    instance_id       VARCHAR(255) NOT NULL PRIMARY KEY,
    service_id        VARCHAR(255) NOT NULL,
    plan_id           VARCHAR(255) NOT NULL,
    organization_guid VARCHAR(255),
    space_guid        VARCHAR(255),
    created_at        TIMESTAMP WITH TIME ZONE NOT NULL
);

-- Bindings: an app and what it said about being scraped. An app's newest binding (highest
-- change_version) is the one in force; endpoint and scrape are NULL when the binding did not
-- say. Deleting an instance deletes its bindings.
CREATE TABLE broker_service_binding (
    binding_id     VARCHAR(255) NOT NULL PRIMARY KEY,
    instance_id    VARCHAR(255) NOT NULL REFERENCES broker_service_instance (instance_id) ON DELETE CASCADE,
    app_guid       VARCHAR(255) NOT NULL,
    endpoint       VARCHAR(1024),
    scrape         BOOLEAN,
    change_version BIGINT NOT NULL,
    created_at     TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX broker_service_binding_app ON broker_service_binding (app_guid);
CREATE INDEX broker_service_binding_instance ON broker_service_binding (instance_id);

-- One row, one number: raised by every change to the bindings, in the change's transaction.
-- Gateways poll it (one primary-key read per broker.refresh_interval) and reload the bindings
-- when it moved. Updating it first in each write transaction also serialises the broker's
-- writes across gateways, so "newest binding" is the order in which binds were acknowledged.
CREATE TABLE broker_change (
    id      INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    version BIGINT  NOT NULL
);
INSERT INTO broker_change (id, version) VALUES (1, 0);
