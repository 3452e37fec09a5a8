//! [`Stat`]: a median with its minimum and maximum, in a unit that knows
//! how to print itself and whether more is better.

/// What a figure counts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Unit {
    /// Wall time in seconds.
    Seconds,
    /// Per-call latency in microseconds.
    Micros,
    /// Operations per second, with the operation's name (`runs`, `req`).
    Rate(&'static str),
    /// Peak resident memory in KiB.
    KiB,
}

impl Unit {
    /// Whether a larger value is better (a rate) rather than a cost.
    pub fn higher_is_better(self) -> bool {
        matches!(self, Self::Rate(_))
    }

    /// `value` printed with its unit.
    pub fn format(self, value: f64) -> String {
        match self {
            Self::Seconds if value < 1e-3 => format!("{:.0} µs", value * 1e6),
            Self::Seconds if value < 1.0 => format!("{:.1} ms", value * 1e3),
            Self::Seconds => format!("{value:.2} s"),
            Self::Micros if value < 1.0 => format!("{value:.2} µs"),
            Self::Micros if value < 1_000.0 => format!("{value:.1} µs"),
            Self::Micros => format!("{:.2} ms", value / 1e3),
            Self::Rate(what) => format!("{} {what}/s", thousands(value)),
            Self::KiB => format!("{:.1} MiB", value / 1024.0),
        }
    }
}

/// `1234567.8` as `1,234,568`.
pub fn thousands(value: f64) -> String {
    let digits = format!("{:.0}", value.max(0.0));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A median with its range over the samples.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stat {
    /// The unit of every value.
    pub unit: Unit,
    /// The median sample.
    pub median: f64,
    /// The smallest sample.
    pub min: f64,
    /// The largest sample.
    pub max: f64,
    /// How many samples.
    pub samples: usize,
}

impl Stat {
    /// The statistic of `samples`; `None` when there are none.
    pub fn of(unit: Unit, samples: &[f64]) -> Option<Self> {
        let mut sorted: Vec<f64> = samples.iter().copied().filter(|v| v.is_finite()).collect();
        if sorted.is_empty() {
            return None;
        }
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let median = if n % 2 == 1 {
            sorted[n / 2]
        } else {
            (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
        };
        Some(Self {
            unit,
            median,
            min: sorted[0],
            max: sorted[n - 1],
            samples: n,
        })
    }

    /// One measurement.
    pub fn single(unit: Unit, value: f64) -> Self {
        Self {
            unit,
            median: value,
            min: value,
            max: value,
            samples: 1,
        }
    }

    /// A median with a range measured elsewhere (per-call latencies).
    pub fn with_range(unit: Unit, median: f64, min: f64, max: f64, samples: usize) -> Self {
        Self {
            unit,
            median,
            min,
            max,
            samples,
        }
    }

    /// What one unit of work costs, so that lower is better for every unit.
    pub fn cost(&self) -> f64 {
        if self.unit.higher_is_better() {
            1.0 / self.median
        } else {
            self.median
        }
    }

    /// Our cost over the reference's: below 1 is better than the reference.
    pub fn ratio_to(&self, reference: &Stat) -> Option<f64> {
        let ratio = self.cost() / reference.cost();
        ratio.is_finite().then_some(ratio)
    }
}

impl std::fmt::Display for Stat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.unit.format(self.median))?;
        if self.samples > 1 && self.min != self.max {
            write!(
                f,
                " [{}..{}]",
                self.unit.format(self.min),
                self.unit.format(self.max)
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_even_and_odd_counts_and_range() {
        let odd = Stat::of(Unit::Seconds, &[3.0, 1.0, 2.0]).expect("samples");
        assert_eq!((odd.median, odd.min, odd.max), (2.0, 1.0, 3.0));
        let even = Stat::of(Unit::Seconds, &[4.0, 1.0, 2.0, 3.0]).expect("samples");
        assert_eq!(even.median, 2.5);
        assert!(Stat::of(Unit::Seconds, &[]).is_none());
        assert!(Stat::of(Unit::Seconds, &[f64::NAN]).is_none());
    }

    #[test]
    fn ratio_is_a_cost_ratio_for_times_and_rates() {
        let ours = Stat::single(Unit::Seconds, 0.2);
        let du = Stat::single(Unit::Seconds, 0.4);
        assert_eq!(ours.ratio_to(&du), Some(0.5));
        let slow = Stat::single(Unit::Rate("runs"), 1_000.0);
        let fast = Stat::single(Unit::Rate("runs"), 4_000.0);
        assert_eq!(slow.ratio_to(&fast), Some(4.0));
        assert_eq!(ours.ratio_to(&Stat::single(Unit::Seconds, 0.0)), None);
    }

    #[test]
    fn formats_with_units_and_ranges() {
        assert_eq!(thousands(1_234_567.4), "1,234,567");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(Unit::Seconds.format(0.0123), "12.3 ms");
        assert_eq!(Unit::Seconds.format(0.000_25), "250 µs");
        assert_eq!(Unit::KiB.format(10_240.0), "10.0 MiB");
        let stat = Stat::of(Unit::Rate("runs"), &[5_000.0, 6_000.0, 7_000.0]).expect("samples");
        assert_eq!(
            stat.to_string(),
            "6,000 runs/s [5,000 runs/s..7,000 runs/s]"
        );
        assert_eq!(Stat::single(Unit::Seconds, 2.0).to_string(), "2.00 s");
    }
}
