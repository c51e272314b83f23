-- small.sql: a short hand-written schema for quick examples.
-- Plain CREATE TABLE style, unqualified names (resolved via search_path).

CREATE TABLE users (
    id         bigserial PRIMARY KEY,
    email      text NOT NULL UNIQUE,
    name       text,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE products (
    id    serial PRIMARY KEY,
    sku   varchar(32) NOT NULL UNIQUE,
    title text NOT NULL,
    price numeric(10,2) NOT NULL CHECK (price >= 0)
);

CREATE TABLE orders (
    id         bigserial PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users (id),
    status     text NOT NULL DEFAULT 'pending',
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE order_items (
    order_id   bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    product_id integer NOT NULL REFERENCES products (id),
    quantity   integer NOT NULL DEFAULT 1 CHECK (quantity > 0),
    PRIMARY KEY (order_id, product_id)
);

CREATE INDEX orders_user_id_idx ON orders (user_id);
CREATE INDEX users_lower_email_idx ON users (lower(email));

CREATE TYPE order_state AS ENUM ('pending', 'paid', 'shipped');

GRANT SELECT ON orders TO PUBLIC;

-- An append-only log without a primary key (to show what bellows refuses and how to fix it).
CREATE TABLE events (
    id         bigint NOT NULL,
    kind       text NOT NULL,
    payload    jsonb,
    created_at timestamptz NOT NULL DEFAULT now()
);
