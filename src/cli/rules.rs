//! `tessera rules`: the rule table, for people and for tools.

use crate::compat::{MODE_NAMES, RULES};
use crate::exit::ExitStatus;
use crate::output;

use crate::output::DataFormat as Format;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

pub fn run(args: &Args) -> crate::error::Result<ExitStatus> {
    match args.format {
        Format::Json => {
            let rules: Vec<_> = RULES
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "id": r.id,
                        "forward": r.fwd.label(),
                        "backward": r.bwd.label(),
                        "meaning": r.meaning,
                        "hint": r.hint,
                    })
                })
                .collect();
            output::print_json(&serde_json::json!({
                "schema_version": 1,
                "modes": MODE_NAMES,
                "rules": rules,
            }))?;
        }
        Format::Human => {
            let mut t = output::table(&["rule", "FORWARD", "BACKWARD", "meaning"]);
            for r in RULES {
                t.add_row(vec![r.id, r.fwd.label(), r.bwd.label(), r.meaning]);
            }
            output::print(&format!(
                "{t}\n\nFORWARD: readers of the old contract keep working (the default). BACKWARD: rows valid under the old contract stay valid.\nFULL = the stricter of the two; NONE never fails. ERR* = ERR when the guarantee is enforced or tested, WARN when only declared.\n"
            ))?;
        }
    }
    Ok(ExitStatus::Success)
}
