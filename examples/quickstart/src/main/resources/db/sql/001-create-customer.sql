--liquibase formatted sql

--changeset quickstart:001-create-customer
create table customer (
    id   bigint primary key,
    name text   not null
);
--rollback drop table customer;
