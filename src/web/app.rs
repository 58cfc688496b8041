//! The page: settings on the left, the live chart and the results table on the right.
//! Training runs in a worker (`trainer.rs`); the page sends it Start, Pause, Step, Stop
//! and Speed, and draws the snapshots it streams back, so the page never freezes.

use std::sync::Arc;

use web_sys::{HtmlCanvasElement, HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::protocol::{FromTrainer, RunState, Speed, StartRun, ToTrainer, Update};
use super::worker::TrainerHandle;
use crate::chart::{Curve, Series};
use crate::env::coat::{CoatFile, CoatFiles};
use crate::env::{synthetic, Mode, Preset, Window, World};
use crate::experiment::form::ConfigForm;
use crate::experiment::share::{self, Layout};
use crate::experiment::{build_world, DataSource, Results, ValidConfig};
use crate::ialp::Estimate;
use crate::llm::key::{is_loopback, KeyRing};
use crate::llm::prompt::DEFAULT_TEMPLATE;
use crate::llm::{ApiKey, KeyBinding, LlmCache, LlmConfig, Provider};
use crate::policy::{Learning, Method};

pub enum Msg {
    LoadPreset(String),
    Preset(String),
    Data(String),
    Scale(String),
    Seed(String),
    Mode(String),
    EvalEpisodes(String),
    Seeds(String),
    OfflineEpisodes(String),
    OnlineEpisodes(String),
    EvalEvery(String),
    A2cLearningRate(String),
    A2cEntropy(String),
    LeaveN(String),
    LeaveTau(String),
    Window(String),
    Method(Method, bool),
    LlmProvider(String),
    LlmBaseUrl(String),
    LlmModel(String),
    LlmNoise(String),
    LlmMaxCalls(String),
    LlmConcurrent(String),
    LlmTimeout(String),
    LlmCasesPerRequest(String),
    LlmTemplate(String),
    LlmTemplateReset,
    IalpLambda(String),
    IalpStates(String),
    Key(String),
    RememberKey(bool),
    ForgetKey,
    /// The estimate panel before a remote run: a key typed there, the older page's
    /// unbound key confirmed for this host, Start, Cancel.
    ConsentKey(String),
    ConsentUseUnbound(bool),
    ConsentStart,
    ConsentCancel,
    /// Another tab saved the answer cache: take its answers too.
    StoredCacheChanged,
    DownloadAsideCache,
    CacheExport,
    CacheImport(Vec<web_sys::File>),
    CacheImported(Result<String, String>),
    ExportResults(&'static str),
    Files(Vec<web_sys::File>),
    FilesRead(Vec<(String, Result<String, String>)>),
    Run,
    Stop,
    Pause,
    Resume,
    Step,
    Reset,
    Speed(String),
    Trainer(FromTrainer),
    WorkerFailed(String),
    /// The URL's fragment changed (a hand-edited link): read it like a fresh link.
    HashChanged,
    CopyLink,
    LinkCopied(Result<(), String>),
    ImportResults(Vec<web_sys::File>),
    ResultsImported(String, Result<String, String>),
    ClearOverlay,
    ExportChart(&'static str),
    /// Inspector: method, run index, episode index.
    Inspect(Option<Method>, usize, usize),
    InspectStep(usize),
    /// "All settings": a value typed for a config path.
    SetSetting(String, String),
    AllSettingsOpen(bool),
    /// Policies: pick (method id and run index, "offline_a2c:0"), export, import.
    PolicyPick(String),
    ExportPolicy,
    ImportPolicy(Vec<web_sys::File>),
    PolicyRead(String, Result<String, String>),
}

/// Real Coat files picked by the user, and what came of loading them.
#[derive(Default)]
struct RealData {
    files: CoatFiles,
    names: Vec<String>,
    world: Option<Arc<World>>,
    /// `Ok(summary)` or `Err(what is wrong)`.
    status: Option<Result<String, String>>,
    /// The files as read, for the worker (which builds its own world from them).
    texts: Vec<(String, String)>,
}

/// A run that would call a remote provider, waiting for the user to read the estimate
/// and press Start (nothing is sent before).
struct Consent {
    config: ValidConfig,
    paused: bool,
    /// Where the requests would go.
    target: KeyBinding,
    estimate: Estimate,
    /// A key typed in the panel, for `target`.
    typed: String,
    /// Use the older page's unbound key for `target`.
    use_unbound: bool,
    error: Option<String>,
    /// The link asked to start at once (autorun): say why it did not.
    autorun: bool,
}

/// What the episode inspector shows.
#[derive(Default)]
struct Inspector {
    method: Option<Method>,
    run: usize,
    episode: usize,
    step: usize,
    /// The world the inspected results ran in (for the users' and items' texts), built
    /// on demand and kept for the same config.
    world: Option<(crate::experiment::ExperimentConfig, Arc<World>)>,
}

pub struct App {
    form: ConfigForm,
    real: RealData,
    /// The training worker (`None` if it could not start: the error says why).
    trainer: Option<TrainerHandle>,
    /// The latest snapshot of the current run.
    run: Option<Update>,
    /// The latest results (the snapshot's, kept when a run fails to start).
    results: Option<Results>,
    /// Identifies the current run, so snapshots of an abandoned run are ignored.
    run_id: u64,
    error: Option<String>,
    speed: Speed,
    /// Problems with the link's fragment (bad values use defaults); the query string's
    /// are in `layout.problems`.
    link_problems: Vec<String>,
    layout: Layout,
    /// The link to this config, shown for copying.
    share_url: Option<String>,
    share_status: Option<Result<String, String>>,
    /// An imported results file laid over the chart: (file name, results).
    overlay: Option<(String, Results)>,
    overlay_status: Option<Result<String, String>>,
    inspector: Inspector,
    /// The "All settings" panel: open or not, and the last value it refused.
    all_settings_open: bool,
    setting_error: Option<(String, String)>,
    /// A policy file loaded for method `imported`: (file name, the policy, its JSON).
    imported: Option<(String, crate::experiment::PolicyFile, String)>,
    policy_status: Option<Result<String, String>>,
    /// Which trained policy "Download policy" exports: (method, run index).
    policy_pick: Option<(Method, usize)>,
    /// Kept so the listener lives as long as the page.
    _hash_listener: Option<gloo::events::EventListener>,
    link: yew::html::Scope<App>,
    canvas: NodeRef,
    agreement_canvas: NodeRef,
    /// What each canvas last drew (a hash of its data and size): most snapshots change
    /// no curve, and redrawing is the main thread's biggest cost during a run.
    drawn: [u64; 2],
    /// The API keys, each bound to a provider and origin: in memory only, unless the
    /// user asked to remember them.
    keys: KeyRing,
    remember_key: bool,
    /// A remote run waiting for the user's Start.
    consent: Option<Consent>,
    /// LLM answers kept between runs (and in localStorage).
    cache: LlmCache,
    /// What happened to the last cache import or save.
    cache_status: Option<Result<String, String>>,
    /// The stored cache could not be read (it was kept aside): what the page says.
    cache_problem: Option<String>,
    _storage_listener: Option<gloo::events::EventListener>,
}

fn location() -> Option<web_sys::Location> {
    web_sys::window().map(|w| w.location())
}

/// The page's address without its fragment.
fn page_address() -> String {
    location()
        .and_then(|l| l.href().ok())
        .map(|h| h.split('#').next().unwrap_or_default().to_string())
        .unwrap_or_default()
}

/// Puts `fragment` in the address bar without a new history entry or a hashchange.
fn set_fragment(fragment: &str) {
    if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
        let url = format!("{}#{fragment}", page_address());
        let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

impl Component for App {
    type Message = Msg;
    type Properties = ();

    fn create(ctx: &Context<Self>) -> Self {
        let remembered = super::llm::remembered_keys();
        let link = ctx.link().clone();
        let failed = ctx.link().clone();
        let (trainer, error) = match TrainerHandle::spawn(
            move |m| link.send_message(Msg::Trainer(m)),
            move |e| failed.send_message(Msg::WorkerFailed(e)),
        ) {
            Ok(t) => (Some(t), None),
            Err(e) => (None, Some(e)),
        };
        let query = location().and_then(|l| l.search().ok()).unwrap_or_default();
        let layout = Layout::from_query(&query);
        let hash_link = ctx.link().clone();
        let hash_listener = web_sys::window().map(|w| {
            gloo::events::EventListener::new(&w, "hashchange", move |_| {
                hash_link.send_message(Msg::HashChanged)
            })
        });
        let storage_link = ctx.link().clone();
        let storage_listener = web_sys::window().map(|w| {
            gloo::events::EventListener::new(&w, "storage", move |e| {
                use wasm_bindgen::JsCast;
                let key = e.dyn_ref::<web_sys::StorageEvent>().and_then(|e| e.key());
                if key.as_deref() == Some(super::llm::CACHE_ENTRY) {
                    storage_link.send_message(Msg::StoredCacheChanged)
                }
            })
        });
        let (cache, cache_problem) = super::llm::load_cache();
        let mut app = Self {
            form: ConfigForm::default(),
            real: RealData::default(),
            trainer,
            run: None,
            results: None,
            run_id: 0,
            error,
            speed: Speed::default(),
            link_problems: Vec::new(),
            layout,
            share_url: None,
            share_status: None,
            overlay: None,
            overlay_status: None,
            inspector: Inspector::default(),
            all_settings_open: false,
            setting_error: None,
            imported: None,
            policy_status: None,
            policy_pick: None,
            _hash_listener: hash_listener,
            link: ctx.link().clone(),
            canvas: NodeRef::default(),
            agreement_canvas: NodeRef::default(),
            drawn: [0; 2],
            remember_key: remembered.is_some(),
            keys: remembered.unwrap_or_else(KeyRing::new),
            consent: None,
            cache,
            cache_status: None,
            cache_problem,
            _storage_listener: storage_listener,
        };
        app.read_link();
        if app.layout.autorun {
            ctx.link().send_message(Msg::Run);
        }
        app
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        match msg {
            Msg::LoadPreset(name) => {
                match crate::experiment::presets::find(&name).map(|p| p.config(None)) {
                    Some(Ok(c)) => {
                        self.form = ConfigForm::from_config(c.raw());
                        self.error = None;
                    }
                    Some(Err(e)) => self.error = Some(format!("Preset {name}: {e}")),
                    None => {}
                }
            }
            Msg::Preset(s) => {
                if let Some(p) = Preset::from_id(&s) {
                    self.form.set_preset(p);
                }
            }
            Msg::Data(s) => {
                self.form.data = if s == "real" {
                    DataSource::Real
                } else {
                    DataSource::Synthetic
                };
            }
            Msg::Scale(s) => self.form.scale = s,
            Msg::Seed(s) => self.form.seed = s,
            Msg::Mode(s) => self.form.mode = Mode::from_id(&s).unwrap_or_default(),
            Msg::EvalEpisodes(s) => self.form.eval_episodes = s,
            Msg::Seeds(s) => self.form.seeds = s,
            Msg::OfflineEpisodes(s) => self.form.offline_episodes = s,
            Msg::OnlineEpisodes(s) => self.form.online_episodes = s,
            Msg::EvalEvery(s) => self.form.eval_every = s,
            Msg::A2cLearningRate(s) => self.form.a2c_learning_rate = s,
            Msg::A2cEntropy(s) => self.form.a2c_entropy_weight = s,
            Msg::LeaveN(s) => self.form.leave_n = s,
            Msg::LeaveTau(s) => self.form.leave_tau = s,
            Msg::Window(s) => {
                self.form.window = if s == "peer_compatible" {
                    Window::PeerCompatible
                } else {
                    Window::Intended
                }
            }
            Msg::Method(p, on) => {
                self.form.methods.retain(|q| *q != p);
                if on {
                    self.form.methods.push(p);
                    self.form
                        .methods
                        .sort_by_key(|q| Method::ALL.iter().position(|x| x == q));
                }
            }
            Msg::Files(files) => {
                ctx.link().send_future(async move {
                    let mut out = Vec::new();
                    for f in files {
                        let name = f.name();
                        let text = gloo::file::futures::read_as_text(&gloo::file::File::from(f))
                            .await
                            .map_err(|e| format!("could not read {name}: {e}"));
                        out.push((name, text));
                    }
                    Msg::FilesRead(out)
                });
                return false;
            }
            Msg::FilesRead(files) => self.add_real_files(files),
            Msg::LlmProvider(s) => {
                self.form.llm_provider = Provider::from_id(&s).unwrap_or_default()
            }
            Msg::LlmBaseUrl(s) => self.form.llm_base_url = s,
            Msg::LlmModel(s) => self.form.llm_model = s,
            Msg::LlmNoise(s) => self.form.llm_oracle_noise = s,
            Msg::LlmMaxCalls(s) => self.form.llm_max_calls = s,
            Msg::LlmConcurrent(s) => self.form.llm_max_concurrent = s,
            Msg::LlmTimeout(s) => self.form.llm_timeout_secs = s,
            Msg::LlmCasesPerRequest(s) => self.form.llm_cases_per_request = s,
            Msg::LlmTemplate(s) => self.form.llm_template = s,
            Msg::LlmTemplateReset => self.form.llm_template = DEFAULT_TEMPLATE.to_string(),
            Msg::IalpLambda(s) => self.form.ialp_lambda = s,
            Msg::IalpStates(s) => self.form.ialp_states = s,
            Msg::Key(k) => {
                // A key typed here is for the provider and host set above, and only them.
                if let Some(target) = self.form_target() {
                    self.keys.set(target, ApiKey::new(&k));
                    if self.remember_key {
                        super::llm::remember_keys(Some(&self.keys));
                    }
                }
            }
            Msg::RememberKey(on) => {
                self.remember_key = on;
                super::llm::remember_keys(on.then_some(&self.keys));
            }
            Msg::ForgetKey => {
                self.keys = KeyRing::new();
                self.remember_key = false;
                super::llm::remember_keys(None);
            }
            Msg::ConsentKey(k) => {
                if let Some(c) = self.consent.as_mut() {
                    c.typed = k;
                }
                return false;
            }
            Msg::ConsentUseUnbound(on) => {
                if let Some(c) = self.consent.as_mut() {
                    c.use_unbound = on;
                }
            }
            Msg::ConsentCancel => self.consent = None,
            Msg::ConsentStart => self.start_after_consent(),
            Msg::StoredCacheChanged => {
                // Another tab wrote: take its answers, and write back any it lacks (its
                // write may have raced ours), so every tab's answers end up stored.
                let stored = super::llm::stored_cache().unwrap_or_else(LlmCache::new);
                let lacking = self
                    .cache
                    .entries
                    .keys()
                    .any(|k| !stored.entries.contains_key(k));
                self.cache.merge(stored);
                if lacking {
                    if let Err(e) = super::llm::save_cache(&mut self.cache) {
                        self.cache_status = Some(Err(e));
                    }
                }
            }
            Msg::DownloadAsideCache => match super::llm::aside_cache() {
                Some((name, text)) => {
                    if let Err(e) =
                        super::llm::download(&format!("{name}.json"), "application/json", &text)
                    {
                        self.cache_status = Some(Err(e));
                    }
                }
                None => {
                    self.cache_status =
                        Some(Err("no unreadable cache is kept in this browser".into()))
                }
            },
            Msg::CacheExport => {
                let text = self.cache.to_json();
                if let Err(e) =
                    super::llm::download("ialp-llm-cache.json", "application/json", &text)
                {
                    self.cache_status = Some(Err(e));
                }
            }
            Msg::CacheImport(files) => {
                read_first_file(ctx, files, |_, text| Msg::CacheImported(text));
                return false;
            }
            Msg::CacheImported(text) => {
                self.cache_status = Some(text.and_then(|t| LlmCache::from_json(&t).map_err(|e| e.to_string())).map(|c| {
                    let total = c.len();
                    let added = self.cache.merge(c);
                    let saved = super::llm::save_cache(&mut self.cache).err().map(|e| format!(" ({e})")).unwrap_or_default();
                    format!("imported {added} new answers ({total} in the file); the cache now holds {}{saved}", self.cache.len())
                }));
            }
            Msg::ExportResults(kind) => {
                if let Some(r) = &self.results {
                    let done = match kind {
                        "csv" => super::llm::download("ialp-results.csv", "text/csv", &r.to_csv()),
                        _ => super::llm::download(
                            "ialp-results.json",
                            "application/json",
                            &r.to_json(),
                        ),
                    };
                    if let Err(e) = done {
                        self.error = Some(e);
                    }
                }
            }
            Msg::Run => self.start(),
            Msg::Stop => self.send(ToTrainer::Stop),
            Msg::Pause => self.send(ToTrainer::Pause),
            Msg::Resume => self.send(ToTrainer::Resume),
            Msg::Step => {
                if self.run.as_ref().is_none_or(|r| r.state.is_over()) {
                    self.start_with(true);
                } else {
                    self.send(ToTrainer::Step);
                }
            }
            Msg::Reset => {
                if self.run.as_ref().is_some_and(|r| !r.state.is_over()) {
                    self.send(ToTrainer::Stop);
                }
                self.run_id += 1;
                self.run = None;
                self.results = None;
                self.error = None;
                self.inspector = Inspector::default();
            }
            Msg::Speed(s) => {
                self.speed = Speed::from_id(&s).unwrap_or_default();
                self.send(ToTrainer::Speed(self.speed));
                return false;
            }
            Msg::Trainer(FromTrainer::Ready) => return false,
            Msg::Trainer(FromTrainer::Crashed { message }) => {
                ctx.link().send_message(Msg::WorkerFailed(message));
                return false;
            }
            Msg::Trainer(FromTrainer::Failed { run, message }) => {
                if run != self.run_id && run != 0 {
                    return false;
                }
                self.error = Some(message);
                if let Some(r) = self.run.as_mut() {
                    if !r.state.is_over() {
                        r.state = RunState::Halted;
                    }
                }
            }
            Msg::Trainer(FromTrainer::Answers(c)) => {
                // Kept whichever run asked: merged into what is stored, never replacing it.
                self.cache.merge(c);
                if let Err(e) = super::llm::save_cache(&mut self.cache) {
                    self.cache_status = Some(Err(e));
                }
            }
            Msg::Trainer(FromTrainer::Update(u)) => {
                if u.run != self.run_id {
                    return false; // a snapshot of an abandoned run
                }
                self.results = Some(u.results.clone());
                self.run = Some(*u);
            }
            Msg::WorkerFailed(e) => {
                // The worker is gone: what the page has is kept; a new run starts a new one.
                self.trainer = None;
                self.error = Some(format!(
                    "{e}. What finished so far is kept; press Run to start again."
                ));
                if let Some(r) = self.run.as_mut() {
                    if !r.state.is_over() {
                        r.state = RunState::Halted;
                    }
                }
            }
            Msg::HashChanged => {
                let now = location().and_then(|l| l.hash().ok()).unwrap_or_default();
                if now.trim_start_matches('#')
                    == self
                        .form
                        .to_config()
                        .map(|c| share::to_fragment(c.raw()))
                        .unwrap_or_default()
                {
                    return false; // our own replaceState
                }
                self.read_link();
            }
            Msg::CopyLink => match self.form.to_config() {
                Err(e) => self.share_status = Some(Err(format!("Fix a setting first: {e}"))),
                Ok(c) => {
                    let fragment = share::to_fragment(c.raw());
                    set_fragment(&fragment);
                    let url = format!("{}#{fragment}", page_address());
                    self.share_url = Some(url.clone());
                    if let Some(clip) = web_sys::window().map(|w| w.navigator().clipboard()) {
                        let promise = clip.write_text(&url);
                        ctx.link().send_future(async move {
                            Msg::LinkCopied(
                                wasm_bindgen_futures::JsFuture::from(promise)
                                    .await
                                    .map(|_| ())
                                    .map_err(|_| "the browser did not allow copying: select the link below and copy it".to_string()),
                            )
                        });
                    }
                    self.share_status = None;
                }
            },
            Msg::LinkCopied(r) => {
                self.share_status =
                    Some(r.map(|()| {
                        "Link copied: it holds every setting (never your key).".to_string()
                    }));
            }
            Msg::ImportResults(files) => {
                read_first_file(ctx, files, Msg::ResultsImported);
                return false;
            }
            Msg::ResultsImported(name, text) => {
                match text.and_then(|t| Results::from_json(&t)) {
                    Ok(r) => {
                        let n = r.summary.iter().map(|s| s.seeds).max().unwrap_or(0);
                        self.overlay_status = Some(Ok(format!(
                            "{name}: {} on {} ({} method(s), {n} seed(s)), drawn dashed over the chart",
                            r.world.preset.label(),
                            r.config.env.data.label(),
                            r.config.methods.len()
                        )));
                        self.overlay = Some((name, r));
                    }
                    Err(e) => {
                        // The current overlay, if any, is kept.
                        self.overlay_status = Some(Err(format!("{name}: {e}")));
                    }
                }
            }
            Msg::ClearOverlay => {
                self.overlay = None;
                self.overlay_status = None;
            }
            Msg::ExportChart(kind) => {
                if let Err(e) = self.export_chart(kind) {
                    self.error = Some(e);
                }
                return false;
            }
            Msg::Inspect(method, run, episode) => {
                self.inspector.method = method;
                self.inspector.run = run;
                self.inspector.episode = episode;
                self.inspector.step = 0;
                self.ensure_inspector_world();
            }
            Msg::InspectStep(t) => self.inspector.step = t,
            Msg::AllSettingsOpen(open) => self.all_settings_open = open,
            Msg::PolicyPick(v) => {
                self.policy_pick = v
                    .split_once(':')
                    .and_then(|(m, k)| Some((Method::from_id(m)?, k.parse().ok()?)));
            }
            Msg::ExportPolicy => {
                let pick = self
                    .policy_pick
                    .or_else(|| self.trained_runs().first().copied());
                match pick {
                    Some((method, index)) => self.send(ToTrainer::ExportPolicy { method, index }),
                    None => {
                        self.policy_status = Some(Err(
                            "no trained policy yet: run a learning method first".into(),
                        ))
                    }
                }
            }
            Msg::Trainer(FromTrainer::Policy(answer)) => {
                self.policy_status = Some(answer.and_then(|(name, json)| {
                    super::llm::download(&name, "application/json", &json)?;
                    Ok(format!("saved {name}: load it under “Deploy a trained policy” to fine-tune it online"))
                }));
            }
            Msg::ImportPolicy(files) => {
                read_first_file(ctx, files, Msg::PolicyRead);
                return false;
            }
            Msg::PolicyRead(name, text) => {
                match text
                    .and_then(|t| crate::experiment::PolicyFile::from_json(&t).map(|p| (p, t)))
                {
                    Ok((p, json)) => {
                        self.policy_status = Some(Ok(format!(
                            "{name}: {}. Method “{}” will deploy it.",
                            p.describe(),
                            Method::Imported.label()
                        )));
                        if !self.form.methods.contains(&Method::Imported) {
                            self.form.methods.push(Method::Imported);
                        }
                        self.imported = Some((name, p, json));
                    }
                    // A policy loaded before stays loaded.
                    Err(e) => self.policy_status = Some(Err(format!("{name}: {e}"))),
                }
            }
            Msg::SetSetting(path, text) => {
                let base = match self.form.to_config() {
                    Ok(c) => c.raw().clone(),
                    Err(e) => {
                        self.setting_error = Some((path, format!("fix this first: {e}")));
                        return true;
                    }
                };
                match share::with_setting(&base, &path, &text) {
                    Ok(c) => {
                        self.form = ConfigForm::from_config(c.raw());
                        self.setting_error = None;
                    }
                    Err(e) => self.setting_error = Some((path, e)),
                }
            }
        }
        true
    }

    fn rendered(&mut self, _ctx: &Context<Self>, first: bool) {
        if first {
            // Draw every kind of chart once, off screen, while the page is idle: the
            // browser compiles the drawing code now instead of in the middle of the first
            // run (that first draw was the one task near 50 ms, BENCHMARKS.md).
            gloo::timers::callback::Timeout::new(0, super::canvas::warm_up).forget();
        }
        if let (Some(c), Some(r)) = (
            self.agreement_canvas.cast::<HtmlCanvasElement>(),
            &self.results,
        ) {
            let rows = crate::chart::agreement_of(r);
            let key = chart_key(&c, &rows);
            if key != self.drawn[1] {
                self.drawn[1] = key;
                if let Err(e) = super::canvas::draw_agreement_bars(&c, &rows) {
                    web_sys::console::warn_1(&format!("agreement chart: {e}").into());
                }
                let _ = c.set_attribute("data-bars", &(3 * rows.len()).to_string());
            }
        } else {
            self.drawn[1] = 0; // no canvas: draw the next one afresh
        }
        let Some(canvas) = self.canvas.cast::<HtmlCanvasElement>() else {
            self.drawn[0] = 0;
            return;
        };
        let results = self.results.as_ref();
        let learning = self.shows_curves();
        let drawn = if learning {
            // Learning curves: R_tra per evaluation, mean ± std over seeds.
            let curves = self.curves();
            let points = curves.iter().map(|c| c.points.len()).sum::<usize>();
            let key = chart_key(&canvas, &curves);
            if key == self.drawn[0] {
                return; // nothing new to draw
            }
            self.drawn[0] = key;
            (
                super::canvas::draw_curves(&canvas, &curves, "R_tra (mean ± std over seeds)"),
                points,
            )
        } else {
            // Only fixed policies: every episode of the first run's evaluation.
            let series: Vec<Series> = results
                .map(|r| {
                    r.runs
                        .iter()
                        .filter(|run| run.run == 0)
                        .map(|run| Series {
                            label: run.method.label().into(),
                            values: run.episode_returns.clone(),
                        })
                        .collect()
                })
                .unwrap_or_default();
            let points = series.iter().map(|s| s.values.len()).sum::<usize>();
            let key = chart_key(&canvas, &series);
            if key == self.drawn[0] {
                return;
            }
            self.drawn[0] = key;
            (
                super::canvas::draw_returns(&canvas, &series, "R_tra (cumulative reward)"),
                points,
            )
        };
        if let (Err(e), _) = &drawn {
            web_sys::console::warn_1(&format!("chart: {e}").into());
        }
        let _ = canvas.set_attribute("data-points", &drawn.1.to_string());
        let _ = canvas.set_attribute("data-kind", if learning { "curves" } else { "episodes" });
        let overlaid = self
            .overlay
            .as_ref()
            .map(|(_, r)| crate::chart::curves_of(r).len())
            .unwrap_or(0);
        let _ = canvas.set_attribute("data-overlay", &overlaid.to_string());
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let shows = |p: &str| self.layout.shows(p);
        html! {
            <>
            if shows("header") {
            <header class="top">
                <h1>{"iALP Playground"}</h1>
                <p class="tagline">{"Recommendation as a game of patience: a policy recommends, a simulated user rates and may leave. "}
                    <span class="badge" title="The paper's body and code are not public: see the footer">{"a reconstruction"}</span></p>
            </header>
            }
            <main class={classes!("layout", self.layout.embed.then_some("embed"), (!shows("settings")).then_some("no-settings"))}>
                if shows("settings") { { self.view_controls(ctx) } }
                { self.view_results(ctx) }
            </main>
            if shows("explain") {
            <footer class="foot">
                <p>{"Method: "}<em>{"Large Language Model driven Policy Exploration for Recommender Systems"}</em>
                   {" (Wang, Karatzoglou, Arapakis, Jose; WSDM 2025; arXiv 2501.13816). Only the abstract is public; this playground is our reconstruction of it. "}
                   {"The environments follow the conventions of DORL (SIGIR'23) and EasyRL4Rec (SIGIR'24): quit rules, max_turn = 30, FB / NX_0 / NX_10 modes. "}
                   {"Real Coat data: Schnabel et al., ICML 2016."}</p>
            </footer>
            }
            </>
        }
    }
}

/// A hash of what a canvas would draw and at what size.
fn chart_key(canvas: &HtmlCanvasElement, data: &impl std::fmt::Debug) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    format!("{data:?}").hash(&mut h);
    (canvas.client_width(), canvas.client_height()).hash(&mut h);
    web_sys::window()
        .map(|w| w.device_pixel_ratio().to_bits())
        .hash(&mut h);
    h.finish().max(1)
}

/// The provenance table and the explanations: static, so a component of their own that
/// yew never re-renders while a run streams snapshots.
#[function_component(Explanations)]
fn explanations() -> Html {
    html! {
        <>
        <details id="provenance" class="explain">
                    <summary>{"Paper or reconstruction? Where every part and constant comes from"}</summary>
                    <p class="hint">{"Only the paper's abstract is public. Everything else follows METHOD.md (after DORL and EasyRL4Rec, the public code the paper builds on) or is our own choice, with the constants below."}</p>
                    <table>
                        <thead><tr><th scope="col">{"Component"}</th><th scope="col">{"Source"}</th><th scope="col">{"Constants, and where they came from"}</th></tr></thead>
                        <tbody>
                        { for crate::experiment::provenance::PROVENANCE.iter().map(|(c, src, k)| html!{
                            <tr data-source={src.id()}><td class="left">{*c}</td><td class="left">{src.label()}</td><td class="left">{*k}</td></tr>
                        }) }
                        </tbody>
                    </table>
                </details>
                <section class="explain">
                    <h2>{"What you are looking at"}</h2>
                    <p>{"Each episode, a simulated user arrives and the policy recommends one item per step. The user's reward for an item comes from the environment's ground-truth matrix R[u, i] (a rating, or a watch ratio for KuaiRec). A user who is shown an item too similar to one of the last N items (item distance below τ, or a tag seen more than τ times) loses patience and leaves; the episode also ends after 30 steps (NX_10: after exactly 10)."}</p>
                    <p>{"R_tra is the reward collected over a whole episode, R_each the reward per step, Length the number of steps. A policy that only chases the highest ratings bores users, who leave early; a good one balances relevance and variety."}</p>
                    <p>{"Learning methods are evaluated on the ground truth before training and every few hundred training episodes: the chart shows R_tra per evaluation with a band of ± one standard deviation over seeds; methods that do not learn are dashed lines. Online A2C learns on the real users (the ground truth) and is the reference; Offline A2C only ever sees the user model fitted to the biased log, and how far it falls short is the distribution shift iALP and A-iALP address. iALP pre-trains the same A2C in the same user-model world, but its reward mixes in R_φ, learnt from ratings an LLM (or a stand-in) gave while playing the users: the LLM panel counts the calls and shows how well those ratings, and R_φ, agree with the truth. A-iALP deploys iALP's policy on the real users and keeps learning: A-iALP_ft by plain fine-tuning, A-iALP_ap with a frozen anchor (iALP's policy), a detector that rolls back when users fare worse than under the anchor (▼ on the curve), and exploration among the items R_φ prefers. The table's last columns say how users fared while a method learned online: the first 100 episodes (a safe start) and the total reward."}</p>
                </section>
        </>
    }
}

/// A labelled text box whose committed value becomes `msg(value)`.
fn text_field(
    link: &yew::html::Scope<App>,
    id: &'static str,
    label: &str,
    value: &str,
    placeholder: String,
    msg: fn(String) -> Msg,
) -> Html {
    html! {
        <>
        <label for={id}>{label.to_string()}</label>
        <input id={id} type="text" inputmode="decimal" placeholder={placeholder} value={value.to_string()}
            onchange={link.callback(move |e: Event| msg(input_value(&e)))} />
        </>
    }
}

/// The file chosen in a file input (`clear`: empty the input, so the same file can be
/// chosen again).
fn chosen_file(e: &Event, clear: bool) -> Vec<web_sys::File> {
    let input: HtmlInputElement = e.target_unchecked_into();
    let out = input.files().and_then(|l| l.get(0)).into_iter().collect();
    if clear {
        input.set_value("");
    }
    out
}

/// Reads the first of `files` as text in the background; `done(name, text)` becomes the
/// next message.
fn read_first_file(
    ctx: &Context<App>,
    files: Vec<web_sys::File>,
    done: impl FnOnce(String, Result<String, String>) -> Msg + 'static,
) {
    ctx.link().send_future(async move {
        let Some(f) = files.into_iter().next() else {
            return done(String::new(), Err("no file chosen".into()));
        };
        let name = f.name();
        let text = gloo::file::futures::read_as_text(&gloo::file::File::from(f))
            .await
            .map_err(|e| format!("could not read {name}: {e}"));
        done(name, text)
    });
}

fn input_value(e: &Event) -> String {
    e.target_unchecked_into::<HtmlInputElement>().value()
}
fn select_value(e: &Event) -> String {
    e.target_unchecked_into::<HtmlSelectElement>().value()
}

impl App {
    /// The finished (method, run index) pairs that have a trained network to export.
    fn trained_runs(&self) -> Vec<(Method, usize)> {
        self.results
            .iter()
            .flat_map(|r| r.runs.iter())
            .filter(|r| {
                r.finished
                    && matches!(
                        r.method.learning(),
                        Learning::Offline | Learning::Online | Learning::Adaptive
                    )
            })
            .map(|r| (r.method, r.run))
            .collect()
    }

    /// Whether the chart shows learning curves (else every episode of fixed policies).
    fn shows_curves(&self) -> bool {
        let learns = |r: &Results| {
            r.config
                .methods
                .iter()
                .any(|m| m.learning() != Learning::Fixed)
        };
        self.results.as_ref().is_some_and(learns) || self.overlay.is_some()
    }

    /// The current run's curves, plus the imported ones.
    fn curves(&self) -> Vec<Curve> {
        let mut curves: Vec<Curve> = self
            .results
            .as_ref()
            .map(crate::chart::curves_of)
            .unwrap_or_default();
        if let Some((_, r)) = &self.overlay {
            let extra = crate::chart::overlay_curves(&curves, r);
            curves.extend(extra);
        }
        curves
    }

    /// The chart as a PNG (the canvas, at its device resolution) or an SVG (redrawn).
    fn export_chart(&self, kind: &str) -> Result<(), String> {
        if kind == "agreement-png" {
            let canvas = self
                .agreement_canvas
                .cast::<HtmlCanvasElement>()
                .ok_or("no agreement chart to export")?;
            let url = canvas
                .to_data_url()
                .map_err(|_| "the browser refused to export the chart")?;
            return super::llm::download_url("ialp-agreement.png", &url);
        }
        if kind == "agreement-svg" {
            let rows = self
                .results
                .as_ref()
                .map(crate::chart::agreement_of)
                .unwrap_or_default();
            let svg = crate::chart::agreement_svg(&rows, (800, 400))?;
            return super::llm::download("ialp-agreement.svg", "image/svg+xml", &svg);
        }
        if kind == "png" {
            let canvas = self
                .canvas
                .cast::<HtmlCanvasElement>()
                .ok_or("no chart to export")?;
            let url = canvas
                .to_data_url()
                .map_err(|_| "the browser refused to export the chart")?;
            return super::llm::download_url("ialp-chart.png", &url);
        }
        let size = (1200, 640);
        let svg = if self.shows_curves() {
            crate::chart::learning_curves_svg(&self.curves(), "R_tra (mean ± std over seeds)", size)
        } else {
            let series: Vec<Series> = self
                .results
                .iter()
                .flat_map(|r| {
                    r.runs.iter().filter(|run| run.run == 0).map(|run| Series {
                        label: run.method.label().into(),
                        values: run.episode_returns.clone(),
                    })
                })
                .collect();
            crate::chart::episode_returns_svg(&series, "R_tra (cumulative reward)", size)
        }?;
        super::llm::download("ialp-chart.svg", "image/svg+xml", &svg)
    }

    /// Reads the address bar's fragment as a config: bad values are named and left at
    /// their defaults.
    fn read_link(&mut self) {
        let hash = location().and_then(|l| l.hash().ok()).unwrap_or_default();
        if hash.trim_start_matches('#').is_empty() {
            return;
        }
        let got = share::from_fragment(&hash);
        self.form = ConfigForm::from_config(got.config.raw());
        self.link_problems = got.problems.iter().map(|p| p.to_string()).collect();
    }

    /// Sends `msg` to the worker, if there is one.
    fn send(&mut self, msg: ToTrainer) {
        if let Some(t) = &self.trainer {
            t.send(&msg);
        }
    }

    /// Builds (once per config) the world the results ran in, for the inspector's texts.
    fn ensure_inspector_world(&mut self) {
        let Some(results) = &self.results else { return };
        if self
            .inspector
            .world
            .as_ref()
            .is_some_and(|(c, _)| c == &results.config)
        {
            return;
        }
        let world = match results.config.env.data {
            DataSource::Real => self.real.world.clone(),
            DataSource::Synthetic => results
                .config
                .clone()
                .check()
                .ok()
                .and_then(|c| build_world(&c, None).ok())
                .map(Arc::new),
        };
        self.inspector.world = world.map(|w| (results.config.clone(), w));
    }

    fn add_real_files(&mut self, files: Vec<(String, Result<String, String>)>) {
        let mut problems = Vec::new();
        for (name, text) in files {
            match text {
                Err(e) => problems.push(e),
                Ok(text) => match self.real.files.add(&name, text.clone()) {
                    Some(_) => {
                        self.real.texts.retain(|(n, _)| n != &name);
                        self.real.texts.push((name.clone(), text));
                        if !self.real.names.contains(&name) {
                            self.real.names.push(name);
                        }
                    }
                    None if name.ends_with("_map.txt") => {}
                    None => problems.push(format!("{name}: not a Coat file (ignored)")),
                },
            }
        }
        self.real.world = None;
        let missing = self.real.files.missing();
        self.real.status = Some(if !problems.is_empty() {
            Err(problems.join("; "))
        } else if !missing.is_empty() {
            Err(format!(
                "still missing: {}",
                missing
                    .iter()
                    .map(|f| f.file_name())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        } else {
            match self.real.files.load() {
                Ok(w) => {
                    let s = format!(
                        "loaded: {} users × {} items, {} logged ratings",
                        w.n_users(),
                        w.n_items(),
                        w.log.len()
                    );
                    self.real.world = Some(Arc::new(w));
                    Ok(s)
                }
                Err(e) => Err(e.to_string()),
            }
        });
        if self.real.world.is_some() {
            self.form.data = DataSource::Real;
        }
    }

    fn start(&mut self) {
        self.start_with(false);
    }

    /// Checks the settings and starts a run in the worker (paused: ready to step).
    fn start_with(&mut self, paused: bool) {
        self.error = None;
        let config = match self.form.to_config() {
            Ok(c) => c,
            Err(e) => {
                self.error = Some(format!("Please fix a setting: {e}"));
                return;
            }
        };
        if config.data() == DataSource::Real && self.real.world.is_none() {
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
            let estimate = Estimate::of(
                llm,
                &config.raw().ialp,
                config.preset(),
                config.seeds(),
                llm.template_text().chars().count(),
            );
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

    /// The estimate panel's Start: the key for the run's host (typed now, remembered for
    /// exactly that host, or the older page's key confirmed for it), then the run.
    fn start_after_consent(&mut self) {
        let Some(mut c) = self.consent.take() else {
            return;
        };
        let key = if !c.typed.trim().is_empty() {
            let k = ApiKey::new(&c.typed);
            self.keys.set(c.target.clone(), k.clone());
            Some(k)
        } else if c.use_unbound && self.keys.unbound.is_some() {
            let k = self.keys.unbound.take().expect("checked");
            self.keys.set(c.target.clone(), k.clone());
            Some(k)
        } else {
            self.keys.get(&c.target).cloned()
        };
        let key = match key {
            Some(k) => k,
            // A local server (Ollama, LM Studio) may need no key.
            None if is_loopback(&c.target.origin) => ApiKey::default(),
            None => {
                c.error = Some(format!(
                    "Type the API key for {} (it is sent there only), or cancel.",
                    c.target.describe()
                ));
                self.consent = Some(c);
                return;
            }
        };
        if self.remember_key {
            super::llm::remember_keys(Some(&self.keys));
        }
        self.launch(c.config, c.paused, key);
    }

    /// Where the LLM panel's settings point: the key field is for this provider and
    /// origin only.
    fn form_target(&self) -> Option<KeyBinding> {
        let llm = LlmConfig {
            provider: self.form.llm_provider,
            base_url: Some(self.form.llm_base_url.clone()).filter(|u| !u.trim().is_empty()),
            ..LlmConfig::default()
        };
        KeyBinding::of(&llm)
    }

    /// Starts `config` in the worker with `key` (empty unless the user confirmed a remote
    /// run for the key's own host).
    fn launch(&mut self, config: ValidConfig, paused: bool, key: ApiKey) {
        let deploys = config.methods().contains(&Method::Imported);
        let llm = &config.raw().llm;
        if self.trainer.is_none() {
            // The worker crashed earlier: start a fresh one.
            match TrainerHandle::spawn(
                {
                    let link = self.link.clone();
                    move |m| link.send_message(Msg::Trainer(m))
                },
                {
                    let link = self.link.clone();
                    move |e| link.send_message(Msg::WorkerFailed(e))
                },
            ) {
                Ok(t) => self.trainer = Some(t),
                Err(e) => {
                    self.error = Some(e);
                    return;
                }
            }
        }
        // The address bar always holds the config of the last run: copy it to share.
        set_fragment(&share::to_fragment(config.raw()));
        self.run_id += 1;
        self.inspector = Inspector::default();
        self.drawn = [0; 2];
        let real = if config.data() == DataSource::Real {
            self.real.texts.clone()
        } else {
            Vec::new()
        };
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
            policy: if deploys {
                self.imported.as_ref().map(|(_, _, j)| j.clone())
            } else {
                None
            },
        }));
        self.send(msg);
    }

    fn view_llm_settings(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let f = &self.form;
        let p = f.llm_provider;
        let target = self.form_target();
        html! {
            <fieldset id="llm-settings">
                <legend>{"iALP · who plays the user"}</legend>
                <label for="llm-provider">{"Ratings from"}</label>
                <select id="llm-provider" onchange={link.callback(|e: Event| Msg::LlmProvider(select_value(&e)))}>
                    { for Provider::ALL.iter().map(|q| html!{ <option value={q.id()} selected={*q == p}>{q.label()}</option> }) }
                </select>
                if p == Provider::Oracle {
                    <p class="hint warn">{"The oracle peeks at the ground truth and adds noise: a teaching tool for “how much does the LLM's quality matter?”, not a method."}</p>
                    { text_field(link, "llm-noise", "Oracle noise σ (rating points)", &f.llm_oracle_noise, String::new(), Msg::LlmNoise) }
                } else if p == Provider::Heuristic {
                    <p class="hint">{"Reads only the prompt's text: scores candidates by attributes shared with what the user liked, plus noise. No key, no network."}</p>
                }
                if p.is_remote() {
                    { text_field(link, "llm-base-url", "Base URL", &f.llm_base_url, p.default_base_url().to_string(), Msg::LlmBaseUrl) }
                    if p == Provider::OpenAi {
                        <p class="hint">{"Also OpenRouter (https://openrouter.ai/api/v1), Groq (https://api.groq.com/openai/v1), Ollama (http://localhost:11434/v1, started with OLLAMA_ORIGINS=*) or LM Studio (http://localhost:1234/v1)."}</p>
                    }
                    { text_field(link, "llm-model", "Model", &f.llm_model, p.default_model().to_string(), Msg::LlmModel) }
                    <label for="llm-key">{ match &target { Some(t) => format!("API key for {}", t.describe()), None => "API key".to_string() } }</label>
                    <input id="llm-key" type="password" autocomplete="off" spellcheck="false" value={target.as_ref().and_then(|t| self.keys.get(t)).map(|k| k.expose().to_string()).unwrap_or_default()}
                        placeholder="kept in this page only" disabled={target.is_none()}
                        onchange={link.callback(|e: Event| Msg::Key(input_value(&e)))} />
                    if let Some(t) = &target {
                        if !self.keys.others(t).is_empty() {
                            <p id="llm-key-others" class="hint">{format!("Also held, never sent here: keys for {}.", self.keys.others(t).iter().map(|b| b.describe()).collect::<Vec<_>>().join(", "))}</p>
                        }
                    }
                    if self.keys.unbound.is_some() {
                        <p class="hint warn">{"A key saved by an older version of this page is kept, tied to no host: the estimate panel asks before it is used anywhere."}</p>
                    }
                    <label class="check" for="llm-remember">
                        <input id="llm-remember" type="checkbox" checked={self.remember_key}
                            onchange={link.callback(|e: Event| Msg::RememberKey(e.target_unchecked_into::<HtmlInputElement>().checked()))} />
                        {"Remember on this device"}
                    </label>
                    if self.remember_key {
                        <p class="hint warn">{"Stored unencrypted in this browser's localStorage: anyone using this browser profile can read it."}</p>
                    }
                    <button id="llm-forget" onclick={link.callback(|_| Msg::ForgetKey)} disabled={self.keys.is_empty() && !self.remember_key}>{"Forget keys"}</button>
                    <p class="hint">{"A key is tied to the provider and host it was typed for: it is sent there only, after you press Start in the estimate panel, and never in the URL, results, exports, the cache or logs. LLM requests never follow a redirect."}</p>
                    { text_field(link, "llm-max-calls", "Most requests per distillation", &f.llm_max_calls, String::new(), Msg::LlmMaxCalls) }
                    { text_field(link, "llm-concurrent", "Requests at once", &f.llm_max_concurrent, String::new(), Msg::LlmConcurrent) }
                    { text_field(link, "llm-timeout", "Timeout per request (s)", &f.llm_timeout_secs, String::new(), Msg::LlmTimeout) }
                }
                { text_field(link, "ialp-states", "States to rate", &f.ialp_states, String::new(), Msg::IalpStates) }
                { text_field(link, "llm-cases", "States per request", &f.llm_cases_per_request, String::new(), Msg::LlmCasesPerRequest) }
                { text_field(link, "ialp-lambda", "λ: weight of R_φ in the reward (0 = Offline A2C)", &f.ialp_lambda, String::new(), Msg::IalpLambda) }
                <details id="llm-template-box">
                    <summary>{"Prompt template"}</summary>
                    <p class="hint">{"Placeholders: {domain}, {n_cases}, {cases} (required: the users, their recent ratings and the candidates with ids)."}</p>
                    <textarea id="llm-template" rows="9" aria-label="Prompt template" value={f.llm_template.clone()}
                        onchange={link.callback(|e: Event| Msg::LlmTemplate(e.target_unchecked_into::<web_sys::HtmlTextAreaElement>().value()))} />
                    <button onclick={link.callback(|_| Msg::LlmTemplateReset)}>{"Reset template"}</button>
                </details>
                <div class="buttons">
                    <span id="llm-cache-status" class="hint">{format!("Answer cache: {} answers, kept in this browser", self.cache.len())}</span>
                    <button id="llm-cache-export" onclick={link.callback(|_| Msg::CacheExport)}>{"Export cache"}</button>
                    <label for="llm-cache-import" class="button-like">{"Import cache"}</label>
                    <input id="llm-cache-import" type="file" accept=".json,application/json" class="visually-hidden"
                        onchange={link.callback(|e: Event| Msg::CacheImport(chosen_file(&e, false)))} />
                </div>
                { match &self.cache_status {
                    Some(Ok(s)) => html!{ <p id="llm-cache-message" class="ok">{s}</p> },
                    Some(Err(e)) => html!{ <p id="llm-cache-message" class="bad" role="alert">{e}</p> },
                    None => html!{},
                } }
                if let Some(p) = &self.cache_problem {
                    <p id="llm-cache-problem" class="bad" role="alert">{p}</p>
                    <button id="llm-cache-aside" onclick={link.callback(|_| Msg::DownloadAsideCache)}>{"Download the unreadable cache"}</button>
                }
            </fieldset>
        }
    }

    fn view_llm(&self) -> Html {
        let Some(run) = &self.run else {
            return html! {};
        };
        if !run.results.config.methods.iter().any(|m| m.spec().uses_llm) {
            return html! {};
        }
        let results = self.results.as_ref();
        let stats = run.llm.unwrap_or_default();
        let source = run.results.config.llm.describe();
        html! {
            <section id="llm-panel" aria-label="LLM distillation">
                <h2>{"LLM distillation"}</h2>
                <p class="hint">{format!("Ratings from: {source}")}</p>
                <dl id="llm-stats" class="counters">
                    <div><dt>{"requests"}</dt><dd data-k="requests">{stats.requests}</dd></div>
                    <div><dt>{"calls"}</dt><dd data-k="calls">{stats.calls}</dd></div>
                    <div><dt>{"retries"}</dt><dd data-k="retries">{stats.retries}</dd></div>
                    <div><dt>{"from cache"}</dt><dd data-k="cache_hits">{stats.cache_hits}</dd></div>
                    <div><dt>{"failed"}</dt><dd data-k="failures">{stats.failures}</dd></div>
                    <div><dt>{"unparsable"}</dt><dd data-k="unparsable">{stats.unparsable}</dd></div>
                    <div><dt>{"ratings kept"}</dt><dd data-k="labels">{stats.labels}</dd></div>
                    <div><dt>{"dropped"}</dt><dd data-k="dropped" title={format!("{:?}", stats.dropped)}>{stats.dropped.total()}</dd></div>
                    <div><dt>{"tokens"}</dt><dd data-k="tokens">{stats.prompt_tokens + stats.completion_tokens}</dd></div>
                </dl>
                if results.is_some_and(|r| !r.distillations.is_empty()) {
                    <canvas id="agreement-chart" ref={self.agreement_canvas.clone()} role="img"
                        aria-label="Spearman rank correlation with the ground truth of the LLM's labels, of R_φ and of the user model, per seed"></canvas>
                    <div class="buttons chart-tools">
                        <button id="export-agreement-png" onclick={self.link.callback(|_| Msg::ExportChart("agreement-png"))}>{"Agreement chart as PNG"}</button>
                        <button id="export-agreement-svg" onclick={self.link.callback(|_| Msg::ExportChart("agreement-svg"))}>{"as SVG"}</button>
                    </div>
                }
                if let Some(r) = results.filter(|r| !r.distillations.is_empty()) {
                    <div class="table-wrap">
                    <table id="llm-agreement">
                        <caption>{"Agreement with the ground truth on held-out states (Spearman ρ / NDCG@5, per seed)"}</caption>
                        <thead><tr><th scope="col">{"Seed"}</th><th scope="col">{"States"}</th><th scope="col">{"LLM labels"}</th><th scope="col">{"R_φ (learnt)"}</th><th scope="col">{"R̂ (user model)"}</th><th scope="col">{"Calls"}</th></tr></thead>
                        <tbody>
                        { for r.distillations.iter().map(|d| {
                            let a = &d.agreement;
                            let f = |x: &crate::ialp::Agreement| format!("{:.2} / {:.2}", x.spearman, x.ndcg5);
                            html!{ <tr><th scope="row">{d.seed}</th><td>{a.llm.states}</td><td class="agree-llm">{f(&a.llm)}</td><td class="agree-rphi">{f(&a.reward_model)}</td><td>{f(&a.user_model)}</td><td>{d.stats.calls}</td></tr> }
                        }) }
                        </tbody>
                    </table>
                    </div>
                }
            </section>
        }
    }

    fn view_controls(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let f = &self.form;
        let (default_scale, default_n, default_tau) = f.defaults();
        let real = f.data == DataSource::Real;
        let shape = synthetic::shape(f.preset, f.scale.trim().parse().unwrap_or(default_scale));
        html! {
            <section class="controls" aria-label="Settings">
                <h2>{"Settings"}</h2>
                <label for="preset-load">{"Start from a preset"}</label>
                <select id="preset-load" onchange={link.callback(|e: Event| Msg::LoadPreset(select_value(&e)))}>
                    <option value="" selected=true>{"— your own settings —"}</option>
                    { for crate::experiment::presets::PRESETS.iter().map(|p| html!{ <option value={p.name}>{p.title}</option> }) }
                </select>
                <label for="preset">{"Environment"}</label>
                <select id="preset" onchange={link.callback(|e: Event| Msg::Preset(select_value(&e)))}>
                    { for Preset::ALL.iter().map(|p| html!{ <option value={p.id()} selected={*p == f.preset}>{p.label()}</option> }) }
                </select>

                <label for="data-source">{"Data"}</label>
                <select id="data-source" onchange={link.callback(|e: Event| Msg::Data(select_value(&e)))}>
                    <option value="synthetic" selected={!real}>{"Synthetic world (built in)"}</option>
                    <option value="real" selected={real} disabled={f.preset != Preset::Coat}>{"Real Coat files"}</option>
                </select>
                if real {
                    <label for="coat-files">{"Coat files (select all five at once)"}</label>
                    <input id="coat-files" type="file" multiple=true accept=".ascii,.txt"
                        onchange={link.callback(|e: Event| {
                            let input: HtmlInputElement = e.target_unchecked_into();
                            let mut out = Vec::new();
                            if let Some(list) = input.files() {
                                for i in 0..list.length() {
                                    if let Some(f) = list.get(i) { out.push(f); }
                                }
                            }
                            Msg::Files(out)
                        })} />
                    <p class="hint">{"train.ascii, test.ascii, pseudo_gt_rating_matrix.ascii, user_features.ascii, item_features.ascii (from the DORL / RL4Rec repositories)."}</p>
                    { match &self.real.status {
                        Some(Ok(s)) => html!{ <p id="coat-status" class="ok">{s}</p> },
                        Some(Err(e)) => html!{ <p id="coat-status" class="bad" role="alert">{e}</p> },
                        None => html!{},
                    } }
                } else {
                    <label for="scale">{format!("World size (× real; {} users × {} items)", shape.0, shape.1)}</label>
                    <input id="scale" type="text" inputmode="decimal" placeholder={default_scale.to_string()} value={f.scale.clone()}
                        oninput={link.callback(|e: InputEvent| Msg::Scale(e.target_unchecked_into::<HtmlInputElement>().value()))} />
                }

                { text_field(link, "seed", "Seed", &f.seed, String::new(), Msg::Seed) }

                <label for="mode">{"Evaluation mode"}</label>
                <select id="mode" onchange={link.callback(|e: Event| Msg::Mode(select_value(&e)))}>
                    { for Mode::ALL.iter().map(|m| html!{ <option value={m.id()} selected={*m == f.mode}>{m.label()}</option> }) }
                </select>

                <fieldset>
                    <legend>{"Budget"}</legend>
                    { text_field(link, "seeds", "Seeds (runs per method)", &f.seeds, String::new(), Msg::Seeds) }
                    { text_field(link, "eval-episodes", "Episodes per evaluation", &f.eval_episodes, String::new(), Msg::EvalEpisodes) }
                    { text_field(link, "offline-episodes", "Offline training episodes (user model)", &f.offline_episodes, String::new(), Msg::OfflineEpisodes) }
                    { text_field(link, "online-episodes", "Online training episodes (ground truth)", &f.online_episodes, String::new(), Msg::OnlineEpisodes) }
                    { text_field(link, "eval-every", "Evaluate every … training episodes", &f.eval_every, String::new(), Msg::EvalEvery) }
                </fieldset>

                <fieldset>
                    <legend>{"Quit rule"}</legend>
                    { text_field(link, "leave-n", "Window N", &f.leave_n, default_n.to_string(), Msg::LeaveN) }
                    { text_field(link, "leave-tau", { if f.preset == Preset::KuaiRec { "Threshold τ (tag count)" } else { "Threshold τ (item distance)" } }, &f.leave_tau, default_tau, Msg::LeaveTau) }
                    <label for="window">{"Window"}</label>
                    <select id="window" onchange={link.callback(|e: Event| Msg::Window(select_value(&e)))}>
                        <option value="intended" selected={f.window == Window::Intended}>{"last min(N, t) items (intended)"}</option>
                        <option value="peer_compatible" selected={f.window == Window::PeerCompatible}>{"peer-compatible (DORL/EasyRL4Rec slice)"}</option>
                    </select>
                </fieldset>

                <fieldset>
                    <legend>{"Methods"}</legend>
                    // The imported policy last: it goes with "Deploy a trained policy" below.
                    { for Method::ALL.iter().filter(|m| **m != Method::Imported).chain([&Method::Imported]).map(|p| {
                        let p = *p;
                        let id = format!("method-{}", p.id());
                        html!{
                            <label class="check" for={id.clone()}>
                                <input id={id} type="checkbox" checked={f.methods.contains(&p)}
                                    onchange={link.callback(move |e: Event| Msg::Method(p, e.target_unchecked_into::<HtmlInputElement>().checked()))} />
                                {p.label()}
                            </label>
                        }
                    }) }
                </fieldset>

                <fieldset id="deploy">
                    <legend>{"Deploy a trained policy"}</legend>
                    <p class="hint">{"A policy file from “Download policy” (or ialp run --policies): method “Imported policy” deploys it on the ground truth and fine-tunes it online — pre-train offline, then adapt online."}</p>
                    <label for="import-policy" class="button-like">{"Load a policy file"}</label>
                    <input id="import-policy" type="file" accept=".json,application/json" class="visually-hidden"
                        onchange={link.callback(|e: Event| Msg::ImportPolicy(chosen_file(&e, true)))} />
                    { match &self.policy_status {
                        Some(Ok(m)) => html!{ <p id="policy-message" class="ok">{m}</p> },
                        Some(Err(e)) => html!{ <p id="policy-message" class="bad" role="alert">{e}</p> },
                        None => html!{},
                    } }
                </fieldset>

                { self.view_llm_settings(ctx) }

                <fieldset>
                    <legend>{"A2C"}</legend>
                    { text_field(link, "a2c-lr", "Learning rate (Adam)", &f.a2c_learning_rate, String::new(), Msg::A2cLearningRate) }
                    { text_field(link, "a2c-entropy", "Entropy bonus weight", &f.a2c_entropy_weight, String::new(), Msg::A2cEntropy) }
                </fieldset>

                { self.view_all_settings(ctx) }

                <fieldset id="share">
                    <legend>{"Share"}</legend>
                    <button id="copy-link" onclick={link.callback(|_| Msg::CopyLink)}>{"Copy link to these settings"}</button>
                    if let Some(url) = &self.share_url {
                        <label for="share-url">{"Link"}</label>
                        <input id="share-url" type="text" readonly=true value={url.clone()} />
                    }
                    { match &self.share_status {
                        Some(Ok(m)) => html!{ <p id="share-message" class="ok">{m}</p> },
                        Some(Err(e)) => html!{ <p id="share-message" class="bad" role="alert">{e}</p> },
                        None => html!{},
                    } }
                    <p class="hint">{"Every setting and the seed go in the link's #fragment, so the same link gives the same numbers. Embed: add ?embed=1 (see the README)."}</p>
                </fieldset>
            </section>
        }
    }

    /// Run / Pause / Step / Stop / Reset, the speed, and the progress with time left.
    fn view_bar(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let state = self.run.as_ref().map(|r| r.state);
        let live = state.is_some_and(|s| !s.is_over());
        let paused = state == Some(RunState::Paused);
        let (progress, status) = match &self.run {
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
                (
                    f,
                    format!(
                        "{word}: {} / {} episodes{now} · {:.1} s{left}",
                        p.done,
                        p.total,
                        u.elapsed_ms / 1000.0
                    ),
                )
            }
        };
        html! {
            <div class="run-bar" role="group" aria-label="Run controls">
                <div class="buttons">
                    <button id="run" class="primary" onclick={link.callback(|_| Msg::Run)} title="Start (or restart) the run with these settings">{ if self.run.is_some() { "Run again" } else { "Run" } }</button>
                    if paused {
                        <button id="resume" onclick={link.callback(|_| Msg::Resume)}>{"Resume"}</button>
                    } else {
                        <button id="pause" disabled={!live} onclick={link.callback(|_| Msg::Pause)}>{"Pause"}</button>
                    }
                    <button id="step" onclick={link.callback(|_| Msg::Step)} title="Pause and run one more episode (or start paused)">{"Step"}</button>
                    <button id="stop" disabled={!live} onclick={link.callback(|_| Msg::Stop)} title="End the run, keeping what finished">{"Stop"}</button>
                    <button id="reset" disabled={self.run.is_none()} onclick={link.callback(|_| Msg::Reset)} title="Clear the results">{"Reset"}</button>
                    <label for="speed" class="inline">{"Speed"}</label>
                    <select id="speed" onchange={link.callback(|e: Event| Msg::Speed(select_value(&e)))}>
                        { for Speed::ALL.iter().map(|s| html!{ <option value={s.id()} selected={*s == self.speed}>{s.label()}</option> }) }
                    </select>
                </div>
                <div class="progress-row">
                    <progress id="progress" max="1" value={progress.to_string()} aria-label="progress"></progress>
                    <span id="status" aria-live="polite" data-run={self.run_id.to_string()} data-state={state.map(|s| s.id()).unwrap_or("idle")}
                        data-done={self.run.as_ref().map(|u| u.progress.done.to_string()).unwrap_or_default()}>{status}</span>
                </div>
                if let Some(e) = &self.error {
                    <p id="error" class="bad" role="alert">{e}</p>
                }
            </div>
        }
    }

    /// Before a remote run: where the requests go, what they may cost, which key, and a
    /// Start button. Shown whatever the layout hides (an embed included).
    fn view_consent(&self, ctx: &Context<Self>) -> Html {
        let Some(c) = &self.consent else {
            return html! {};
        };
        let link = ctx.link();
        let llm = &c.config.raw().llm;
        let e = &c.estimate;
        let bound = self.keys.get(&c.target).is_some();
        let others = self.keys.others(&c.target);
        let local = is_loopback(&c.target.origin);
        html! {
            <section id="llm-consent" class="consent" role="alertdialog" aria-labelledby="llm-consent-title" data-origin={c.target.origin.clone()}>
                <h2 id="llm-consent-title">{format!("Send requests to {}?", c.target.origin)}</h2>
                if c.autorun {
                    <p class="hint warn">{"This link asked to start at once. A run that calls a language model never starts without you: nothing has been sent."}</p>
                }
                if !c.target.is_default_host() {
                    <p id="llm-consent-host" class="bad">{format!("These settings name a host other than {}'s own API ({}): {}. Start only if you trust it.", llm.provider.id(), llm.provider.default_base_url(), c.target.origin)}</p>
                }
                <p>{format!("iALP will ask {} · model {} for ratings.", llm.provider.label(), llm.model())}</p>
                <dl id="llm-consent-estimate" class="estimate">
                    { for e.lines().into_iter().map(|(k, v)| html!{ <><dt>{k}</dt><dd>{v}</dd></> }) }
                </dl>
                <p class="hint">{"Answers already in this browser's cache cost nothing; the estimate counts every request as new."}</p>
                if !e.raised.is_empty() {
                    <ul id="llm-consent-raised" class="bad">
                        { for e.raised.iter().map(|r| html!{ <li>{format!("{r}: above the documented default")}</li> }) }
                    </ul>
                }
                if bound {
                    <p id="llm-consent-key" class="ok">{format!("Your key for {} will be sent, there only.", c.target.describe())}</p>
                } else {
                    <p id="llm-consent-key" class="hint">{
                        if others.is_empty() {
                            format!("No key is held for {}.", c.target.describe())
                        } else {
                            format!("Your key(s) for {} will not be sent here. Type the key for {}:", others.iter().map(|b| b.describe()).collect::<Vec<_>>().join(", "), c.target.describe())
                        }
                    }</p>
                }
                <label for="consent-key">{ if bound { "Or type another key for this host" } else if local { "API key (a local server may need none)" } else { "API key for this host" } }</label>
                <input id="consent-key" type="password" autocomplete="off" spellcheck="false"
                    oninput={link.callback(|e: InputEvent| Msg::ConsentKey(e.target_unchecked_into::<HtmlInputElement>().value()))} />
                if self.keys.unbound.is_some() && !bound {
                    <label class="check" for="consent-unbound">
                        <input id="consent-unbound" type="checkbox" checked={c.use_unbound}
                            onchange={link.callback(|e: Event| Msg::ConsentUseUnbound(e.target_unchecked_into::<HtmlInputElement>().checked()))} />
                        {format!("Use the key an older version of this page saved (tied to no host) for {}", c.target.origin)}
                    </label>
                }
                if let Some(err) = &c.error {
                    <p id="llm-consent-error" class="bad" role="alert">{err}</p>
                }
                <div class="buttons">
                    <button id="consent-start" class="primary" onclick={link.callback(|_| Msg::ConsentStart)}>{format!("Start: send to {}", c.target.origin)}</button>
                    <button id="consent-cancel" onclick={link.callback(|_| Msg::ConsentCancel)}>{"Cancel"}</button>
                </div>
            </section>
        }
    }

    fn view_results(&self, ctx: &Context<Self>) -> Html {
        let shows = |p: &str| self.layout.shows(p);
        html! {
            <section class="results" aria-label="Results">
                { self.view_consent(ctx) }
                if !self.link_problems.is_empty() || !self.layout.problems.is_empty() {
                    <div id="link-problems" class="bad" role="alert">
                        <p>{"Some values in this link could not be used; their defaults are used instead:"}</p>
                        <ul>{ for self.layout.problems.iter().chain(&self.link_problems).map(|p| html!{ <li>{p}</li> }) }</ul>
                    </div>
                }
                if shows("bar") { { self.view_bar(ctx) } }
                <canvas id="chart" ref={self.canvas.clone()} role="img" hidden={!shows("chart")}
                    aria-label="R_tra per episode for each policy, with a running mean"></canvas>
                if shows("chart") { { self.view_chart_tools(ctx) } }
                if let Some(why) = self.results.as_ref().and_then(|r| r.halted.as_ref()) {
                    <p id="halted" class="bad" role="alert">{format!("{why} Everything finished before this point is kept below.")}</p>
                }
                if shows("table") { { self.view_table(ctx) } }
                if shows("inspector") { { self.view_inspector(ctx) } }
                if shows("llm") { { self.view_llm() } }
                if self.layout.embed {
                    <p class="hint embed-link"><a href={format!("{}{}", page_address().split('?').next().unwrap_or_default(), location().and_then(|l| l.hash().ok()).unwrap_or_default())} target="_blank" rel="noopener">{"Open in the full iALP Playground ↗"}</a></p>
                }
                if shows("explain") { <Explanations /> }
            </section>
        }
    }

    /// Every value of the config with its default and allowed range, editable.
    fn view_all_settings(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let config = self
            .form
            .to_config()
            .map(|c| c.raw().clone())
            .unwrap_or_else(|_| self.form.rest.clone());
        let list = if self.all_settings_open {
            share::settings(&config)
        } else {
            Vec::new()
        };
        html! {
            <details id="all-settings" open={self.all_settings_open}
                ontoggle={link.callback(|e: Event| Msg::AllSettingsOpen(e.target_unchecked_into::<web_sys::HtmlDetailsElement>().open()))}>
                <summary>{"All settings (every hyper-parameter)"}</summary>
                <p class="hint">{"Every value of the config, by its path in config.json and in links. Empty means the default. Each is checked as you leave the box."}</p>
                { for list.iter().map(|st| {
                    let id = format!("set-{}", st.path.replace('.', "-"));
                    let path = st.path.clone();
                    let err = self.setting_error.as_ref().filter(|(p, _)| p == &st.path).map(|(_, e)| e.clone());
                    let hint = match &st.allowed {
                        Some(a) => format!("default {} · allowed: {a}", if st.default.is_empty() { "(the preset's)" } else { &st.default }),
                        None => format!("default {}", if st.default.is_empty() { "(none)" } else { &st.default }),
                    };
                    html!{
                        <div class="setting">
                            <label for={id.clone()}>{st.path.clone()}</label>
                            <input id={id} type="text" value={st.value.clone()} aria-invalid={err.is_some().to_string()}
                                onchange={link.callback(move |e: Event| Msg::SetSetting(path.clone(), input_value(&e)))} />
                            <span class="hint">{hint}</span>
                            if let Some(e) = err { <span class="bad" role="alert">{e}</span> }
                        </div>
                    }
                }) }
            </details>
        }
    }

    /// Chart exports and the results overlay.
    fn view_chart_tools(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        html! {
            <div class="buttons chart-tools">
                <button id="export-png" onclick={link.callback(|_| Msg::ExportChart("png"))}>{"Chart as PNG"}</button>
                <button id="export-svg" onclick={link.callback(|_| Msg::ExportChart("svg"))}>{"Chart as SVG"}</button>
                <label for="import-results" class="button-like" title="Draw a results.json (from this page or `ialp run`) dashed over the chart">{"Overlay a results.json"}</label>
                <input id="import-results" type="file" accept=".json,application/json" class="visually-hidden"
                    onchange={link.callback(|e: Event| Msg::ImportResults(chosen_file(&e, true)))} />
                if self.overlay.is_some() {
                    <button id="clear-overlay" onclick={link.callback(|_| Msg::ClearOverlay)}>{"Remove overlay"}</button>
                }
                { match &self.overlay_status {
                    Some(Ok(m)) => html!{ <p id="overlay-message" class="ok">{m}</p> },
                    Some(Err(e)) => html!{ <p id="overlay-message" class="bad" role="alert">{e}</p> },
                    None => html!{},
                } }
            </div>
        }
    }

    /// Step through one evaluation episode: the user, the state, each recommendation,
    /// its reward and the quit rule's verdict.
    fn view_inspector(&self, ctx: &Context<Self>) -> Html {
        let Some(results) = &self.results else {
            return html! {};
        };
        let runs: Vec<&crate::experiment::MethodRun> = results
            .runs
            .iter()
            .filter(|r| !r.traces.is_empty())
            .collect();
        if runs.is_empty() {
            return html! {};
        }
        let link = ctx.link();
        let ins = &self.inspector;
        let method = ins
            .method
            .filter(|m| runs.iter().any(|r| r.method == *m))
            .unwrap_or(runs[0].method);
        let seeds: Vec<&&crate::experiment::MethodRun> =
            runs.iter().filter(|r| r.method == method).collect();
        let run = seeds.iter().find(|r| r.run == ins.run).unwrap_or(&seeds[0]);
        let episode = ins.episode.min(run.traces.len() - 1);
        let ep = &run.traces[episode];
        let (run_k, ep_k) = (run.run, episode);
        let mut methods: Vec<Method> = runs.iter().map(|r| r.method).collect();
        methods.dedup();
        let world = ins
            .world
            .as_ref()
            .filter(|(c, _)| c == &results.config)
            .map(|(_, w)| w.clone());
        let body = match &world {
            None => html! {
                <p class="hint">{"Press “Show” to replay this episode with the users' and items' descriptions."}</p>
            },
            Some(w) => {
                let settings = results.config.clone().check().map(|c| c.settings);
                match settings {
                    Err(e) => html! { <p class="bad">{e.to_string()}</p> },
                    Ok(settings) => {
                        let steps = settings
                            .quit
                            .explain(settings.window, &w.truth, &w.tags(), ep);
                        let t = ins.step.min(steps.len().saturating_sub(1));
                        let total: f32 = ep.rewards.iter().sum();
                        let item_title = |i: usize| {
                            w.items
                                .get(i)
                                .map(|it| it.title.clone())
                                .unwrap_or_else(|| format!("item {i}"))
                        };
                        let item_text = |i: usize| {
                            if i < w.n_items() {
                                w.item_text(i)
                            } else {
                                format!("item {i}")
                            }
                        };
                        html! {
                            <>
                            <p id="inspect-user"><strong>{format!("User {}: ", ep.user)}</strong>{ if ep.user < w.n_users() { w.user_text(ep.user) } else { String::new() } }</p>
                            <p class="hint">{format!("{} steps, R_tra = {total:.2}. {}", ep.items.len(), ep.end.as_ref().map(|e| e.describe()).unwrap_or_else(|| "not finished".into()))}</p>
                            <div class="buttons">
                                <button id="inspect-prev" disabled={t == 0} onclick={link.callback(move |_| Msg::InspectStep(t.saturating_sub(1)))}>{"◀ Previous step"}</button>
                                <span id="inspect-pos">{format!("step {} of {}", t + 1, steps.len())}</span>
                                <button id="inspect-next" disabled={t + 1 >= steps.len()} onclick={link.callback(move |_| Msg::InspectStep(t + 1))}>{"Next step ▶"}</button>
                            </div>
                            if let Some(st) = steps.get(t) {
                                <dl id="inspect-step" class="inspect" data-left={st.left.to_string()}>
                                    <dt>{"State (recent items the quit rule looks at)"}</dt>
                                    <dd>{ if st.recent.is_empty() { html!{ {"— none yet —"} } } else { html!{ <ul>{ for st.recent.iter().map(|i| html!{ <li>{item_text(*i)}</li> }) }</ul> } } }</dd>
                                    <dt>{"Recommended"}</dt>
                                    <dd id="inspect-item">{item_text(st.item)}</dd>
                                    <dt>{"Reward"}</dt>
                                    <dd id="inspect-reward">{format!("{:.2}", st.reward)}</dd>
                                    <dt>{"Quit rule"}</dt>
                                    <dd id="inspect-verdict" class={if st.left { "bad" } else { "ok" }}>{st.verdict.clone()}</dd>
                                </dl>
                            }
                            <ol class="inspect-steps">
                                { for steps.iter().map(|st| {
                                    let k = st.t;
                                    html!{ <li class={classes!((k == t).then_some("current"), st.left.then_some("left"))}>
                                        <button class="linklike" onclick={link.callback(move |_| Msg::InspectStep(k))}>{format!("{} · {:.1}{}", item_title(st.item), st.reward, if st.left { " · left" } else { "" })}</button>
                                    </li> }
                                }) }
                            </ol>
                            </>
                        }
                    }
                }
            }
        };
        html! {
            <details id="inspector" class="explain" open={ins.world.is_some()}>
                <summary>{"Episode inspector: step through what a policy recommended and what the user did"}</summary>
                <div class="inspect-pick">
                    <label for="inspect-method">{"Method"}</label>
                    <select id="inspect-method" onchange={link.callback(move |e: Event| Msg::Inspect(Method::from_id(&select_value(&e)), 0, 0))}>
                        { for methods.iter().map(|m| html!{ <option value={m.id()} selected={*m == method}>{m.label()}</option> }) }
                    </select>
                    <label for="inspect-seed">{"Seed"}</label>
                    <select id="inspect-seed" onchange={link.callback(move |e: Event| Msg::Inspect(Some(method), select_value(&e).parse().unwrap_or(0), 0))}>
                        { for seeds.iter().map(|r| html!{ <option value={r.run.to_string()} selected={r.run == run_k}>{r.seed}</option> }) }
                    </select>
                    <label for="inspect-episode">{"Episode of the last evaluation"}</label>
                    <select id="inspect-episode" onchange={link.callback(move |e: Event| Msg::Inspect(Some(method), run_k, select_value(&e).parse().unwrap_or(0)))}>
                        { for (0..run.traces.len()).map(|k| html!{ <option value={k.to_string()} selected={k == ep_k}>{format!("{} (user {}, R_tra {:.1})", k + 1, run.traces[k].user, run.traces[k].r_tra())}</option> }) }
                    </select>
                    <button id="inspect-show" onclick={link.callback(move |_| Msg::Inspect(Some(method), run_k, ep_k))}>{"Show"}</button>
                </div>
                { body }
            </details>
        }
    }

    /// The exact config and, once complete, the results' fingerprint: `ialp run` on the
    /// same config prints the same digest.
    fn view_reproduce(&self, results: &Results) -> Html {
        let config = serde_json::to_string_pretty(&results.config).unwrap_or_default();
        html! {
            <details id="reproduce">
                <summary>{"Reproduce this run"}</summary>
                <p class="hint">{"Save this config as config.json and run "}<code>{"ialp run config.json --json"}</code>
                    {" (add --real-dir DIR for real data): it prints the same digest."}</p>
                // The digest is computed in the worker, on the numbers as they were made.
                if let Some(d) = self.run.as_ref().and_then(|r| r.digest.clone()).filter(|_| results.complete) {
                    <p class="hint">{"Results digest: "}<code id="digest">{d}</code></p>
                }
                <pre id="config-json">{config}</pre>
            </details>
        }
    }

    fn view_table(&self, ctx: &Context<Self>) -> Html {
        let Some(results) = &self.results else {
            return html! {};
        };
        let world = &results.world;
        let um = results.user_models.first().map(|r| {
            format!(
                "User model (seed {}): RMSE {:.3} on the log{}, {:.3} on the whole ground truth.",
                results.config.seed,
                r.train_rmse,
                r.held_out_rmse
                    .map(|h| format!(", {h:.3} on held-out random ratings"))
                    .unwrap_or_default(),
                r.truth_rmse
            )
        });
        let online = results
            .config
            .methods
            .iter()
            .any(|m| m.learning().is_online());
        let repairs: Vec<String> = results
            .runs
            .iter()
            .flat_map(|r| r.repairs.iter().map(move |x| (r, x)))
            .map(|(r, x)| format!(
                "{} seed {}: repaired after online episode {}: the last episodes' mean return {:.2} fell below the anchor's {:.2} by more than {:.0} %; rolled back to iALP's policy, KL weight now {:.2}.",
                r.method.label(), r.seed, x.online_episode, x.moving_average, x.anchor_return, 100.0 * results.config.adapt.margin, x.kl_weight
            ))
            .collect();
        html! {
            <>
            <div class="table-wrap">
            <table id="results">
                <caption>{format!(
                    "{} · {} · {} users × {} items · {} episodes per evaluation · mean ± std over seeds of each run's last evaluation",
                    world.preset.label(),
                    results.config.env.mode.label(),
                    world.users,
                    world.items,
                    results.config.eval_episodes
                )}</caption>
                <thead><tr><th scope="col">{"Method"}</th><th scope="col">{"Seeds"}</th><th scope="col">{"R_tra"}</th><th scope="col">{"R_each"}</th><th scope="col">{"Length"}</th><th scope="col">{"Coverage"}</th><th scope="col">{"MCD"}</th>
                    if online { <th scope="col" title="Mean R_tra of the first 100 online episodes: how safe the start is">{"First 100 online"}</th><th scope="col" title="Reward users received over all online episodes">{"Users' total reward"}</th> }
                </tr></thead>
                <tbody>
                { for results.config.methods.iter().map(|m| match results.summary.iter().find(|s| s.method == *m) {
                    Some(s) => html!{
                        <tr data-method={m.id()}>
                            <th scope="row">{method_label(*m, results)}</th>
                            <td class="seeds">{s.seeds}</td>
                            <td class="r-tra" title={seeds_of(results, *m)}><a href="#reproduce">{s.r_tra.to_string()}</a></td>
                            <td class="r-each">{s.r_each.to_string()}</td>
                            <td class="length">{s.length.to_string()}</td>
                            <td>{format!("{:.3}", s.coverage.mean)}</td>
                            <td>{format!("{:.3}", s.mcd.mean)}</td>
                            if online {
                                <td class="first-k">{s.first_k.map(|x| x.to_string()).unwrap_or_else(|| "–".into())}</td>
                                <td class="online-total">{s.online_total.map(|x| format!("{:.0} ± {:.0}", x.mean, x.std)).unwrap_or_else(|| "–".into())}</td>
                            }
                        </tr>
                    },
                    None => html!{
                        <tr data-method={m.id()} class="pending"><th scope="row">{m.label()}</th><td class="seeds">{"0"}</td><td colspan={if online { "7" } else { "5" }}>{"not finished yet"}</td></tr>
                    },
                }) }
                </tbody>
            </table>
            </div>
            if let Some(um) = um { <p id="user-model" class="hint">{um}</p> }
            if !repairs.is_empty() {
                <details id="repairs" open=true>
                    <summary>{format!("A-iALP_ap repaired its policy {} time(s) (▼ on the curve)", repairs.len())}</summary>
                    <ul>{ for repairs.iter().map(|r| html!{ <li>{r}</li> }) }</ul>
                </details>
            }
            <div class="buttons">
                <button id="export-json" onclick={ctx.link().callback(|_| Msg::ExportResults("json"))}>{"Download results.json"}</button>
                <button id="export-csv" onclick={ctx.link().callback(|_| Msg::ExportResults("csv"))}>{"Download results.csv"}</button>
            </div>
            if !self.trained_runs().is_empty() {
                <div class="buttons">
                    <label for="policy-pick" class="inline">{"Trained policy"}</label>
                    <select id="policy-pick" onchange={ctx.link().callback(|e: Event| Msg::PolicyPick(select_value(&e)))}>
                        { for self.trained_runs().into_iter().map(|(m, k)| {
                            let seed = results.config.seed + k as u64;
                            html!{ <option value={format!("{}:{k}", m.id())} selected={self.policy_pick == Some((m, k))}>{format!("{} · seed {seed}", m.label())}</option> }
                        }) }
                    </select>
                    <button id="export-policy" onclick={ctx.link().callback(|_| Msg::ExportPolicy)}>{"Download policy"}</button>
                </div>
            }
            { self.view_reproduce(results) }
            </>
        }
    }
}

/// A method's name in tables; a method that asks an LLM says who rated (the oracle says
/// it peeks).
fn method_label(m: Method, results: &Results) -> String {
    if !m.spec().uses_llm {
        return m.label().into();
    }
    match results.config.llm.provider {
        Provider::Oracle => format!(
            "{} (oracle σ = {}: peeks at the truth)",
            m.label(),
            results.config.llm.oracle_noise
        ),
        Provider::Heuristic => format!("{} (heuristic stand-in)", m.label()),
        p => format!("{} ({})", m.label(), p.id()),
    }
}

/// How a table row was made: each seed's final R_tra, and where the config is.
fn seeds_of(results: &Results, m: Method) -> String {
    let per: Vec<String> = results
        .runs
        .iter()
        .filter(|r| r.method == m && r.finished)
        .filter_map(|r| {
            r.last
                .as_ref()
                .map(|l| format!("seed {}: {:.2}", r.seed, l.r_tra.mean))
        })
        .collect();
    format!(
        "{} — mean ± sample std over these seeds; the exact config is under “Reproduce this run”",
        per.join(", ")
    )
}
