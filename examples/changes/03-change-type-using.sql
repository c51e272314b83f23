-- Turn free-text order status into an enum; old code still writes text until the swap.
-- bellows:down status::text
ALTER TABLE orders ALTER COLUMN status TYPE order_state USING status::order_state;
