//! Runs that survive a reload: each finished job's checkpoint is kept in IndexedDB
//! (`web/store.rs`); a page that finds one, or whose worker crashed, offers **Resume**,
//! which starts the same settings from that checkpoint (same final digest as a run
//! never interrupted), or **Discard**. One store operation at a time, the newest
//! waiting: a later checkpoint never lands under an earlier one.

use super::*;
use wasm_bindgen::JsValue;
use crate::experiment::Checkpoint;
use crate::web::store::{self, SavedRun};

pub enum SavedMsg {
    /// What the store held when the page opened.
    Found(Result<Option<SavedRun>, String>),
    /// A save or discard ended.
    Stored(Result<(), String>),
    ResumeSaved,
    Discard,
}

/// What the page keeps of the run interrupted, and of the current one.
#[derive(Default)]
pub(super) struct Saved {
    /// The newest run kept (found at start, or saved by this page).
    pub(super) run: Option<SavedRun>,
    /// Show the Resume / Discard banner.
    pub(super) offer: bool,
    /// The current run's settings, as a record's frame: (run id, its record without a
    /// checkpoint yet).
    pub(super) launched: Option<(u64, ExperimentConfigParts)>,
    /// The run id whose checkpoint is kept (so only that run's end discards it).
    pub(super) kept_for: Option<u64>,
    /// For the next launch: go on from here.
    pub(super) resume_from: Option<Checkpoint>,
    /// A save failed: why (shown until a save works).
    pub(super) problem: Option<String>,
    busy: bool,
    /// The store operation waiting: `Some(run)` save, `None` discard.
    next: Option<Option<SavedRun>>,
}

/// The parts of a record that do not change during a run.
#[derive(Clone)]
pub(super) struct ExperimentConfigParts {
    pub(super) config: crate::experiment::ExperimentConfig,
    pub(super) coat: Vec<(String, String)>,
    pub(super) policy: Option<(String, String)>,
}

impl App {
    /// Reads the store once, when the page opens.
    pub(super) fn look_for_saved_run(&self) {
        let link = self.link.clone();
        wasm_bindgen_futures::spawn_local(async move {
            link.send_message(SavedMsg::Found(store::load().await));
        });
    }

    /// Saves `run` (or discards with `None`) after any operation under way.
    pub(super) fn store(&mut self, op: Option<SavedRun>) {
        if self.saved.busy {
            self.saved.next = Some(op);
            return;
        }
        self.saved.busy = true;
        let link = self.link.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let r = match op {
                Some(run) => store::save(&run).await,
                None => store::discard().await,
            };
            link.send_message(SavedMsg::Stored(r));
        });
    }

    /// A checkpoint of run `run` arrived from the worker: keep it.
    pub(super) fn keep_checkpoint(&mut self, run: u64, checkpoint: Checkpoint) {
        let Some((id, parts)) = self.saved.launched.clone() else { return };
        if id != run || run != self.run_id {
            return;
        }
        let record = SavedRun {
            config: parts.config,
            coat: parts.coat,
            policy: parts.policy,
            checkpoint,
            saved_at: js_sys::Date::now(),
        };
        self.saved.run = Some(record.clone());
        self.saved.kept_for = Some(run);
        self.saved.offer = false;
        self.store(Some(record));
    }

    /// The record kept for the current run, if its checkpoints are the ones kept.
    pub(super) fn kept_for_this_run(&self) -> Option<&SavedRun> {
        self.saved.run.as_ref().filter(|_| self.saved.kept_for == Some(self.run_id))
    }

    /// The current run ended for good (finished, or reset by the user): its record goes.
    pub(super) fn forget_current_run(&mut self) {
        if self.saved.kept_for.take() == Some(self.run_id) {
            self.saved.run = None;
            self.saved.offer = false;
            self.store(None);
        }
    }

    pub(super) fn on_saved(&mut self, _ctx: &Context<App>, msg: SavedMsg) -> bool {
        match msg {
            SavedMsg::Found(Ok(None)) => return false,
            SavedMsg::Found(Ok(Some(run))) => {
                if self.saved.run.is_none() {
                    if self.results.is_none() && self.run.is_none() {
                        // What finished before the interruption, shown at once.
                        self.results = Some(Rc::new(run.checkpoint.results.clone()));
                    }
                    self.saved.run = Some(run);
                    self.saved.offer = true;
                }
            }
            SavedMsg::Found(Err(e)) => {
                self.saved.problem = Some(format!("A run kept in this browser could not be read: {e}."));
            }
            SavedMsg::Stored(r) => {
                self.saved.busy = false;
                match r {
                    Ok(()) => self.saved.problem = None,
                    Err(e) => {
                        self.saved.problem = Some(format!(
                            "This run cannot be kept for a resume after a reload: {e}. It goes on; export its results to keep them."
                        ))
                    }
                }
                if let Some(op) = self.saved.next.take() {
                    self.store(op);
                }
            }
            SavedMsg::ResumeSaved => self.resume_saved(),
            SavedMsg::Discard => {
                self.saved.run = None;
                self.saved.offer = false;
                self.saved.kept_for = None;
                if self.run.is_none() {
                    self.results = None;
                }
                self.store(None);
            }
        }
        true
    }

    /// Puts the interrupted run's settings, Coat files and policy back, and starts it
    /// from its checkpoint.
    fn resume_saved(&mut self) {
        let Some(s) = self.saved.run.clone() else { return };
        self.show_config(&s.config);
        if !s.coat.is_empty() {
            self.add_real_files(s.coat.iter().map(|(n, t)| (n.clone(), Ok(t.clone()))).collect());
        }
        if let Some((name, json)) = &s.policy {
            match crate::experiment::PolicyFile::from_json(json) {
                Ok(p) => self.imported = Some((name.clone(), p, json.clone())),
                Err(e) => {
                    self.error = Some(format!("The run's policy file cannot be used again: {e}"));
                    return;
                }
            }
        }
        self.saved.offer = false;
        self.saved.resume_from = Some(s.checkpoint);
        self.start_with(false);
        if self.saved.resume_from.is_some() && self.consent.is_none() {
            // It did not start (the error line says why): the offer stays.
            self.saved.offer = true;
        }
    }

    /// The banner offering to resume a run interrupted by a reload or a crash.
    pub(super) fn view_saved(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        html! {
            <>
            if let (true, Some(s)) = (self.saved.offer, &self.saved.run) {
                <div id="resume-offer" class="notice" role="region" aria-label="Interrupted run">
                    <p>{ format!(
                        "A run was interrupted{}: {} of {} jobs finished ({} episodes). Resume goes on from there with the same settings and seeds, to the same results as a run never interrupted.",
                        js_sys::Date::new(&JsValue::from_f64(s.saved_at)).to_locale_time_string("default").as_string().map(|t| format!(" (kept at {t})")).unwrap_or_default(),
                        s.checkpoint.jobs_done,
                        s.checkpoint.jobs,
                        s.checkpoint.done_episodes,
                    ) }</p>
                    <button id="resume-saved" class="primary" onclick={link.callback(|_| SavedMsg::ResumeSaved)}>{"Resume"}</button>
                    {" "}
                    <button id="discard-saved" onclick={link.callback(|_| SavedMsg::Discard)}>{"Discard"}</button>
                </div>
            }
            if let Some(p) = &self.saved.problem {
                <p id="save-problem" class="bad" role="alert">{p}</p>
            }
            </>
        }
    }
}
