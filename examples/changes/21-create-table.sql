CREATE TABLE coupons (
    code       text PRIMARY KEY,
    percent    integer NOT NULL CHECK (percent BETWEEN 1 AND 100),
    created_by bigint REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now()
);
