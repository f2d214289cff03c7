--liquibase formatted sql

--changeset dev:001-kept
create table kept (id int primary key);
--rollback drop table kept;

--changeset dev:002-broken
insert into no_such_table values (1);
--rollback select 1;
