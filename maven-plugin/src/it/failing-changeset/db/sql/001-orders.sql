--liquibase formatted sql
--changeset dev:001-orders
create table orders (id bigint primary key, customer_id bigint not null);
--rollback drop table orders;
