--liquibase formatted sql
--changeset dev:002-index
create index orders_total_idx on orders (total);
--rollback drop index orders_total_idx;
