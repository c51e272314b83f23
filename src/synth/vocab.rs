//! The words synthetic values are made of, drawn from the `fake` crate with a generator
//! seeded by `--seed`: the same seed gives the same lists, and so the same rows. The lists
//! are small (values are picked from them in SQL by the row number, which also keeps every
//! value that must be unique unique); they are built once per seed.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

use fake::Fake;
use fake::faker::address::en::{CityName, CountryName, StreetName};
use fake::faker::company::en::CompanyName;
use fake::faker::lorem::en::Word;
use fake::faker::name::en::{FirstName, LastName};
use fake::rand::SeedableRng;
use fake::rand::rngs::StdRng;

/// Words per list.
const SIZE: usize = 48;

/// The lists of one seed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vocab {
    /// First names (letters only, so they fit in an email address).
    pub first: Vec<String>,
    /// Last names.
    pub last: Vec<String>,
    /// Plain words.
    pub words: Vec<String>,
    /// City names.
    pub cities: Vec<String>,
    /// Country names.
    pub countries: Vec<String>,
    /// Street names.
    pub streets: Vec<String>,
    /// Company names.
    pub companies: Vec<String>,
}

/// The lists for `seed` (built on first use, then shared).
pub fn for_seed(seed: u64) -> Arc<Vocab> {
    static BUILT: OnceLock<Mutex<HashMap<u64, Arc<Vocab>>>> = OnceLock::new();
    let built = BUILT.get_or_init(|| Mutex::new(HashMap::new()));
    let mut map = match built.lock() {
        Ok(m) => m,
        Err(poisoned) => poisoned.into_inner(),
    };
    map.entry(seed)
        .or_insert_with(|| Arc::new(Vocab::new(seed)))
        .clone()
}

impl Vocab {
    fn new(seed: u64) -> Self {
        let mut rng = StdRng::seed_from_u64(seed);
        let letters = |w: &String| !w.is_empty() && w.chars().all(|c| c.is_ascii_alphabetic());
        Self {
            first: distinct(&mut rng, |r| FirstName().fake_with_rng(r), letters),
            last: distinct(&mut rng, |r| LastName().fake_with_rng(r), |w| !w.is_empty()),
            words: distinct(&mut rng, |r| Word().fake_with_rng(r), letters),
            cities: distinct(&mut rng, |r| CityName().fake_with_rng(r), |w| !w.is_empty()),
            countries: distinct(
                &mut rng,
                |r| CountryName().fake_with_rng(r),
                |w| !w.is_empty(),
            ),
            streets: distinct(
                &mut rng,
                |r| StreetName().fake_with_rng(r),
                |w| !w.is_empty(),
            ),
            companies: distinct(
                &mut rng,
                |r| CompanyName().fake_with_rng(r),
                |w| !w.is_empty(),
            ),
        }
    }
}

/// Up to [`SIZE`] different values `make` returns that `keep` accepts, in the order drawn.
fn distinct(
    rng: &mut StdRng,
    make: impl Fn(&mut StdRng) -> String,
    keep: impl Fn(&String) -> bool,
) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for _ in 0..SIZE * 8 {
        let w = make(rng);
        if keep(&w) && seen.insert(w.clone()) {
            out.push(w);
            if out.len() == SIZE {
                break;
            }
        }
    }
    if out.is_empty() {
        out.push("value".into());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_lists_and_another_seed_others() {
        let a = Vocab::new(7);
        assert_eq!(a, Vocab::new(7));
        assert_ne!(a.first, Vocab::new(8).first);
        assert!(a.first.len() >= SIZE / 2, "{:?}", a.first);
        assert!(
            a.first
                .iter()
                .all(|w| w.chars().all(|c| c.is_ascii_alphabetic()))
        );
        assert!(!a.cities.is_empty() && !a.companies.is_empty() && !a.streets.is_empty());
        assert!(Arc::ptr_eq(&for_seed(7), &for_seed(7)));
    }
}
