--liquibase formatted sql
--changeset dev:002-index
create index orders_customer on orders (customer_id);
--rollback drop index orders_customer;
