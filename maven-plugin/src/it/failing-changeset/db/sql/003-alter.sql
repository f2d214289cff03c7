--liquibase formatted sql
--changeset dev:003-alter
alter table legacy add column note text;
--rollback alter table legacy drop column note;
