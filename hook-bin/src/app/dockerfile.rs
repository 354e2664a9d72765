//! The parts of a Dockerfile that say where and how the app runs: its stages, the final stage's
//! `WORKDIR` (the Rails root inside the container), `ENV`, the Litestream binary it copies in or
//! downloads, where it puts litestream.yml, and its `ENTRYPOINT`/`CMD`.
//!
//! Read the way BuildKit reads it, as far as these questions need: `\` continues a line, `#`
//! starts a comment line, `FROM x AS name` starts a stage that later `FROM name` inherits
//! `WORKDIR` and `ENV` from, and `$VAR`/`${VAR}`/`${VAR:-default}` in `WORKDIR`/`ENV`/`COPY`/`ADD`
//! expand from the stage's `ARG`s and `ENV`s. Anything else is kept as text.

use std::collections::HashMap;

use crate::source::Pos;

/// Command words with the position of the instruction that holds them.
pub type Words = (Vec<String>, Pos);

/// One instruction, with the position of its keyword.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    pub pos: Pos,
    /// Upper-cased keyword (`FROM`, `RUN`, …).
    pub keyword: String,
    /// Everything after the keyword, continuation lines joined with spaces.
    pub args: String,
}

/// A build stage, with what it inherits already folded in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stage {
    pub pos: Pos,
    pub image: String,
    pub name: Option<String>,
    /// The working directory at the end of the stage (absolute), and where it was set.
    pub workdir: Option<(String, Pos)>,
    /// `ENV` values at the end of the stage, with the position that set each.
    pub env: Vec<(String, String, Pos)>,
    /// `ARG` values declared in the stage (with their defaults or the global value).
    pub args: Vec<(String, String)>,
    /// The stage this one is built `FROM`, when it is a stage of the same file.
    pub parent: Option<usize>,
    pub instructions: Vec<Instruction>,
}

impl Stage {
    pub fn env_value(&self, name: &str) -> Option<(&str, Pos)> {
        self.env
            .iter()
            .rev()
            .find(|(k, _, _)| k == name)
            .map(|(_, v, p)| (v.as_str(), *p))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dockerfile {
    pub stages: Vec<Stage>,
}

/// How the image gets a Litestream binary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LitestreamBinary {
    pub pos: Pos,
    /// The release, when the instruction names it (`0.3.13`, `0.5.2`).
    pub version: Option<String>,
    /// What the instruction says, shortened, for messages.
    pub how: String,
}

impl Dockerfile {
    pub fn parse(text: &str) -> Dockerfile {
        let mut stages: Vec<Stage> = Vec::new();
        let mut global_args: HashMap<String, String> = HashMap::new();
        let mut args: HashMap<String, String> = HashMap::new();
        for ins in instructions(text) {
            match ins.keyword.as_str() {
                "FROM" => {
                    let words: Vec<&str> = ins.args.split_whitespace().filter(|w| !w.starts_with("--")).collect();
                    let image = substitute(words.first().copied().unwrap_or(""), &global_args, &[]);
                    let name = match words.as_slice() {
                        [_, as_, n, ..] if as_.eq_ignore_ascii_case("as") => Some(n.to_string()),
                        _ => None,
                    };
                    let parent = stages
                        .iter()
                        .rposition(|s| s.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(&image)));
                    let mut stage = match parent {
                        Some(i) => Stage {
                            instructions: Vec::new(),
                            parent: Some(i),
                            ..stages[i].clone()
                        },
                        None => Stage::default(),
                    };
                    stage.pos = ins.pos;
                    stage.image = image;
                    stage.name = name;
                    stage.args = Vec::new();
                    args = HashMap::new();
                    stages.push(stage);
                }
                "ARG" => {
                    for (k, v) in assignments(&ins.args, true) {
                        let v = v.unwrap_or_else(|| global_args.get(&k).cloned().unwrap_or_default());
                        match stages.last_mut() {
                            None => {
                                global_args.insert(k, v);
                            }
                            Some(stage) => {
                                stage.args.push((k.clone(), v.clone()));
                                args.insert(k, v);
                            }
                        }
                    }
                }
                _ => {}
            }
            let Some(stage) = stages.last_mut() else { continue };
            match ins.keyword.as_str() {
                "WORKDIR" => {
                    let dir = substitute(ins.args.trim(), &args, &stage.env);
                    let dir = match (&stage.workdir, dir.starts_with('/')) {
                        (_, true) | (None, false) => absolute(&dir),
                        (Some((cur, _)), false) => absolute(&format!("{cur}/{dir}")),
                    };
                    stage.workdir = Some((dir, ins.pos));
                }
                "ENV" => {
                    for (k, v) in assignments(&ins.args, false) {
                        let v = substitute(&v.unwrap_or_default(), &args, &stage.env);
                        stage.env.push((k, v, ins.pos));
                    }
                }
                _ => {}
            }
            stage.instructions.push(ins);
        }
        Dockerfile { stages }
    }

    /// The stage that becomes the image (the last one).
    pub fn final_stage(&self) -> Option<&Stage> {
        self.stages.last()
    }

    /// The stage an image reference or a stage name points at, if it is a stage of this file.
    fn stage_named(&self, name: &str) -> Option<&Stage> {
        self.stages
            .iter()
            .find(|s| s.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(name)))
    }

    /// A stage and the stages it is built from, nearest first.
    fn lineage<'a>(&'a self, stage: &'a Stage) -> Vec<&'a Stage> {
        let mut out = vec![stage];
        let mut cur = stage;
        while let Some(i) = cur.parent {
            match self.stages.get(i) {
                Some(p) if out.len() <= self.stages.len() => {
                    out.push(p);
                    cur = p;
                }
                _ => break,
            }
        }
        out
    }

    /// Where the final image gets its Litestream binary: `COPY --from=litestream/litestream:TAG`
    /// (directly, or from a stage built on that image), or a download of a release archive.
    pub fn litestream_binary(&self) -> Option<LitestreamBinary> {
        let last = self.final_stage()?;
        // The final stage and the stages it is built from (their files are in the image), and the
        // stages it copies from (a download there may be copied in).
        let mut reach: Vec<&Stage> = self.lineage(last);
        for ins in &last.instructions {
            if let Some(from) = copy_from(ins) {
                if let Some(s) = self.stage_named(&from) {
                    reach.extend(self.lineage(s));
                }
            }
        }
        for ins in &last.instructions {
            let Some(from) = copy_from(ins) else { continue };
            if !ins.args.contains("litestream") {
                continue;
            }
            let image = match self.stage_named(&from) {
                Some(s) => s.image.clone(),
                None => from.clone(),
            };
            if crate::kamal::deploy::is_litestream_image(&image) {
                return Some(LitestreamBinary {
                    pos: ins.pos,
                    version: crate::version::image_tag(&image).map(|t| t.trim_start_matches('v').to_string()),
                    how: format!("COPY --from={from}"),
                });
            }
        }
        for stage in reach {
            for ins in &stage.instructions {
                if !matches!(ins.keyword.as_str(), "RUN" | "ADD") {
                    continue;
                }
                let args = substitute_all(&ins.args, stage);
                if let Some(v) = release_download(&args) {
                    return Some(LitestreamBinary {
                        pos: ins.pos,
                        version: v,
                        how: format!("{} of a Litestream release", ins.keyword),
                    });
                }
            }
        }
        None
    }

    /// Where `COPY`/`ADD` in the final image put a file from the build context: the
    /// destination of the instruction whose source is `rel` (e.g. `config/litestream.yml`).
    pub fn copied_to(&self, rel: &str) -> Option<(String, Pos)> {
        let last = self.final_stage()?;
        for ins in last.instructions.iter().rev() {
            if !matches!(ins.keyword.as_str(), "COPY" | "ADD") || copy_from(ins).is_some() {
                continue;
            }
            let words: Vec<String> = crate::shell_words::split(&ins.args, false)
                .into_iter()
                .filter(|w| !w.starts_with("--"))
                .collect();
            let Some((dest, srcs)) = words.split_last() else {
                continue;
            };
            if srcs
                .iter()
                .any(|s| s.trim_start_matches("./") == rel.trim_start_matches("./"))
            {
                let dest = match &last.workdir {
                    Some((w, _)) if !dest.starts_with('/') => absolute(&format!("{w}/{dest}")),
                    _ => dest.clone(),
                };
                let dest = if dest.ends_with('/') {
                    format!("{dest}{}", rel.rsplit('/').next().unwrap_or(rel))
                } else {
                    dest
                };
                return Some((dest, ins.pos));
            }
        }
        None
    }

    /// The build-context file that `COPY`/`ADD` put at `dest` in the final image (the reverse of
    /// [`Dockerfile::copied_to`]), for entrypoint scripts copied to another place.
    pub fn copied_from(&self, dest: &str) -> Option<String> {
        let last = self.final_stage()?;
        for ins in last.instructions.iter().rev() {
            if !matches!(ins.keyword.as_str(), "COPY" | "ADD") || copy_from(ins).is_some() {
                continue;
            }
            let words: Vec<String> = crate::shell_words::split(&ins.args, false)
                .into_iter()
                .filter(|w| !w.starts_with("--"))
                .collect();
            let Some((to, srcs)) = words.split_last() else { continue };
            let to = match &last.workdir {
                Some((w, _)) if !to.starts_with('/') => absolute(&format!("{w}/{to}")),
                _ => absolute(to),
            };
            for src in srcs {
                let file = src.rsplit('/').next().unwrap_or(src);
                let lands = if words.last().is_some_and(|t| t.ends_with('/')) || srcs.len() > 1 {
                    format!("{}/{file}", to.trim_end_matches('/'))
                } else {
                    to.clone()
                };
                if lands == absolute(dest) && !src.contains('*') && src != "." {
                    return Some(src.trim_start_matches("./").to_string());
                }
            }
        }
        None
    }

    /// The final image's `ENTRYPOINT` and `CMD` as words (exec form parsed, shell form split on
    /// spaces), with the position of each instruction.
    pub fn entrypoint_and_cmd(&self) -> (Option<Words>, Option<Words>) {
        let Some(last) = self.final_stage() else {
            return (None, None);
        };
        let find = |kw: &str| {
            last.instructions
                .iter()
                .rev()
                .find(|i| i.keyword == kw)
                .map(|i| (command_words(&i.args), i.pos))
        };
        (find("ENTRYPOINT"), find("CMD"))
    }
}

/// `COPY --from=X …` names stage or image X.
fn copy_from(ins: &Instruction) -> Option<String> {
    if ins.keyword != "COPY" {
        return None;
    }
    ins.args
        .split_whitespace()
        .find_map(|w| w.strip_prefix("--from="))
        .map(|s| s.trim_matches('"').to_string())
}

/// A Litestream release archive URL in the text, and the version it names.
fn release_download(text: &str) -> Option<Option<String>> {
    let lower = text.to_ascii_lowercase();
    let i = lower.find("litestream/releases/download/")?;
    let rest = &text[i + "litestream/releases/download/".len()..];
    let tag: String = rest
        .chars()
        .take_while(|c| !matches!(c, '/' | ' ' | '"' | '\''))
        .collect();
    let v = tag.trim_start_matches('v');
    let ok = !v.is_empty() && v.chars().all(|c| c.is_ascii_digit() || c == '.');
    Some(ok.then(|| v.to_string()))
}

/// Expands `$VAR`, `${VAR}` and `${VAR:-default}` from a stage's ARGs and ENVs.
fn substitute(text: &str, args: &HashMap<String, String>, env: &[(String, String, Pos)]) -> String {
    let look = |name: &str| -> Option<String> {
        env.iter()
            .rev()
            .find(|(k, _, _)| k == name)
            .map(|(_, v, _)| v.clone())
            .or_else(|| args.get(name).cloned())
    };
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(body) = after.strip_prefix('{') {
            if let Some(end) = body.find('}') {
                let inner = &body[..end];
                let (name, default) = match inner.split_once(":-") {
                    Some((n, d)) => (n, Some(d)),
                    None => (inner, None),
                };
                out.push_str(&look(name).or(default.map(str::to_string)).unwrap_or_default());
                rest = &body[end + 1..];
                continue;
            }
        }
        let len = after
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        if len == 0 {
            out.push('$');
            rest = after;
            continue;
        }
        out.push_str(&look(&after[..len]).unwrap_or_default());
        rest = &after[len..];
    }
    out.push_str(rest);
    out
}

fn substitute_all(text: &str, stage: &Stage) -> String {
    let args: HashMap<String, String> = stage.args.iter().cloned().collect();
    substitute(text, &args, &stage.env)
}

fn absolute(dir: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for p in dir.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

/// `K=V K2="v 2"` (or the legacy `ENV K some value`); for `ARG`, `NAME` without a value too.
fn assignments(args: &str, arg: bool) -> Vec<(String, Option<String>)> {
    let words = crate::shell_words::split(args, false);
    if !arg && words.len() >= 2 && !words[0].contains('=') {
        // Legacy form: the first word is the name, the rest (as written) the value.
        let value = args.trim_start()[words[0].len()..].trim().to_string();
        return vec![(words[0].clone(), Some(unquote(&value)))];
    }
    words
        .into_iter()
        .filter_map(|w| match w.split_once('=') {
            Some((k, v)) => Some((k.to_string(), Some(v.to_string()))),
            None if arg => Some((w, None)),
            None => None,
        })
        .collect()
}

fn unquote(s: &str) -> String {
    let t = s.trim();
    if t.len() >= 2 && ((t.starts_with('"') && t.ends_with('"')) || (t.starts_with('\'') && t.ends_with('\''))) {
        t[1..t.len() - 1].to_string()
    } else {
        t.to_string()
    }
}

/// Exec form (`["a", "b"]`) or shell form (split into words).
pub fn command_words(args: &str) -> Vec<String> {
    let t = args.trim();
    if t.starts_with('[') {
        if let Ok(v) = serde_json::from_str::<Vec<String>>(t) {
            return v;
        }
    }
    crate::shell_words::split(t, false)
}

/// The instructions of a Dockerfile: continuation lines joined, comments and heredoc bodies skipped.
pub fn instructions(text: &str) -> Vec<Instruction> {
    let mut out = Vec::new();
    let mut lines = text.lines().enumerate().peekable();
    while let Some((i, line)) = lines.next() {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let col = line.len() - trimmed.len() + 1;
        let mut logical = String::new();
        let mut cur = trimmed.to_string();
        loop {
            let t = cur.trim_end();
            match t.strip_suffix('\\') {
                Some(body) => {
                    logical.push_str(body);
                    logical.push(' ');
                    // The next non-comment line continues this one.
                    loop {
                        match lines.next() {
                            Some((_, l)) if l.trim_start().starts_with('#') => continue,
                            Some((_, l)) => {
                                cur = l.to_string();
                                break;
                            }
                            None => {
                                cur = String::new();
                                break;
                            }
                        }
                    }
                }
                None => {
                    logical.push_str(t);
                    break;
                }
            }
        }
        let (kw, rest) = logical
            .split_once(char::is_whitespace)
            .unwrap_or((logical.as_str(), ""));
        let keyword = kw.to_ascii_uppercase();
        // `RUN <<EOF … EOF`: the body is data for the shell, skip it here.
        if let Some(tag) = heredoc_tag(rest) {
            for (_, l) in lines.by_ref() {
                if l.trim() == tag {
                    break;
                }
            }
        }
        out.push(Instruction {
            pos: Pos::new(i + 1, col),
            keyword,
            args: rest.trim().to_string(),
        });
    }
    out
}

fn heredoc_tag(args: &str) -> Option<String> {
    let i = args.find("<<")?;
    let tag: String = args[i + 2..]
        .trim_start_matches('-')
        .trim_matches(|c| c == '"' || c == '\'')
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!tag.is_empty()).then_some(tag)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RAILS8: &str = "# syntax=docker/dockerfile:1\nARG RUBY_VERSION=3.3.6\nFROM docker.io/library/ruby:$RUBY_VERSION-slim AS base\n\n# Rails app lives here\nWORKDIR /rails\n\nENV RAILS_ENV=\"production\" \\\n    BUNDLE_DEPLOYMENT=\"1\" \\\n    BUNDLE_PATH=\"/usr/local/bundle\"\n\nFROM base AS build\nRUN apt-get update -qq && \\\n    apt-get install --no-install-recommends -y build-essential\nCOPY . .\n\nFROM base\nCOPY --from=build /rails /rails\nENTRYPOINT [\"/rails/bin/docker-entrypoint\"]\nCMD [\"./bin/thrust\", \"./bin/rails\", \"server\"]\n";

    #[test]
    fn rails_template_final_stage_inherits_workdir_and_env() {
        let d = Dockerfile::parse(RAILS8);
        assert_eq!(d.stages.len(), 3);
        let last = d.final_stage().unwrap();
        assert_eq!(last.workdir.as_ref().map(|w| w.0.as_str()), Some("/rails"));
        assert_eq!(last.workdir.as_ref().map(|w| w.1), Some(Pos::new(6, 1)));
        assert_eq!(last.env_value("RAILS_ENV").map(|e| e.0), Some("production"));
        assert_eq!(d.stages[0].image, "docker.io/library/ruby:3.3.6-slim");
        let (ep, cmd) = d.entrypoint_and_cmd();
        assert_eq!(ep.unwrap().0, vec!["/rails/bin/docker-entrypoint"]);
        assert_eq!(cmd.unwrap().0, vec!["./bin/thrust", "./bin/rails", "server"]);
        assert!(d.litestream_binary().is_none());
    }

    #[test]
    fn litestream_from_image_stage_and_downloads() {
        let d = Dockerfile::parse("FROM litestream/litestream:0.3.13 AS ls\nFROM ruby:3.3\nWORKDIR app\nCOPY --from=ls /usr/local/bin/litestream /usr/local/bin/litestream\nCOPY config/litestream.yml /etc/litestream.yml\n");
        let b = d.litestream_binary().unwrap();
        assert_eq!(b.version.as_deref(), Some("0.3.13"));
        assert_eq!(b.pos, Pos::new(4, 1));
        assert_eq!(d.final_stage().unwrap().workdir.as_ref().unwrap().0, "/app");
        assert_eq!(
            d.copied_to("config/litestream.yml").map(|c| c.0).as_deref(),
            Some("/etc/litestream.yml")
        );
        assert_eq!(
            d.copied_from("/etc/litestream.yml").as_deref(),
            Some("config/litestream.yml")
        );
        let d = Dockerfile::parse("FROM ruby\nWORKDIR /app\nCOPY config/docker_entrypoint.sh /docker_entrypoint.sh\nCOPY bin/ ./bin/\nENTRYPOINT [\"/docker_entrypoint.sh\"]\n");
        assert_eq!(
            d.copied_from("/docker_entrypoint.sh").as_deref(),
            Some("config/docker_entrypoint.sh")
        );

        let d = Dockerfile::parse(
            "FROM ruby:3.3\nCOPY --from=litestream/litestream:0.5.2 /usr/local/bin/litestream /bin/\n",
        );
        assert_eq!(d.litestream_binary().unwrap().version.as_deref(), Some("0.5.2"));

        let d = Dockerfile::parse("FROM ruby:3.3\nARG LITESTREAM_VERSION=0.3.13\nADD https://github.com/benbjohnson/litestream/releases/download/v${LITESTREAM_VERSION}/litestream-v${LITESTREAM_VERSION}-linux-amd64.tar.gz /tmp/ls.tgz\n");
        assert_eq!(d.litestream_binary().unwrap().version.as_deref(), Some("0.3.13"));

        let d = Dockerfile::parse("ARG V=0.5.11\nFROM ruby:3.3 AS base\nARG V\nRUN curl -o /tmp/l.deb https://github.com/benbjohnson/litestream/releases/download/v${V}/litestream-${V}-linux-amd64.deb && dpkg -i /tmp/l.deb\nFROM base\nCOPY . .\n");
        assert_eq!(d.litestream_binary().unwrap().version.as_deref(), Some("0.5.11"));

        let d = Dockerfile::parse("FROM ruby:3.3\nENV LS=0.3.13\nRUN wget https://github.com/benbjohnson/litestream/releases/download/v$LS/litestream-v$LS-linux-amd64.tar.gz \\\n  && tar -xzf litestream*.tar.gz -C /usr/local/bin\n");
        assert_eq!(d.litestream_binary().unwrap().version.as_deref(), Some("0.3.13"));
    }

    #[test]
    fn relative_workdir_env_legacy_form_and_heredocs() {
        let d = Dockerfile::parse(
            "FROM ruby\nWORKDIR /srv\nWORKDIR app/../web\nENV RAILS_ENV production\nRUN <<EOF\nWORKDIR /nope\nEOF\nENV A=1 B=\"two words\"\n",
        );
        let s = d.final_stage().unwrap();
        assert_eq!(s.workdir.as_ref().unwrap().0, "/srv/web");
        assert_eq!(s.env_value("RAILS_ENV").unwrap().0, "production");
        assert_eq!(s.env_value("B").unwrap().0, "two words");
    }
}
