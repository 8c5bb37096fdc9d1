-- Daily sales per store and channel, for the day before the run (${run_date} is
-- DolphinScheduler's own runtime parameter, filled in when the task runs).
select
    o.store_id,
    o.channel,
    count(distinct o.order_id)  as orders,
    count(distinct o.customer_id) as customers,
    sum(o.order_total)          as revenue
from staging.orders as o
where o.order_date = '${run_date}'
group by o.store_id, o.channel
order by revenue desc;
