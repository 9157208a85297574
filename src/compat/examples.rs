//! One before/after example per rule, for `tessera rules ID`: the smallest change to a dbt
//! property file (or config) that the rule classifies. Plain data, checked by a test to cover
//! every rule in [`super::RULES`].

/// `(rule id, before, after)`.
pub const EXAMPLES: &[(&str, &str, &str)] = &[
    (
        "column_added",
        "columns: [{name: id}]",
        "columns: [{name: id}, {name: note}]",
    ),
    (
        "column_added_required",
        "columns: [{name: id}]",
        "columns: [{name: id}, {name: region, constraints: [{type: not_null}]}]",
    ),
    (
        "column_removed",
        "columns: [{name: id}, {name: status}]",
        "columns: [{name: id}]",
    ),
    (
        "column_removed_after_deprecation_date",
        "columns: [{name: status, meta: {tessera: {deprecation_date: 2026-01-01}}}]   # today: 2026-03-01",
        "columns: []",
    ),
    (
        "column_removed_before_deprecation_date",
        "columns: [{name: status, meta: {tessera: {deprecation_date: 2026-09-01}}}]   # today: 2026-03-01",
        "columns: []",
    ),
    (
        "column_renamed",
        "columns: [{name: status, data_type: text}]",
        "columns: [{name: order_state, data_type: text, meta: {tessera: {renamed_from: status}}}]",
    ),
    (
        "column_case_changed",
        "columns: [{name: status}]   # snowflake",
        "columns: [{name: STATUS}]",
    ),
    (
        "column_reordered",
        "columns: [{name: id}, {name: status}]",
        "columns: [{name: status}, {name: id}]",
    ),
    (
        "column_type_alias_changed",
        "{name: id, data_type: int}",
        "{name: id, data_type: integer}",
    ),
    (
        "column_type_widened",
        "{name: id, data_type: integer}",
        "{name: id, data_type: bigint}",
    ),
    (
        "column_type_narrowed",
        "{name: id, data_type: bigint}",
        "{name: id, data_type: integer}",
    ),
    (
        "column_type_promoted",
        "{name: qty, data_type: integer}",
        "{name: qty, data_type: numeric(18,2)}",
    ),
    (
        "column_type_widened_lossy",
        "{name: id, data_type: bigint}",
        "{name: id, data_type: double precision}",
    ),
    (
        "column_type_changed",
        "{name: order_date, data_type: date}",
        "{name: order_date, data_type: text}",
    ),
    (
        "column_nullability_tightened",
        "{name: email}",
        "{name: email, constraints: [{type: not_null}]}",
    ),
    (
        "column_nullability_loosened",
        "{name: email, constraints: [{type: not_null}]}",
        "{name: email}",
    ),
    (
        "guarantee_strength_decreased",
        "{name: id, constraints: [{type: not_null}]}   # enforced contract",
        "{name: id, data_tests: [not_null]}",
    ),
    (
        "guarantee_strength_increased",
        "{name: id, data_tests: [not_null]}",
        "{name: id, constraints: [{type: not_null}]}   # enforced contract",
    ),
    (
        "primary_key_added",
        "{name: id}",
        "{name: id, constraints: [{type: primary_key}]}",
    ),
    (
        "primary_key_removed",
        "{name: id, constraints: [{type: primary_key}]}",
        "{name: id}",
    ),
    (
        "primary_key_changed",
        "constraints: [{type: primary_key, columns: [order_id]}]",
        "constraints: [{type: primary_key, columns: [order_id, line_no]}]",
    ),
    (
        "unique_added",
        "{name: email}",
        "{name: email, data_tests: [unique]}",
    ),
    (
        "unique_removed",
        "{name: email, data_tests: [unique]}",
        "{name: email}",
    ),
    (
        "check_added",
        "{name: amount}",
        "{name: amount, constraints: [{type: check, expression: \"amount >= 0\"}]}",
    ),
    (
        "check_removed",
        "{name: amount, constraints: [{type: check, expression: \"amount >= 0\"}]}",
        "{name: amount}",
    ),
    (
        "check_changed",
        "constraints: [{type: check, expression: \"amount >= 0\"}]",
        "constraints: [{type: check, expression: \"amount > 0\"}]",
    ),
    (
        "foreign_key_added",
        "{name: customer_id}",
        "{name: customer_id, constraints: [{type: foreign_key, expression: \"customers (id)\"}]}",
    ),
    (
        "foreign_key_removed",
        "{name: customer_id, constraints: [{type: foreign_key, expression: \"customers (id)\"}]}",
        "{name: customer_id}",
    ),
    (
        "relationships_added",
        "{name: customer_id}",
        "{name: customer_id, data_tests: [{relationships: {to: ref('customers'), field: id}}]}",
    ),
    (
        "relationships_removed",
        "{name: customer_id, data_tests: [{relationships: {to: ref('customers'), field: id}}]}",
        "{name: customer_id}",
    ),
    (
        "relationships_target_changed",
        "relationships: {to: ref('customers'), field: id}",
        "relationships: {to: ref('accounts'), field: id}",
    ),
    (
        "accepted_values_narrowed",
        "accepted_values: {values: [placed, shipped, returned]}",
        "accepted_values: {values: [placed, shipped]}",
    ),
    (
        "accepted_values_extended",
        "accepted_values: {values: [placed, shipped]}",
        "accepted_values: {values: [placed, shipped, returned]}",
    ),
    (
        "accepted_values_added",
        "{name: status}",
        "{name: status, data_tests: [{accepted_values: {values: [placed, shipped]}}]}",
    ),
    (
        "accepted_values_removed",
        "{name: status, data_tests: [{accepted_values: {values: [placed, shipped]}}]}",
        "{name: status}",
    ),
    (
        "freshness_tightened",
        "freshness: {error_after: {count: 24, period: hour}}",
        "freshness: {error_after: {count: 6, period: hour}}",
    ),
    (
        "freshness_loosened",
        "freshness: {error_after: {count: 6, period: hour}}",
        "freshness: {error_after: {count: 24, period: hour}}",
    ),
    (
        "materialization_to_ephemeral",
        "config: {materialized: table}",
        "config: {materialized: ephemeral}",
    ),
    (
        "materialization_drops_constraints",
        "config: {materialized: table, contract: {enforced: true}}   # with constraints",
        "config: {materialized: view, contract: {enforced: true}}",
    ),
    (
        "materialization_changed",
        "config: {materialized: table}",
        "config: {materialized: incremental}",
    ),
    (
        "contract_enforcement_removed",
        "config: {contract: {enforced: true}}",
        "config: {contract: {enforced: false}}",
    ),
    (
        "contract_enforcement_added",
        "config: {contract: {enforced: false}}",
        "config: {contract: {enforced: true}}",
    ),
    (
        "relation_removed",
        "models: [{name: orders}, {name: customers}]",
        "models: [{name: customers}]",
    ),
    (
        "relation_removed_after_deprecation_date",
        "models: [{name: orders_v1, deprecation_date: 2026-01-01}]   # today: 2026-03-01",
        "models: []",
    ),
    (
        "relation_removed_before_deprecation_date",
        "models: [{name: orders_v1, deprecation_date: 2026-09-01}]   # today: 2026-03-01",
        "models: []",
    ),
    (
        "relation_location_changed",
        "config: {schema: marts}",
        "config: {schema: core}",
    ),
    (
        "relation_deprecated",
        "{name: orders}",
        "{name: orders, deprecation_date: 2026-12-31}",
    ),
    (
        "relation_undeprecated",
        "{name: orders, deprecation_date: 2026-12-31}",
        "{name: orders}",
    ),
    (
        "deprecation_date_moved_earlier",
        "{name: orders, deprecation_date: 2026-12-31}",
        "{name: orders, deprecation_date: 2026-09-30}",
    ),
    (
        "deprecation_notice_too_short",
        "{name: orders}   # policy: min_deprecation_days: 30; today: 2026-03-01",
        "{name: orders, deprecation_date: 2026-03-10}",
    ),
    (
        "version_added",
        "versions: [{v: 1}]",
        "versions: [{v: 1}, {v: 2}]",
    ),
    (
        "latest_version_changed",
        "latest_version: 1",
        "latest_version: 2",
    ),
    ("access_narrowed", "access: public", "access: protected"),
    (
        "relation_metadata_changed",
        "description: Orders.",
        "description: One row per order.",
    ),
    (
        "column_metadata_changed",
        "{name: id, description: Key.}",
        "{name: id, description: The order's key.}",
    ),
    (
        "data_test_removed",
        "data_tests: [{dbt_utils.expression_is_true: {expression: \"amount >= 0\", meta: {tessera: {contract: true}}}}]",
        "data_tests: []",
    ),
    (
        "data_test_added",
        "data_tests: []",
        "data_tests: [{dbt_utils.expression_is_true: {expression: \"amount >= 0\", meta: {tessera: {contract: true}}}}]",
    ),
    (
        "relation_added",
        "models: [{name: customers}]",
        "models: [{name: customers}, {name: orders}]",
    ),
    (
        "ephemeral_model_removed",
        "models: [{name: int_orders, config: {materialized: ephemeral}}, {name: orders}]",
        "models: [{name: orders}]",
    ),
    (
        "output_unresolved",
        "select id, status from {{ ref('stg_orders') }}",
        "select {{ dbt_utils.star(ref('stg_orders')) }} from {{ ref('stg_orders') }}",
    ),
    (
        "column_docs_changed",
        "columns: [{name: status}]   # the SQL outputs `status`",
        "columns: [{name: order_status}]   # the SQL still outputs `status`",
    ),
];

/// The example for `rule`, if it has one.
pub fn example(rule: &str) -> Option<(&'static str, &'static str)> {
    EXAMPLES
        .iter()
        .find(|(id, _, _)| *id == rule)
        .map(|(_, b, a)| (*b, *a))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_rule_has_one_example_and_every_example_a_rule() {
        for r in super::super::RULES {
            assert!(super::example(r.id).is_some(), "no example for {}", r.id);
        }
        for (id, before, after) in super::EXAMPLES {
            assert!(
                super::super::RULES.iter().any(|r| r.id == *id),
                "example for unknown rule {id}"
            );
            assert_ne!(before, after, "{id}");
        }
    }
}
