//! [`Top`]: keeps the `k` largest items seen, in memory that grows with `k`,
//! not with how many items were offered.

/// The `k` largest items by a `u64` key; ties broken by the item's order.
#[derive(Debug, Clone)]
pub(crate) struct Top<T> {
    k: usize,
    items: Vec<(u64, T)>,
}

impl<T: Ord> Top<T> {
    /// Keeps at most `k` items.
    pub(crate) fn new(k: usize) -> Self {
        Self {
            k,
            items: Vec::new(),
        }
    }

    /// Offers an item.
    pub(crate) fn push(&mut self, key: u64, item: T) {
        if self.k == 0 {
            return;
        }
        self.items.push((key, item));
        if self.items.len() >= self.k.saturating_mul(2).max(64) {
            self.compact();
        }
    }

    fn compact(&mut self) {
        self.items
            .sort_unstable_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        self.items.truncate(self.k);
    }

    /// The kept items, largest first.
    pub(crate) fn into_sorted(mut self) -> Vec<(u64, T)> {
        self.compact();
        self.items
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_largest_k_in_order() {
        let mut top = Top::new(3);
        for i in 0..1000_u64 {
            top.push(i % 97, i);
        }
        let got: Vec<u64> = top.into_sorted().into_iter().map(|(k, _)| k).collect();
        assert_eq!(got, [96, 96, 96]);

        let mut none = Top::new(0);
        none.push(1, 1);
        assert!(none.into_sorted().is_empty());
    }
}
