//! Incident type detection: which analysis an incident calls for, from the
//! words of its title, description, and its alerts' names and descriptions.
//!
//! Matching is by whole words, never substrings: `ramp` is not `ram` and
//! `download` is not `load`. Words split at anything that is not a letter or
//! a digit and at camel-case boundaries, so the alert name
//! `HighMemoryUsage` says `memory` and `KubePodOOMKilled` says `oom`. A
//! keyword also matches its plural with `s` (`disks`). Memory wins over
//! disk, and disk over CPU, when an incident mentions several.

use intelligence_core::Incident;

/// What an incident is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncidentType {
    /// Memory pressure, swapping, out-of-memory kills.
    Memory,
    /// Disk space, inodes, quotas.
    Disk,
    /// CPU load.
    Cpu,
    /// None of the above: the general scan answers it.
    Unknown,
}

/// Memory keywords; `out of memory` is a phrase of three words.
pub const MEMORY_WORDS: [&str; 5] = ["memory", "ram", "oom", "out of memory", "swap"];
/// Disk keywords.
pub const DISK_WORDS: [&str; 6] = ["disk", "storage", "space", "filesystem", "inode", "quota"];
/// CPU keywords.
pub const CPU_WORDS: [&str; 4] = ["cpu", "load", "processor", "compute"];

/// The type of `incident`, from its title, description and alerts.
pub fn detect(incident: &Incident) -> IncidentType {
    let mut words = Vec::new();
    split_words(&incident.title, &mut words);
    split_words(&incident.description, &mut words);
    for alert in &incident.alerts {
        split_words(&alert.name, &mut words);
        split_words(&alert.description, &mut words);
    }
    classify(&words)
}

fn classify(words: &[String]) -> IncidentType {
    if mentions_any(words, &MEMORY_WORDS) {
        IncidentType::Memory
    } else if mentions_any(words, &DISK_WORDS) {
        IncidentType::Disk
    } else if mentions_any(words, &CPU_WORDS) {
        IncidentType::Cpu
    } else {
        IncidentType::Unknown
    }
}

fn mentions_any(words: &[String], keywords: &[&str]) -> bool {
    keywords.iter().any(|keyword| {
        let phrase: Vec<&str> = keyword.split(' ').collect();
        words.windows(phrase.len()).any(|window| {
            let last = phrase.len() - 1;
            window
                .iter()
                .zip(&phrase)
                .enumerate()
                .all(|(i, (word, kw))| {
                    word == kw || (i == last && word.strip_suffix('s') == Some(kw))
                })
        })
    })
}

/// Appends the lowercase words of `text` to `out`, splitting at
/// non-alphanumerics and camel-case boundaries (`HighCPULoad` is `high`,
/// `cpu`, `load`).
fn split_words(text: &str, out: &mut Vec<String>) {
    let chars: Vec<char> = text.chars().collect();
    let mut word = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            flush(&mut word, out);
            continue;
        }
        if c.is_uppercase() && !word.is_empty() {
            let prev = chars[i - 1];
            let next_is_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            if prev.is_lowercase() || prev.is_numeric() || (prev.is_uppercase() && next_is_lower) {
                flush(&mut word, out);
            }
        }
        word.extend(c.to_lowercase());
    }
    flush(&mut word, out);
}

fn flush(word: &mut String, out: &mut Vec<String>) {
    if !word.is_empty() {
        out.push(std::mem::take(word));
    }
}

#[cfg(test)]
mod tests {
    use intelligence_core::Alert;

    use super::*;

    fn incident(title: &str, description: &str, alerts: &[(&str, &str)]) -> Incident {
        Incident {
            description: description.into(),
            alerts: alerts
                .iter()
                .map(|(name, description)| Alert {
                    name: (*name).into(),
                    description: (*description).into(),
                })
                .collect(),
            ..Incident::new(1, title)
        }
    }

    #[test]
    fn detects_by_whole_words() {
        use IncidentType::*;
        type Case<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)], IncidentType);
        let table: &[Case<'_>] = &[
            ("High memory usage on web-1", "", &[], Memory),
            ("Process killed", "kernel said: Out of memory", &[], Memory),
            ("OOM on worker", "", &[], Memory),
            ("swap thrashing", "", &[], Memory),
            ("RAM nearly full", "", &[], Memory),
            ("Node alert", "", &[("HighMemoryUsage", "")], Memory),
            ("Pod restarted", "", &[("KubePodOOMKilled", "")], Memory),
            ("Disk full on db-1", "", &[], Disk),
            ("Two disks degraded", "", &[], Disk),
            ("no space left on device", "", &[], Disk),
            ("Inode exhaustion", "", &[], Disk),
            ("user over quota", "", &[], Disk),
            (
                "Alert",
                "",
                &[("NodeFilesystemAlmostFull", "root filesystem")],
                Disk,
            ),
            ("storage latency", "", &[], Disk),
            ("High CPU on api", "", &[], Cpu),
            ("load average 30", "", &[], Cpu),
            ("Alert", "", &[("HighCPULoad", "")], Cpu),
            ("compute node slow", "", &[], Cpu),
            // words that merely contain a keyword
            ("Ramp up traffic", "", &[], Unknown),
            ("download failed", "", &[], Unknown),
            ("Diskless boot failed", "", &[], Unknown),
            ("memorylane service down", "", &[], Unknown),
            ("backspace key stuck", "", &[], Unknown),
            ("overloaded queue", "", &[], Unknown),
            ("cpufreq governor changed", "", &[], Unknown),
            ("swapped primary and replica", "", &[], Unknown),
            ("Certificate expired", "", &[], Unknown),
            // precedence: memory over disk over CPU
            ("disk and memory alarms", "", &[], Memory),
            ("cpu load from disk io", "", &[], Disk),
        ];
        for (title, description, alerts, expected) in table {
            let got = detect(&incident(title, description, alerts));
            assert_eq!(got, *expected, "{title:?} / {description:?} / {alerts:?}");
        }
    }

    #[test]
    fn splits_camel_case_and_punctuation() {
        let mut words = Vec::new();
        split_words("HighCPULoad node_disk-usage v2Space", &mut words);
        assert_eq!(
            words,
            [
                "high", "cpu", "load", "node", "disk", "usage", "v2", "space"
            ]
        );
    }
}
