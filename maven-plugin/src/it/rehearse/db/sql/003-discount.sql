--liquibase formatted sql
--changeset dev:003-discount
alter table orders add column discount int;
--rollback select 1;
