//! The run bar (Run, Pause, Step, Stop, Reset, speed, progress) and the worker it drives:
//! starting a run and taking in what the worker streams back.

use super::*;

/// The run's controls, and what the training worker says.
pub enum RunMsg {
    Control(Control),
    Speed(Speed),
    Trainer(FromTrainer),
    WorkerFailed(String),
}

/// A button of the run bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    Run,
    Stop,
    Pause,
    Resume,
    Step,
    Reset,
}

impl App {
    pub(super) fn on_run(&mut self, ctx: &Context<App>, msg: RunMsg) -> bool {
        match msg {
            RunMsg::Control(Control::Run) => {
                self.saved.resume_from = None;
                self.start()
            }
            RunMsg::Control(Control::Stop) => self.send(ToTrainer::Stop),
            RunMsg::Control(Control::Pause) => self.send(ToTrainer::Pause),
            RunMsg::Control(Control::Resume) => self.send(ToTrainer::Resume),
            RunMsg::Control(Control::Step) => {
                if self.run.as_ref().is_none_or(|r| r.state.is_over()) {
                    self.saved.resume_from = None;
                    self.start_with(true);
                } else {
                    self.send(ToTrainer::Step);
                }
            }
            RunMsg::Control(Control::Reset) => {
                if self.run.as_ref().is_some_and(|r| !r.state.is_over()) {
                    self.send(ToTrainer::Stop);
                }
                self.forget_current_run();
                self.run_id += 1;
                self.run = None;
                self.results = None;
                self.error = None;
                self.inspector = Inspector::default();
            }
            RunMsg::Speed(s) => {
                self.speed = s;
                self.send(ToTrainer::Speed(self.speed));
                return false;
            }
            RunMsg::Trainer(FromTrainer::Ready) => return false,
            RunMsg::Trainer(FromTrainer::LoadProgress { load, progress }) => {
                return self.on_data(ctx, DataMsg::Progress(load, progress))
            }
            RunMsg::Trainer(FromTrainer::Loaded(s)) => return self.on_data(ctx, DataMsg::Loaded(s)),
            RunMsg::Trainer(FromTrainer::LoadFailed { load, message }) => {
                return self.on_data(ctx, DataMsg::Failed(load, message))
            }
            RunMsg::Trainer(FromTrainer::Crashed { message }) => {
                ctx.link().send_message(RunMsg::WorkerFailed(message));
                return false;
            }
            RunMsg::Trainer(FromTrainer::Failed { run, message }) => {
                if run != self.run_id && run != 0 {
                    return false;
                }
                self.error = Some(message);
                self.saved.offer = self.saved.run.is_some();
                if let Some(r) = self.run.as_mut() {
                    if !r.state.is_over() {
                        r.state = RunState::Halted;
                    }
                }
            }
            RunMsg::Trainer(FromTrainer::Answers(c)) => {
                // Kept whichever run asked: merged into what is stored, never replacing it.
                let news = crate::web::llm::news(&self.cache, &c);
                self.cache.merge(c);
                self.keep_answers(ctx, news);
            }
            RunMsg::Trainer(FromTrainer::Update { update: u, results }) => {
                if u.run != self.run_id {
                    return false; // a snapshot of an abandoned run
                }
                // The results as the last snapshot of this run left them, changed.
                if !self.run.as_ref().is_some_and(|r| r.run == u.run) {
                    self.results = None;
                }
                // Shared with the panels that show them: changed in place when no panel
                // holds them any more, else copied.
                let mut now = self.results.take().map(Rc::unwrap_or_clone);
                let applied = results.apply_to(&mut now);
                self.results = now.map(Rc::new);
                if let Err(e) = applied {
                    self.error = Some(format!(
                        "A snapshot from the training worker did not fit: {e}. What the page has is kept."
                    ));
                    return true;
                }
                match u.state {
                    RunState::Finished => self.forget_current_run(),
                    RunState::Stopped | RunState::Halted => {
                        self.saved.offer = self.kept_for_this_run().is_some()
                    }
                    _ => {}
                }
                self.run = Some(*u);
            }
            RunMsg::Trainer(FromTrainer::Checkpoint { run, checkpoint }) => {
                self.keep_checkpoint(run, *checkpoint);
            }
            RunMsg::WorkerFailed(e) => {
                // The worker is gone: what the page has is kept; a new run starts a new one
                // (and gives it the loaded data set again).
                self.trainer = None;
                self.data.in_worker = false;
                self.error = Some(format!(
                    "{e}. What finished so far is kept; press Run to start again{}.",
                    if self.kept_for_this_run().is_some() { ", or Resume to go on from the last finished job" } else { "" }
                ));
                self.saved.offer = self.kept_for_this_run().is_some();
                if let Some(r) = self.run.as_mut() {
                    if !r.state.is_over() {
                        r.state = RunState::Halted;
                    }
                }
            }
            RunMsg::Trainer(FromTrainer::Policy(answer)) => {
                return self.on_policy(ctx, PolicyMsg::Saved(answer));
            }
        }
        true
    }

    /// Sends `msg` to the worker, if there is one.
    pub(super) fn send(&mut self, msg: ToTrainer) {
        if let Some(t) = &self.trainer {
            t.send(&msg);
        }
    }

    /// A worker to talk to: the current one, or a fresh one if it had crashed.
    pub(super) fn ensure_trainer(&mut self) -> bool {
        if self.trainer.is_some() {
            return true;
        }
        match TrainerHandle::spawn(
            {
                let link = self.link.clone();
                move |m| link.send_message(RunMsg::Trainer(m))
            },
            {
                let link = self.link.clone();
                move |e| link.send_message(RunMsg::WorkerFailed(e))
            },
        ) {
            Ok(t) => {
                self.trainer = Some(t);
                self.data.in_worker = false;
                true
            }
            Err(e) => {
                self.error = Some(e);
                false
            }
        }
    }

    pub(super) fn start(&mut self) {
        self.start_with(false);
    }

    /// Checks the settings and starts a run in the worker (paused: ready to step).
    pub(super) fn start_with(&mut self, paused: bool) {
        self.error = None;
        if !self.cache_loaded {
            // The kept answers are still being read: a run now would pay for them again.
            self.pending_start = Some(paused);
            return;
        }
        let config = match self.form.to_config() {
            Ok(c) => c,
            Err(e) => {
                self.error = Some(format!("Please fix a setting: {e}"));
                return;
            }
        };
        if config.data() == DataSource::Real && config.preset() == Preset::Coat && self.real.world.is_none() {
            self.error =
                Some(match &self.real.status {
                    Some(Err(e)) => format!("The real Coat files could not be used: {e}"),
                    _ => {
                        format!(
                    "Choose the five real Coat files first ({}), or switch to synthetic data.",
                    CoatFile::ALL.iter().map(|f| f.file_name()).collect::<Vec<_>>().join(", ")
                )
                    }
                });
            return;
        }
        let deploys = config.methods().contains(&Method::Imported);
        if deploys && self.imported.is_none() {
            self.error = Some(format!(
                "“{}” deploys a policy file: load one under “Deploy a trained policy” (export one with “Download policy” after a run), or untick it.",
                Method::Imported.label()
            ));
            return;
        }
        let llm = &config.raw().llm;
        if config.uses_llm() && llm.provider.is_remote() {
            // Nothing goes to a provider before the user has seen where, what it may
            // cost, and which key, and pressed Start (links with autorun included).
            let Some(target) = KeyBinding::of(llm) else {
                self.error = Some("Please fix a setting: llm.base_url cannot be used".into());
                return;
            };
            let estimate = Estimate::of(llm, &config.raw().ialp, config.preset(), config.seeds());
            self.consent = Some(Consent {
                config,
                paused,
                target,
                estimate,
                typed: String::new(),
                use_unbound: false,
                error: None,
                autorun: self.layout.autorun && self.run.is_none(),
            });
            return;
        }
        self.launch(config, paused, ApiKey::default());
    }

    /// Starts `config` in the worker with `key` (empty unless the user confirmed a remote
    /// run for the key's own host).
    pub(super) fn launch(&mut self, config: ValidConfig, paused: bool, key: ApiKey) {
        let deploys = config.methods().contains(&Method::Imported);
        let llm = &config.raw().llm;
        if !self.ensure_trainer() {
            return;
        }
        if config.data() == DataSource::Real && config.preset() != Preset::Coat {
            if let Err(e) = self.ensure_data(config.preset()) {
                self.error = Some(e);
                return;
            }
        }
        // The address bar always holds the config of the last run: copy it to share.
        set_fragment(&share::to_fragment(config.raw()));
        let resume = self.saved.resume_from.take();
        self.run_id += 1;
        // What the run reads besides its config (the real Coat files, the policy file it
        // deploys): sent to the worker, and kept with its checkpoints for a resume.
        let parts = saved_run::ExperimentConfigParts {
            config: config.raw().clone(),
            coat: if config.data() == DataSource::Real && config.preset() == Preset::Coat {
                self.real.texts.clone()
            } else {
                Vec::new()
            },
            policy: if deploys {
                self.imported.as_ref().map(|(n, _, j)| (n.clone(), j.clone()))
            } else {
                None
            },
        };
        let (real, policy) = (parts.coat.clone(), parts.policy.as_ref().map(|(_, j)| j.clone()));
        self.saved.launched = Some((self.run_id, parts));
        if resume.is_some() {
            self.saved.kept_for = Some(self.run_id);
        }
        self.saved.offer = false;
        self.inspector = Inspector::default();
        self.drawn = [0; 2];
        let msg = ToTrainer::Start(Box::new(StartRun {
            run: self.run_id,
            config: config.raw().clone(),
            real,
            cache: self.cache.to_json(),
            key: if llm.provider.is_remote() {
                key
            } else {
                ApiKey::default()
            },
            speed: self.speed,
            paused,
            policy,
            resume: resume.map(Box::new),
        }));
        self.send(msg);
    }

    /// The run bar, as the page shows it.
    pub(super) fn view_bar(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        html! {
            <RunBar run={self.run.clone()} run_id={self.run_id}
                kept={self.kept_for_this_run().map(|s| (s.checkpoint.jobs_done, s.checkpoint.jobs))}
                speed={self.speed} error={self.error.clone()}
                on_control={link.callback(RunMsg::Control)} on_speed={link.callback(RunMsg::Speed)} />
        }
    }
}

#[derive(Properties, PartialEq)]
pub(super) struct RunBarProps {
    /// The latest snapshot of the current run.
    pub run: Option<Update>,
    /// Identifies the current run (the status line carries it for the tests).
    pub run_id: u64,
    /// (jobs done, jobs) of the checkpoint kept for a resume of this run.
    pub kept: Option<(usize, usize)>,
    pub speed: Speed,
    /// The page's one error line.
    pub error: Option<String>,
    pub on_control: Callback<Control>,
    pub on_speed: Callback<Speed>,
}

/// Run / Pause / Step / Stop / Reset, the speed, and the progress with time left.
#[function_component(RunBar)]
pub(super) fn run_bar(props: &RunBarProps) -> Html {
    let run = props.run.as_ref();
    let state = run.map(|r| r.state);
    let live = state.is_some_and(|s| !s.is_over());
    let paused = state == Some(RunState::Paused);
    let (progress, status) = match run {
        None => (0.0, "Choose settings and press Run.".to_string()),
        Some(u) => {
            let p = u.progress;
            let word = match u.state {
                RunState::Running => "running",
                RunState::Paused => "paused",
                RunState::WaitingForLlm => "waiting for the LLM",
                RunState::Finished => "finished",
                RunState::Stopped => "stopped",
                RunState::Halted => "stopped (see the message)",
            };
            let now = match u.current {
                Some((m, seed)) if !u.state.is_over() => {
                    format!(" · {} (seed {seed})", m.label())
                }
                _ => String::new(),
            };
            let f = p.fraction();
            let moving = matches!(u.state, RunState::Running | RunState::WaitingForLlm);
            let left = if moving && f > 0.02 && u.elapsed_ms > 500.0 {
                let secs = u.elapsed_ms / 1000.0 * (1.0 - f) / f;
                if secs < 1.0 {
                    " · less than a second left".to_string()
                } else if secs < 90.0 {
                    format!(" · about {secs:.0} s left")
                } else {
                    format!(" · about {:.0} min left", secs / 60.0)
                }
            } else {
                String::new()
            };
            let kept = match props.kept {
                Some((done, jobs)) if !u.state.is_over() => {
                    format!(" · kept for a resume after {done} of {jobs} jobs")
                }
                _ => String::new(),
            };
            (
                f,
                format!(
                    "{word}: {} / {} episodes{now} · {:.1} s{left}{kept}",
                    p.done,
                    p.total,
                    u.elapsed_ms / 1000.0
                ),
            )
        }
    };
    let button = |c: Control| {
        let on = props.on_control.clone();
        Callback::from(move |_: MouseEvent| on.emit(c))
    };
    let on_speed = {
        let on = props.on_speed.clone();
        Callback::from(move |e: Event| on.emit(Speed::from_id(&select_value(&e)).unwrap_or_default()))
    };
    html! {
        <div class="run-bar" role="group" aria-label="Run controls">
            <div class="buttons">
                <button id="run" class="primary" onclick={button(Control::Run)} title="Start (or restart) the run with these settings">{ if run.is_some() { "Run again" } else { "Run" } }</button>
                if paused {
                    <button id="resume" onclick={button(Control::Resume)}>{"Resume"}</button>
                } else {
                    <button id="pause" disabled={!live} onclick={button(Control::Pause)}>{"Pause"}</button>
                }
                <button id="step" onclick={button(Control::Step)} title="Pause and run one more episode (or start paused)">{"Step"}</button>
                <button id="stop" disabled={!live} onclick={button(Control::Stop)} title="End the run, keeping what finished">{"Stop"}</button>
                <button id="reset" disabled={run.is_none()} onclick={button(Control::Reset)} title="Clear the results">{"Reset"}</button>
                <label for="speed" class="inline">{"Speed"}</label>
                <select id="speed" onchange={on_speed}>
                    { for Speed::ALL.iter().map(|s| html!{ <option value={s.id()} selected={*s == props.speed}>{s.label()}</option> }) }
                </select>
            </div>
            <div class="progress-row">
                <progress id="progress" max="1" value={progress.to_string()} aria-label="progress"></progress>
                <span id="status" aria-live="polite" data-run={props.run_id.to_string()}
                    title={run.map(|u| format!("the training worker holds {:.0} MB", u.memory_bytes as f64 / 1e6)).unwrap_or_default()}
                    data-memory={run.map(|u| u.memory_bytes.to_string()).unwrap_or_default()} data-state={state.map(|s| s.id()).unwrap_or("idle")}
                    data-done={run.map(|u| u.progress.done.to_string()).unwrap_or_default()}
                    data-kept={props.kept.map(|(done, _)| done.to_string()).unwrap_or_default()}>{status}</span>
            </div>
            if let Some(e) = &props.error {
                <p id="error" class="bad" role="alert">{e}</p>
            }
        </div>
    }
}
