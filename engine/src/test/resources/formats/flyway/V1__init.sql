-- Customers and their orders; the status type grows in a later migration.
CREATE TYPE order_status AS ENUM ('new', 'paid');

CREATE TABLE customer (
    id bigserial PRIMARY KEY,
    email text NOT NULL UNIQUE,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE orders (
    id bigserial PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customer (id),
    status order_status NOT NULL DEFAULT 'new',
    total numeric(12, 2) NOT NULL CHECK (total >= 0)
);

-- A trigger function: the semicolons in its body stay inside the $body$ quotes.
CREATE FUNCTION touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $body$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$body$;

CREATE TRIGGER customer_touch BEFORE UPDATE ON customer
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

CREATE FUNCTION order_count(p_customer bigint) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
    n bigint;
BEGIN
    SELECT count(*) INTO n FROM orders WHERE customer_id = p_customer; -- not the end of the statement
    RETURN n;
END;
$$;
