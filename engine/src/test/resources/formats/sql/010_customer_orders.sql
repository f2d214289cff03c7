-- Needs note (migration 2): applied in string order (10 before 2) it would fail.
ALTER TABLE orders ADD COLUMN shipped_at timestamptz;
CREATE VIEW customer_orders AS
    SELECT c.email, order_count(c.id) AS orders, (SELECT count(*) FROM note) AS notes
    FROM customer c;
