//! Errors of the dbt project reader, and the YAML entry point that produces them with the file,
//! line and column a user needs to fix the input.

use miette::{NamedSource, SourceSpan};
use serde::Deserialize;
use serde_saphyr::{DuplicateKeyPolicy, Location};

use crate::git::GitError;

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum DbtError {
    #[error("no dbt_project.yml at `{path}` in the {side}")]
    #[diagnostic(
        code(tessera::dbt::missing_project_file),
        help(
            "set `dbt.project_dir` in tessera.yaml to the folder that holds dbt_project.yml, or run tessera from the dbt project"
        )
    )]
    MissingProjectFile { path: String, side: String },

    #[error(transparent)]
    #[diagnostic(transparent)]
    YamlSyntax(Box<YamlSyntax>),

    #[error(transparent)]
    #[diagnostic(transparent)]
    InvalidProperty(Box<InvalidProperty>),

    #[error("`{path}` is not valid UTF-8")]
    #[diagnostic(
        code(tessera::dbt::encoding),
        help("dbt reads property files as UTF-8; re-save the file in that encoding")
    )]
    NotUtf8 { path: String },

    #[error(
        "{path}:{line}: {argument} of config() nests lists or dicts more than {max} levels deep"
    )]
    #[diagnostic(
        code(tessera::dbt::config_too_deep),
        help(
            "dbt configs are flat values or shallow lists and dicts; flatten this one. Tessera does not guess a config it cannot read, since the materialization or contract could be in it"
        )
    )]
    ConfigTooDeep {
        path: String,
        line: usize,
        argument: String,
        max: usize,
    },

    #[error(transparent)]
    #[diagnostic(transparent)]
    Read(#[from] GitError),
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{path}:{line}:{column}: invalid YAML: {message}")]
#[diagnostic(
    code(tessera::dbt::yaml_syntax),
    help("fix the YAML at the marked position (indentation, an unclosed bracket or quote)")
)]
pub struct YamlSyntax {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
    #[source_code]
    pub src: NamedSource<String>,
    #[label("here")]
    pub span: SourceSpan,
}

/// Valid YAML with the wrong shape for dbt (a map where a list belongs, a test with two names).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{path}:{line}:{column}: {message}")]
#[diagnostic(code(tessera::dbt::invalid_property))]
pub struct InvalidProperty {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
    #[help]
    pub help: String,
    #[source_code]
    pub src: NamedSource<String>,
    #[label("here")]
    pub span: SourceSpan,
}

const SHAPE_HELP: &str = "compare with dbt's property reference \
    (https://docs.getdbt.com/reference/model-properties): `models`, `columns`, `versions` and \
    `data_tests` are lists of `- name: ...` entries, `config` and `meta` are maps";

impl DbtError {
    /// A property with the wrong shape at `location` in `text`.
    pub(crate) fn invalid(
        path: &str,
        text: &str,
        location: Location,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> DbtError {
        let (line, column) = (location.line() as usize, location.column() as usize);
        DbtError::InvalidProperty(Box::new(InvalidProperty {
            path: path.to_string(),
            line,
            column,
            message: message.into(),
            help: help.into(),
            src: NamedSource::new(path, text.to_string()),
            span: span_at(text, line, column),
        }))
    }

    fn from_yaml(path: &str, text: &str, err: &serde_saphyr::Error) -> DbtError {
        let err = err.without_snippet();
        let location = err.location().unwrap_or(Location::UNKNOWN);
        let (line, column) = (location.line() as usize, location.column() as usize);
        let message = strip_location(&err.to_string());
        let syntax = matches!(
            err,
            serde_saphyr::Error::ExternalMessage { .. }
                | serde_saphyr::Error::Eof { .. }
                | serde_saphyr::Error::MultipleDocuments { .. }
        );
        if syntax {
            DbtError::YamlSyntax(Box::new(YamlSyntax {
                path: path.to_string(),
                line,
                column,
                message,
                src: NamedSource::new(path, text.to_string()),
                span: span_at(text, line, column),
            }))
        } else {
            DbtError::invalid(path, text, location, message, SHAPE_HELP)
        }
    }
}

/// Parses one YAML document. An empty file (or one holding only comments) is `T::default()`.
pub(crate) fn parse_yaml<'t, T: Deserialize<'t> + Default>(
    path: &str,
    text: &'t str,
    warnings: &mut Vec<String>,
) -> Result<T, DbtError> {
    let options = |duplicate_keys| {
        serde_saphyr::options! {
            with_snippet: false,
            duplicate_keys: duplicate_keys,
        }
    };
    // Tracking duplicates so the last one can win costs serde-saphyr twice the time, so that
    // policy only runs on files that have them.
    match serde_saphyr::from_str_with_options(text, options(DuplicateKeyPolicy::Error)) {
        Ok(value) => Ok(value),
        Err(e) => match e.without_snippet() {
            serde_saphyr::Error::DuplicateMappingKey { key, location } => {
                // dbt (PyYAML) keeps the last of two equal keys; rejecting what dbt accepts
                // would make Tessera fail on projects that build fine.
                let key = key.as_deref().unwrap_or("?");
                warnings.push(format!(
                    "{path}:{}: key `{key}` appears twice; the last one is used, as dbt does",
                    location.line()
                ));
                serde_saphyr::from_str_with_options(text, options(DuplicateKeyPolicy::LastWins))
                    .map_err(|e| DbtError::from_yaml(path, text, &e))
            }
            _ => Err(DbtError::from_yaml(path, text, &e)),
        },
    }
}

pub(crate) fn utf8(path: &str, bytes: Vec<u8>) -> Result<String, DbtError> {
    String::from_utf8(bytes).map_err(|_| DbtError::NotUtf8 {
        path: path.to_string(),
    })
}

/// serde-saphyr ends messages with "at line L, column C", which the diagnostic already says, and
/// speaks of sequences and mappings where dbt users think of lists and maps.
fn strip_location(message: &str) -> String {
    let message = message
        .rfind(" at line ")
        .map_or(message, |i| &message[..i]);
    match message {
        "expected sequence start" => "expected a list here".to_string(),
        "expected mapping start" => "expected a map here".to_string(),
        other => other.to_string(),
    }
}

/// The byte span of the character at a 1-based line and column, for the miette label.
fn span_at(text: &str, line: usize, column: usize) -> SourceSpan {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let line_text = text[line_start.min(text.len())..]
        .split('\n')
        .next()
        .unwrap_or("");
    let offset = line_text
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(line_text.len(), |(i, _)| i);
    let len = line_text[offset..].chars().next().map_or(0, char::len_utf8);
    (line_start + offset, len).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Default)]
    #[serde(default)]
    struct Doc {
        models: Vec<Model>,
    }

    #[derive(serde::Deserialize, Default)]
    struct Model {
        name: String,
    }

    #[test]
    fn syntax_errors_name_file_line_and_column() {
        let text = "models:\n  - name: a\n    columns: [x\n";
        let err = parse_yaml::<Doc>("models/a.yml", text, &mut Vec::new()).err();
        let Some(DbtError::YamlSyntax(e)) = err else {
            panic!("expected a syntax error, got {err:?}");
        };
        assert_eq!((e.path.as_str(), e.line), ("models/a.yml", 3));
    }

    #[test]
    fn shape_errors_are_invalid_properties() {
        let text = "models:\n  name: a\n";
        let err = parse_yaml::<Doc>("m.yml", text, &mut Vec::new()).err();
        assert!(
            matches!(&err, Some(DbtError::InvalidProperty(e)) if e.line == 2),
            "{err:?}"
        );
    }

    #[test]
    fn empty_files_are_empty_documents() {
        assert!(parse_yaml::<Doc>("e.yml", "", &mut Vec::new()).is_ok());
        assert!(parse_yaml::<Doc>("e.yml", "# nothing yet\n", &mut Vec::new()).is_ok());
    }

    #[test]
    fn duplicate_keys_keep_the_last_value_with_a_warning() {
        let mut warnings = Vec::new();
        let text = "models:\n  - name: a\n    name: b\n";
        let doc: Doc = parse_yaml("d.yml", text, &mut warnings).unwrap();
        assert_eq!(doc.models[0].name, "b");
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].starts_with("d.yml:3:"), "{warnings:?}");
    }

    #[test]
    fn spans_point_at_the_character() {
        let text = "ab\ncdé f\n";
        assert_eq!(span_at(text, 2, 4), (7, 1).into());
        assert_eq!(span_at(text, 2, 3), (5, 2).into());
        assert_eq!(span_at(text, 9, 9), (10, 0).into());
    }
}
