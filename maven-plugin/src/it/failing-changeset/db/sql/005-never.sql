--liquibase formatted sql
--changeset dev:005-never
create table never_created (id int);
--rollback drop table never_created;
