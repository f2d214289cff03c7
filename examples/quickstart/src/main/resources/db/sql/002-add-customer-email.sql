--liquibase formatted sql

--changeset quickstart:002-add-customer-email
alter table customer add column email text;
create unique index customer_email_uq on customer (email);
--rollback drop index customer_email_uq;
--rollback alter table customer drop column email;
