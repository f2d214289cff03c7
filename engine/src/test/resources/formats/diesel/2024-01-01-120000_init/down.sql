DROP FUNCTION order_count(bigint);
DROP TRIGGER customer_touch ON customer;
DROP FUNCTION touch_updated_at();
DROP TABLE orders;
DROP TABLE customer;
DROP TYPE order_status;
