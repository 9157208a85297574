//! Source freshness. A table inherits its source's freshness threshold by threshold; `null`
//! at any level clears it, as in dbt's `merge_freshness`.

use serde_json::Value;

use crate::contract::Freshness;

/// Applies one layer's declaration: `None` when the layer says nothing, `Some(Value::Null)` for
/// an explicit `freshness: null`, else a `{warn_after, error_after}` map.
pub(crate) fn apply(
    base: Option<Freshness>,
    declared: Option<&Value>,
    problems: &mut Vec<String>,
) -> Option<Freshness> {
    let map = match declared {
        None => return base,
        Some(Value::Null) => return None,
        Some(Value::Object(map)) => map,
        Some(other) => {
            problems.push(format!("freshness should be a map, found {other}"));
            return base;
        }
    };
    let base = base.unwrap_or_default();
    let mut threshold = |key: &str| match map.get(key) {
        None | Some(Value::Null) => None,
        Some(v) => {
            let secs = seconds(v);
            if secs.is_none() && !is_empty_threshold(v) {
                problems.push(format!(
                    "freshness `{key}` is not a {{count, period}} pair: {v}"
                ));
            }
            secs
        }
    };
    let merged = Freshness {
        warn_after_secs: threshold("warn_after").or(base.warn_after_secs),
        error_after_secs: threshold("error_after").or(base.error_after_secs),
    };
    (!merged.is_empty()).then_some(merged)
}

fn seconds(threshold: &Value) -> Option<u64> {
    let count = match threshold.get("count")? {
        Value::Number(n) => n.as_u64()?,
        Value::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    Freshness::period_secs(count, threshold.get("period")?.as_str()?)
}

/// dbt writes "no threshold" as `{count: null, period: null}`.
fn is_empty_threshold(v: &Value) -> bool {
    v.as_object()
        .is_some_and(|m| m.values().all(Value::is_null))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(layers: &[Option<Value>]) -> (Option<Freshness>, Vec<String>) {
        let mut problems = Vec::new();
        let mut f = None;
        for layer in layers {
            f = apply(f, layer.as_ref(), &mut problems);
        }
        (f, problems)
    }

    #[test]
    fn tables_inherit_and_override_per_threshold() {
        let source = json!({"warn_after": {"count": 1, "period": "day"}, "error_after": {"count": 2, "period": "day"}});
        let table = json!({"error_after": {"count": 36, "period": "hour"}});
        let (f, problems) = run(&[Some(source.clone()), None, Some(table)]);
        assert_eq!(
            f,
            Some(Freshness {
                warn_after_secs: Some(86_400),
                error_after_secs: Some(129_600)
            })
        );
        assert!(problems.is_empty());
        assert_eq!(run(&[Some(source), Some(Value::Null)]).0, None);
    }

    #[test]
    fn bad_thresholds_are_reported() {
        let (f, problems) = run(&[Some(
            json!({"warn_after": {"count": 1, "period": "fortnight"}}),
        )]);
        assert_eq!((f, problems.len()), (None, 1));
        let (f, problems) = run(&[Some(json!({"warn_after": {"count": null, "period": null}}))]);
        assert_eq!((f, problems.len()), (None, 0));
    }
}
