--liquibase formatted sql
--changeset dev:001-orders
create table orders (id int primary key, total int);
--rollback drop table orders;
