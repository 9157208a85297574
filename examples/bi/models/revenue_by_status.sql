with orders as (
    select * from {{ source('shop', 'orders') }}
)
select
    o.status,
    date_trunc('month', o.order_date) as month,
    sum(o.amount) as revenue
from orders as o
group by 1, 2
