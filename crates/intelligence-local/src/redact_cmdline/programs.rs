//! The programs whose password sits where only they know it: a short flag
//! that is a password to them (`mysql -pVALUE`, `redis-cli -a VALUE`) and
//! a port or parents to others (`ssh -p2222`, `mkdir -p`), a flag whose
//! value is `user:password` (`curl -u`), or an operand (`htpasswd -b FILE
//! USER PASSWORD`).
//!
//! A program is recognised by its name as a word of the command line (the
//! last component of a path), and from there to the end of the line its
//! flags are read as its own. That fails closed: in a `sh -c` script that
//! runs another program after it (`mysql ... && ssh -p2222 h`), that
//! program's flag of the same spelling is masked too.

use std::borrow::Cow;

use intelligence_core::redact::MASK;

use super::QUOTES;
use Name::{Is, StartsWith};
use Takes::{Attached, AttachedOrNext};

/// How a password flag takes its value.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Takes {
    /// Only attached (`-pVALUE`): a bare flag makes the program prompt,
    /// and the next word is something else (mysql's database).
    Attached,
    /// Attached or as the next word: `-pVALUE`, `-p VALUE`; for a long
    /// flag, `--user=VALUE`, `--user VALUE`.
    AttachedOrNext,
}

/// Which part of a flag's value is the secret.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Secret {
    /// All of it.
    Whole,
    /// The value is `USER`, the separator and `PASSWORD` (`admin:pw`): the
    /// password is masked. With nothing after the separator (`TOKEN:`) the
    /// user is masked instead, as that is how an API key is given as a
    /// user name (`curl -u sk_live_...:`); with no separator the program
    /// asks for the password, and nothing is masked.
    UserPass(char),
}

/// A flag whose value is a password.
struct Flag {
    /// The flag as written: `-p`, `--user`.
    flag: &'static str,
    takes: Takes,
    secret: Secret,
}

/// How a program is recognised by its name.
enum Name {
    Is(&'static str),
    /// A family of programs: `mysql`, `mysqldump`, `mysqladmin`.
    StartsWith(&'static str),
}

/// A password among a program's operands, once an option has put it
/// there: `htpasswd -b FILE USER PASSWORD`, `htpasswd -nb USER PASSWORD`.
/// Options come before the operands (as getopt stops at the first operand).
struct Operand {
    /// The option letter that makes the password an operand: `b`.
    when: char,
    /// The password's place among the operands, counting from 1.
    nth: usize,
    /// The option letter that drops the first operand (the file): `n`.
    one_fewer: char,
    /// The option letters that take a value, attached or the next word.
    with_value: &'static str,
}

struct Program {
    name: Name,
    /// The subcommand that must follow the name (anywhere after it, failing
    /// closed) before the flags are the program's password flags: `docker
    /// login -p VALUE`, while `docker run -p 8080:80` is a port.
    subcommand: Option<&'static str>,
    flags: &'static [Flag],
    operand: Option<Operand>,
}

impl Program {
    const fn new(name: Name, flags: &'static [Flag]) -> Self {
        Self {
            name,
            subcommand: None,
            flags,
            operand: None,
        }
    }

    const fn after(self, subcommand: &'static str) -> Self {
        Self {
            subcommand: Some(subcommand),
            ..self
        }
    }

    const fn with_operand(self, operand: Operand) -> Self {
        Self {
            operand: Some(operand),
            ..self
        }
    }
}

/// A password flag whose value is all secret.
const fn password(flag: &'static str, takes: Takes) -> Flag {
    Flag {
        flag,
        takes,
        secret: Secret::Whole,
    }
}

/// A flag whose value is `USER`, `separator`, `PASSWORD`.
const fn user_pass(flag: &'static str, separator: char) -> Flag {
    Flag {
        flag,
        takes: Takes::AttachedOrNext,
        secret: Secret::UserPass(separator),
    }
}

const MYSQL: &[Flag] = &[password("-p", Attached)];
const DOCKER_LOGIN: &[Flag] = &[password("-p", AttachedOrNext)];
const REDIS: &[Flag] = &[password("-a", AttachedOrNext)];
const SQLCMD: &[Flag] = &[password("-P", AttachedOrNext)];
const SAMBA: &[Flag] = &[user_pass("-U", '%'), user_pass("--user", '%')];

/// The programs and their password flags. A sensitive long flag
/// (`--password`, redis-cli's `--pass`) needs no entry: its name says so.
const PROGRAMS: &[Program] = &[
    // MySQL's and MariaDB's clients: `mysqldump`, `mariadb-admin`.
    Program::new(StartsWith("mysql"), MYSQL),
    Program::new(StartsWith("mariadb"), MYSQL),
    Program::new(Is("sshpass"), &[password("-p", AttachedOrNext)]),
    Program::new(Is("redis-cli"), REDIS),
    Program::new(Is("valkey-cli"), REDIS),
    Program::new(Is("docker"), DOCKER_LOGIN).after("login"),
    Program::new(Is("podman"), DOCKER_LOGIN).after("login"),
    // mongosh, the legacy mongo shell and the database tools (mongodump).
    Program::new(StartsWith("mongo"), &[password("-p", AttachedOrNext)]),
    Program::new(Is("sqlcmd"), SQLCMD),
    Program::new(Is("bcp"), SQLCMD),
    // The new passphrase and the old one.
    Program::new(
        Is("ssh-keygen"),
        &[
            password("-N", AttachedOrNext),
            password("-P", AttachedOrNext),
        ],
    ),
    Program::new(
        Is("curl"),
        &[
            user_pass("-u", ':'),
            user_pass("--user", ':'),
            user_pass("-U", ':'),
            user_pass("--proxy-user", ':'),
        ],
    ),
    // Samba's clients take `-U user%password`.
    Program::new(StartsWith("smb"), SAMBA),
    Program::new(Is("rpcclient"), SAMBA),
    Program::new(Is("lftp"), &[user_pass("-u", ',')]),
    // Apache's `htpasswd -b FILE USER PASSWORD`; `-C COST`, `-r ROUNDS`.
    Program::new(Is("htpasswd"), &[]).with_operand(Operand {
        when: 'b',
        nth: 3,
        one_fewer: 'n',
        with_value: "Cr",
    }),
];

/// A password flag in a word.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Found {
    /// A bare flag whose program prompts: nothing to mask.
    Prompts,
    /// A bare flag: the next word holds the password.
    Next(Secret),
    /// The value is attached, from this byte of the word on.
    Attached(usize, Secret),
}

impl Found {
    /// Of two programs' answers for one word, the one that masks more;
    /// when they disagree on the secret, all of the value is.
    fn or(self, other: Self) -> Self {
        match (self, other) {
            (Self::Attached(a, x), Self::Attached(b, y)) => Self::Attached(a.min(b), x.or(y)),
            (Self::Next(x), Self::Next(y)) => Self::Next(x.or(y)),
            (Self::Attached(..), _) | (Self::Next(_), Self::Prompts) => self,
            _ => other,
        }
    }
}

impl Secret {
    fn or(self, other: Self) -> Self {
        if self == other { self } else { Self::Whole }
    }

    /// `value` with this secret in it masked; `None` when there is none
    /// (`USER` without a password).
    pub(super) fn mask(self, value: &str) -> Option<Cow<'_, str>> {
        match self {
            Self::Whole => Some(Cow::Borrowed(MASK)),
            Self::UserPass(separator) => {
                let (user, pass) = value.split_once(separator)?;
                Some(Cow::Owned(if pass.trim_matches(QUOTES).is_empty() {
                    format!("{MASK}{separator}{pass}")
                } else {
                    format!("{user}{separator}{MASK}")
                }))
            }
        }
    }
}

/// A program named on the command line.
struct Named {
    program: &'static Program,
    /// Whether its subcommand, if it needs one, has followed.
    armed: bool,
    operands: Operands,
}

/// What a program's options and operands have been so far, for its
/// [`Operand`] rule.
#[derive(Default)]
struct Operands {
    /// The option that makes the password an operand has been given.
    when: bool,
    /// The option that drops the first operand has been given.
    one_fewer: bool,
    /// The next word is an option's value.
    value_next: bool,
    /// An operand (or `--`) has been seen: no more options.
    done: bool,
    /// Operands seen.
    seen: usize,
}

impl Named {
    /// What `word` holds for this program.
    fn see(&mut self, word: &str) -> Option<Found> {
        if !self.armed {
            self.armed = self.program.subcommand == Some(word.trim_matches(QUOTES));
            return None;
        }
        let operand = self
            .program
            .operand
            .as_ref()
            .and_then(|rule| self.operands.see(rule, word));
        self.program
            .flags
            .iter()
            .filter_map(|flag| flag.find(word))
            .chain(operand)
            .reduce(Found::or)
    }
}

impl Operands {
    /// `Some` when `word` is the password operand.
    fn see(&mut self, rule: &Operand, word: &str) -> Option<Found> {
        if std::mem::take(&mut self.value_next) {
            return None;
        }
        if !self.done
            && let Some(letters) = word.trim_matches(QUOTES).strip_prefix('-')
            && !letters.is_empty()
        {
            if letters == "-" {
                self.done = true;
            }
            for (i, letter) in letters.char_indices() {
                self.when |= letter == rule.when;
                self.one_fewer |= letter == rule.one_fewer;
                if rule.with_value.contains(letter) {
                    // `-C12` holds its value; `-C 12` is followed by it.
                    self.value_next = letters[i + letter.len_utf8()..].is_empty();
                    break;
                }
            }
            return None;
        }
        self.done = true;
        self.seen += 1;
        let nth = rule.nth - usize::from(self.one_fewer);
        (self.when && self.seen == nth).then_some(Found::Attached(0, Secret::Whole))
    }
}

/// The programs named so far on a command line.
#[derive(Default)]
pub(super) struct Programs {
    named: Vec<Named>,
}

impl Programs {
    /// What `word` holds for the programs named before it, if it is a
    /// password flag or operand of theirs; and notes it when it names a
    /// program or a named program's subcommand.
    pub(super) fn see(&mut self, word: &str) -> Option<Found> {
        if word.is_empty() {
            // Between two spaces in a `sh -c` script: no word at all.
            return None;
        }
        // Every named program sees every word, one that names another
        // program too: it may be an operand (`htpasswd -b FILE mongo PW`).
        let found = self
            .named
            .iter_mut()
            .filter_map(|named| named.see(word))
            .reduce(Found::or);
        if let Some(program) = named_by(word.trim_matches(QUOTES)) {
            // Named again, it starts afresh: `htpasswd -b F U P; htpasswd ...`.
            let named = Named {
                program,
                armed: program.subcommand.is_none(),
                operands: Operands::default(),
            };
            match self
                .named
                .iter_mut()
                .find(|n| std::ptr::eq(n.program, program))
            {
                Some(before) => *before = named,
                None => self.named.push(named),
            }
        }
        found
    }
}

/// The program `bare` names, if it is one of the table's.
fn named_by(bare: &str) -> Option<&'static Program> {
    let name = bare.rsplit('/').next().unwrap_or(bare);
    PROGRAMS.iter().find(|program| match program.name {
        Is(is) => name == is,
        StartsWith(prefix) => name.starts_with(prefix),
    })
}

impl Flag {
    /// What `word` holds when it is this flag.
    fn find(&self, word: &str) -> Option<Found> {
        let quoted = word.len() - word.trim_start_matches(QUOTES).len();
        let mut at = quoted + self.flag.len();
        let mut value = word[quoted..].strip_prefix(self.flag)?;
        if self.flag.starts_with("--") && !value.trim_matches(QUOTES).is_empty() {
            // `--user=VALUE`; `--user-agent` is another flag.
            value = value.strip_prefix('=')?;
            at += 1;
        }
        if !value.trim_matches(QUOTES).is_empty() {
            return Some(Found::Attached(at, self.secret));
        }
        Some(match self.takes {
            Takes::Attached => Found::Prompts,
            Takes::AttachedOrNext => Found::Next(self.secret),
        })
    }
}
