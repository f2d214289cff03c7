-- migrate:up transaction:false
-- Built without locking out writes; PostgreSQL refuses this inside a transaction.
CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);

-- migrate:down transaction:false
DROP INDEX CONCURRENTLY orders_customer_idx;
