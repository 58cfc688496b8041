//! The methods an experiment compares, each described once: [`MethodSpec`] says what a
//! method is (its id, label, how it learns, what it needs) and how to build its
//! [`Learner`] for a run; [`SPECS`] lists them all, in [`Method::ALL`]'s order. The runner
//! (`experiment/run/`), the config check, links, presets, the page's method list and
//! the CLI read this table instead of matching on methods.
//!
//! Adding a method: a variant at the end of [`Method`] (its position seeds its random
//! streams), a file here with its spec and learner, and its line in [`SPECS`].

pub mod a2c;
pub mod a_ialp;
pub mod baselines;
pub mod ialp;
pub mod imported;
mod method;
mod spec;
pub mod twins;

pub use method::{Learning, Method, Source};
pub use spec::{BaselineConfig, Build, Built, MethodSpec, Pretrained, Settings};

/// Every method, in [`Method::ALL`]'s order.
pub const SPECS: [&MethodSpec; 14] = [
    &baselines::RANDOM,
    &baselines::POPULAR,
    &baselines::GREEDY,
    &baselines::EPSILON_GREEDY,
    &baselines::UCB,
    &a2c::OFFLINE_A2C,
    &a2c::DORL_A2C,
    &a2c::ONLINE_A2C,
    &ialp::IALP,
    &a_ialp::A_IALP_FT,
    &a_ialp::A_IALP_AP,
    &imported::IMPORTED,
    &twins::OFFLINE_A2C_FT,
    &twins::OFFLINE_A2C_AP,
];

/// The spec of `method`.
pub fn spec(method: Method) -> &'static MethodSpec {
    SPECS[method.index() as usize]
}

/// Whether a method among `methods` deploys `trained`'s policy (the runner then keeps it
/// when `trained` finishes).
pub fn deployed_by(trained: Method, methods: &[Method]) -> bool {
    methods.iter().any(|m| spec(*m).deploys == Some(trained))
}

/// What the table says of each method.
impl Method {
    /// The method's description: id, label, how it learns, what it needs
    /// ([`SPECS`]).
    pub fn spec(self) -> &'static MethodSpec {
        spec(self)
    }

    pub fn id(self) -> &'static str {
        self.spec().id
    }

    pub fn label(self) -> &'static str {
        self.spec().label
    }

    pub fn from_id(s: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.id() == s)
    }

    pub fn learning(self) -> Learning {
        self.spec().learning
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_follows_method_all() {
        for (k, m) in Method::ALL.iter().enumerate() {
            assert_eq!(SPECS[k].method, *m, "{}", SPECS[k].id);
            assert_eq!(spec(*m).id, m.id());
            if let Some(d) = spec(*m).deploys {
                // What is deployed is a trained network.
                assert_eq!(spec(d).learning, Learning::Offline, "{}", spec(*m).id);
            }
        }
    }
}
