--liquibase formatted sql
--changeset dev:004-orders
create table orders (id bigint primary key);
--rollback drop table orders;
