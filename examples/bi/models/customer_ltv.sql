select
    c.customer_id,
    c.first_order_date,
    sum(o.amount) as lifetime_value
from {{ source('shop', 'customers') }} c
join {{ source('shop', 'orders') }} o on o.customer_id = c.customer_id
group by 1, 2
