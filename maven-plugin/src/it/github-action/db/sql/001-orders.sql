--liquibase formatted sql
--changeset dev:001-orders
create table orders (id bigint primary key);
--rollback drop table orders;
