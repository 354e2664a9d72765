//! Unified diffs (`diff -u` format, 3 lines of context) for `--dry-run`. The output applies with
//! `git apply` or `patch -p1` from the app root.

use std::fmt::Write as _;

const CONTEXT: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq(usize, usize),
    Del(usize),
    Ins(usize),
}

/// Myers' O((N+M)·D) shortest edit script, on the part between the common prefix and suffix
/// (init's edits are local, so that part is small).
fn script(a: &[&str], b: &[&str]) -> Vec<Op> {
    let pre = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suf = a[pre..]
        .iter()
        .rev()
        .zip(b[pre..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (ma, mb) = (&a[pre..a.len() - suf], &b[pre..b.len() - suf]);
    let mut ops: Vec<Op> = (0..pre).map(|i| Op::Eq(i, i)).collect();
    for op in myers(ma, mb) {
        ops.push(match op {
            Op::Eq(x, y) => Op::Eq(x + pre, y + pre),
            Op::Del(x) => Op::Del(x + pre),
            Op::Ins(y) => Op::Ins(y + pre),
        });
    }
    ops.extend((0..suf).map(|i| Op::Eq(a.len() - suf + i, b.len() - suf + i)));
    ops
}

fn myers(a: &[&str], b: &[&str]) -> Vec<Op> {
    let (n, m) = (a.len() as isize, b.len() as isize);
    let max = (n + m) as usize;
    let off = max as isize + 1;
    let mut v = vec![0isize; 2 * max + 3];
    let mut trace: Vec<Vec<isize>> = Vec::new();
    let at = |v: &Vec<isize>, k: isize| v[(off + k) as usize];
    'outer: for d in 0..=max as isize {
        trace.push(v.clone());
        let mut k = -d;
        while k <= d {
            let mut x = if k == -d || (k != d && at(&v, k - 1) < at(&v, k + 1)) {
                at(&v, k + 1)
            } else {
                at(&v, k - 1) + 1
            };
            let mut y = x - k;
            while x < n && y < m && a[x as usize] == b[y as usize] {
                x += 1;
                y += 1;
            }
            v[(off + k) as usize] = x;
            if x >= n && y >= m {
                break 'outer;
            }
            k += 2;
        }
    }
    let mut ops = Vec::new();
    let (mut x, mut y) = (n, m);
    for d in (0..trace.len() as isize).rev() {
        let v = &trace[d as usize];
        let k = x - y;
        let prev_k = if k == -d || (k != d && at(v, k - 1) < at(v, k + 1)) {
            k + 1
        } else {
            k - 1
        };
        let prev_x = at(v, prev_k);
        let prev_y = prev_x - prev_k;
        while x > prev_x && y > prev_y {
            ops.push(Op::Eq((x - 1) as usize, (y - 1) as usize));
            x -= 1;
            y -= 1;
        }
        if d > 0 {
            if x == prev_x {
                ops.push(Op::Ins((y - 1) as usize));
            } else {
                ops.push(Op::Del((x - 1) as usize));
            }
        }
        x = prev_x;
        y = prev_y;
    }
    ops.reverse();
    ops
}

fn push_line(out: &mut String, mark: char, line: &str) {
    out.push(mark);
    // A CRLF line keeps its `\r`, so that the patch applies to the file as it is.
    out.push_str(line.strip_suffix('\n').unwrap_or(line));
    out.push('\n');
    if !line.ends_with('\n') {
        out.push_str("\\ No newline at end of file\n");
    }
}

/// The unified diff from `old` (`None`: the file does not exist) to `new` for `rel`, or an
/// empty string when they are equal.
pub fn unified(rel: &str, old: Option<&str>, new: &str) -> String {
    let a: Vec<&str> = old.unwrap_or("").split_inclusive('\n').collect();
    let b: Vec<&str> = new.split_inclusive('\n').collect();
    if old == Some(new) {
        return String::new();
    }
    let ops = script(&a, &b);
    let changed: Vec<usize> = ops
        .iter()
        .enumerate()
        .filter(|(_, o)| !matches!(o, Op::Eq(..)))
        .map(|(i, _)| i)
        .collect();
    let mut out = String::new();
    let from = if old.is_some() {
        format!("a/{rel}")
    } else {
        "/dev/null".to_string()
    };
    let _ = writeln!(out, "--- {from}\n+++ b/{rel}");
    let mut i = 0;
    while i < changed.len() {
        // A hunk: changes no more than 2·CONTEXT apart, plus CONTEXT lines around them.
        let mut j = i;
        while j + 1 < changed.len() && changed[j + 1] - changed[j] <= 2 * CONTEXT {
            j += 1;
        }
        let start = changed[i].saturating_sub(CONTEXT);
        let end = (changed[j] + CONTEXT + 1).min(ops.len());
        let slice = &ops[start..end];
        let (mut alen, mut blen) = (0, 0);
        // Where the hunk starts in each file: the first line it touches, or the line before.
        let (mut apos, mut bpos) = (0usize, 0usize);
        for o in &ops[..start] {
            match o {
                Op::Eq(..) => {
                    apos += 1;
                    bpos += 1;
                }
                Op::Del(_) => apos += 1,
                Op::Ins(_) => bpos += 1,
            }
        }
        let mut body = String::new();
        for o in slice {
            match *o {
                Op::Eq(x, _) => {
                    alen += 1;
                    blen += 1;
                    push_line(&mut body, ' ', a[x]);
                }
                Op::Del(x) => {
                    alen += 1;
                    push_line(&mut body, '-', a[x]);
                }
                Op::Ins(y) => {
                    blen += 1;
                    push_line(&mut body, '+', b[y]);
                }
            }
        }
        let astart = if alen == 0 { apos } else { apos + 1 };
        let bstart = if blen == 0 { bpos } else { bpos + 1 };
        let _ = writeln!(out, "@@ -{astart},{alen} +{bstart},{blen} @@");
        out.push_str(&body);
        i = j + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insertion_in_the_middle() {
        let old = "a\nb\nc\nd\ne\nf\ng\nh\n";
        let new = "a\nb\nc\nd\nX\nY\ne\nf\ng\nh\n";
        assert_eq!(
            unified("f.yml", Some(old), new),
            "--- a/f.yml\n+++ b/f.yml\n@@ -2,6 +2,8 @@\n b\n c\n d\n+X\n+Y\n e\n f\n g\n"
        );
    }

    #[test]
    fn new_file_missing_newline_and_equal() {
        assert_eq!(
            unified("n", None, "x\ny\n"),
            "--- /dev/null\n+++ b/n\n@@ -0,0 +1,2 @@\n+x\n+y\n"
        );
        assert_eq!(
            unified("s", Some("k=1"), "k=1\nz=2\n"),
            "--- a/s\n+++ b/s\n@@ -1,1 +1,2 @@\n-k=1\n\\ No newline at end of file\n+k=1\n+z=2\n"
        );
        assert_eq!(unified("e", Some("same\n"), "same\n"), "");
    }

    #[test]
    fn replacement_and_two_hunks() {
        let old: String = (0..30).map(|i| format!("l{i}\n")).collect();
        let new = old.replace("l3\n", "L3\n").replace("l25\n", "");
        let d = unified("f", Some(&old), &new);
        assert!(d.contains("@@ -1,7 +1,7 @@\n l0\n l1\n l2\n-l3\n+L3\n l4\n"), "{d}");
        assert!(d.contains("@@ -23,7 +23,6 @@\n l22\n l23\n l24\n-l25\n l26\n"), "{d}");
    }
}
