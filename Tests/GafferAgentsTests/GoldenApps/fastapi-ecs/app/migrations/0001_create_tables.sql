-- Written by Gaffer: one table per entity, keyed by the id the service generates.
CREATE TABLE IF NOT EXISTS "orders" (
    "id" VARCHAR(32) PRIMARY KEY,
    "customer" TEXT NOT NULL,
    "total" DOUBLE PRECISION NOT NULL,
    "paid" BOOLEAN NOT NULL
);
CREATE TABLE IF NOT EXISTS "customers" (
    "id" VARCHAR(32) PRIMARY KEY,
    "name" TEXT NOT NULL,
    "email" TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS "line_items" (
    "id" VARCHAR(32) PRIMARY KEY,
    "order_id" TEXT NOT NULL,
    "quantity" BIGINT NOT NULL
);
