//! The built-in experiment configs: the paper's setting on each environment (sized to
//! finish in the browser in about 20 s with the no-key stand-in), real Coat, and the
//! README's tables. The page offers them in a menu; `ialp presets` lists them and
//! `ialp run --preset NAME` runs one. The JSON lives in `www/presets/`.

use super::config::{ConfigError, ExperimentConfig, ValidConfig};

/// A named, built-in config.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BuiltinPreset {
    pub name: &'static str,
    pub title: &'static str,
    pub json: &'static str,
}

impl BuiltinPreset {
    /// The preset's config, checked; `seeds` overrides its number of seeds.
    pub fn config(&self, seeds: Option<usize>) -> Result<ValidConfig, ConfigError> {
        let mut raw = ExperimentConfig::from_json(self.json)?.raw().clone();
        if let Some(k) = seeds {
            raw.seeds = k;
        }
        raw.check()
    }
}

macro_rules! preset {
    ($name:literal, $title:literal) => {
        BuiltinPreset {
            name: $name,
            title: $title,
            json: include_str!(concat!("../../www/presets/", $name, ".json")),
        }
    };
}

/// Every built-in preset, the paper's first.
pub const PRESETS: [BuiltinPreset; 11] = [
    preset!(
        "paper-coat",
        "The paper's setting on synthetic Coat: 9 methods (7 of the paper, 2 no-LLM twins), 5 seeds"
    ),
    preset!(
        "paper-kuairec",
        "The paper's setting on synthetic KuaiRec: 9 methods (7 of the paper, 2 no-LLM twins), 5 seeds"
    ),
    preset!(
        "paper-movielens",
        "The paper's setting on synthetic MovieLens-1M: 9 methods (7 of the paper, 2 no-LLM twins), 5 seeds"
    ),
    preset!(
        "paper-coat-long",
        "The paper's setting on synthetic Coat, 5,000 episodes each: about a minute"
    ),
    preset!(
        "paper-kuairec-long",
        "The paper's setting on synthetic KuaiRec, 2,500 episodes each: about a minute and a half"
    ),
    preset!(
        "paper-movielens-long",
        "The paper's setting on synthetic MovieLens-1M, 4,000 episodes each: about a minute"
    ),
    preset!(
        "paper-coat-real",
        "The paper's setting on real Coat (load the files): 9 methods (7 of the paper, 2 no-LLM twins), 5 seeds"
    ),
    preset!(
        "paper-kuairec-real",
        "The paper's setting on real KuaiRec 2.0 (load KuaiRec.zip), a seeded quarter of its users and videos: 9 methods, 5 seeds"
    ),
    preset!(
        "paper-movielens-real",
        "The paper's setting on real MovieLens-1M (load ml-1m.zip), a seeded tenth of its users and films: 9 methods, 5 seeds"
    ),
    preset!(
        "coat-real-baselines",
        "Real Coat, every baseline, 10,000 training episodes, 5 seeds"
    ),
    preset!(
        "coat-real-ialp",
        "Real Coat, Offline A2C vs iALP (heuristic), 10,000 episodes, 5 seeds"
    ),
];

/// The preset called `name`.
pub fn find(name: &str) -> Option<&'static BuiltinPreset> {
    PRESETS.iter().find(|p| p.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_is_valid_and_the_paper_ones_compare_the_seven_methods_and_the_twins() {
        use crate::methods::Method::*;
        for p in &PRESETS {
            let c = p.config(None).unwrap_or_else(|e| panic!("{}: {e}", p.name));
            if p.name.starts_with("paper-") {
                assert_eq!(
                    c.methods(),
                    [
                        Random,
                        Popular,
                        OfflineA2c,
                        OnlineA2c,
                        Ialp,
                        AIalpFt,
                        AIalpAp,
                        OfflineA2cFt,
                        OfflineA2cAp
                    ],
                    "{}",
                    p.name
                );
                assert_eq!(c.seeds(), 5);
            }
        }
        assert_eq!(
            find("paper-coat").unwrap().config(Some(2)).unwrap().seeds(),
            2
        );
        assert!(find("nope").is_none());
    }
}
