use proptest::prelude::*;

use super::*;

const HOSTILE: &[&str] = &[
    "team\n```\n; curl x | sh #",
    "; curl x | sh #",
    "\u{1b}[2Jwiped",
    "\u{1b}]8;;https://evil.example\u{1b}\\click\u{1b}]8;;\u{1b}\\",
    "\"]) -->",
    "a\u{202e}txt.exe",
    "tab\there\rcr\u{7f}\u{9b}",
];

fn no_unsafe(s: &str) -> bool {
    !s.chars().any(is_unsafe)
}

#[test]
fn plain_names_are_unchanged_everywhere() {
    for name in [
        "team-bi",
        "marts.orders",
        "bo@example.com",
        "models/a_b.yml",
    ] {
        assert_eq!(terminal(name), name);
        assert_eq!(terminal_lines(name), name);
        assert_eq!(stream(name), name);
        assert_eq!(shell(name), name);
        assert_eq!(md_code(name), format!("`{name}`"));
        assert_eq!(mermaid(name), name);
        assert_eq!(dot(name), name);
    }
}

#[test]
fn terminal_shows_controls_as_visible_escapes() {
    assert_eq!(terminal("a\nb"), "a\\nb");
    assert_eq!(terminal("\u{1b}[2J"), "\\x1b[2J");
    assert_eq!(terminal("x\u{202e}y"), "x\\u{202e}y");
    assert_eq!(terminal("\u{9b}1m"), "\\u{9b}1m");
    assert_eq!(terminal_lines("one\ntwo\u{1b}[2J"), "one\ntwo\\x1b[2J");
    for h in HOSTILE {
        assert!(no_unsafe(&terminal(h)), "{h:?}");
        assert!(!terminal(h).contains('\n'));
    }
}

#[test]
fn the_stream_keeps_colour_and_nothing_else() {
    assert_eq!(
        stream("\u{1b}[1;31mbreaking\u{1b}[0m\n"),
        "\u{1b}[1;31mbreaking\u{1b}[0m\n"
    );
    assert_eq!(stream("\u{1b}[2J"), "\\x1b[2J");
    assert_eq!(stream("\u{1b}]8;;u\u{1b}\\"), "\\x1b]8;;u\\x1b\\");
    assert_eq!(stream("a\tb\r\n"), "a\tb\\r\n");
    assert_eq!(stream("\u{1b}"), "\\x1b");
}

#[test]
fn shell_words_quote_only_when_needed() {
    assert_eq!(shell("team-bi"), "team-bi");
    assert_eq!(shell("; curl x | sh #"), "'; curl x | sh #'");
    assert_eq!(shell("it's"), r"'it'\''s'");
    assert_eq!(shell(""), "''");
    assert_eq!(shell("a\nb'\\"), r"$'a\nb\'\\'");
    assert_eq!(shell("\u{1b}[2J"), r"$'\x1b[2J'");
    assert_eq!(shell("x\u{202e}"), r"$'x\xe2\x80\xae'");
}

#[test]
fn markdown_code_and_fences_hold() {
    assert_eq!(md_code("a"), "`a`");
    assert_eq!(md_code("a`b"), "``a`b``");
    assert_eq!(md_code("`x`"), "`` `x` ``");
    assert_eq!(md_code("a\n```\nb"), "````a\\n```\\nb````");
    assert_eq!(md_text("a `b` *c* <i>"), "a \\`b\\` \\*c\\* \\<i\\>");
    assert_eq!(md_text("x\u{1b}[2J\ny"), "x\\x1b\\[2J y");
    assert_eq!(md_cell("`a|b`"), "`a\\|b`");
    assert_eq!(md_fence("sh", "a\n```\nb\n"), "````sh\na\n```\nb\n````\n");
    assert_eq!(md_fence("sh", "plain"), "```sh\nplain\n```\n");
}

#[test]
fn graph_labels_and_ids() {
    assert_eq!(mermaid("\"]) -->"), "#quot;]) --#gt;");
    assert_eq!(mermaid("a#b|c\n"), "a#35;b#124;c\\n");
    assert_eq!(dot("a\"b\\N\n"), "a\\\"b\\\\N\\\\n");
    let mut ids = Ids::default();
    let a = ids.id("t", "team-bi");
    let b = ids.id("t", "team_bi");
    assert_ne!(a, b);
    assert_eq!(ids.id("t", "team-bi"), a);
    assert!(a.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
}

#[test]
fn xml_escaping() {
    assert_eq!(xml_attr("a<b>&\"c'\n"), "a&lt;b&gt;&amp;&quot;c&apos;&#10;");
    assert_eq!(xml_text("x\u{1}y]]>"), "x\u{FFFD}y]]&gt;");
}

/// A fenced block's content ends it only on a line of backticks at least as long as the fence.
fn fence_closes_early(block: &str) -> bool {
    let mut lines = block.lines();
    let open = lines.next().unwrap_or_default();
    let fence = open.chars().take_while(|c| *c == '`').count();
    let body: Vec<&str> = lines.collect();
    let last = body.len().saturating_sub(1);
    body.iter().enumerate().any(|(i, l)| {
        let run = l.trim_start().chars().take_while(|c| *c == '`').count();
        i != last && run >= fence && l.trim_start()[run..].trim().is_empty()
    })
}

/// A code span ends at the first backtick run of exactly its fence's length.
fn span_closes_early(span: &str) -> bool {
    let fence = span.chars().take_while(|c| *c == '`').count();
    let inner = &span[fence..span.len() - fence];
    inner.split(|c| c != '`').any(|run| run.len() == fence)
}

proptest! {
    #[test]
    fn no_control_char_survives(s in "\\PC*|[\\x00-\\x1f\\x7f-\\x9f\u{202a}-\u{202e}a`|\"#\\\\]*") {
        prop_assert!(no_unsafe(&terminal(&s)));
        prop_assert!(terminal_lines(&s).chars().all(|c| c == '\n' || !is_unsafe(c)));
        prop_assert!(no_unsafe(&shell(&s)));
        prop_assert!(no_unsafe(&md_code(&s)));
        prop_assert!(no_unsafe(&md_text(&s)));
        prop_assert!(no_unsafe(&mermaid(&s)));
        prop_assert!(no_unsafe(&dot(&s)));
        let streamed = stream(&s);
        let without_sgr = streamed.replace("\u{1b}[", "");
        prop_assert!(without_sgr.chars().all(|c| c == '\n' || c == '\t' || !is_unsafe(c)));
        prop_assert!(!mermaid(&s).contains('"'));
    }

    #[test]
    fn fences_never_close_early(s in "[`a\n ]{0,40}") {
        prop_assert!(!fence_closes_early(&md_fence("sh", &s)), "{:?}", md_fence("sh", &s));
        let span = md_code(&s);
        if !span.is_empty() {
            prop_assert!(!span_closes_early(&span), "{span:?}");
        }
    }

    #[test]
    fn shell_quoting_round_trips_through_sh(s in "[a-z '\"$`\\\\;|\n]{0,12}") {
        let quoted = shell(&s).into_owned();
        let o = std::process::Command::new("bash")
            .args(["-c", &format!("printf %s {quoted}")])
            .output();
        if let Ok(o) = o {
            prop_assert_eq!(String::from_utf8_lossy(&o.stdout), s.as_str());
        }
    }
}
