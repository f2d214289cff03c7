DROP TABLE note;
DELETE FROM orders;
DELETE FROM customer;
