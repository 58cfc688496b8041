//! The settings panel: the world, the budget, the quit rule, the methods, A2C and
//! "All settings" (every config path); the real Coat files the user picks.

use super::*;

/// What the settings panel changes: the config form, and the real data files.
pub enum SettingsMsg {
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
    Files(Vec<web_sys::File>),
    FilesRead(Vec<(String, Result<String, String>)>),
    /// "All settings": a value typed for a config path.
    SetSetting(String, String),
    AllSettingsOpen(bool),
}

/// Real Coat files picked by the user, and what came of loading them.
#[derive(Default)]
pub(super) struct RealData {
    pub(super) files: CoatFiles,
    pub(super) names: Vec<String>,
    pub(super) world: Option<Arc<World>>,
    /// `Ok(summary)` or `Err(what is wrong)`.
    pub(super) status: Option<Result<String, String>>,
    /// The files as read, for the worker (which builds its own world from them).
    pub(super) texts: Vec<(String, String)>,
}

impl App {
    pub(super) fn on_settings(&mut self, ctx: &Context<App>, msg: SettingsMsg) -> bool {
        match msg {
            SettingsMsg::LoadPreset(name) => {
                match crate::experiment::presets::find(&name).map(|p| p.config(None)) {
                    Some(Ok(c)) => {
                        self.form = ConfigForm::from_config(c.raw());
                        self.error = None;
                    }
                    Some(Err(e)) => self.error = Some(format!("Preset {name}: {e}")),
                    None => {}
                }
            }
            SettingsMsg::Preset(s) => {
                if let Some(p) = Preset::from_id(&s) {
                    self.form.set_preset(p);
                }
            }
            SettingsMsg::Data(s) => {
                self.form.data = if s == "real" {
                    DataSource::Real
                } else {
                    DataSource::Synthetic
                };
            }
            SettingsMsg::Scale(s) => self.form.scale = s,
            SettingsMsg::Seed(s) => self.form.seed = s,
            SettingsMsg::Mode(s) => self.form.mode = Mode::from_id(&s).unwrap_or_default(),
            SettingsMsg::EvalEpisodes(s) => self.form.eval_episodes = s,
            SettingsMsg::Seeds(s) => self.form.seeds = s,
            SettingsMsg::OfflineEpisodes(s) => self.form.offline_episodes = s,
            SettingsMsg::OnlineEpisodes(s) => self.form.online_episodes = s,
            SettingsMsg::EvalEvery(s) => self.form.eval_every = s,
            SettingsMsg::A2cLearningRate(s) => self.form.a2c_learning_rate = s,
            SettingsMsg::A2cEntropy(s) => self.form.a2c_entropy_weight = s,
            SettingsMsg::LeaveN(s) => self.form.leave_n = s,
            SettingsMsg::LeaveTau(s) => self.form.leave_tau = s,
            SettingsMsg::Window(s) => {
                self.form.window = if s == "peer_compatible" {
                    Window::PeerCompatible
                } else {
                    Window::Intended
                }
            }
            SettingsMsg::Method(p, on) => {
                self.form.methods.retain(|q| *q != p);
                if on {
                    self.form.methods.push(p);
                    self.form
                        .methods
                        .sort_by_key(|q| Method::ALL.iter().position(|x| x == q));
                }
            }
            SettingsMsg::Files(files) => {
                ctx.link().send_future(async move {
                    let mut out = Vec::new();
                    for f in files {
                        let name = f.name();
                        let text = widgets::read_text(f, crate::limits::COAT_FILE_BYTES).await;
                        out.push((name, text));
                    }
                    SettingsMsg::FilesRead(out)
                });
                return false;
            }
            SettingsMsg::FilesRead(files) => self.add_real_files(files),
            SettingsMsg::AllSettingsOpen(open) => self.all_settings_open = open,
            SettingsMsg::SetSetting(path, text) => {
                let base = match self.form.to_config() {
                    Ok(c) => c.raw().clone(),
                    Err(e) => {
                        self.setting_error = Some((path, format!("fix this first: {e}")));
                        return true;
                    }
                };
                match crate::experiment::settings::with_setting(&base, &path, &text) {
                    Ok(c) => {
                        self.form = ConfigForm::from_config(c.raw());
                        self.setting_error = None;
                    }
                    Err(e) => self.setting_error = Some((path, e.to_string())),
                }
            }
        }
        true
    }

    pub(super) fn view_controls(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let f = &self.form;
        let (default_scale, default_n, default_tau) = f.defaults();
        let real = f.data == DataSource::Real;
        let shape = synthetic::shape(f.preset, f.scale.trim().parse().unwrap_or(if real { 1.0 } else { default_scale }));
        html! {
            <section class="controls" aria-label="Settings">
                <h2>{"Settings"}</h2>
                <label for="preset-load">{"Start from a preset"}</label>
                <select id="preset-load" onchange={link.callback(|e: Event| SettingsMsg::LoadPreset(select_value(&e)))}>
                    <option value="" selected=true>{"— your own settings —"}</option>
                    { for crate::experiment::presets::PRESETS.iter().map(|p| html!{ <option value={p.name}>{p.title}</option> }) }
                </select>
                <label for="preset">{"Environment"}</label>
                <select id="preset" onchange={link.callback(|e: Event| SettingsMsg::Preset(select_value(&e)))}>
                    { for Preset::ALL.iter().map(|p| html!{ <option value={p.id()} selected={*p == f.preset}>{p.label()}</option> }) }
                </select>

                <label for="data-source">{"Data"}</label>
                <select id="data-source" onchange={link.callback(|e: Event| SettingsMsg::Data(select_value(&e)))}>
                    <option value="synthetic" selected={!real}>{"Synthetic world (built in)"}</option>
                    <option value="real" selected={real}>{"Real data files (load them)"}</option>
                </select>
                if real && f.preset == Preset::Coat {
                    <div id="coat-drop" class="drop-zone"
                        ondragover={Callback::from(|e: DragEvent| e.prevent_default())}
                        ondrop={link.callback(|e: DragEvent| {
                            e.prevent_default();
                            let mut out = Vec::new();
                            if let Some(list) = e.data_transfer().and_then(|d| d.files()) {
                                for i in 0..list.length() {
                                    if let Some(f) = list.get(i) { out.push(f); }
                                }
                            }
                            SettingsMsg::Files(out)
                        })}>
                    <label for="coat-files">{"Coat files (select or drop all five at once)"}</label>
                    <input id="coat-files" type="file" multiple=true accept=".ascii,.txt"
                        onchange={link.callback(|e: Event| {
                            let input: HtmlInputElement = e.target_unchecked_into();
                            let mut out = Vec::new();
                            if let Some(list) = input.files() {
                                for i in 0..list.length() {
                                    if let Some(f) = list.get(i) { out.push(f); }
                                }
                            }
                            SettingsMsg::Files(out)
                        })} />
                    <p class="hint">{"train.ascii, test.ascii, pseudo_gt_rating_matrix.ascii, user_features.ascii, item_features.ascii (from the DORL / RL4Rec repositories)."}</p>
                    { self.view_coat_url(ctx) }
                    { status_line("coat-status", &self.real.status) }
                    </div>
                } else {
                    if real { { self.view_data_loader(ctx) } }
                    <label for="scale">{ if real {
                        format!("Share of the loaded data's users and items (1 = all of them; ≈ {} users × {} items)", shape.0, shape.1)
                    } else {
                        format!("World size (× real; {} users × {} items)", shape.0, shape.1)
                    } }</label>
                    <input id="scale" type="text" inputmode="decimal" placeholder={ if real { "1".to_string() } else { default_scale.to_string() } } value={f.scale.clone()}
                        oninput={link.callback(|e: InputEvent| SettingsMsg::Scale(e.target_unchecked_into::<HtmlInputElement>().value()))} />
                }

                { text_field(link, "seed", "Seed", &f.seed, String::new(), SettingsMsg::Seed) }

                <label for="mode">{"Evaluation mode"}</label>
                <select id="mode" onchange={link.callback(|e: Event| SettingsMsg::Mode(select_value(&e)))}>
                    { for Mode::ALL.iter().map(|m| html!{ <option value={m.id()} selected={*m == f.mode}>{m.label()}</option> }) }
                </select>

                <fieldset>
                    <legend>{"Budget"}</legend>
                    { text_field(link, "seeds", "Seeds (runs per method)", &f.seeds, String::new(), SettingsMsg::Seeds) }
                    { text_field(link, "eval-episodes", "Episodes per evaluation", &f.eval_episodes, String::new(), SettingsMsg::EvalEpisodes) }
                    { text_field(link, "offline-episodes", "Offline training episodes (user model)", &f.offline_episodes, String::new(), SettingsMsg::OfflineEpisodes) }
                    { text_field(link, "online-episodes", "Online training episodes (ground truth)", &f.online_episodes, String::new(), SettingsMsg::OnlineEpisodes) }
                    { text_field(link, "eval-every", "Evaluate every … training episodes", &f.eval_every, String::new(), SettingsMsg::EvalEvery) }
                </fieldset>

                <fieldset>
                    <legend>{"Quit rule"}</legend>
                    { text_field(link, "leave-n", "Window N", &f.leave_n, default_n.to_string(), SettingsMsg::LeaveN) }
                    { text_field(link, "leave-tau", { if f.preset == Preset::KuaiRec { "Threshold τ (tag count)" } else { "Threshold τ (item distance)" } }, &f.leave_tau, default_tau, SettingsMsg::LeaveTau) }
                    <label for="window">{"Window"}</label>
                    <select id="window" onchange={link.callback(|e: Event| SettingsMsg::Window(select_value(&e)))}>
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
                                    onchange={link.callback(move |e: Event| SettingsMsg::Method(p, e.target_unchecked_into::<HtmlInputElement>().checked()))} />
                                {p.label()}
                            </label>
                        }
                    }) }
                </fieldset>

                { self.view_deploy(ctx) }

                { self.view_llm_settings(ctx) }

                <fieldset>
                    <legend>{"A2C"}</legend>
                    { text_field(link, "a2c-lr", "Learning rate (Adam)", &f.a2c_learning_rate, String::new(), SettingsMsg::A2cLearningRate) }
                    { text_field(link, "a2c-entropy", "Entropy bonus weight", &f.a2c_entropy_weight, String::new(), SettingsMsg::A2cEntropy) }
                </fieldset>

                { self.view_all_settings(ctx) }

                { self.view_share(ctx) }
            </section>
        }
    }

    /// Every value of the config with its default and allowed range, editable.
    pub(super) fn view_all_settings(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let config = self
            .form
            .to_config()
            .map(|c| c.raw().clone())
            .unwrap_or_else(|_| self.form.rest.clone());
        let list = if self.all_settings_open {
            crate::experiment::settings::settings(&config)
        } else {
            Vec::new()
        };
        html! {
            <details id="all-settings" open={self.all_settings_open}
                ontoggle={link.callback(|e: Event| SettingsMsg::AllSettingsOpen(e.target_unchecked_into::<web_sys::HtmlDetailsElement>().open()))}>
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
                                onchange={link.callback(move |e: Event| SettingsMsg::SetSetting(path.clone(), input_value(&e)))} />
                            <span class="hint">{hint}</span>
                            if let Some(e) = err { <span class="bad" role="alert">{e}</span> }
                        </div>
                    }
                }) }
            </details>
        }
    }

    pub(super) fn add_real_files(&mut self, files: Vec<(String, Result<String, String>)>) {
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
}
