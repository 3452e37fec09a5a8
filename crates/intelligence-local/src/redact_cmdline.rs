//! Masks secrets in process command lines before they go into a
//! recommendation, so they never reach the audit record.
//!
//! Each argument is split into whitespace-separated words (a `sh -c` script
//! is one argument), and a word's value is replaced by `***` when it is:
//!
//! - the value of a flag whose name looks sensitive: `--api-key=VALUE`,
//!   `--password VALUE`;
//! - the value of an assignment whose name looks sensitive, and the rest of
//!   the word: `PGPASSWORD=VALUE`, `user=me,password=VALUE`,
//!   `client_id=a&client_secret=VALUE`;
//! - a header value: `Authorization: Bearer VALUE`, `X-Api-Key: VALUE`,
//!   `Authorization:Bearer VALUE`;
//! - the value of a JSON or dict key whose name looks sensitive, and the
//!   rest of that word: `{"api_key": "VALUE"}`, `{"a":1,"token":"VALUE"}`;
//! - a value set off by spaces from its name: `apikey = VALUE`,
//!   `{'token' : 'VALUE'}`, `apikey= VALUE`;
//! - any of these inside a flag's value: `--header=X-Api-Key: VALUE`,
//!   `-HX-Api-Key:VALUE`, `--env=API_TOKEN=VALUE`;
//! - the credentials of a URL (`https://user:VALUE@host`, `https://TOKEN@host`)
//!   or a sensitive or signature query parameter (`?token=VALUE`,
//!   `?sig=VALUE`, `?X-Amz-Signature=VALUE`), in `redact_cmdline/url.rs`;
//! - a program's own password flag or operand, once the program has been
//!   named: `mysql -pVALUE`, `sshpass -p VALUE`, `redis-cli -a VALUE`,
//!   `curl -u USER:VALUE`, `htpasswd -b FILE USER VALUE`; elsewhere `-p`
//!   is a port or parents, left alone. The programs and their flags are
//!   a table, in `redact_cmdline/programs.rs`;
//! - a key recognised by its shape wherever it stands, with no sensitive
//!   name before it: `sk-proj-…`, `ghp_…`, `AKIA…`, `xoxb-…` (a known
//!   prefix, 16 or more token characters, a digit among them), in
//!   `redact_cmdline/tokens.rs`.
//!
//! A name is sensitive when it contains any of the core's
//! [`SENSITIVE_KEY_PARTS`] (which include `pass` and `pwd`), or has `pw` as
//! a whole word (`--pw`, `DB_PW`). Matching fails closed: a flag such as `--keyboard`
//! has its value masked too.

use std::borrow::Cow;
use std::ffi::OsString;

use intelligence_core::redact::{MASK, SENSITIVE_KEY_PARTS};

use programs::{Found, Programs, Secret};
use url::mask_url;

mod programs;
mod tokens;
mod url;

/// The longest command line a recommendation carries, in characters.
pub const MAX_CMDLINE_CHARS: usize = 200;

/// Words that make a name sensitive when they are a whole word of it
/// (`--pw`, `DB_PW`), being too short to look for inside other words.
const SENSITIVE_NAME_WORDS: [&str; 1] = ["pw"];

/// The quotes a `sh -c` script leaves around a word.
const QUOTES: [char; 2] = ['\'', '"'];

/// Words after which the next word is a credential (`Bearer abc`).
const AUTH_SCHEMES: [&str; 4] = ["bearer", "basic", "digest", "negotiate"];

/// The command line `args` joined by spaces, secrets masked, cut to
/// [`MAX_CMDLINE_CHARS`] characters. Non-UTF-8 bytes become U+FFFD.
pub fn redact_cmdline(args: &[OsString]) -> String {
    let mut out = String::new();
    let mut masker = Masker::default();
    for (i, arg) in args.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let arg = arg.to_string_lossy();
        for piece in arg.split_inclusive(char::is_whitespace) {
            let word = piece.trim_end_matches(char::is_whitespace);
            out.push_str(&masker.word(word));
            out.push_str(&piece[word.len()..]);
        }
    }
    out.chars().take(MAX_CMDLINE_CHARS).collect()
}

/// Masks a command line one word at a time, remembering what the words
/// before make of the next one.
#[derive(Default)]
struct Masker {
    expect: Expect,
    programs: Programs,
}

/// What the words seen so far make of the next one.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
enum Expect {
    /// Nothing: it is masked for what it is.
    #[default]
    Nothing,
    /// It holds a secret: after `--password`, `Bearer`, `X-Api-Key:`,
    /// `curl -u`.
    Secret(Secret),
    /// A sensitive key ended the last word: a word that starts with `:` or
    /// `=` is its value (`{'token' : 'VALUE'}`, `apikey = VALUE`).
    Separator,
}

impl Masker {
    /// `word` masked.
    fn word<'a>(&mut self, word: &'a str) -> Cow<'a, str> {
        let found = self.programs.see(word);
        let announced = match std::mem::take(&mut self.expect) {
            Expect::Nothing => None,
            Expect::Secret(secret) => self.secret(word, secret),
            Expect::Separator => self.after_key(word),
        };
        if let Some(masked) = announced {
            return masked;
        }
        match found {
            Some(Found::Attached(at, secret)) => {
                if let Some(masked) = secret.mask(&word[at..]) {
                    return Cow::Owned(format!("{}{masked}", &word[..at]));
                }
            }
            Some(Found::Next(secret)) => {
                self.expect = Expect::Secret(secret);
                return Cow::Borrowed(word);
            }
            Some(Found::Prompts) => return Cow::Borrowed(word),
            None => {}
        }
        if let Some(masked) = self.mask_flag(word) {
            return masked;
        }
        if let Some(masked) = self.mask_text(word) {
            return masked;
        }
        if let Cow::Owned(masked) = tokens::mask_tokens(word) {
            return Cow::Owned(masked);
        }
        if is_auth_scheme(word.trim_matches(QUOTES)) {
            self.expect = Expect::Secret(Secret::Whole);
        } else if ends_with_sensitive_key(word) {
            self.expect = Expect::Separator;
        }
        Cow::Borrowed(word)
    }

    /// `word` with the secret the word before announced masked. `None`
    /// when it holds none (it is empty, or a long option: the flag before
    /// had no value; or a user without a password), so that it is masked
    /// for what it is.
    fn secret<'a>(&mut self, word: &'a str, secret: Secret) -> Option<Cow<'a, str>> {
        let bare = word.trim_matches(QUOTES);
        if is_auth_scheme(bare) {
            // `X-Api-Key: Bearer VALUE`: the credential is still to come.
            self.expect = Expect::Secret(secret);
            return Some(Cow::Borrowed(word));
        }
        // A value may start with `-`; only a long option ends the wait.
        if bare.is_empty() || is_long_option(bare) {
            return None;
        }
        secret.mask(word)
    }

    /// `word` after a sensitive key that ended the word before: `:` or `=`
    /// and the value, or (when the value is the next word) the separator
    /// alone. `None` when it starts with neither.
    fn after_key<'a>(&mut self, word: &'a str) -> Option<Cow<'a, str>> {
        let value = word.strip_prefix([':', '='])?;
        if is_empty_value(value) {
            self.expect = Expect::Secret(Secret::Whole);
            return Some(Cow::Borrowed(word));
        }
        Some(Cow::Owned(format!("{}{MASK}", &word[..1])))
    }

    /// Masks a flag's value: all of it when the flag's name is sensitive
    /// (`--api-key=VALUE`; after `--password` the next word), else what a word
    /// of its own would have masked in it: a header (`--header=X-Api-Key:VALUE`,
    /// `-HX-Api-Key:VALUE`), an assignment (`--env=API_TOKEN=VALUE`), JSON or a
    /// URL. `None` when `word` is no flag or nothing in it is sensitive.
    fn mask_flag<'a>(&mut self, word: &'a str) -> Option<Cow<'a, str>> {
        let quoted = word.len() - word.trim_start_matches(QUOTES).len();
        let dashes = word[quoted..].len() - word[quoted..].trim_start_matches('-').len();
        if dashes == 0 {
            return None;
        }
        let name_start = quoted + dashes;
        let flag = &word[name_start..];
        if let Some((name, _)) = flag.split_once('=')
            && is_identifier(name)
        {
            let value_start = name_start + name.len() + 1;
            if is_sensitive_name(name) {
                return Some(self.mask_assigned(word, value_start));
            }
            let masked = self.mask_text(&word[value_start..])?;
            return Some(Cow::Owned(format!("{}{masked}", &word[..value_start])));
        }
        let name = flag.trim_end_matches(QUOTES);
        // A short flag's attached value: `-HX-Api-Key:VALUE`.
        if dashes == 1
            && let Some(letter) = name.chars().next()
        {
            let value_start = name_start + letter.len_utf8();
            if let Some(masked) = self.mask_text(&word[value_start..]) {
                return Some(Cow::Owned(format!("{}{masked}", &word[..value_start])));
            }
        }
        if !name.is_empty() && is_sensitive_name(name) {
            // Failing closed, an odd name's value is masked too (`--a:token=VALUE`).
            if let Some(eq) = name.find('=') {
                return Some(Cow::Owned(format!(
                    "{}{MASK}",
                    &word[..name_start + eq + 1]
                )));
            }
            self.expect = Expect::Secret(Secret::Whole);
            return Some(Cow::Borrowed(word));
        }
        None
    }

    /// `word` with what follows its sensitive name's `=` at `value_start`
    /// masked; when nothing follows (`apikey= VALUE`), the next word is
    /// the value.
    fn mask_assigned<'a>(&mut self, word: &'a str, value_start: usize) -> Cow<'a, str> {
        if is_empty_value(&word[value_start..]) {
            self.expect = Expect::Secret(Secret::Whole);
            return Cow::Borrowed(word);
        }
        Cow::Owned(format!("{}{MASK}", &word[..value_start]))
    }

    /// Masks an assignment (`TOKEN=VALUE`, also in a list: `a=1,token=VALUE`),
    /// a header or JSON pair (`X-Api-Key:VALUE`, `{"token":"VALUE"}`) or a
    /// URL's secrets in `text`, a word or a flag's value. `None` when nothing in it is sensitive (an empty
    /// value that makes the next word the secret counts as something).
    fn mask_text<'a>(&mut self, text: &'a str) -> Option<Cow<'a, str>> {
        let quoted = text.len() - text.trim_start_matches(QUOTES).len();
        if let Some((name, _)) = text[quoted..].split_once('=')
            && is_identifier(name)
            && is_sensitive_name(name)
        {
            return Some(self.mask_assigned(text, quoted + name.len() + 1));
        }
        if let Some(masked) = self.mask_colon_pairs(text) {
            return Some(masked);
        }
        if let Cow::Owned(masked) = mask_url(text) {
            return Some(Cow::Owned(masked));
        }
        // An assignment further along a list: `user=me,password=VALUE`
        // (mount options), `client_id=a&client_secret=VALUE` (form data),
        // `Server=h;Password=VALUE` (a connection string). The rest of the
        // word is masked, failing closed.
        let mut start = quoted;
        for piece in text[quoted..].split_inclusive([',', ';', '&']) {
            if start > quoted
                && let Some((name, _)) = piece.split_once('=')
                && is_identifier(name)
                && is_sensitive_name(name)
            {
                return Some(self.mask_assigned(text, start + name.len() + 1));
            }
            start += piece.len();
        }
        None
    }

    /// Masks what follows the first `NAME:` whose name is sensitive, in a
    /// header (`X-Api-Key:abc`) or in JSON or dict text (`{"a":1,"token":"x"}`):
    /// everything after that colon to the end of the word is masked (failing
    /// closed: a value may hold commas). An empty value, or an auth scheme
    /// alone (`Authorization:Bearer abc`), masks the next word (`X-Api-Key: abc`,
    /// `{"api_key": "abc"}`). `None` when no name is sensitive.
    fn mask_colon_pairs<'a>(&mut self, word: &'a str) -> Option<Cow<'a, str>> {
        let mut start = 0;
        for piece in word.split_inclusive(',') {
            if let Some(colon) = piece.find(':')
                && let Some(key) = header_or_json_key(&piece[..colon])
                && is_sensitive_name(key)
            {
                let value_start = start + colon + 1;
                let value = word[value_start..].trim_matches(QUOTES);
                // `Authorization:Bearer abc`: the scheme is kept, the credential
                // is the next word.
                if value.is_empty() || is_auth_scheme(value) {
                    self.expect = Expect::Secret(Secret::Whole);
                    return Some(Cow::Borrowed(word));
                }
                return Some(Cow::Owned(format!("{}{MASK}", &word[..value_start])));
            }
            start += piece.len();
        }
        None
    }
}

/// Whether a flag, variable, header or parameter name names a secret.
pub fn is_sensitive_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    SENSITIVE_KEY_PARTS.iter().any(|part| lower.contains(part))
        || lower
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|word| SENSITIVE_NAME_WORDS.contains(&word))
}

/// Whether a value after `=` or `:` is missing from its word: nothing, or
/// only the quote that opens it (`"password= VALUE"`), so that the value is
/// the next word.
fn is_empty_value(value: &str) -> bool {
    matches!(value, "" | "'" | "\"")
}

/// Whether `word` ends with a sensitive name and nothing after it (`apikey`,
/// `{'token'`, `{"a":1,"password"`), so that the next word may be its `=` or
/// `:` and value.
fn ends_with_sensitive_key(word: &str) -> bool {
    let key = word
        .rsplit([',', '=', '{', '[', '('])
        .next()
        .unwrap_or(word)
        .trim_matches(QUOTES);
    is_identifier(key) && is_sensitive_name(key)
}

fn is_long_option(word: &str) -> bool {
    word.strip_prefix("--")
        .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_alphabetic()))
}

fn is_auth_scheme(word: &str) -> bool {
    AUTH_SCHEMES.iter().any(|s| word.eq_ignore_ascii_case(s))
}

fn is_identifier(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// The name before a `:` as a header name (`X-Api-Key`) or a JSON or
/// Python-dict key (`{"api_key"`, `,'password'`): opening brackets, commas
/// and quotes are stripped before the name is checked.
fn header_or_json_key(name: &str) -> Option<&str> {
    let key = name
        .trim_start_matches(['{', '[', '(', ','])
        .trim_matches(['"', '\'']);
    is_header_name(key).then_some(key)
}

fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redact(line: &[&str]) -> String {
        let args: Vec<OsString> = line.iter().map(OsString::from).collect();
        redact_cmdline(&args)
    }

    #[test]
    fn masks_the_usual_places_secrets_hide() {
        let cases: &[(&[&str], &str)] = &[
            (&["app", "--api-key=sk-live-123"], "app --api-key=***"),
            (
                &["python3", "agent.py", "sk-proj-Ab3dEf6hIj9kLm2nOp5q"],
                "python3 agent.py ***",
            ),
            (&["app", "--password", "hunter2"], "app --password ***"),
            (
                &["env", "PGPASSWORD=s3cret", "psql"],
                "env PGPASSWORD=*** psql",
            ),
            (
                &["curl", "https://user:pa55@example.com/x"],
                "curl https://user:***@example.com/x",
            ),
            (
                &["git", "clone", "https://ghp_tok@github.com/a/b"],
                "git clone https://***@github.com/a/b",
            ),
            (
                &["curl", "-H", "Authorization: Bearer abc.def"],
                "curl -H Authorization: Bearer ***",
            ),
            (&["curl", "-H", "X-Api-Key: abc"], "curl -H X-Api-Key: ***"),
            (
                &["curl", "-H", "Authorization:Bearer SECRETNOSPACE"],
                "curl -H Authorization:Bearer ***",
            ),
            (
                &["curl", "-H", "authorization:basic dXNlcjpwdw=="],
                "curl -H authorization:basic ***",
            ),
            (
                &["sh", "-c", "curl -H 'Authorization:Negotiate YIIabc' h"],
                "sh -c curl -H 'Authorization:Negotiate *** h",
            ),
            (
                &["curl", "-H", "Authorization:SECRETNOSCHEME"],
                "curl -H Authorization:***",
            ),
            (
                &["wget", "--header=X-Api-Key: SECRETHDR1"],
                "wget --header=X-Api-Key: ***",
            ),
            (
                &["wget", "--header=Authorization: Bearer SECRETHDR2", "h"],
                "wget --header=Authorization: Bearer *** h",
            ),
            (
                &["wget", "--header=Authorization: SECRETHDR6", "h"],
                "wget --header=Authorization: *** h",
            ),
            (&["curl", "-HX-Api-Key:SECRETHDR3"], "curl -HX-Api-Key:***"),
            (
                &["curl", "-HAuthorization:SECRETHDR7", "h"],
                "curl -HAuthorization:*** h",
            ),
            (
                &["curl", "-HAuthorization:Bearer SECRETHDR4"],
                "curl -HAuthorization:Bearer ***",
            ),
            (
                &["sh", "-c", "curl -H'X-Api-Key:SECRETHDR5' h"],
                "sh -c curl -H'X-Api-Key:*** h",
            ),
            (
                &["docker", "run", "--env=API_TOKEN=SECRETENV", "img"],
                "docker run --env=API_TOKEN=*** img",
            ),
            (
                &["app", "--config={\"token\":\"SECRETCFG\"}"],
                "app --config={\"token\":***",
            ),
            (
                &["wget", "https://h/p?a=1&token=zz#f"],
                "wget https://h/p?a=1&token=***#f",
            ),
            (
                &[
                    "mount",
                    "-o",
                    "username=me,password=SECRETMNT,uid=0",
                    "//h/s",
                    "/mnt",
                ],
                "mount -o username=me,password=*** //h/s /mnt",
            ),
            (
                &[
                    "curl",
                    "-d",
                    "client_id=app&client_secret=SECRETFORM",
                    "https://h/t",
                ],
                "curl -d client_id=app&client_secret=*** https://h/t",
            ),
            (
                &[
                    "app",
                    "--db=Server=db;Database=shop;Password=SECRETCONN;Encrypt=1",
                ],
                "app --db=Server=db;Database=shop;Password=***",
            ),
            (
                &[
                    "curl",
                    "https://h/p?sig=SECRETSIG&X-Amz-Signature=SECRETAMZ&x=1",
                ],
                "curl https://h/p?sig=***&X-Amz-Signature=***&x=1",
            ),
            (
                &[
                    "wget",
                    "https://s3.example/b/k?X-Amz-Credential=AKIAEXAMPLE%2F2024&X-Amz-Security-Token=SECRETSTS&X-Goog-Signature=SECRETGOOG",
                ],
                "wget https://s3.example/b/k?X-Amz-Credential=***&X-Amz-Security-Token=***&X-Goog-Signature=***",
            ),
            (&["app", "--pw", "SECRETPW"], "app --pw ***"),
            (&["plink", "-pw", "SECRETPW2", "host"], "plink -pw *** host"),
            (&["env", "DB_PW=SECRETPW3", "app"], "env DB_PW=*** app"),
            (
                &["sh", "-c", "svc --admin-pw=SECRETPW4 --pw-file=/x"],
                "sh -c svc --admin-pw=*** --pw-file=***",
            ),
            (
                &["sh", "-c", "mysql --password=abc --user=me"],
                "sh -c mysql --password=*** --user=me",
            ),
            (
                &["svc", "--db-pass", "x", "--verbose"],
                "svc --db-pass *** --verbose",
            ),
            (
                &["curl", "-d", "{\"api_key\": \"json-8877\"}"],
                "curl -d {\"api_key\": ***",
            ),
            (
                &["app", "--config", "{\"model\":\"m\",\"token\":\"t-123\"}"],
                "app --config {\"model\":\"m\",\"token\":***",
            ),
            (&["py", "{'password': 'hunter22'}"], "py {'password': ***"),
            (&["py", "{'token' : 'SECRETJSON2'}"], "py {'token' : ***"),
            (
                &["app", "--config", "{\"a\": 1, \"secret\" :\"SECRETJSON3\"}"],
                "app --config {\"a\": 1, \"secret\" :***",
            ),
            (
                &["sh", "-c", "apikey = SECRETSPACEEQ run"],
                "sh -c apikey = *** run",
            ),
            (&["app", "apikey", "=SECRETSPACEEQ2"], "app apikey =***"),
            (&["app", "apikey= SECRETSPACEEQ3"], "app apikey= ***"),
            (
                &["sh", "-c", "app \"--password= SECRETEMPTYEQ\""],
                "sh -c app \"--password= ***",
            ),
            (&["app", "password : SECRETCOLON"], "app password : ***"),
            (
                &["/usr/bin/mysql", "-uroot", "-phunter2", "shop"],
                "/usr/bin/mysql -uroot -p*** shop",
            ),
            (
                &["sh", "-c", "mysqldump -u app -p'pa55' shop > /tmp/d.sql"],
                "sh -c mysqldump -u app -p*** shop > /tmp/d.sql",
            ),
            (
                &["mariadb-admin", "-pS3cr3t", "status"],
                "mariadb-admin -p*** status",
            ),
            (
                &["sshpass", "-p", "hunter2", "ssh", "host"],
                "sshpass -p *** ssh host",
            ),
            (&["sshpass", "-phunter2", "ssh"], "sshpass -p*** ssh"),
        ];
        for (line, expected) in cases {
            assert_eq!(redact(line), *expected, "{line:?}");
        }
    }

    #[test]
    fn leaves_ordinary_command_lines_alone() {
        for line in [
            &[
                "/usr/bin/python3",
                "-m",
                "http.server",
                "--bind=127.0.0.1",
                "8000",
            ][..],
            &[
                "docker",
                "run",
                "--env=PORT=8080",
                "-v/srv/data:/data",
                "--mount=type=bind,src=/srv/keys,dst=/keys",
                "nginx",
            ],
            &[
                "curl",
                "-sS",
                "-HAccept:application/json",
                "-ofile.txt",
                "h",
            ],
            &["mount", "-o", "rw,noatime,uid=1000", "/dev/sdb1", "/mnt"],
            &[
                "curl",
                "-d",
                "name=x&lang=en;q=0.9",
                "https://h/s?q=a,b&page=2",
            ],
        ] {
            assert_eq!(redact(line), line.join(" "));
        }
    }

    #[test]
    fn short_p_is_a_password_only_after_a_program_that_reads_it_so() {
        // Elsewhere `-p` is a port, parents or a profile, `-P` a path
        // option, `-a` a mode, `-u` a user.
        for line in [
            &["mkdir", "-p/tmp/x"][..],
            &["mkdir", "-p", "/tmp/x"],
            &["ssh", "-p2222", "host"],
            &["python3", "-m", "http.server", "-p8080"],
            &["python", "-m", "http.server", "-p", "8080"],
            &[
                "docker",
                "run",
                "-p",
                "8080:80",
                "--user",
                "1000:1000",
                "nginx",
            ],
            &["docker", "run", "-p8443:443", "nginx"],
            &["tar", "-P", "-cf", "/tmp/etc.tar", "/etc"],
            &["grep", "-a", "needle", "/var/log/syslog"],
            &["mysql", "-uroot", "shop"],
            &["ssh-keygen", "-t", "ed25519", "-N", "''", "-f", "/tmp/k"],
            // Without `-b`, htpasswd asks for the password.
            &["htpasswd", "-c", "/etc/nginx/.htpasswd", "admin"],
            &["htpasswd", "-v", "/etc/nginx/.htpasswd", "admin", "extra"],
        ] {
            assert_eq!(redact(line), line.join(" "));
        }
        // A bare `-p` makes mysql prompt; the next word is the database.
        assert_eq!(redact(&["mysql", "-p", "shop"]), "mysql -p shop");
        // With no password after the user, curl and smbclient prompt.
        for line in [
            &["curl", "-sS", "-u", "admin", "-o", "out", "https://h/x"][..],
            &["smbclient", "-L", "srv", "-U", "guest"],
            &["lftp", "-u", "anonymous", "ftp://h"],
        ] {
            assert_eq!(redact(line), line.join(" "));
        }
    }

    #[test]
    fn masks_the_password_flags_of_the_programs_that_have_them() {
        let cases: &[(&[&str], &str)] = &[
            (&["redis-cli", "-a", "SECRETREDIS"], "redis-cli -a ***"),
            (
                &["/usr/bin/redis-cli", "-h", "h", "-aSECRETREDIS2", "ping"],
                "/usr/bin/redis-cli -h h -a*** ping",
            ),
            (
                &["redis-cli", "--pass", "SECRETREDIS3"],
                "redis-cli --pass ***",
            ),
            (
                &[
                    "docker",
                    "login",
                    "-u",
                    "me",
                    "-p",
                    "SECRETDOCKER",
                    "reg.example",
                ],
                "docker login -u me -p *** reg.example",
            ),
            (
                &["docker", "login", "-pSECRETDOCKER2", "reg.example"],
                "docker login -p*** reg.example",
            ),
            (
                &["podman", "login", "-p", "SECRETPODMAN", "quay.io"],
                "podman login -p *** quay.io",
            ),
            (
                &[
                    "mongosh",
                    "-u",
                    "admin",
                    "-p",
                    "SECRETMONGO",
                    "mongodb://h/db",
                ],
                "mongosh -u admin -p *** mongodb://h/db",
            ),
            (
                &["mongodump", "-pSECRETMONGO2", "--db=shop"],
                "mongodump -p*** --db=shop",
            ),
            (
                &[
                    "sqlcmd",
                    "-S",
                    "srv",
                    "-U",
                    "sa",
                    "-P",
                    "SECRETSQL",
                    "-Q",
                    "select 1",
                ],
                "sqlcmd -S srv -U sa -P *** -Q select 1",
            ),
            (
                &["ssh-keygen", "-t", "ed25519", "-N", "SECRETNEW", "-f", "k"],
                "ssh-keygen -t ed25519 -N *** -f k",
            ),
            (
                &[
                    "ssh-keygen",
                    "-p",
                    "-PSECRETOLD",
                    "-N",
                    "SECRETNEW2",
                    "-f",
                    "k",
                ],
                "ssh-keygen -p -P*** -N *** -f k",
            ),
            (
                &["curl", "-u", "admin:SECRETCURLU", "https://h/x"],
                "curl -u admin:*** https://h/x",
            ),
            (
                &["curl", "--user", "admin:SECRETCURLU2", "h"],
                "curl --user admin:*** h",
            ),
            (&["curl", "-uadmin:SECRETCURLU3", "h"], "curl -uadmin:*** h"),
            (
                &[
                    "curl",
                    "--proxy-user=me:SECRETPROXY",
                    "-U",
                    "me:SECRETPROXY2",
                ],
                "curl --proxy-user=me:*** -U me:***",
            ),
            // An API key given as the user, with an empty password.
            (
                &["curl", "https://api.example/v1", "-u", "sk_test_SECRETKEY:"],
                "curl https://api.example/v1 -u ***:",
            ),
            (
                &["smbclient", "//srv/share", "-U", "user%SECRETSMB"],
                "smbclient //srv/share -U user%***",
            ),
            (
                &["smbclient", "-UDOM\\user%SECRETSMB2", "//srv/share"],
                "smbclient -UDOM\\user%*** //srv/share",
            ),
            (
                &["lftp", "-u", "user,SECRETLFTP", "sftp://h"],
                "lftp -u user,*** sftp://h",
            ),
            (
                &["lftp", "-e", "open -u user,SECRETLFTP2 h; mirror"],
                "lftp -e open -u user,*** h; mirror",
            ),
            (
                &[
                    "htpasswd",
                    "-b",
                    "/etc/nginx/.htpasswd",
                    "admin",
                    "SECRETHTP",
                ],
                "htpasswd -b /etc/nginx/.htpasswd admin ***",
            ),
            (
                &["htpasswd", "-nb", "admin", "SECRETHTP2"],
                "htpasswd -nb admin ***",
            ),
            // A user that is also a program's name is still an operand.
            (
                &["htpasswd", "-b", "f", "mongo", "SECRETHTP6"],
                "htpasswd -b f mongo ***",
            ),
            (
                &[
                    "htpasswd",
                    "-B",
                    "-C",
                    "12",
                    "-cb",
                    "f",
                    "admin",
                    "SECRETHTP3",
                ],
                "htpasswd -B -C 12 -cb f admin ***",
            ),
            (
                &["htpasswd", "-bBC12", "f", "admin", "-SECRETHTP4"],
                "htpasswd -bBC12 f admin ***",
            ),
            // Named again, a program counts its operands afresh.
            (
                &[
                    "sh",
                    "-c",
                    "htpasswd -b f a SECRETHTP7; htpasswd -b f b SECRETHTP8",
                ],
                "sh -c htpasswd -b f a *** htpasswd -b f b ***",
            ),
            (
                &[
                    "sh",
                    "-c",
                    "htpasswd  -b f admin 'SECRETHTP5' && nginx -s reload",
                ],
                "sh -c htpasswd  -b f admin *** && nginx -s reload",
            ),
        ];
        for (line, expected) in cases {
            assert_eq!(redact(line), *expected, "{line:?}");
        }
    }

    #[test]
    fn a_flag_without_a_value_does_not_swallow_the_next_flag() {
        assert_eq!(
            redact(&["app", "--password", "--debug"]),
            "app --password --debug"
        );
    }

    #[test]
    fn cuts_after_masking_so_a_secret_is_never_half_shown() {
        let long = "x".repeat(300);
        let line = ["app", long.as_str(), "--token=abcdef"];
        let out = redact(&line);
        assert_eq!(out.chars().count(), MAX_CMDLINE_CHARS);
        assert!(!out.contains("abcdef"));

        let line = ["app", "--token=abcdefghij", long.as_str()];
        let out = redact(&line);
        assert!(out.starts_with("app --token=*** x"), "{out}");
    }

    #[test]
    fn non_utf8_arguments_are_shown_lossily() {
        use std::os::unix::ffi::OsStringExt;
        let args = vec![
            OsString::from("cat"),
            OsString::from_vec(vec![b'a', 0xff, b'b']),
        ];
        assert_eq!(redact_cmdline(&args), "cat a\u{fffd}b");
    }

    /// The places `a_secret_never_survives` hides a secret in: the words
    /// that hold it, at the end of a command line.
    const PLACES: &[fn(&str) -> Vec<String>] = &[
        |s| vec![format!("--api-key={s}")],
        |s| vec!["--password".into(), s.into()],
        |s| vec![format!("PGPASSWORD={s}")],
        |s| vec![format!("https://user:{s}@db.example:5432/x")],
        |s| vec!["-H".into(), format!("Authorization: Bearer {s}")],
        |s| vec!["-H".into(), format!("Authorization:Digest {s}")],
        |s| vec![format!("--header=X-Api-Key: {s}")],
        |s| vec![format!("-HX-Api-Key:{s}")],
        |s| vec![format!("--env=API_TOKEN={s}")],
        |s| vec!["-o".into(), format!("user=me,password={s},uid=0")],
        |s| vec!["-d".into(), format!("grant_type=x&client_secret={s}")],
        |s| vec![format!("https://h/p?access_token={s}&x=1")],
        |s| {
            vec![format!(
                "https://a.blob.example/c/b?sv=2022-11-02&sig={s}&se=1"
            )]
        },
        |s| vec![format!("https://b.s3.example/k?X-Amz-Signature={s}")],
        |s| vec!["--pw".into(), s.into()],
        |s| vec!["sh".into(), "-c".into(), format!("run --token {s} now")],
        |s| vec!["-d".into(), format!("{{\"password\": \"{s}\"}}")],
        |s| vec!["-c".into(), format!("{{'token' : '{s}'}}")],
        |s| vec!["-c".into(), format!("apikey = {s}")],
        |s| vec!["-c".into(), format!("apikey= {s}")],
        |s| vec!["mysql".into(), "-uroot".into(), format!("-p{s}")],
        |s| vec!["redis-cli".into(), "-a".into(), s.into()],
        |s| vec!["docker".into(), "login".into(), "-p".into(), s.into()],
        |s| vec!["mongosh".into(), "-p".into(), s.into()],
        |s| vec!["sqlcmd".into(), format!("-P{s}")],
        |s| vec!["ssh-keygen".into(), "-N".into(), s.into()],
        |s| vec!["curl".into(), "-u".into(), format!("admin:{s}")],
        |s| vec!["smbclient".into(), format!("-Uuser%{s}")],
        |s| vec!["lftp".into(), "-u".into(), format!("user,{s}")],
        |s| {
            vec![
                "htpasswd".into(),
                "-bB".into(),
                "/etc/h".into(),
                "admin".into(),
                s.into(),
            ]
        },
        |s| vec![format!("--client-secret={s}")],
    ];

    proptest::proptest! {
        /// Whatever the secret, in whichever of the known places, it never
        /// appears in the output.
        #[test]
        fn a_secret_never_survives(
            secret in "[A-Za-z0-9_.+/=-][A-Za-z0-9_.+/=]{3,39}",
            place in 0..PLACES.len(),
            before in proptest::collection::vec("[a-z./]{1,12}", 0..4),
        ) {
            let pair = PLACES[place](&secret);
            let args: Vec<OsString> = before
                .iter()
                .cloned()
                .chain(pair)
                .map(OsString::from)
                .collect();
            let out = redact_cmdline(&args);
            proptest::prop_assert!(!out.contains(&secret), "{out}");
        }
    }
}
