--liquibase formatted sql
--changeset dev:002-status
alter table orders add column status text;
--rollback alter table orders drop column status;
