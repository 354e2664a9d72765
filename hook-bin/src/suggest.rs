//! "Did you mean …?" for misspelled keys.

/// The closest candidate, if it is close enough to be a likely typo.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let norm = normalize(word);
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        if normalize(c) == norm {
            return Some(c);
        }
        let d = distance(&norm, &normalize(c));
        let limit = if norm.chars().count() <= 4 { 1 } else { 2 };
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// Case and separators do not matter to people (`sync_interval`, `SyncInterval`).
fn normalize(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, '-' | '_' | ' '))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Optimal string alignment distance (Levenshtein plus adjacent transpositions).
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos() {
        let keys = ["sync-interval", "force-path-style", "retention", "replicas", "replica"];
        assert_eq!(closest("sync_interval", keys), Some("sync-interval"));
        assert_eq!(closest("force-path-styles", keys), Some("force-path-style"));
        assert_eq!(closest("retension", keys), Some("retention"));
        assert_eq!(closest("replcas", keys), Some("replicas"));
        assert_eq!(closest("bananas", keys), None);
    }
}
