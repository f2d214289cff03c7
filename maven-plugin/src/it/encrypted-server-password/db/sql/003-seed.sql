--liquibase formatted sql
--changeset dev:003-seed
insert into customer (id, name) values (1, 'ada'), (2, 'grace');
--rollback delete from customer where id in (1, 2);
