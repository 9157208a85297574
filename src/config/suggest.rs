//! "Did you mean …?": the nearest valid word to a typo, by edit distance.

/// The candidate closest to `input` by edit distance, if it is close enough to be a typo.
pub fn suggest<'a>(input: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let input_lc = input.to_ascii_lowercase();
    let (best, distance) = candidates
        .iter()
        .map(|c| (*c, levenshtein(&input_lc, &c.to_ascii_lowercase())))
        .min_by_key(|(_, d)| *d)?;
    let limit = (input.chars().count() / 3).max(2);
    (distance <= limit && distance < input.chars().count()).then_some(best)
}

/// Edit distance over characters (insertions, deletions, substitutions), two rows of memory.
pub fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = substitution.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// "did you mean `x`? valid …: a, b, c" for an unknown keyword.
pub(super) fn keyword_help(input: &str, what_plural: &str, names: &[&str]) -> String {
    let list = names.join(", ");
    match suggest(input, names) {
        Some(s) => format!("did you mean `{s}`? {}: {list}", capitalized(what_plural)),
        None => format!("{what_plural}: {list}"),
    }
}

fn capitalized(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levenshtein_counts_edits() {
        assert_eq!(levenshtein("", "abc"), 3);
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(levenshtein("compatability", "compatibility"), 1);
        assert_eq!(levenshtein("same", "same"), 0);
    }

    #[test]
    fn suggestions_need_to_be_close() {
        let keys = ["project", "owner", "compatibility", "warehouse"];
        assert_eq!(suggest("compatability", &keys), Some("compatibility"));
        assert_eq!(suggest("Owner", &keys), Some("owner"));
        assert_eq!(suggest("zzz", &keys), None);
        assert_eq!(suggest("x", &keys), None);
    }
}
