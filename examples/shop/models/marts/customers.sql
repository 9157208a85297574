select
    customer_id,
    min(order_date) as first_order_date,
    count(*) as order_count
from {{ ref('stg_orders') }}
group by 1
