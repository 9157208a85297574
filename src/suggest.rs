//! "Did you mean": the candidates nearest to a mistyped name.

/// Up to `n` of `candidates` nearest to `want` by edit distance, nearest first, only those
/// close enough to be a plausible typo (within half of `want`'s length).
pub fn nearest<'a>(
    want: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    n: usize,
) -> Vec<&'a str> {
    let limit = want.chars().count().div_ceil(2).max(2);
    let mut scored: Vec<(usize, &str)> = candidates
        .into_iter()
        .map(|c| (edit_distance(want, c), c))
        .filter(|(d, _)| *d <= limit)
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(n).map(|(_, c)| c).collect()
}

/// Levenshtein distance over characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_names_are_close_ones_in_order() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        let names = ["column_removed", "column_added", "relation_removed"];
        assert_eq!(nearest("column_remove", names, 1), ["column_removed"]);
        assert_eq!(nearest("column_remove", names, 3)[0], "column_removed");
        assert!(nearest("zzz", names, 3).is_empty());
    }
}
