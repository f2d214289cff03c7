DROP VIEW customer_orders;
ALTER TABLE orders DROP COLUMN shipped_at;
