-- Since PostgreSQL 12 this runs in a transaction (the new value is not used before the commit).
ALTER TYPE order_status ADD VALUE 'shipped' AFTER 'paid';
