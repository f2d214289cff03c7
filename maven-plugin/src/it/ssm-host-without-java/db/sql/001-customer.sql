--liquibase formatted sql
--changeset alice:001-customer
create table customer (id int primary key, name text not null);
--rollback drop table customer;
