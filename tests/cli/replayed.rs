//! Verdicts that replaying a real project's history showed wrong (issue 13, "fixes found on the
//! same history"), each through the built binary on a real git repository.

use crate::common::{SHOP_ORDERS, SHOP_ORDERS_SQL, SHOP_PROJECT, TestRepo, code, stderr, stdout};

fn json(o: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", stdout(o), stderr(o)))
}

/// `rule node.column SEVERITY` for every finding, sorted.
fn rules(v: &serde_json::Value) -> Vec<String> {
    let mut out: Vec<String> = v["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            format!(
                "{} {}.{} {}",
                f["rule"].as_str().unwrap_or("?"),
                f["node"].as_str().unwrap_or("?"),
                f["path"].as_str().unwrap_or(""),
                f["severity"].as_str().unwrap_or("?")
            )
        })
        .collect();
    out.sort();
    out
}

fn shop() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("dbt_project.yml", SHOP_PROJECT)
        .write("models/orders.sql", SHOP_ORDERS_SQL)
        .write("models/schema.yml", SHOP_ORDERS);
    repo.commit("orders");
    repo
}

#[test]
fn the_dict_forms_of_config_are_read() {
    let view = "materialization_drops_constraints orders. ERR";
    for (header, want) in [
        ("{{ config({'materialized': 'view'}) }}", vec![view]),
        (
            "{{ config({\"materialized\": \"view\", \"tags\": [\"a\"]}) }}",
            vec![view, "relation_metadata_changed orders. INFO"],
        ),
        ("{{ config(**{'materialized': 'view'}) }}", vec![view]),
    ] {
        let repo = shop();
        // The project makes models tables; the model's own config turns it into a view, which
        // drops its enforced NOT NULL.
        repo.write("models/orders.sql", &format!("{header}\n{SHOP_ORDERS_SQL}"));
        let o = repo.run(&["check", "--format", "json"]);
        assert_eq!(code(&o), 1, "{header}: {}", stderr(&o));
        assert_eq!(rules(&json(&o)), want, "{header}");
    }
}
