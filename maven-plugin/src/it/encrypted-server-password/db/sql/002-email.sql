--liquibase formatted sql
--changeset dev:002-email
alter table customer add column email text;
--rollback alter table customer drop column email;
