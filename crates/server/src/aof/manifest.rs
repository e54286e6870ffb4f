//! The AOF manifest (`<appendfilename>.manifest` in the AOF directory): which files make up the AOF, in
//! Redis 7.0's format, one line per file: `file <name> seq <n> type <b|h|i>`. The base file (a snapshot) comes
//! first, then history files (replaced by a rewrite, about to be deleted), then the incremental files in
//! sequence order; loading replays the base and then every incremental file.

use std::fmt::Write as _;

/// The longest manifest line Redis reads (`MANIFEST_MAX_LINE`).
const MAX_LINE: usize = 1024;

/// What a file is to the AOF.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// The snapshot the AOF starts from (`b`).
    Base,
    /// Replaced by a rewrite and no longer part of the AOF (`h`).
    History,
    /// Commands written after the base (`i`).
    Incr,
}

impl FileKind {
    fn letter(self) -> char {
        match self {
            FileKind::Base => 'b',
            FileKind::History => 'h',
            FileKind::Incr => 'i',
        }
    }
}

/// One file of the AOF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AofFile {
    /// Its name inside the AOF directory.
    pub name: String,
    /// Its sequence number (base and incremental files are numbered separately).
    pub seq: u64,
    /// What it is.
    pub kind: FileKind,
}

/// The files of an AOF.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    /// The base file, if any.
    pub base: Option<AofFile>,
    /// Files a rewrite replaced, still to be deleted.
    pub history: Vec<AofFile>,
    /// Incremental files, oldest first.
    pub incrs: Vec<AofFile>,
    base_seq: u64,
    incr_seq: u64,
}

impl Manifest {
    /// Parses a manifest with Redis's checks; the error is Redis's text for what is wrong.
    pub fn parse(text: &str) -> Result<Manifest, String> {
        let mut manifest = Manifest::default();
        let mut lines = 0;
        for raw in text.split_inclusive('\n') {
            lines += 1;
            if raw.starts_with('#') {
                continue;
            }
            // Redis reads lines of at most 1024 bytes.
            if !raw.ends_with('\n') || raw.len() > MAX_LINE + 1 {
                return Err("The AOF manifest file contains too long line".to_owned());
            }
            let line = raw.trim_matches([' ', '\t', '\r', '\n']);
            let words: Vec<String> = resp::split_args(line.as_bytes())
                .ok()
                .filter(|words| !line.is_empty() && words.len() >= 6 && words.len() % 2 == 0)
                .ok_or_else(|| "Invalid AOF manifest file format".to_owned())?
                .iter()
                .map(|word| String::from_utf8_lossy(word).into_owned())
                .collect();
            let (mut name, mut seq, mut kind) = (None, 0u64, None);
            for pair in words.chunks_exact(2) {
                let value = &pair[1];
                match pair[0].to_ascii_lowercase().as_str() {
                    "file" => {
                        if value.contains('/') {
                            return Err("File can't be a path, just a filename".to_owned());
                        }
                        name = Some(value.clone());
                    }
                    "seq" => seq = leading_number(value),
                    "type" => kind = value.chars().next(),
                    // Later versions may add keys: ignored, as Redis does.
                    _ => {}
                }
            }
            let (Some(name), Some(kind)) = (name, kind) else {
                return Err("Invalid AOF manifest file format".to_owned());
            };
            if seq == 0 {
                return Err("Invalid AOF manifest file format".to_owned());
            }
            match kind {
                'b' => {
                    if manifest.base.is_some() {
                        return Err("Found duplicate base file information".to_owned());
                    }
                    manifest.base_seq = seq;
                    manifest.base = Some(AofFile {
                        name,
                        seq,
                        kind: FileKind::Base,
                    });
                }
                'h' => manifest.history.push(AofFile {
                    name,
                    seq,
                    kind: FileKind::History,
                }),
                'i' => {
                    if seq <= manifest.incr_seq {
                        return Err("Found a non-monotonic sequence number".to_owned());
                    }
                    manifest.incr_seq = seq;
                    manifest.incrs.push(AofFile {
                        name,
                        seq,
                        kind: FileKind::Incr,
                    });
                }
                _ => return Err("Unknown AOF file type".to_owned()),
            }
        }
        if lines == 0 {
            return Err("Found an empty AOF manifest".to_owned());
        }
        Ok(manifest)
    }

    /// The manifest's text: base, history, then incremental files.
    pub fn to_text(&self) -> String {
        let mut text = String::new();
        for file in self.base.iter().chain(&self.history).chain(&self.incrs) {
            let name = if file.name.bytes().all(|b| b.is_ascii_graphic()) {
                file.name.clone()
            } else {
                format!("{:?}", file.name)
            };
            let _ = writeln!(
                text,
                "file {name} seq {} type {}",
                file.seq,
                file.kind.letter()
            );
        }
        text
    }

    /// Names a new base file (`<prefix>.<seq>.base.rdb`), turning the current one into history.
    pub fn new_base(&mut self, prefix: &str) -> String {
        if let Some(mut old) = self.base.take() {
            old.kind = FileKind::History;
            self.history.insert(0, old);
        }
        self.base_seq += 1;
        let name = format!("{prefix}.{}.base.rdb", self.base_seq);
        self.base = Some(AofFile {
            name: name.clone(),
            seq: self.base_seq,
            kind: FileKind::Base,
        });
        name
    }

    /// Names a new incremental file (`<prefix>.<seq>.incr.aof`) and appends it.
    pub fn new_incr(&mut self, prefix: &str) -> String {
        self.incr_seq += 1;
        let name = format!("{prefix}.{}.incr.aof", self.incr_seq);
        self.incrs.push(AofFile {
            name: name.clone(),
            seq: self.incr_seq,
            kind: FileKind::Incr,
        });
        name
    }

    /// The incremental file being written: the last one (a new one if there is none).
    pub fn last_incr(&mut self, prefix: &str) -> String {
        match self.incrs.last() {
            Some(file) => file.name.clone(),
            None => self.new_incr(prefix),
        }
    }

    /// After a rewrite: every incremental file but the one being written (`keep_last`) is covered by the new
    /// base, so it becomes history.
    pub fn retire_rewritten_incrs(&mut self, keep_last: bool) {
        let keep = usize::from(keep_last && !self.incrs.is_empty());
        let retired: Vec<AofFile> = self.incrs.drain(..self.incrs.len() - keep).collect();
        for mut file in retired.into_iter().rev() {
            file.kind = FileKind::History;
            self.history.insert(0, file);
        }
    }

    /// Takes the history files out of the manifest (their names, to delete).
    pub fn take_history(&mut self) -> Vec<String> {
        self.history.drain(..).map(|file| file.name).collect()
    }

    /// Whether there is nothing to load.
    pub fn is_empty(&self) -> bool {
        self.base.is_none() && self.incrs.is_empty()
    }
}

/// `atoll`: the leading decimal digits (0 when there are none).
fn leading_number(text: &str) -> u64 {
    let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().unwrap_or(0)
}

/// The manifest file's name.
pub fn manifest_name(prefix: &str) -> String {
    format!("{prefix}.manifest")
}

/// The incremental file written while the first rewrite of a newly enabled AOF runs, renamed into the
/// manifest when it succeeds.
pub fn temp_incr_name(prefix: &str) -> String {
    format!("temp-{prefix}.incr")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_redis_text() {
        let text = "file appendonly.aof.2.base.rdb seq 2 type b\n\
                    file appendonly.aof.1.incr.aof seq 1 type h\n\
                    file appendonly.aof.4.incr.aof seq 4 type i\n\
                    file appendonly.aof.5.incr.aof seq 5 type i\n";
        let manifest = Manifest::parse(text).unwrap();
        assert_eq!(manifest.base.as_ref().unwrap().seq, 2);
        assert_eq!(manifest.history.len(), 1);
        assert_eq!(manifest.incrs.len(), 2);
        assert_eq!(manifest.to_text(), text);
    }

    #[test]
    fn a_rewrite_turns_the_old_files_into_history() {
        let mut manifest = Manifest::default();
        assert_eq!(
            manifest.new_base("appendonly.aof"),
            "appendonly.aof.1.base.rdb"
        );
        assert_eq!(
            manifest.last_incr("appendonly.aof"),
            "appendonly.aof.1.incr.aof"
        );
        // A rewrite starts: writes go to a new incremental file; it ends: a new base.
        assert_eq!(
            manifest.new_incr("appendonly.aof"),
            "appendonly.aof.2.incr.aof"
        );
        assert_eq!(
            manifest.new_base("appendonly.aof"),
            "appendonly.aof.2.base.rdb"
        );
        manifest.retire_rewritten_incrs(true);
        // Each file joins the history at its head, as in Redis: the increments after the old base.
        assert_eq!(
            manifest.to_text(),
            "file appendonly.aof.2.base.rdb seq 2 type b\n\
             file appendonly.aof.1.incr.aof seq 1 type h\n\
             file appendonly.aof.1.base.rdb seq 1 type h\n\
             file appendonly.aof.2.incr.aof seq 2 type i\n"
        );
        assert_eq!(
            manifest.take_history(),
            ["appendonly.aof.1.incr.aof", "appendonly.aof.1.base.rdb"]
        );
    }

    #[test]
    fn rejects_what_redis_rejects() {
        for (text, error) in [
            ("", "Found an empty AOF manifest"),
            ("file a seq 1\n", "Invalid AOF manifest file format"),
            (
                "file a seq 1 type b",
                "The AOF manifest file contains too long line",
            ),
            (
                "file a/b seq 1 type b\n",
                "File can't be a path, just a filename",
            ),
            (
                "file a seq 1 type b\nfile b seq 2 type b\n",
                "Found duplicate base file information",
            ),
            (
                "file a seq 2 type i\nfile b seq 1 type i\n",
                "Found a non-monotonic sequence number",
            ),
            ("file a seq 1 type x\n", "Unknown AOF file type"),
            ("file a seq 0 type i\n", "Invalid AOF manifest file format"),
        ] {
            assert_eq!(Manifest::parse(text).unwrap_err(), error, "{text:?}");
        }
        assert!(Manifest::parse("# comment\nfile a seq 1 type b\n").is_ok());
        let long = format!("file {} seq 1 type b\n", "a".repeat(1100));
        assert_eq!(
            Manifest::parse(&long).unwrap_err(),
            "The AOF manifest file contains too long line"
        );
    }
}
