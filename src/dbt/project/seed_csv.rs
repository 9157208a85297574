//! A seed's columns are its CSV file's header row, as `dbt seed` creates them: its YAML entries
//! are documentation, like a model's next to its SQL. Types come from the `column_types`
//! config, which dbt applies, else from the YAML's `data_type` when one is declared (the best
//! record of what dbt inferred from the data), else they are unknown.

use std::collections::{BTreeMap, HashMap};

use crate::contract::{Column, ColumnSource, Origin, Relation};
use crate::git::FileTree;

/// How much of a file can hold its header row.
const HEADER_MAX: usize = 1 << 20;

/// The header of each seed file, by path; `Err` says why a file has none.
pub(crate) type Headers = HashMap<String, Result<Vec<String>, String>>;

/// Reads the header row of each of `paths`. A file that cannot be read (a mirror without its
/// large blobs) only loses its header: the seed's YAML stands in, with a warning.
pub(crate) fn read_headers(tree: &dyn FileTree, paths: &[String]) -> Headers {
    let mut out = HashMap::with_capacity(paths.len());
    for path in paths {
        let header = match tree.read(path) {
            Ok(Some(bytes)) => header(&bytes),
            Ok(None) => continue,
            Err(e) => Err(format!("it could not be read ({e})")),
        };
        out.insert(path.clone(), header);
    }
    out
}

/// The first record of a CSV file: fields split on unquoted commas, `"…"` quoting with `""` for
/// a quote (a quoted field may hold a comma or a line break), a UTF-8 byte order mark and a
/// `\r\n` line end removed, surrounding spaces trimmed.
pub(crate) fn header(bytes: &[u8]) -> Result<Vec<String>, String> {
    if bytes.starts_with(b"version https://git-lfs") {
        return Err("it is a Git LFS pointer, not the CSV itself".into());
    }
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    // The header is at the top; a large seed's rows need no decoding.
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(HEADER_MAX)]);
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(std::mem::take(&mut field)),
            '\n' if !quoted => break,
            '\r' if !quoted && matches!(chars.peek(), Some('\n') | None) => {}
            c => field.push(c),
        }
    }
    if quoted {
        return Err("a quote in its header row is never closed".into());
    }
    fields.push(field);
    let fields: Vec<String> = fields.iter().map(|f| f.trim().to_string()).collect();
    if fields.iter().all(String::is_empty) {
        return Err("the file is empty, so it has no header row".into());
    }
    if let Some(i) = fields.iter().position(String::is_empty) {
        return Err(format!("column {} of its header row has no name", i + 1));
    }
    Ok(fields)
}

/// The seed's columns become its header's, in order, each with its YAML entry's docs, tests
/// and constraints; YAML entries for columns the file does not have stay listed as
/// documentation only.
pub(crate) fn apply(
    rel: &mut Relation,
    header: &[String],
    column_types: &BTreeMap<String, String>,
) {
    let mut yaml = std::mem::take(&mut rel.columns);
    let documented: Vec<String> = yaml.iter().map(|c| c.name.clone()).collect();
    let mut seen: Vec<String> = Vec::with_capacity(header.len());
    for name in header {
        // Unquoted, as dbt writes a seed's columns by default: the warehouse folds the case.
        let name = name.to_lowercase();
        if seen.contains(&name) {
            continue;
        }
        seen.push(name.clone());
        let mut c = match yaml.iter().position(|c| c.name.eq_ignore_ascii_case(&name)) {
            Some(i) => yaml.remove(i),
            None => Column {
                name: name.clone(),
                ..Column::default()
            },
        };
        c.origin = Some(Origin::Csv);
        let configured = column_types
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(&name))
            .map(|(_, t)| t.clone());
        if let Some(t) = configured {
            c.data_type = Some(t);
            c.type_origin = Some(Origin::Yaml);
        } else if c.data_type.is_some() {
            c.type_origin = Some(Origin::Yaml);
        }
        rel.columns.push(c);
    }
    rel.column_source = Some(ColumnSource::Sql {
        documented,
        undeclared_types: Vec::new(),
        yaml_types: BTreeMap::new(),
        redeclared_types: BTreeMap::new(),
    });
}

#[cfg(test)]
mod tests {
    use super::header;

    #[test]
    fn reads_quoted_fields_a_bom_and_crlf() {
        let h = header(b"\xef\xbb\xbf\"code\",\"a \"\"b\"\", c\",rank\r\nA,x,1\r\n");
        assert_eq!(h.unwrap(), ["code", "a \"b\", c", "rank"]);
        assert_eq!(header(b"code,label\r\n").unwrap(), ["code", "label"]);
        assert_eq!(header(b"code,label").unwrap(), ["code", "label"]);
    }

    #[test]
    fn an_empty_or_broken_header_says_why() {
        assert!(header(b"").unwrap_err().contains("empty"));
        assert!(header(b"\r\n").unwrap_err().contains("empty"));
        assert!(header(b"a,,b\n").unwrap_err().contains("column 2"));
        assert!(header(b"\"a,b\n").unwrap_err().contains("never closed"));
        let lfs = b"version https://git-lfs.github.com/spec/v1\noid sha256:0\nsize 9\n";
        assert!(header(lfs).unwrap_err().contains("LFS"));
    }
}
