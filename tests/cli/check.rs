use crate::common::{
    SHOP_ORDERS as ORDERS, SHOP_ORDERS_SQL, TestRepo, code, fixtures, json, rules, scrub, snapshot,
    stderr, stdout, tessera,
};

use crate::common::shop_repo as shop;

#[test]
fn an_unchanged_tree_is_compatible() {
    let repo = shop();
    let o = repo.run(&["check", "--format", "json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["verdict"], "compatible");
    assert_eq!(v["schema_version"], 1);
    assert!(v["findings"].as_array().is_some_and(|a| a.is_empty()));
}

#[test]
fn dropping_a_column_blocks_with_exit_1() {
    let repo = shop();
    repo.write(
        "models/schema.yml",
        &ORDERS.replace("      - name: status\n        data_type: text\n", ""),
    )
    // The contract is what the SQL outputs: the column leaves the select too.
    .write(
        "models/orders.sql",
        &SHOP_ORDERS_SQL.replace("'x' as status, ", ""),
    );
    let o = repo.run(&["check", "--format", "json"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["verdict"], "breaking");
    assert_eq!(rules(&v), vec!["column_removed orders.status ERR"]);
    let f = &v["findings"][0];
    for key in [
        "rule",
        "severity",
        "asset",
        "node",
        "version",
        "path",
        "before",
        "after",
        "message",
        "hint",
        "waived_by",
        "ignored",
        "impacted",
    ] {
        assert!(f.get(key).is_some(), "finding lacks `{key}`: {f}");
    }
    // The human format says the same in words, with a verdict line.
    let o = repo.run(&["check"]);
    assert_eq!(code(&o), 1);
    let out = stdout(&o);
    assert!(
        out.contains("column_removed") && out.contains("breaking"),
        "{out}"
    );
}

#[test]
fn a_widening_warns_and_fail_on_warn_makes_it_block() {
    let repo = shop();
    repo.write(
        "models/schema.yml",
        &ORDERS.replace("data_type: int\n", "data_type: bigint\n"),
    );
    let o = repo.run(&["check", "--format", "json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(json(&o)["verdict"], "warning");
    let o = repo.run(&["check", "--format", "json", "--fail-on", "WARN"]);
    assert_eq!(code(&o), 1);
}

#[test]
fn head_and_base_revisions_compare_commits() {
    let repo = shop();
    let first = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    repo.write(
        "models/schema.yml",
        &ORDERS.replace("data_type: text", "data_type: int"),
    );
    repo.commit("status becomes int");
    // The working tree equals HEAD, so only an explicit base sees the change.
    assert_eq!(code(&repo.run(&["check"])), 0);
    let o = repo.run(&[
        "check", "--base", &first, "--head", "HEAD", "--format", "json",
    ]);
    assert_eq!(
        rules(&json(&o)),
        vec!["column_type_changed orders.status ERR"]
    );
    let o = repo.run(&["check", "--base", "no-such-branch"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("unknown revision"), "{}", stderr(&o));
}

#[test]
fn paths_narrow_the_check_to_the_relations_they_declare() {
    let repo = shop();
    repo.write("models/customers.sql", "select 1 as id\n")
        .write("models/customers.yml", "version: 2\nmodels:\n  - name: customers\n    columns:\n      - {name: id, data_type: int}\n");
    repo.commit("customers");
    repo.write(
        "models/schema.yml",
        &ORDERS.replace("      - name: status\n        data_type: text\n", ""),
    )
    // The contract is what the SQL outputs: the column leaves the select too.
    .write(
        "models/orders.sql",
        &SHOP_ORDERS_SQL.replace("'x' as status, ", ""),
    );
    repo.write("models/customers.yml", "version: 2\nmodels:\n  - name: customers\n    columns:\n      - {name: id, data_type: bigint}\n");
    let o = repo.run(&["check", "--format", "json", "models/customers.yml"]);
    // Without an enforced contract dbt does not apply `data_type`, and the SQL is unchanged.
    assert_eq!(
        rules(&json(&o)),
        vec!["column_docs_changed customers.id INFO"]
    );
    let o = repo.run(&["check", "--format", "json", "models/schema.yml"]);
    assert_eq!(rules(&json(&o)), vec!["column_removed orders.status ERR"]);
}

#[test]
fn two_manifests_compare_without_git() {
    let Some(fixtures) = fixtures() else { return };
    let pair = fixtures.join("jaffle_shop_mesh_platform-v12-dbt1.10.23");
    let dir = tempfile::tempdir().expect("tmp");
    let o = tessera()
        .current_dir(dir.path())
        .args(["check", "--format", "json", "--base-manifest"])
        .arg(pair.join("before/manifest.json"))
        .arg("--manifest")
        .arg(pair.join("after/manifest.json"))
        .output()
        .expect("runs");
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let got = rules(&json(&o));
    let want = [
        "column_added stg_customers.full_name INFO",
        "column_added stg_products.product_category INFO",
        "column_removed stg_customers.customer_name ERR",
        "column_removed stg_orders.tax_paid ERR",
        "column_type_changed stg_locations.opened_at ERR",
        "column_type_changed stg_orders.customer_id ERR",
    ];
    assert_eq!(got, want);
}

#[test]
fn a_manifest_compared_with_itself_is_compatible_even_gzipped() {
    let Some(fixtures) = fixtures() else { return };
    let big = fixtures.join("teamster_kipptaf-v12-dbt1.12.6/manifest.json.gz");
    let o = tessera()
        .args(["check", "--format", "json", "--base-manifest"])
        .arg(&big)
        .arg("--manifest")
        .arg(&big)
        .output()
        .expect("runs");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(json(&o)["verdict"], "compatible");
}

/// Bad input: exit 2 and a diagnostic naming the file and line, pinned as snapshots.
fn diagnostic(repo: &TestRepo, args: &[&str]) -> String {
    let o = repo.run(args);
    assert_eq!(
        code(&o),
        2,
        "expected exit 2, got {}:\n{}{}",
        code(&o),
        stdout(&o),
        stderr(&o)
    );
    assert!(
        stdout(&o).is_empty(),
        "nothing goes to stdout on error: {}",
        stdout(&o)
    );
    scrub(&stderr(&o), repo.path())
}

#[test]
fn yaml_syntax_errors_name_the_file_and_line() {
    let repo = shop();
    repo.write(
        "models/schema.yml",
        "version: 2\nmodels:\n  - name: orders\n    columns: [\n",
    );
    snapshot("check_yaml_syntax", &diagnostic(&repo, &["check"]));
}

#[test]
fn a_misspelt_config_key_suggests_the_right_one() {
    let repo = shop();
    repo.write(
        "tessera.yaml",
        "project: shop\ncompatability:\n  default_mode: FORWARD\n",
    );
    snapshot("check_config_typo", &diagnostic(&repo, &["check"]));
}

#[test]
fn an_unknown_mode_lists_the_valid_ones() {
    let repo = shop();
    repo.write("tessera.yaml", "compatibility:\n  default_mode: FORWARDS\n");
    snapshot("check_unknown_mode", &diagnostic(&repo, &["check"]));
}

#[test]
fn a_mistyped_config_value_is_reported_at_the_value() {
    let repo = shop();
    repo.write(
        "tessera.yaml",
        "compatibility:\n  transitive_window: five\n",
    );
    snapshot("check_config_wrong_type", &diagnostic(&repo, &["check"]));
}

#[test]
fn a_missing_dbt_project_is_explained() {
    let repo = TestRepo::new();
    repo.write("README.md", "nothing here\n");
    repo.commit("empty");
    snapshot("check_missing_dbt_project", &diagnostic(&repo, &["check"]));
}

#[test]
fn a_truncated_manifest_is_explained() {
    let repo = shop();
    let Some(fixtures) = fixtures() else { return };
    let full = std::fs::read(fixtures.join("jaffle_shop_duckdb-v11-dbt1.7.9/manifest.json"))
        .expect("fixture");
    repo.write(
        "half.json",
        &String::from_utf8_lossy(&full[..full.len() / 2]),
    );
    snapshot(
        "check_truncated_manifest",
        &diagnostic(
            &repo,
            &[
                "check",
                "--base-manifest",
                "half.json",
                "--manifest",
                "half.json",
            ],
        ),
    );
}

#[test]
fn outside_a_git_repository_is_exit_2() {
    let dir = tempfile::tempdir().expect("tmp");
    let o = tessera()
        .current_dir(dir.path())
        .arg("check")
        .output()
        .expect("runs");
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("git"), "{}", stderr(&o));
}

#[test]
fn an_unknown_column_type_is_not_an_error_but_fails_closed() {
    let repo = shop();
    repo.write(
        "models/schema.yml",
        &ORDERS.replace("data_type: text", "data_type: fancytext(3)"),
    );
    let o = repo.run(&["check", "--format", "json"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(rules(&v), vec!["column_type_changed orders.status ERR"]);
    assert_eq!(v["findings"][0]["confidence"], "low");
}

#[test]
fn a_change_in_sql_alone_still_sees_the_contract_in_the_property_file() {
    let repo = shop();
    // Only the SQL changes: the model becomes a view, and its enforced NOT NULL goes with it.
    repo.write(
        "models/orders.sql",
        "{{ config(materialized='view') }}\nselect 1 as id, 'x' as status, 1.0 as amount\n",
    );
    let o = repo.run(&["check", "--format", "json"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(
        rules(&json(&o)),
        vec!["materialization_drops_constraints orders. ERR"]
    );
}

#[test]
fn a_malformed_manifest_is_explained() {
    let repo = shop();
    repo.write("bad.json", "{\n  \"metadata\": {\"dbt_schema_version\": \"https://schemas.getdbt.com/dbt/manifest/v12.json\"},\n  \"nodes\": {,}\n}\n");
    snapshot(
        "check_malformed_manifest",
        &diagnostic(
            &repo,
            &[
                "check",
                "--base-manifest",
                "bad.json",
                "--manifest",
                "bad.json",
            ],
        ),
    );
}
