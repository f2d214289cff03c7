--liquibase formatted sql

--changeset dev:001-first
create table first_table (id int primary key);
--rollback drop table first_table;

--changeset dev:002-second
create table second_table (id int primary key);
--rollback drop table second_table;
