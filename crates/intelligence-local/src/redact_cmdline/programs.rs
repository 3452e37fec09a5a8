//! The programs whose password sits where only they know it: a short flag
//! that is a password to them (`mysql -pVALUE`, `sshpass -p VALUE`) and
//! a port or parents to others (`ssh -p2222`, `mkdir -p`).
//!
//! A program is recognised by its name as a word of the command line (the
//! last component of a path), and from there to the end of the line its
//! flags are read as its own. That fails closed: in a `sh -c` script that
//! runs another program after it (`mysql ... && ssh -p2222 h`), that
//! program's flag of the same spelling is masked too.

use super::QUOTES;

/// How a password flag takes its value.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Takes {
    /// Only attached (`-pVALUE`): a bare flag makes the program prompt,
    /// and the next word is something else (mysql's database).
    Attached,
    /// Attached or as the next word: `-pVALUE`, `-p VALUE`.
    AttachedOrNext,
}

/// A flag whose value is a password.
struct Flag {
    /// The flag as written: `-p`.
    flag: &'static str,
    takes: Takes,
}

/// How a program is recognised by its name.
enum Name {
    Is(&'static str),
    /// A family of programs: `mysql`, `mysqldump`, `mysqladmin`.
    StartsWith(&'static str),
}

struct Program {
    name: Name,
    flags: &'static [Flag],
}

const MYSQL_P: Flag = Flag {
    flag: "-p",
    takes: Takes::Attached,
};

/// The programs and their password flags.
const PROGRAMS: &[Program] = &[
    // MySQL's and MariaDB's clients: `mysqldump`, `mariadb-admin`.
    Program {
        name: Name::StartsWith("mysql"),
        flags: &[MYSQL_P],
    },
    Program {
        name: Name::StartsWith("mariadb"),
        flags: &[MYSQL_P],
    },
    Program {
        name: Name::Is("sshpass"),
        flags: &[Flag {
            flag: "-p",
            takes: Takes::AttachedOrNext,
        }],
    },
];

/// A password flag in a word.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Found {
    /// A bare flag whose program prompts: nothing to mask.
    Prompts,
    /// A bare flag: the next word is the password.
    Next,
    /// The password is attached, from this byte of the word on.
    Attached(usize),
}

/// The programs named so far on a command line.
#[derive(Default)]
pub(super) struct Programs {
    named: Vec<&'static Program>,
}

impl Programs {
    /// Notes `word` when it names a program; otherwise, when it is a
    /// password flag of a program named before, what it holds. When the
    /// programs named disagree, the answer that masks more wins.
    pub(super) fn see(&mut self, word: &str) -> Option<Found> {
        if let Some(program) = named_by(word) {
            if !self.named.iter().any(|p| std::ptr::eq(*p, program)) {
                self.named.push(program);
            }
            return None;
        }
        self.named
            .iter()
            .flat_map(|program| program.flags)
            .filter_map(|flag| flag.find(word))
            .max()
    }
}

/// The program `word` names, if it is one of the table's.
fn named_by(word: &str) -> Option<&'static Program> {
    let bare = word.trim_matches(QUOTES);
    let name = bare.rsplit('/').next().unwrap_or(bare);
    PROGRAMS.iter().find(|program| match program.name {
        Name::Is(is) => name == is,
        Name::StartsWith(prefix) => name.starts_with(prefix),
    })
}

impl Flag {
    /// What `word` holds when it is this flag.
    fn find(&self, word: &str) -> Option<Found> {
        let quoted = word.len() - word.trim_start_matches(QUOTES).len();
        let value = word[quoted..].strip_prefix(self.flag)?;
        if !value.trim_matches(QUOTES).is_empty() {
            return Some(Found::Attached(quoted + self.flag.len()));
        }
        Some(match self.takes {
            Takes::Attached => Found::Prompts,
            Takes::AttachedOrNext => Found::Next,
        })
    }
}
