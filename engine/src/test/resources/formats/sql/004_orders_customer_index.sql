-- Built without locking out writes; PostgreSQL refuses this inside a transaction.
CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);
