--liquibase formatted sql
--changeset dev:004-broken
alter table no_such_table add column x int;
--rollback select 1;
