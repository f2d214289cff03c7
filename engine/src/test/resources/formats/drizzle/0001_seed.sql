/* Seed data. A semicolon in a comment; ends nothing, /* nor in a nested one; */ */
INSERT INTO customer (email) VALUES (E'ada@example.com'), ('bob;the@example.com');
--> statement-breakpoint
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM customer WHERE email = 'ada@example.com') THEN
        RAISE EXCEPTION 'seed missing; stop';
    END IF;
    INSERT INTO orders (customer_id, total) SELECT id, 10.50 FROM customer WHERE email = 'ada@example.com';
END
$$;
--> statement-breakpoint
CREATE TABLE note (id serial PRIMARY KEY, body text NOT NULL);
--> statement-breakpoint
INSERT INTO note (body) VALUES (E'line one;\nline two with \'quote\'; done'), ('it''s; fine'), ($q$dollar; 'quoted'$q$);
