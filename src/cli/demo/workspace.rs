//! The demo's material: the shipped examples (compiled into the binary, so `tessera demo` works
//! from an installed binary with no checkout), two git repositories built from them, and a
//! throwaway SSH key.

use std::fs;
use std::path::{Path, PathBuf};

use git2::{Repository, RepositoryInitOptions, Signature};
use ssh_key::private::Ed25519Keypair;
use ssh_key::{LineEnding, PrivateKey};

use crate::error::Error;

/// Every file of `examples/shop` and `examples/bi`; a unit test keeps this list complete.
pub const FILES: &[(&str, &str)] = &[
    (
        "shop/dbt_project.yml",
        include_str!("../../../examples/shop/dbt_project.yml"),
    ),
    (
        "shop/profiles.yml",
        include_str!("../../../examples/shop/profiles.yml"),
    ),
    (
        "shop/macros/generate_schema_name.sql",
        include_str!("../../../examples/shop/macros/generate_schema_name.sql"),
    ),
    (
        "shop/tessera.yaml",
        include_str!("../../../examples/shop/tessera.yaml"),
    ),
    (
        "shop/models/marts/_marts.yml",
        include_str!("../../../examples/shop/models/marts/_marts.yml"),
    ),
    (
        "shop/models/marts/customers.sql",
        include_str!("../../../examples/shop/models/marts/customers.sql"),
    ),
    (
        "shop/models/marts/orders.sql",
        include_str!("../../../examples/shop/models/marts/orders.sql"),
    ),
    (
        "shop/models/staging/_sources.yml",
        include_str!("../../../examples/shop/models/staging/_sources.yml"),
    ),
    (
        "shop/models/staging/stg_orders.sql",
        include_str!("../../../examples/shop/models/staging/stg_orders.sql"),
    ),
    (
        "bi/dbt_project.yml",
        include_str!("../../../examples/bi/dbt_project.yml"),
    ),
    (
        "bi/profiles.yml",
        include_str!("../../../examples/bi/profiles.yml"),
    ),
    (
        "bi/tessera.yaml",
        include_str!("../../../examples/bi/tessera.yaml"),
    ),
    (
        "bi/models/_sources.yml",
        include_str!("../../../examples/bi/models/_sources.yml"),
    ),
    (
        "bi/models/customer_ltv.sql",
        include_str!("../../../examples/bi/models/customer_ltv.sql"),
    ),
    (
        "bi/models/revenue_by_status.sql",
        include_str!("../../../examples/bi/models/revenue_by_status.sql"),
    ),
];

/// The consumer's user entry, which the demo extends with the throwaway key.
const BO: &str = "  - {email: bo@example.com, name: Bo Chen, teams: [team-bi]}";

/// The column block the producer removes: bi's revenue dashboard reads `status`.
pub const STATUS_COLUMN: &str = "      - name: status\n        data_type: text\n        data_tests:\n          - accepted_values: {values: [placed, shipped, completed, returned]}\n";

fn fail(what: &str, e: impl std::fmt::Display) -> miette::Report {
    Error::Usage {
        message: format!("the demo could not {what}: {e}"),
        help: "check that the demo directory is writable (or pass --keep with another one)".into(),
    }
    .into()
}

/// Writes the examples under `root` (`root/shop`, `root/bi`).
pub fn write_examples(root: &Path) -> crate::error::Result<()> {
    for (rel, text) in FILES {
        let path = root.join(rel);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|e| fail(&format!("create {}", dir.display()), e))?;
        }
        fs::write(&path, text).map_err(|e| fail(&format!("write {}", path.display()), e))?;
    }
    Ok(())
}

/// A fresh ed25519 key, written as `id_ed25519` (mode 0600) and `id_ed25519.pub`. Returns the
/// private key's path and the public key line.
pub fn throwaway_key(dir: &Path) -> crate::error::Result<(PathBuf, String)> {
    let seed = random_seed().map_err(|e| fail("read random bytes for the key", e))?;
    let mut key = PrivateKey::from(Ed25519Keypair::from_seed(&seed));
    key.set_comment("bo@example.com (tessera demo)");
    let private = key
        .to_openssh(LineEnding::LF)
        .map_err(|e| fail("encode the key", e))?;
    let public = key
        .public_key()
        .to_openssh()
        .map_err(|e| fail("encode the key", e))?;
    let path = dir.join("id_ed25519");
    write_private(&path, private.as_bytes()).map_err(|e| fail("write the key", e))?;
    fs::write(dir.join("id_ed25519.pub"), format!("{public}\n"))
        .map_err(|e| fail("write the key", e))?;
    Ok((path, public))
}

fn random_seed() -> std::io::Result<[u8; 32]> {
    use std::io::Read;
    let mut seed = [0u8; 32];
    fs::File::open("/dev/urandom")?.read_exact(&mut seed)?;
    Ok(seed)
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?
        .write_all(bytes)
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    fs::write(path, bytes)
}

/// Registers the key for Bo in the consumer's tessera.yaml.
pub fn register_key(bi: &Path, public: &str) -> crate::error::Result<()> {
    let path = bi.join("tessera.yaml");
    let text = fs::read_to_string(&path).map_err(|e| fail("read bi/tessera.yaml", e))?;
    if !text.contains(BO) {
        return Err(fail(
            "register the key",
            "bi/tessera.yaml no longer has Bo's user entry",
        ));
    }
    let entry = format!(
        "  - {{email: bo@example.com, name: Bo Chen, teams: [team-bi], ssh_keys: [\"{public}\"]}}"
    );
    fs::write(&path, text.replace(BO, &entry)).map_err(|e| fail("write bi/tessera.yaml", e))
}

/// Drops the `status` column from the producer's orders mart: its select and its YAML.
pub fn drop_status(shop: &Path) -> crate::error::Result<()> {
    let path = shop.join("models/marts/_marts.yml");
    let text = fs::read_to_string(&path).map_err(|e| fail("read _marts.yml", e))?;
    if !text.contains(STATUS_COLUMN) {
        return Err(fail(
            "edit the orders mart",
            "its `status` column is not where the demo expects it",
        ));
    }
    fs::write(&path, text.replacen(STATUS_COLUMN, "", 1))
        .map_err(|e| fail("write _marts.yml", e))?;
    // The contract is what the SQL outputs: the column leaves the select too.
    let sql_path = shop.join("models/marts/orders.sql");
    let sql = fs::read_to_string(&sql_path).map_err(|e| fail("read orders.sql", e))?;
    if !sql.contains(STATUS_SELECT) {
        return Err(fail(
            "edit the orders mart",
            "its SQL does not select `status` where the demo expects it",
        ));
    }
    fs::write(&sql_path, sql.replacen(STATUS_SELECT, "", 1))
        .map_err(|e| fail("write orders.sql", e))
}

/// The line of the orders mart's select that outputs `status`.
const STATUS_SELECT: &str = "    status,\n";

/// A git repository the demo commits to, with its own identity.
pub struct Git {
    repo: Repository,
}

impl Git {
    pub fn init(dir: &Path, email: &str, name: &str) -> crate::error::Result<Git> {
        let mut opts = RepositoryInitOptions::new();
        opts.initial_head("main");
        let repo =
            Repository::init_opts(dir, &opts).map_err(|e| fail("create a git repository", e))?;
        // `impact` and `proposals` name who acted from git's user.email, as they would in CI.
        let mut config = repo.config().map_err(|e| fail("configure git", e))?;
        config
            .set_str("user.email", email)
            .map_err(|e| fail("configure git", e))?;
        config
            .set_str("user.name", name)
            .map_err(|e| fail("configure git", e))?;
        Ok(Git { repo })
    }

    fn signature(&self) -> Result<Signature<'static>, git2::Error> {
        let config = self.repo.config()?;
        Signature::now(
            &config.get_string("user.name")?,
            &config.get_string("user.email")?,
        )
    }

    /// Stages everything and commits on the current branch.
    pub fn commit_all(&self, message: &str) -> crate::error::Result<()> {
        self.try_commit(message, None)
            .map_err(|e| fail("commit", e))
    }

    fn try_commit(
        &self,
        message: &str,
        other_parent: Option<git2::Oid>,
    ) -> Result<(), git2::Error> {
        let mut index = self.repo.index()?;
        index.add_all(["*"], git2::IndexAddOption::DEFAULT, None)?;
        index.write()?;
        let tree = self.repo.find_tree(index.write_tree()?)?;
        let sig = self.signature()?;
        let mut parents = Vec::new();
        if let Ok(head) = self.repo.head().and_then(|h| h.peel_to_commit()) {
            parents.push(head);
        }
        if let Some(oid) = other_parent {
            parents.push(self.repo.find_commit(oid)?);
        }
        let parents: Vec<&git2::Commit> = parents.iter().collect();
        self.repo
            .commit(Some("HEAD"), &sig, &sig, message, &tree, &parents)?;
        Ok(())
    }

    /// Creates `branch` at HEAD and switches to it.
    pub fn branch(&self, branch: &str) -> crate::error::Result<()> {
        let run = || -> Result<(), git2::Error> {
            let head = self.repo.head()?.peel_to_commit()?;
            self.repo.branch(branch, &head, false)?;
            self.repo.set_head(&format!("refs/heads/{branch}"))?;
            Ok(())
        };
        run().map_err(|e| fail(&format!("create branch {branch}"), e))
    }

    /// Switches to `main` and merges `branch` into it with a merge commit, as a pull request's
    /// merge button does.
    pub fn merge_into_main(&self, branch: &str) -> crate::error::Result<()> {
        let run = || -> Result<(), git2::Error> {
            let tip = self
                .repo
                .find_branch(branch, git2::BranchType::Local)?
                .get()
                .peel_to_commit()?;
            self.repo.set_head("refs/heads/main")?;
            // main has not moved since the branch left it, so the branch's tree is the merge.
            self.repo.checkout_tree(
                tip.as_object(),
                Some(git2::build::CheckoutBuilder::new().force()),
            )?;
            self.try_commit(&format!("Merge branch '{branch}'"), Some(tip.id()))
        };
        run().map_err(|e| fail(&format!("merge {branch}"), e))
    }
}
