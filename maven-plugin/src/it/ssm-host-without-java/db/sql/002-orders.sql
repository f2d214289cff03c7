--liquibase formatted sql
--changeset alice:002-orders
create table orders (id int primary key, customer_id int not null references customer (id));
--rollback drop table orders;
