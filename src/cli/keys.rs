//! `tessera keys create|list|revoke`: API keys of a `tessera serve`, managed over its API with an
//! admin key (or, for the first key, the server's bootstrap secret) in `TESSERA_TOKEN`.

use crate::error::Error;
use crate::exit::ExitStatus;
use crate::output::DataFormat as Format;
use crate::store::wire::{KeyInfo, KeyScope, NewKey};

use super::context::Context;
use super::store::Location;

#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  TESSERA_TOKEN=$ADMIN_KEY tessera --store https://tessera.example.com keys create --team team-bi --scope write
  tessera keys list
  tessera keys revoke k1a2b3c4d5e6")]
pub struct Args {
    #[command(subcommand)]
    pub command: KeysCommand,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human, global = true)]
    pub format: Format,
}

#[derive(Debug, clap::Subcommand)]
pub enum KeysCommand {
    /// Create a key for a team; its secret is printed this once and never stored
    Create {
        /// The team the key acts for
        #[arg(long)]
        team: String,
        /// read: read only; write: also sync, propose and ack for the team; admin: anything, and keys
        #[arg(long, value_parser = ["read", "write", "admin"])]
        scope: String,
    },
    /// List every key (never their secrets)
    List,
    /// Revoke a key by its id; requests with it are refused from then on
    Revoke {
        /// The key's id (`k…`, as `keys list` shows it)
        id: String,
    },
}

pub fn run(args: &Args, ctx: &Context) -> crate::error::Result<ExitStatus> {
    let cfg = ctx.config()?;
    let url = match super::store::location(ctx, &cfg) {
        Location::Remote(url) => url,
        // Opening it says what is wrong with the scheme.
        Location::Unsupported { value, scheme } => {
            return Err(super::store::unsupported(&value, &scheme).into());
        }
        Location::Sqlite(path) => {
            return Err(Error::Usage {
                message: format!(
                    "API keys belong to a `tessera serve`; the store here is the file {}",
                    path.display()
                ),
                help: "point --store (or TESSERA_STORE) at the server's https:// URL".into(),
            }
            .into());
        }
    };
    let server = super::store::open_remote(&url)?;
    match &args.command {
        KeysCommand::Create { team, scope } => {
            let scope = KeyScope::parse(scope).unwrap_or(KeyScope::Read);
            let created = server.create_key(&NewKey {
                team: team.clone(),
                scope,
            })?;
            match args.format {
                Format::Json => crate::output::print_json(&serde_json::json!({
                    "key": created.key,
                    "token": created.token,
                }))?,
                Format::Human => {
                    crate::output::print(&format!("{}\n", created.token))?;
                    ctx.note(&format!(
                        "key {} ({} key of team `{}`): this is the only time its secret is shown; \
                         store it as a secret (TESSERA_TOKEN in CI)",
                        created.key.id,
                        created.key.scope.name(),
                        created.key.team
                    ));
                }
            }
        }
        KeysCommand::List => {
            let keys = server.keys()?;
            match args.format {
                Format::Json => crate::output::print_json(&serde_json::json!({ "keys": keys }))?,
                Format::Human => crate::output::print(&table(&keys))?,
            }
        }
        KeysCommand::Revoke { id } => {
            let key = server.revoke_key(id)?;
            match args.format {
                Format::Json => crate::output::print_json(&serde_json::json!({ "key": key }))?,
                Format::Human => crate::output::print(&format!(
                    "key {} of team `{}` is revoked\n",
                    key.id, key.team
                ))?,
            }
        }
    }
    Ok(ExitStatus::Success)
}

fn table(keys: &[KeyInfo]) -> String {
    // The server refuses control characters in team names, so nothing here can steer the
    // terminal.
    let mut t = crate::output::table(&["id", "team", "scope", "created", "by", "revoked"]);
    for k in keys {
        t.add_row([
            k.id.clone(),
            k.team.clone(),
            k.scope.name().to_string(),
            k.created_at.to_string(),
            k.created_by.clone(),
            k.revoked_at.map(|r| r.to_string()).unwrap_or_default(),
        ]);
    }
    format!("{t}\n")
}
