//! The quick reader must agree with serde-saphyr on everything it accepts. These tests compare
//! the two on hand-picked YAML, on real dbt property files, and on mutations of a realistic file.

use serde::Deserialize;
use serde_json::Value;

/// What the quick reader gives, as the property-file types would see it.
fn parse(text: &str) -> Option<Value> {
    super::parse(text).map(|node| Value::deserialize(node).expect("any node is a JSON value"))
}

fn saphyr(text: &str) -> Option<Value> {
    let value: Value = serde_saphyr::from_str(text).ok()?;
    // An empty document is null for serde-saphyr and an empty map here; both read as "nothing".
    Some(if value.is_null() {
        Value::Object(Default::default())
    } else {
        value
    })
}

/// The quick reader either declines or gives serde-saphyr's answer; `Ok(accepted)`.
fn agrees(text: &str) -> Result<bool, String> {
    match parse(text) {
        None => Ok(false),
        Some(quick) => match saphyr(text) {
            Some(reference) if reference == quick => Ok(true),
            reference => Err(format!(
                "{text:?}\nquick:   {quick:?}\nsaphyr:  {reference:?}"
            )),
        },
    }
}

const ACCEPTED: &[&str] = &[
    "",
    "# only a comment\n",
    "---\nversion: 2\n",
    "models:\n  - name: orders\n    description: \"Orders: one row each\"\n",
    "models:\n- name: a\n  columns:\n  - name: id\n    data_type: int\n- name: b\n",
    "k: 'it''s'\nq: \"tab\\there \\u00e9\\x41\"\n",
    "k: |\n  a\n   b\n\n  c\n\n\nz: 1\n",
    "k: |-\n  a\n  b\n",
    "k: |+\n  a\n\n",
    "k: >\n  a\n  b\n\n  c\n  d\n",
    "k: >-\n  folded\n  text\nnext: x\n",
    "k: >\n\n  leading blank\n",
    "values: [a, 'b c', \"d\", 1, 2.5, yes, n, ~, 2024-01-01]\n",
    "values: [\n  'one',  # first\n  'two',\n]\nnext: 1\n",
    "config: {contract: {enforced: true}, meta: {owner: x}, tags: [a, b]}\n",
    "a:\n  b:\n    c: 1\n  d: -1\ne: 0x1F\nf: 01\ng: +3\nh: 1_000\ni: .5\n",
    "url: http://example.com/a#b\nhash: a#b\nc: value # comment\n",
    "empty:\nnull_value: null\ntilde: ~\nlist:\n  -\n  - x\n",
    "\"quoted key\": 1\n'single': 2\n",
    "k: v\r\nl: w\r\n",
    "deep:\n    - a\n    - b\nshallow: 1\n",
    "- not a map at the root\n",
];

const DECLINED: &[&str] = &[
    "k: &anchor 1\nl: *anchor\n",
    "k: !!str 1\n",
    "k: multi\n  line plain\n",
    "k: 'multi\n  line'\n",
    "k: a: b\n",
    "k: 1\nk: 2\n",
    "? complex\n: key\n",
    "k: >\n  a\n    more indented\n  b\n",
    "k: |2\n   explicit\n",
    "---\na: 1\n---\nb: 2\n",
    "\tk: tab\n",
    "k: [a, b\n",
    "yes: 1\n",
    "1: x\n",
    "k: \"\\q\"\n",
];

#[test]
fn accepts_the_common_subset_with_saphyrs_meaning() {
    for text in ACCEPTED {
        let accepted = agrees(text).unwrap_or_else(|e| panic!("{e}"));
        let root_sequence = text.starts_with("- ");
        assert_eq!(accepted, !root_sequence, "{text:?} should be read quickly");
    }
}

#[test]
fn declines_what_it_does_not_know() {
    for text in DECLINED {
        assert!(
            parse(text).is_none(),
            "{text:?} should be left to serde-saphyr"
        );
    }
}

#[test]
fn real_property_files_read_the_same() {
    let Some(root) = crate::test_shared::shared_path("fixtures/dbt") else {
        return;
    };
    let mut seen = 0;
    for entry in walkdir::WalkDir::new(&root)
        .into_iter()
        .filter_map(Result::ok)
    {
        if entry.path().extension().is_some_and(|e| e == "yml") {
            let text = std::fs::read_to_string(entry.path()).unwrap();
            let accepted =
                agrees(&text).unwrap_or_else(|e| panic!("{}: {e}", entry.path().display()));
            assert!(
                accepted,
                "{} should be read quickly",
                entry.path().display()
            );
            seen += 1;
        }
    }
    assert!(seen >= 10);
}

const REALISTIC: &str = r#"version: 2

models:
  - name: stg_orders
    description: >
      Orders, one row per order.
      Cleaned.
    access: public
    config:
      contract: {enforced: true}
      meta:
        owner: "team-a"
        tessera: {ignore: [column_removed]}
    columns:
      - name: order_id
        data_type: text
        data_tests:
          - not_null
          - unique
      - name: status
        data_type: varchar(20)
        tests:
          - accepted_values:
              arguments:
                values: ['placed', 'shipped', "returned"]
              config:
                severity: warn
      - name: amount
        data_type: number(38, 2)
        constraints:
          - type: check
            expression: "amount >= 0"
    versions:
      - v: 2
        columns:
          - include: all
            exclude: [status]
sources:
  - name: raw
    freshness:
      warn_after: {count: 1, period: day}
    tables:
      - name: orders
        description: |
          Raw orders.

          Loaded hourly.
"#;

/// Each line deleted, shifted, commented, or given odd content: the quick reader must decline
/// or agree, never disagree.
#[test]
fn mutations_never_disagree() {
    assert!(
        agrees(REALISTIC).unwrap(),
        "the realistic file itself is read quickly"
    );
    let lines: Vec<&str> = REALISTIC.lines().collect();
    let edits: [fn(&str) -> String; 16] = [
        |l| l.replacen(": ", " : ", 1),
        |l| l.replacen(": ", ": \"a\\\"b\" ", 1),
        |_| String::new(),
        |l| format!(" {l}"),
        |l| l.strip_prefix(' ').unwrap_or(l).to_string(),
        |l| format!("{l} # note"),
        |l| format!("{l}: x"),
        |l| format!("{l}\n{l}"),
        |l| l.replace(' ', "\t"),
        |l| l.replacen(": ", ": - ", 1),
        |l| l.replacen(": ", ": |\n", 1),
        |l| l.replacen(": ", ": 'x", 1),
        |l| l.replacen(": ", ": [", 1),
        |l| l.replacen(": ", ": yes #", 1),
        |l| l.replacen("- ", "- - ", 1),
        |l| l.replacen(": ", ":\n", 1),
    ];
    let mut accepted = 0;
    for i in 0..lines.len() {
        for edit in &edits {
            let mut mutated: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
            mutated[i] = edit(lines[i]);
            let text = mutated.join("\n") + "\n";
            if agrees(&text).unwrap_or_else(|e| panic!("line {i}: {e}")) {
                accepted += 1;
            }
        }
    }
    assert!(
        accepted > lines.len(),
        "most mutations stay readable: {accepted}"
    );
}

/// Every letter case of the YAML 1.1 words, and integers near the edges, resolve as in saphyr.
#[test]
fn scalars_resolve_like_saphyr() {
    let mut words = Vec::new();
    for word in ["true", "false", "yes", "no", "on", "off", "y", "n", "null"] {
        for mask in 0..(1u32 << word.len()) {
            let cased: String = word
                .chars()
                .enumerate()
                .map(|(i, c)| {
                    if mask & (1 << i) != 0 {
                        c.to_ascii_uppercase()
                    } else {
                        c
                    }
                })
                .collect();
            words.push(cased);
        }
    }
    let numbers = [
        "0",
        "7",
        "-7",
        "-0",
        "+7",
        "007",
        "123456789012345678",
        "1234567890123456789",
        "-123456789012345678",
        "1.5",
        "1e3",
        "0x1F",
        "1_000",
        "2024-01-01",
        "~",
        "nulls",
        "yess",
    ];
    words.extend(numbers.iter().map(|s| s.to_string()));
    for word in &words {
        let text = format!("k: {word}\nl: [{word}]\n");
        agrees(&text).unwrap_or_else(|e| panic!("{e}"));
    }
}

mod generated {
    use super::agrees;
    use proptest::prelude::*;

    const KEYS: &[&str] = &[
        "name",
        "columns",
        "data_type",
        "tests",
        "a",
        "b",
        "c",
        "k v",
        "'q'",
    ];
    const ORDINARY: &[&str] = &[
        "x",
        "a b",
        "text, with comma",
        "varchar(20)",
        "1",
        "-2",
        "1.5",
        "yes",
        "No",
        "~",
        "null",
        "01",
        "0x1F",
        "2024-01-01",
        "'it''s'",
        "\"e\\\"s\"",
        "\"\\u00e9\"",
        "a:b",
        "x #c",
        "x#c",
        "-x",
        "[x, y]",
        "[x, {k: v}]",
        "{k: [1, 2]}",
        "[\n  a,\n  b]",
        "",
    ];
    /// Values the quick reader must decline (or read exactly as serde-saphyr does).
    const AWKWARD: &[&str] = &[
        "a: b", "- x", "[a,", "&a x", "*a", "!t x", "'open", "\"a\" b", "{k}", "[a: b]", "\t",
    ];

    #[derive(Debug, Clone)]
    enum Doc {
        Scalar(&'static str),
        Block(&'static str, Vec<&'static str>),
        Map(Vec<(&'static str, Doc)>),
        Seq(Vec<Doc>),
    }

    fn doc() -> impl Strategy<Value = Doc> {
        let value = prop_oneof![
            12 => prop::sample::select(ORDINARY.to_vec()),
            1 => prop::sample::select(AWKWARD.to_vec()),
        ];
        let scalar = value.prop_map(Doc::Scalar);
        let block_lines = prop::collection::vec(
            prop::sample::select(vec!["text", "", "  more", "# c"]),
            1..4,
        );
        let block = (
            prop::sample::select(vec!["|", "|-", ">", ">-", "|+"]),
            block_lines,
        )
            .prop_map(|(h, lines)| Doc::Block(h, lines));
        let leaf = prop_oneof![6 => scalar, 1 => block];
        let any = leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec((prop::sample::select(KEYS.to_vec()), inner.clone()), 1..4)
                    .prop_map(Doc::Map),
                prop::collection::vec(inner, 1..4).prop_map(Doc::Seq),
            ]
        });
        // Property files are maps at the top.
        prop::collection::vec((prop::sample::select(KEYS.to_vec()), any), 1..4).prop_map(Doc::Map)
    }

    fn render(doc: &Doc, indent: usize, out: &mut Vec<String>, first_prefix: Option<String>) {
        let pad = " ".repeat(indent);
        let mut prefix = first_prefix;
        let mut start = |out: &mut Vec<String>, text: String| match prefix.take() {
            Some(p) => out.push(format!("{p}{text}")),
            None => out.push(format!("{pad}{text}")),
        };
        match doc {
            Doc::Scalar(s) => start(out, s.to_string()),
            Doc::Block(h, lines) => {
                start(out, h.to_string());
                out.extend(lines.iter().map(|l| format!("{pad}  {l}")));
            }
            Doc::Map(entries) => {
                for (key, value) in entries {
                    match value {
                        Doc::Scalar(s) => start(out, format!("{key}: {s}")),
                        Doc::Block(h, lines) => {
                            start(out, format!("{key}: {h}"));
                            out.extend(lines.iter().map(|l| format!("{pad}  {l}")));
                        }
                        // Sequences under a key sometimes sit at the key's own indentation.
                        Doc::Seq(_) if key.len() % 2 == 0 => {
                            start(out, format!("{key}:"));
                            render(value, indent, out, None);
                        }
                        _ => {
                            start(out, format!("{key}:"));
                            render(value, indent + 2, out, None);
                        }
                    }
                }
            }
            Doc::Seq(items) => {
                for item in items {
                    let dash = match prefix.take() {
                        Some(p) => format!("{p}- "),
                        None => format!("{pad}- "),
                    };
                    render(item, indent + 2, out, Some(dash));
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// Generated documents with ordinary and awkward values, sometimes with one line's
        /// indentation nudged: the quick reader may decline any of them, but must never read
        /// one differently from serde-saphyr.
        #[test]
        fn never_disagrees(doc in doc(), nudge in proptest::option::of((0..40usize, 0..3usize))) {
            let mut lines = Vec::new();
            render(&doc, 0, &mut lines, None);
            if let Some((at, how)) = nudge && !lines.is_empty() {
                let i = at % lines.len();
                lines[i] = match how {
                    0 => format!(" {}", lines[i]),
                    1 => lines[i].strip_prefix(' ').unwrap_or(&lines[i]).to_string(),
                    _ => format!("{} # c", lines[i]),
                };
            }
            // Editors strip trailing spaces; blank lines inside block scalars stay blank.
            let text = lines.iter().map(|l| l.trim_end()).collect::<Vec<_>>().join("\n") + "\n";
            let verdict = agrees(&text);
            prop_assert!(verdict.is_ok(), "{}", verdict.unwrap_err());
        }
    }
}

/// A file nested far deeper than any real property file is declined, never a stack overflow;
/// the fallback reader answers with its own error (found while fuzzing).
#[test]
fn deep_nesting_is_declined_not_a_stack_overflow() {
    for depth in [1usize, 40, 49, 64, 1_000, 100_000] {
        let flow = format!("models: {}{}\n", "[".repeat(depth), "]".repeat(depth));
        let parsed = parse(&flow);
        assert_eq!(
            parsed.is_some(),
            depth <= super::MAX_DEPTH,
            "flow depth {depth}"
        );
        let block: String = (0..depth.min(2_000))
            .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
            .collect();
        let _ = parse(&block);
    }
}
