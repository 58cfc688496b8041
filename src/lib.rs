//! iALP Playground: a reconstruction of iALP / A-iALP ("Large Language Model driven
//! Policy Exploration for Recommender Systems", WSDM 2025) that runs natively and in
//! the browser.
//!
//! Data flows one way: config → world → (user model → LLM labels → reward model →)
//! policies → runner → results → charts. Everything here is plain, seeded Rust; the
//! browser edge lives in [`web`] (wasm only) and the command-line edge in `src/bin/ialp/` (`sweep.rs`: sweeps and collect).

pub mod adapt;
pub mod bench_work;
pub mod chart;
pub mod env;
pub mod experiment;
pub mod ialp;
pub mod learner;
pub mod nn;
pub mod limits;
pub mod llm;
pub mod methods;
pub mod policy;
#[cfg(not(target_arch = "wasm32"))]
mod portable_math;
pub mod rng;
pub mod user_model;

#[cfg(target_arch = "wasm32")]
pub mod web;
