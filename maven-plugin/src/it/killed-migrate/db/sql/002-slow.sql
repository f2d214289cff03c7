--liquibase formatted sql
--changeset dev:002-slow
select pg_sleep(15);
--rollback select 1;
