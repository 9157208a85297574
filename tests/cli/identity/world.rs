//! A producer (`shop`, team-shop) whose `orders` model lands in a schema that depends on the
//! layout under test, and a consumer (`bi`, team-bi) whose dbt source names that relation and
//! whose model reads `order_id` and `status` of it.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::common::{TestRepo, code, stderr, stdout, tessera};

/// How the producer says where its models land.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Nothing at all: no profiles.yml, no `dbt.target`, no schema config.
    Nothing,
    /// `dbt.target: {database: analytics, schema: core}` in tessera.yaml.
    DbtTarget,
    /// No schema config; profiles.yml in the project directory, `env_var` defaults giving
    /// `analytics.core`.
    Profile,
    /// profiles.yml with target schema `analytics` and `+schema: core` in dbt_project.yml, under
    /// dbt's default generate_schema_name: `analytics_core`.
    PlusSchemaDefault,
    /// The same, with the common override that uses the custom schema as written: `core`.
    PlusSchemaOverride,
    /// Nothing in the files; a manifest (dbt.manifest) that places orders in `analytics.core`,
    /// present for sync and removed before check.
    Manifest,
}

/// A manifest.json as dbt writes it, reduced to what places `orders` and describes its columns.
pub const MANIFEST: &str = r#"{
  "metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v12.json", "adapter_type": "postgres", "project_name": "shop"},
  "nodes": {
    "model.shop.orders": {
      "resource_type": "model", "name": "orders", "package_name": "shop",
      "unique_id": "model.shop.orders", "database": "analytics", "schema": "core", "alias": "orders",
      "relation_name": "analytics.core.orders",
      "original_file_path": "models/marts/orders.sql",
      "config": {"materialized": "view", "enabled": true},
      "columns": {
        "order_id": {"name": "order_id", "data_type": "integer"},
        "status": {"name": "status", "data_type": "text"},
        "id_never_read": {"name": "id_never_read", "data_type": "text"}
      }
    }
  },
  "sources": {}
}"#;

pub struct Repo {
    pub repo: TestRepo,
    store: String,
    home: PathBuf,
}

impl Repo {
    pub fn cmd(&self) -> assert_cmd::Command {
        let mut cmd = tessera();
        cmd.current_dir(self.repo.path())
            .env("TESSERA_STORE", &self.store)
            .env("HOME", &self.home)
            .env_remove("DBT_PROFILES_DIR")
            .env_remove("DBT_TARGET");
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().expect("tessera runs")
    }

    pub fn sync(&self) -> Output {
        let o = self.run(&["sync"]);
        assert_eq!(code(&o), 0, "sync failed: {}{}", stdout(&o), stderr(&o));
        o
    }

    pub fn write(&self, rel: &str, text: &str) {
        self.repo.write(rel, text);
    }

    /// Removes the column `name` from the orders model (YAML and SQL) and commits on a branch.
    pub fn drop_column(&self, name: &str) {
        let yml = self.read(PRODUCER_YML);
        let block = format!("      - name: {name}\n        data_type: text\n");
        assert!(yml.contains(&block), "{yml}");
        self.write(PRODUCER_YML, &yml.replace(&block, ""));
        let sql = self.read(PRODUCER_SQL);
        self.write(PRODUCER_SQL, &sql.replace(&format!(",\n    {name}"), ""));
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.repo.path().join(rel)).expect("read")
    }
}

pub const PRODUCER_YML: &str = "models/marts/_marts.yml";
pub const PRODUCER_SQL: &str = "models/marts/orders.sql";

pub struct Pair {
    pub dir: tempfile::TempDir,
    pub producer: Repo,
    pub consumer: Repo,
}

impl Pair {
    /// `consumer_schema`: the schema the consumer's dbt source names (the real relation).
    pub fn new(layout: Layout, consumer_schema: &str) -> Pair {
        let dir = tempfile::tempdir().expect("tmp");
        let home = dir.path().join("home");
        std::fs::create_dir_all(&home).expect("mkdir home");
        let store = format!("sqlite:{}", dir.path().join("store.db").display());
        let producer = Repo {
            repo: TestRepo::new(),
            store: store.clone(),
            home: home.clone(),
        };
        let consumer = Repo {
            repo: TestRepo::new(),
            store,
            home,
        };
        producer_files(&producer, layout);
        producer.repo.commit("shop");
        consumer_files(&consumer, consumer_schema);
        consumer.repo.commit("bi");
        Pair {
            dir,
            producer,
            consumer,
        }
    }

    pub fn sync_both(&self) {
        self.consumer.sync();
        self.producer.sync();
    }

    pub fn check(&self) -> Output {
        self.producer.run(&["check"])
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

const PROFILES: &str = "shop:\n  target: \"{{ env_var('SHOP_TARGET', 'dev') }}\"\n  outputs:\n    dev:\n      type: postgres\n      host: localhost\n      dbname: \"{{ env_var('SHOP_DATABASE', 'analytics') }}\"\n      schema: \"{{ env_var('SHOP_SCHEMA', 'SCHEMA') }}\"\n";

const AS_IS: &str = "{% macro generate_schema_name(custom_schema_name, node) -%}\n    {%- if custom_schema_name is none -%}{{ target.schema }}\n    {%- else -%}{{ custom_schema_name | trim }}{%- endif -%}\n{%- endmacro %}\n";

fn producer_files(p: &Repo, layout: Layout) {
    let target = match layout {
        Layout::DbtTarget => "  target: {database: analytics, schema: core}\n",
        Layout::Manifest => "  manifest: target/manifest.json\n",
        _ => "",
    };
    let plus_schema = matches!(
        layout,
        Layout::PlusSchemaDefault | Layout::PlusSchemaOverride
    );
    match layout {
        Layout::Profile => p.write("profiles.yml", &PROFILES.replace("SCHEMA", "core")),
        _ if plus_schema => p.write("profiles.yml", &PROFILES.replace("SCHEMA", "analytics")),
        Layout::Manifest => {
            p.write(".gitignore", "target/\n");
            p.write("target/manifest.json", MANIFEST);
        }
        _ => {}
    }
    if layout == Layout::PlusSchemaOverride {
        p.write("macros/generate_schema_name.sql", AS_IS);
    }
    p.write(
        "tessera.yaml",
        &format!(
            "project: shop\nowner: team-shop\nwarehouse: postgres\ndbt:\n  project_dir: .\n  contracts: all\n{target}teams:\n  - {{name: team-shop}}\n"
        ),
    );
    let models = if plus_schema {
        "models:\n  shop:\n    marts:\n      +schema: core\n"
    } else {
        ""
    };
    p.write(
        "dbt_project.yml",
        &format!("name: shop\nversion: \"1.0.0\"\nprofile: shop\nmodel-paths: [models]\n{models}"),
    );
    p.write(
        PRODUCER_YML,
        "version: 2\nmodels:\n  - name: orders\n    columns:\n      - name: order_id\n        data_type: integer\n      - name: status\n        data_type: text\n      - name: id_never_read\n        data_type: text\n",
    );
    p.write(
        PRODUCER_SQL,
        "select\n    order_id,\n    status,\n    id_never_read\nfrom {{ source('raw', 'orders') }}\n",
    );
}

fn consumer_files(c: &Repo, schema: &str) {
    c.write(
        "tessera.yaml",
        "project: bi\nowner: team-bi\nwarehouse: postgres\ndbt:\n  project_dir: .\nteams:\n  - {name: team-bi}\n",
    );
    c.write(
        "dbt_project.yml",
        "name: bi\nversion: \"1.0.0\"\nprofile: bi\nmodel-paths: [models]\n",
    );
    c.write(
        "models/_sources.yml",
        &format!(
            "version: 2\nsources:\n  - name: shop\n    database: analytics\n    schema: {schema}\n    tables:\n      - name: orders\n"
        ),
    );
    c.write(
        "models/by_status.sql",
        "select o.status, count(o.order_id) as n\nfrom {{ source('shop', 'orders') }} as o\ngroup by 1\n",
    );
}
