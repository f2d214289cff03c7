--liquibase formatted sql
--changeset dev:001-customer
create table customer (id bigint primary key, name text not null);
--rollback drop table customer;
