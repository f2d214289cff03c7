-- PostgreSQL cannot drop an enum value: rebuild the type without it.
ALTER TYPE order_status RENAME TO order_status_old;
CREATE TYPE order_status AS ENUM ('new', 'paid');
ALTER TABLE orders ALTER COLUMN status DROP DEFAULT;
ALTER TABLE orders ALTER COLUMN status TYPE order_status USING status::text::order_status;
ALTER TABLE orders ALTER COLUMN status SET DEFAULT 'new';
DROP TYPE order_status_old;
