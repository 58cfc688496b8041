//! The training worker: owns the [`Experiment`] and runs it in chunks, with a pause
//! between them in which Pause, Step, Stop and Speed messages are handled at once. It
//! streams [`Update`]s to the page, which only draws. LLM requests are sent from here
//! (fetch works in workers), with the key the page passed for this run.
//!
//! Every answer worth keeping is posted to the page the moment it arrives, whatever
//! became of the run that asked for it, and a prompt already in flight (for this run
//! or an abandoned one) is never sent twice: the new run waits for that answer.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use gloo::timers::future::TimeoutFuture;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::protocol::{FromTrainer, RunState, Speed, StartRun, ToTrainer, Update};
use crate::env::real::coat::CoatFiles;
use crate::env::{Preset, World};
use super::protocol::DataSummary;
use crate::experiment::{build_world, DataSource, Experiment, LlmTicket};
use crate::llm::{ApiKey, LlmCache, LlmOutcome};

/// Least time between two updates to the page, in ms.
const UPDATE_MS: f64 = 200.0;

fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// The worker's WebAssembly memory (it grows, never shrinks: its high-water mark).
fn wasm_memory_bytes() -> u64 {
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .map(|m| m.buffer().unchecked_into::<js_sys::ArrayBuffer>().byte_length() as u64)
        .unwrap_or(0)
}

fn post(msg: &FromTrainer) {
    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let _ = scope.post_message(&super::protocol::to_js(msg));
}

#[derive(Default)]
struct Trainer {
    run: u64,
    sim: Option<Experiment>,
    state: Option<RunState>,
    speed: Speed,
    key: ApiKey,
    /// The current run's requests that await an answer (sent, or waiting on a fetch).
    in_flight: usize,
    /// Fetches under way, by cache key: the (run, ticket) pairs waiting on each.
    fetching: HashMap<String, Vec<(u64, LlmTicket)>>,
    /// Running time before the current stretch, and when the stretch began.
    banked_ms: f64,
    since: Option<f64>,
    last_update: f64,
    /// Whether a tick is scheduled (never two at once).
    ticking: bool,
    /// The real data set loaded last (full size; each run cuts its own world from it).
    loaded: Option<Arc<World>>,
    /// Jobs finished when the page was last sent a checkpoint.
    kept_jobs: usize,
    /// What the page was sent of the current run's results.
    deltas: crate::experiment::delta::Deltas,
}

thread_local! {
    static TRAINER: RefCell<Trainer> = RefCell::new(Trainer::default());
}

/// The worker's entry point: listens for [`ToTrainer`] messages.
pub fn run() {
    std::panic::set_hook(Box::new(|info| {
        // The page is told (and replaces this worker) instead of waiting forever.
        post(&FromTrainer::Crashed {
            message: format!("the training worker hit an internal error: {info}"),
        });
    }));
    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let on_message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(|e: web_sys::MessageEvent| {
            // A message is a value, or [value, File, File, …] (LoadData).
            let data = e.data();
            let (value, files) = match data.dyn_ref::<js_sys::Array>() {
                Some(arr) => (
                    arr.get(0),
                    (1..arr.length())
                        .filter_map(|k| arr.get(k).dyn_into::<web_sys::File>().ok())
                        .collect(),
                ),
                None => (data, Vec::new()),
            };
            match super::protocol::from_js::<ToTrainer>(value) {
                Ok(ToTrainer::LoadData { load, preset }) => {
                    TRAINER.with_borrow_mut(|t| t.load_data(load, preset, files))
                }
                Ok(msg) => TRAINER.with_borrow_mut(|t| t.receive(msg)),
                Err(e) => post(&FromTrainer::Failed {
                    run: 0,
                    message: format!("the worker got a message it cannot read: {e}"),
                }),
            }
        });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    post(&FromTrainer::Ready);
}

fn schedule(run: u64, delay_ms: u32) {
    wasm_bindgen_futures::spawn_local(async move {
        TimeoutFuture::new(delay_ms).await;
        TRAINER.with_borrow_mut(|t| t.tick(run));
    });
}

impl Trainer {
    fn receive(&mut self, msg: ToTrainer) {
        match msg {
            ToTrainer::Start(s) => self.start(*s),
            ToTrainer::ExportPolicy { method, index } => {
                let file = self.sim.as_ref().and_then(|s| s.policy_file(method, index));
                post(&FromTrainer::Policy(match file {
                    Some(f) => Ok((
                        format!("ialp-policy-{}-seed{}.json", method.id(), f.seed),
                        f.to_json(),
                    )),
                    None => Err(format!(
                        "{} has no trained policy for that seed yet (fixed policies and bandits have none)",
                        method.label()
                    )),
                }));
            }
            ToTrainer::Pause => {
                if self.state == Some(RunState::Running)
                    || self.state == Some(RunState::WaitingForLlm)
                {
                    self.set_state(RunState::Paused);
                    self.update(true);
                }
            }
            ToTrainer::Resume => {
                if self.state == Some(RunState::Paused) {
                    self.set_state(RunState::Running);
                    self.update(true);
                    self.wake(0);
                }
            }
            ToTrainer::Step => {
                if matches!(
                    self.state,
                    Some(RunState::Running | RunState::WaitingForLlm)
                ) {
                    self.set_state(RunState::Paused);
                }
                if self.state == Some(RunState::Paused) {
                    self.step_once();
                }
            }
            ToTrainer::Stop => {
                if self.state.is_some_and(|s| !s.is_over()) {
                    self.set_state(RunState::Stopped);
                    self.update(true);
                }
            }
            ToTrainer::Speed(s) => self.speed = s,
            ToTrainer::LoadData { load, preset } => self.load_data(load, preset, Vec::new()),
            ToTrainer::PanicForTest => panic!("a crash asked for by a test (PanicForTest)"),
        }
    }

    /// Loads a data set from `files` and keeps it; on failure the one loaded before
    /// stays. Blocks the worker while it reads (a run in progress waits).
    fn load_data(&mut self, load: u64, preset: Preset, files: Vec<web_sys::File>) {
        let t0 = now_ms();
        if files.is_empty() {
            return post(&FromTrainer::LoadFailed { load, message: "no files were given".into() });
        }
        let mut last = 0.0;
        let mut progress = |p: crate::env::real::LoadProgress| {
            let t = now_ms();
            if t - last > 100.0 || p.done >= p.total {
                last = t;
                post(&FromTrainer::LoadProgress { load, progress: p });
            }
        };
        let loaded = super::blob::source_of(files)
            .and_then(|mut src| crate::env::real::load(preset, src.as_mut(), &mut progress));
        match loaded {
            Ok(l) => {
                let w = l.world;
                let summary = DataSummary {
                    load,
                    preset,
                    users: w.n_users(),
                    items: w.n_items(),
                    log: w.log.len(),
                    digest: crate::env::real::world_digest(&w),
                    report: l.report,
                    ms: now_ms() - t0,
                    memory_bytes: wasm_memory_bytes(),
                };
                self.loaded = Some(Arc::new(w));
                post(&FromTrainer::Loaded(Box::new(summary)));
            }
            Err(e) => post(&FromTrainer::LoadFailed { load, message: e.to_string() }),
        }
    }

    fn start(&mut self, s: StartRun) {
        let StartRun {
            run,
            config,
            real,
            cache,
            key,
            speed,
            paused,
            policy,
            resume,
        } = s;
        self.run = run;
        self.sim = None;
        self.state = None;
        self.deltas.reset();
        let failed = |message: String| post(&FromTrainer::Failed { run, message });
        let config = match config.check() {
            Ok(c) => c,
            Err(e) => return failed(format!("Please fix a setting: {e}")),
        };
        let world = if config.data() == DataSource::Real && !real.is_empty() {
            // Real Coat: its five small files come with the run.
            let mut files = CoatFiles::new();
            for (name, text) in real {
                files.add(&name, text);
            }
            files
                .load()
                .map_err(crate::experiment::WorldError::from)
                .and_then(|w| build_world(&config, Some(&w)))
        } else {
            build_world(&config, self.loaded.as_deref())
        };
        let world = match world {
            Ok(w) => Arc::new(w),
            Err(e) => return failed(e.to_string()),
        };
        let cache = LlmCache::from_json(&cache).unwrap_or_else(|_| LlmCache::new());
        let sim = match resume {
            None => Experiment::new(config, world),
            Some(saved) => match Experiment::resume(config, world, *saved) {
                Ok(sim) => sim,
                Err(e) => return failed(format!("This run cannot be resumed: {e}.")),
            },
        };
        self.kept_jobs = sim.jobs_done();
        let mut sim = sim.with_cache(cache);
        if let Some(text) = policy {
            match crate::experiment::PolicyFile::from_json(&text) {
                Ok(p) => sim = sim.with_imported(p),
                Err(e) => return failed(format!("The policy file cannot be used: {e}")),
            }
        }
        self.sim = Some(sim);
        self.key = key;
        self.speed = speed;
        self.in_flight = 0;
        self.banked_ms = 0.0;
        self.since = None;
        if paused {
            // Started by Step: paused, one episode in.
            self.set_state(RunState::Paused);
            self.step_once();
        } else {
            self.set_state(RunState::Running);
            self.update(true);
            self.wake(0);
        }
    }

    /// Keeps the running-time clock in step with the state.
    fn set_state(&mut self, s: RunState) {
        let now = now_ms();
        let running =
            |s: Option<RunState>| matches!(s, Some(RunState::Running | RunState::WaitingForLlm));
        if running(self.state) && !running(Some(s)) {
            if let Some(t) = self.since.take() {
                self.banked_ms += now - t;
            }
        } else if !running(self.state) && running(Some(s)) {
            self.since = Some(now);
        }
        self.state = Some(s);
    }

    fn elapsed_ms(&self) -> f64 {
        self.banked_ms + self.since.map(|t| now_ms() - t).unwrap_or(0.0)
    }

    fn wake(&mut self, delay: u32) {
        if !self.ticking {
            self.ticking = true;
            schedule(self.run, delay);
        }
    }

    fn tick(&mut self, run: u64) {
        self.ticking = false;
        if run != self.run
            || !matches!(
                self.state,
                Some(RunState::Running | RunState::WaitingForLlm)
            )
        {
            return;
        }
        let Some(sim) = self.sim.as_mut() else { return };
        let remote = sim.config().raw().llm.provider.is_remote();
        let (budget, pause) = self.speed.chunk();
        let t0 = now_ms();
        let done0 = sim.progress().done;
        while !sim.is_finished() && sim.halted().is_none() && !(remote && sim.waiting_for_llm()) {
            sim.advance(32);
            match budget {
                Some(ms) if now_ms() - t0 < ms => {}
                Some(_) => break,
                None if sim.progress().done == done0 => {}
                None => break,
            }
        }
        let waiting = remote && sim.waiting_for_llm();
        if waiting {
            self.send_llm_requests();
        }
        self.checkpoint_if_new();
        let over = self.finish_if_over();
        if !over {
            let s = if waiting {
                RunState::WaitingForLlm
            } else {
                RunState::Running
            };
            if self.state != Some(s) {
                self.set_state(s);
            }
        }
        self.update(over);
        if !over {
            self.wake(if waiting { 50 } else { pause });
        }
    }

    /// One more episode while paused.
    fn step_once(&mut self) {
        let Some(sim) = self.sim.as_mut() else { return };
        let done0 = sim.progress().done;
        let t0 = now_ms();
        while !sim.is_finished()
            && sim.halted().is_none()
            && sim.progress().done == done0
            && !sim.waiting_for_llm()
            && now_ms() - t0 < 2000.0
        {
            sim.advance(32);
        }
        self.checkpoint_if_new();
        self.finish_if_over();
        self.update(true);
    }

    /// Sends the page a checkpoint when another job has finished since the last one.
    fn checkpoint_if_new(&mut self) {
        let Some(sim) = self.sim.as_ref() else { return };
        if sim.jobs_done() > self.kept_jobs && !sim.is_finished() {
            self.kept_jobs = sim.jobs_done();
            post(&FromTrainer::Checkpoint {
                run: self.run,
                checkpoint: Box::new(sim.checkpoint()),
            });
        }
    }

    fn finish_if_over(&mut self) -> bool {
        let Some(sim) = self.sim.as_ref() else {
            return true;
        };
        if sim.halted().is_some() {
            self.set_state(RunState::Halted);
            true
        } else if sim.is_finished() {
            self.set_state(RunState::Finished);
            true
        } else {
            false
        }
    }

    fn send_llm_requests(&mut self) {
        let Some(sim) = self.sim.as_mut() else { return };
        let llm = sim.config().raw().llm.clone();
        let room = llm.max_concurrent.saturating_sub(self.in_flight);
        for ticket in sim.take_llm_requests(room) {
            self.in_flight += 1;
            let key = ticket.request.cache_key();
            if let Some(waiting) = self.fetching.get_mut(&key) {
                // Asked already (by an abandoned run, say): wait for that answer.
                waiting.push((self.run, ticket));
                continue;
            }
            let prompt = ticket.request.prompt.clone();
            self.fetching.insert(key.clone(), vec![(self.run, ticket)]);
            let (llm, api_key) = (llm.clone(), self.key.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let outcome = super::llm::ask(llm, api_key, prompt).await;
                TRAINER.with_borrow_mut(|t| t.answer(&key, outcome));
            });
        }
    }

    /// A fetch ended: keep the answer (page first), then hand it to every current-run
    /// request that waited on it. Only the first of them counts the HTTP calls.
    fn answer(&mut self, key: &str, outcome: LlmOutcome) {
        let waiting = self.fetching.remove(key).unwrap_or_default();
        if let (Ok(c), Some((_, first))) = (&outcome.result, waiting.first()) {
            if let Some(entry) = first.request.cache_entry(&c.text) {
                post(&FromTrainer::Answers(entry.clone()));
                if let Some(sim) = self.sim.as_mut() {
                    sim.keep_answers(entry);
                }
            }
        }
        let mut woke = false;
        for (k, (run, ticket)) in waiting.into_iter().enumerate() {
            if run != self.run {
                continue; // the run that asked is gone; its answer is kept above
            }
            self.in_flight = self.in_flight.saturating_sub(1);
            let mine = LlmOutcome {
                result: outcome.result.clone(),
                calls: if k == 0 { outcome.calls } else { 0 },
            };
            if let Some(sim) = self.sim.as_mut() {
                sim.give_llm_answer(&ticket, mine);
            }
            woke = true;
        }
        if woke && self.state == Some(RunState::WaitingForLlm) {
            self.wake(0);
        }
    }

    /// Sends a snapshot (always when `force`, else at most every [`UPDATE_MS`]).
    fn update(&mut self, force: bool) {
        let now = now_ms();
        if !force && now - self.last_update < UPDATE_MS {
            return;
        }
        let (Some(sim), Some(state)) = (self.sim.as_ref(), self.state) else {
            return;
        };
        self.last_update = now;
        let results = sim.results();
        let digest = results.complete.then(|| results.digest());
        if state.is_over() {
            self.key = ApiKey::default(); // the run is over: the worker keeps no key
        }
        let current = sim.current().map(|(m, k)| (m, sim.config().run_seed(k)));
        let change = self.deltas.change(&results);
        post(&FromTrainer::Update {
            update: Box::new(Update {
                run: self.run,
                state,
                progress: sim.progress(),
                current,
                elapsed_ms: self.elapsed_ms(),
                llm: sim.llm_stats(),
                digest,
                memory_bytes: wasm_memory_bytes(),
            }),
            results: change,
        });
    }
}
