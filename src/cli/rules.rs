//! `tessera rules`: the rule table, for people and for tools.

use crate::compat::{MODE_NAMES, RULES};
use crate::exit::ExitStatus;
use crate::output;

use crate::output::DataFormat as Format;

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  tessera rules                   # every rule with its defaults
  tessera rules column_removed    # one rule: meaning, what to do, a before/after example")]
pub struct Args {
    /// Explain one rule, with a before/after example
    #[arg(value_name = "RULE")]
    pub rule: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

pub fn run(args: &Args) -> crate::error::Result<ExitStatus> {
    if let Some(id) = &args.rule {
        return explain(id, args.format);
    }
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
            output::keep_whole(&mut t, &[0, 1, 2]);
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

/// One rule in full: defaults, meaning, what to do, and a before/after example.
fn explain(id: &str, format: Format) -> crate::error::Result<ExitStatus> {
    let Some(r) = RULES.iter().find(|r| r.id == id) else {
        let near = crate::suggest::nearest(id, RULES.iter().map(|r| r.id), 3);
        return Err(crate::error::Error::Usage {
            message: format!("there is no rule `{id}`"),
            help: if near.is_empty() {
                "`tessera rules` lists every rule id".into()
            } else {
                format!("did you mean {}?", near.join(", "))
            },
        }
        .into());
    };
    let (before, after) = crate::compat::examples::example(r.id).unwrap_or(("", ""));
    match format {
        Format::Json => output::print_json(&serde_json::json!({
            "schema_version": 1,
            "id": r.id,
            "forward": r.fwd.label(),
            "backward": r.bwd.label(),
            "meaning": r.meaning,
            "hint": r.hint,
            "example": {"before": before, "after": after},
        }))?,
        Format::Human => output::print(&format!(
            "{id}\n  FORWARD {fwd} · BACKWARD {bwd}\n\n{meaning}\n\nWhat to do: {hint}\n\nExample\n  before: {before}\n  after:  {after}\n",
            id = r.id,
            fwd = r.fwd.label(),
            bwd = r.bwd.label(),
            meaning = r.meaning,
            hint = r.hint,
        ))?,
    }
    Ok(ExitStatus::Success)
}
