use super::*;
use proptest::prelude::*;

fn usage_in(sql: &str, dialect: Dialect) -> Vec<(String, ColumnSet)> {
    column_usage(sql, dialect)
        .into_iter()
        .map(|u| (u.upstream.key(), u.columns))
        .collect()
}

fn usage(sql: &str) -> Vec<(String, ColumnSet)> {
    usage_in(sql, Dialect::Postgres)
}

fn cols(names: &[&str]) -> ColumnSet {
    ColumnSet::Columns(names.iter().map(|s| s.to_string()).collect())
}

fn star() -> ColumnSet {
    ColumnSet::All {
        reason: AllReason::SelectStar,
    }
}

fn one(key: &str, set: ColumnSet) -> Vec<(String, ColumnSet)> {
    vec![(key.to_string(), set)]
}

fn is_other(set: &ColumnSet) -> bool {
    matches!(
        set,
        ColumnSet::All {
            reason: AllReason::Other(_)
        }
    )
}

#[test]
fn qualified_and_aliased() {
    let sql = "select o.status from {{ source('shop','orders') }} o";
    assert_eq!(usage(sql), one("shop.orders", cols(&["status"])));
    let sql = "select O.Status from {{ source( \"shop\" ,\n 'orders' ) }} as O";
    assert_eq!(usage(sql), one("shop.orders", cols(&["status"])));
}

#[test]
fn unqualified_with_one_relation() {
    let sql = "select status, amount * 2 as doubled from {{ source('shop', 'orders') }}\n\
               where created_at > now() order by doubled";
    let want = cols(&["amount", "created_at", "status"]);
    assert_eq!(usage(sql), one("shop.orders", want));
}

#[test]
fn resolves_through_a_cte_chain() {
    let sql = "with orders as (select * from {{ source('shop','orders') }}),\n\
               recent as (select * from orders where order_date > '2024-01-01')\n\
               select o.status, sum(o.amount) from recent o group by 1";
    let want = cols(&["amount", "order_date", "status"]);
    assert_eq!(usage(sql), one("shop.orders", want));
}

#[test]
fn counts_explicit_cte_columns_even_if_unused_outside() {
    // Dropping `status` breaks the CTE, whether or not the outer query uses it.
    let sql = "with o as (select id, status from {{ ref('orders') }}),\n\
               unused as (select discount from {{ ref('orders') }})\n\
               select id from o";
    assert_eq!(
        usage(sql),
        one("orders", cols(&["discount", "id", "status"]))
    );
}

#[test]
fn star_reaching_the_output_reads_everything() {
    assert_eq!(usage("select * from {{ ref('x') }}"), one("x", star()));
    let sql = "with a as (select * from {{ ref('x') }}) select * from a";
    assert_eq!(usage(sql), one("x", star()));
    // Only the named columns pass through this CTE.
    let sql = "with a as (select id from {{ ref('x') }}) select * from a";
    assert_eq!(usage(sql), one("x", cols(&["id"])));
    let sql = "select s.* from (select id, name from {{ ref('x') }}) s";
    assert_eq!(usage(sql), one("x", cols(&["id", "name"])));
}

#[test]
fn qualified_star_covers_only_its_relation() {
    let sql = "select o.*, c.name from {{ ref('orders') }} o\n\
               join {{ ref('customers') }} c using (customer_id)";
    assert_eq!(
        usage(sql),
        vec![
            ("orders".into(), star()),
            ("customers".into(), cols(&["customer_id", "name"])),
        ]
    );
}

#[test]
fn join_of_two_sources_reads_on_columns() {
    let sql = "select o.id, c.name\n\
               from {{ source('shop','orders') }} o\n\
               left join {{ source('shop','customers') }} c on o.customer_id = c.id\n\
               where status = 'paid'";
    // `status` could come from either side: both count it.
    assert_eq!(
        usage(sql),
        vec![
            ("shop.orders".into(), cols(&["customer_id", "id", "status"])),
            ("shop.customers".into(), cols(&["id", "name", "status"])),
        ]
    );
}

#[test]
fn union_branches() {
    let sql = "select id, status from {{ ref('a') }}\n\
               union all select id, state from {{ ref('b') }} order by id";
    assert_eq!(
        usage(sql),
        vec![
            ("a".into(), cols(&["id", "status"])),
            ("b".into(), cols(&["id", "state"])),
        ]
    );
    // A star in a set operation changes its shape whenever a column comes or goes.
    let sql = "with u as (select * from {{ ref('a') }} union select id from {{ ref('b') }})\n\
               select id from u";
    assert_eq!(
        usage(sql),
        vec![("a".into(), star()), ("b".into(), cols(&["id"]))]
    );
}

#[test]
fn window_functions() {
    let sql = "select id, row_number() over (partition by customer_id order by created_at desc) as rn,\n\
               sum(amount) over w as running from {{ ref('orders') }}\n\
               window w as (partition by region order by created_at)";
    let want = cols(&["amount", "created_at", "customer_id", "id", "region"]);
    assert_eq!(usage(sql), one("orders", want));
}

#[test]
fn nested_queries_in_expressions() {
    let sql = "select id from {{ ref('orders') }}\n\
               where customer_id in (select id from {{ ref('customers') }} where active)\n\
               and exists (select 1 from {{ ref('payments') }} p where p.order_id = orders.id)\n\
               and amount > (select avg(amount) from {{ ref('orders') }})";
    assert_eq!(
        usage(sql),
        vec![
            ("orders".into(), cols(&["amount", "customer_id", "id"])),
            ("customers".into(), cols(&["active", "id"])),
            ("payments".into(), cols(&["order_id"])),
        ]
    );
}

#[test]
fn derived_tables_and_aliases_in_group_by() {
    let sql = "select s.total, date_trunc('month', s.first_at) as month\n\
               from (select customer_id, sum(amount) as total, min(created_at) as first_at\n\
                     from {{ ref('orders') }} group by customer_id) s\n\
               group by month order by month";
    let want = cols(&["amount", "created_at", "customer_id"]);
    assert_eq!(usage(sql), one("orders", want));
}

#[test]
fn refs_with_versions_and_packages() {
    let sql = "select a.id, b.id from {{ ref('orders', v=2) }} a\n\
               join {{ ref(\"pkg\", \"customers\", version='1') }} b on a.cid = b.id\n\
               join {{ ref('orders') }} c on c.id = a.id";
    assert_eq!(
        usage(sql),
        vec![
            ("orders.v2".into(), cols(&["cid", "id"])),
            ("customers.v1".into(), cols(&["id"])),
            ("orders".into(), cols(&["id"])),
        ]
    );
}

#[test]
fn incremental_models() {
    let sql = "{{ config(materialized='incremental', unique_key='id') }}\n\
               select id, updated_at from {{ source('shop', 'orders') }}\n\
               {% if is_incremental() %}\n\
               where updated_at > (select max(updated_at) from {{ this }})\n\
               {% endif %}";
    assert_eq!(usage(sql), one("shop.orders", cols(&["id", "updated_at"])));
    // Kept whole, the two branches are not SQL: each side is read on its own.
    let sql = "select id from {{ ref('a') }}\n\
               {%- if is_incremental() %} where updated_at > 1\n\
               {% else %} where created_at > 0 {% endif -%}";
    assert_eq!(
        usage(sql),
        one("a", cols(&["created_at", "id", "updated_at"]))
    );
}

#[test]
fn config_header_and_comments() {
    let sql = "{{\n  config(materialized='table', meta={'owner': {'team': 'x'}})\n}}\n\
               {# select secret from {{ ref('x') }} #}\n\
               -- old: {{ ref('legacy') }}\n\
               select id from {{ ref('x') }}";
    assert_eq!(
        usage(sql),
        vec![("legacy".into(), cols(&[])), ("x".into(), cols(&["id"]))]
    );
}

#[test]
fn unparsable_sql_reads_everything() {
    let got = usage("select from where {{ ref('x') }} ((");
    assert_eq!(got.len(), 1);
    assert!(matches!(
        &got[0].1,
        ColumnSet::All { reason: AllReason::Unparsed { error } } if !error.is_empty()
    ));
}

#[test]
fn python_models_are_left_to_the_caller() {
    let py = "def model(dbt, session):\n    orders = dbt.ref(\"orders\")\n    \
              c = dbt.source('shop', 'customers')\n    return orders.join(c)\n";
    // No Jinja: the SQL reader finds nothing to attribute.
    assert!(column_usage(py, Dialect::Postgres).is_empty());
    let got: Vec<_> = python_usage(py)
        .into_iter()
        .map(|u| (u.upstream.key(), u.columns))
        .collect();
    let all = ColumnSet::All {
        reason: AllReason::PythonModel,
    };
    assert_eq!(
        got,
        vec![
            ("orders".into(), all.clone()),
            ("shop.customers".into(), all)
        ]
    );
}

#[test]
fn star_macros_and_relation_macros() {
    let sql = "select {{ dbt_utils.star(from=ref('orders'), except=['x']) }}\n\
               from {{ ref('orders') }}";
    assert_eq!(usage(sql), one("orders", star()));
    let sql = "with o as (select {{ dbt_utils.star(ref('orders')) }} from {{ ref('orders') }})\n\
               select o.id from o";
    assert_eq!(usage(sql), one("orders", cols(&["id"])));
    let sql =
        "select id, kind from {{ dbt_utils.union_relations(relations=[ref('a'), ref('b')]) }}";
    assert_eq!(
        usage(sql),
        vec![
            ("a".into(), cols(&["id", "kind"])),
            ("b".into(), cols(&["id", "kind"]))
        ]
    );
    let sql = "select * from {{ dbt_utils.union_relations([ref('a')]) }}";
    assert_eq!(usage(sql), one("a", star()));
}

#[test]
fn column_names_passed_to_macros() {
    let sql = "select {{ cents_to_dollars('amount') }} as amount_usd,\n\
               {{ dbt_utils.generate_surrogate_key([\"o.id\", 'o.status']) }} as sk,\n\
               {{ var('not_a_column') }} as v\n\
               from {{ ref('orders') }} o";
    assert_eq!(usage(sql), one("orders", cols(&["amount", "id", "status"])));
}

#[test]
fn upstreams_read_inside_jinja_statements() {
    let sql = "{% set q %}select max(x) from {{ ref('a') }}{% endset %}\n\
               {% set methods = dbt_utils.get_column_values(ref('c'), 'method') %}\n\
               select id from {{ ref('b') }}";
    let got = usage(sql);
    assert_eq!(got[0].0, "a");
    assert!(is_other(&got[0].1));
    assert_eq!(got[1].0, "c");
    assert!(is_other(&got[1].1));
    assert_eq!(got[2], ("b".into(), cols(&["id"])));
}

#[test]
fn quoted_names_keep_their_case() {
    let sql = "select \"Status\", Amount from {{ ref('x') }}";
    assert_eq!(
        usage_in(sql, Dialect::Snowflake),
        one("x", cols(&["Status", "amount"]))
    );
    let sql = "select `Status`, o.address.city from {{ ref('x') }} o";
    assert_eq!(
        usage_in(sql, Dialect::Bigquery),
        one("x", cols(&["Status", "address"]))
    );
}

#[test]
fn snowflake_constructs() {
    let sql = "with a as (select * exclude (secret) from {{ ref('x') }})\n\
               select a.id, f.value from a, lateral flatten(input => a.items) f\n\
               qualify row_number() over (partition by a.id order by a.ts) = 1";
    assert_eq!(
        usage_in(sql, Dialect::Snowflake),
        one("x", cols(&["id", "items", "secret", "ts"]))
    );
}

#[test]
fn pivot_reads_everything() {
    let sql = "select * from (select id, k, v from {{ ref('x') }}) pivot (sum(v) for k in ('a', 'b'))\n\
               join {{ ref('y') }} p pivot (sum(v) for k in ('a')) on true";
    let got = usage_in(sql, Dialect::Snowflake);
    assert_eq!(got[0], ("x".into(), cols(&["id", "k", "v"])), "{got:?}");
    assert!(is_other(&got[1].1), "{got:?}");
    let sql = "select * from (select * from {{ ref('x') }}) unpivot (v for k in (a, b))";
    assert!(is_other(&usage_in(sql, Dialect::Snowflake)[0].1));
}

#[test]
fn deep_and_long_inputs_do_not_crash() {
    let deep = format!(
        "select {}1{} from {{{{ ref('x') }}}}",
        "(".repeat(5000),
        ")".repeat(5000)
    );
    assert!(matches!(
        &usage(&deep)[0].1,
        ColumnSet::All {
            reason: AllReason::Unparsed { .. }
        }
    ));
    let nested = format!(
        "select a from {}{{{{ ref('x') }}}}{} t",
        "(select a from ".repeat(3000),
        ") t".repeat(3000)
    );
    assert!(matches!(&usage(&nested)[0].1, ColumnSet::All { .. }));
    let chain = format!(
        "select {} from {{{{ ref('x') }}}}",
        vec!["a"; 50_000].join(" + ")
    );
    assert!(is_other(&usage(&chain)[0].1));
    let unions = vec!["select a from {{ ref('x') }}"; 20_000].join(" union all ");
    assert!(is_other(&usage(&unions)[0].1));
    // Long but within bounds: still analysed.
    let chain = format!(
        "select {} from {{{{ ref('x') }}}}",
        vec!["a"; 2_000].join(" or ")
    );
    assert_eq!(usage(&chain), one("x", cols(&["a"])));
}

#[test]
fn example_models() {
    let revenue = include_str!("../../../examples/bi/models/revenue_by_status.sql");
    assert_eq!(
        usage(revenue),
        one("shop.orders", cols(&["amount", "order_date", "status"]))
    );
    let ltv = include_str!("../../../examples/bi/models/customer_ltv.sql");
    assert_eq!(
        usage(ltv),
        vec![
            (
                "shop.customers".into(),
                cols(&["customer_id", "first_order_date"])
            ),
            ("shop.orders".into(), cols(&["amount", "customer_id"])),
        ]
    );
}

#[test]
fn every_dialect_reads_a_plain_model() {
    let sql = "select o.id, count(*) as n from {{ ref('orders') }} as o group by o.id";
    for dialect in [
        Dialect::Postgres,
        Dialect::Snowflake,
        Dialect::Bigquery,
        Dialect::Redshift,
        Dialect::Databricks,
        Dialect::Duckdb,
        Dialect::Generic,
    ] {
        assert_eq!(
            usage_in(sql, dialect),
            one("orders", cols(&["id"])),
            "{dialect:?}"
        );
    }
}

proptest! {
    #[test]
    fn never_panics_on_arbitrary_text(s in any::<String>()) {
        let _ = column_usage(&s, Dialect::Generic);
        let _ = python_usage(&s);
    }

    #[test]
    fn never_panics_on_sql_like_text(
        parts in proptest::collection::vec(
            prop_oneof![
                Just("select "), Just("from "), Just("{{ ref('a') }} "), Just("{{ source('s', 't') }}"),
                Just("{% if x %}"), Just("{% else %}"), Just("{% endif %}"), Just("{{ this }}"),
                Just("{{ "), Just(" }}"), Just("{%"), Just("(select "), Just(")"), Just("*"),
                Just("a.b "), Just(", "), Just("with c as "), Just(" union "), Just(" join "),
                Just(" on "), Just("="), Just("'"), Just("\""), Just("{# "), Just("where "),
                Just("__tessera_up_7 "), Just("__tessera_col_3"), Just("__tessera_rel_9 "),
            ],
            0..40,
        ),
        dialect in prop_oneof![Just(Dialect::Postgres), Just(Dialect::Bigquery), Just(Dialect::Snowflake)],
    ) {
        let _ = column_usage(&parts.concat(), dialect);
    }
}

#[test]
fn jaffle_shop_models() {
    let stg_payments = "with source as (\n\
        {#- Normally we would select from the table here #}\n\
        select * from {{ ref('raw_payments') }}\n\
        ),\n\
        renamed as (\n\
            select id as payment_id, order_id, payment_method,\n\
            -- `amount` is currently stored in cents, so we convert it to dollars\n\
            amount / 100 as amount\n\
            from source\n\
        )\n\
        select * from renamed";
    let want = cols(&["amount", "id", "order_id", "payment_method"]);
    assert_eq!(usage(stg_payments), one("raw_payments", want));

    let orders = "{% set payment_methods = ['credit_card', 'coupon', 'bank_transfer'] %}\n\
        with orders as (select * from {{ ref('stg_orders') }}),\n\
        payments as (select * from {{ ref('stg_payments') }}),\n\
        order_payments as (\n\
            select order_id,\n\
                {% for payment_method in payment_methods -%}\n\
                sum(case when payment_method = '{{ payment_method }}' then amount else 0 end)\n\
                    as {{ payment_method }}_amount,\n\
                {% endfor -%}\n\
                sum(amount) as total_amount\n\
            from payments group by order_id\n\
        ),\n\
        final as (\n\
            select orders.order_id, orders.customer_id, orders.order_date, orders.status,\n\
                {% for payment_method in payment_methods -%}\n\
                order_payments.{{ payment_method }}_amount,\n\
                {% endfor -%}\n\
                order_payments.total_amount as amount\n\
            from orders left join order_payments on orders.order_id = order_payments.order_id\n\
        )\n\
        select * from final";
    assert_eq!(
        usage(orders),
        vec![
            (
                "stg_orders".into(),
                cols(&["customer_id", "order_date", "order_id", "status"])
            ),
            (
                "stg_payments".into(),
                cols(&["amount", "order_id", "payment_method"])
            ),
        ]
    );

    let customers = "with customers as (select * from {{ ref('stg_customers') }}),\n\
        orders as (select * from {{ ref('stg_orders') }}),\n\
        payments as (select * from {{ ref('stg_payments') }}),\n\
        customer_orders as (\n\
            select customer_id, min(order_date) as first_order, count(order_id) as number_of_orders\n\
            from orders group by customer_id\n\
        ),\n\
        customer_payments as (\n\
            select orders.customer_id, sum(amount) as total_amount\n\
            from payments left join orders on payments.order_id = orders.order_id\n\
            group by orders.customer_id\n\
        )\n\
        select customers.customer_id, customers.first_name, customer_orders.first_order,\n\
            customer_payments.total_amount as customer_lifetime_value\n\
        from customers\n\
        left join customer_orders on customers.customer_id = customer_orders.customer_id\n\
        left join customer_payments on customers.customer_id = customer_payments.customer_id";
    assert_eq!(
        usage(customers),
        vec![
            ("stg_customers".into(), cols(&["customer_id", "first_name"])),
            // The unqualified `amount` could come from `orders` as well: both count it.
            (
                "stg_orders".into(),
                cols(&["amount", "customer_id", "order_date", "order_id"])
            ),
            ("stg_payments".into(), cols(&["amount", "order_id"])),
        ]
    );
}

#[test]
fn hooks_in_config_are_not_the_query() {
    let sql = "{{ config(post_hook=\"delete from {{ ref('audit') }} where 1 = 0\") }}\n\
               select id from {{ ref('x') }}";
    let got = usage(sql);
    assert!(is_other(&got[0].1), "{got:?}");
    assert_eq!(got[1], ("x".into(), cols(&["id"])));
}

#[test]
fn nested_branches_render_each_variant() {
    let code = "a {% if x %}b {% if y %}c {% elif z %}d {% else %}e {% endif %}f \
                {% else %}g {% set s %}h {% endset %}{% endif %}i";
    let p = super::jinja::prepare(code);
    let squash = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    assert_eq!(squash(&p.sql[0]), "a b c d e f g i");
    assert_eq!(squash(&p.sql[1]), "a b c f i");
    assert_eq!(squash(&p.sql[2]), "a g i");
    // Thousands of open blocks cost one counter update each, not a walk of the stack.
    let deep = format!(
        "{}x{}",
        "{% if a %}".repeat(50_000),
        "{% endif %}".repeat(50_000)
    );
    assert_eq!(squash(&super::jinja::prepare(&deep).sql[1]), "x");
}
