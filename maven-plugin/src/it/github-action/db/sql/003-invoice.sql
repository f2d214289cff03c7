--liquibase formatted sql
--changeset dev:003-invoice
create table invoice (id bigint primary key);
--rollback drop table invoice;
