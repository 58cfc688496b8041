//! The settings panel: the world, the budget, the quit rule, the methods, A2C and
//! "All settings" (every config path); the real Coat files the user picks.

use super::*;

/// What the settings panel changes: the config form, and the real data files.
pub enum SettingsMsg {
    LoadPreset(String),
    /// Any control of the form's table (`experiment/form.rs`), here or in another panel.
    Edit(SettingId, String),
    Method(Method, bool),
    Files(Vec<web_sys::File>),
    FilesRead(Vec<(String, Result<String, String>)>),
    /// "All settings" made a new config (a value typed for a config path).
    Config(ValidConfig),
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
                        self.show_config(c.raw());
                        self.error = None;
                    }
                    Some(Err(e)) => self.error = Some(format!("Preset {name}: {e}")),
                    None => {}
                }
            }
            SettingsMsg::Edit(id, text) => self.form_mut().edit(id, &text),
            SettingsMsg::Method(p, on) => self.form_mut().tick_method(p, on),
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
            SettingsMsg::Config(c) => self.show_config(c.raw()),
        }
        true
    }

    pub(super) fn view_controls(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let f = &self.form;
        let on_edit = link.callback(|(id, s): (SettingId, String)| SettingsMsg::Edit(id, s));
        let (default_scale, default_n, default_tau) = f.defaults();
        let preset = f.preset();
        let real = f.data() == DataSource::Real;
        let scale = f.text(SettingId::Scale);
        let shape = synthetic::shape(preset, scale.trim().parse().unwrap_or(if real { 1.0 } else { default_scale }));
        let box_of = |id: SettingId, placeholder: String| setting_box(f, id, None, placeholder, &on_edit);
        let methods = f.methods();
        html! {
            <section class="controls" aria-label="Settings">
                <h2>{"Settings"}</h2>
                <label for="preset-load">{"Start from a preset"}</label>
                <select id="preset-load" onchange={link.callback(|e: Event| SettingsMsg::LoadPreset(select_value(&e)))}>
                    <option value="" selected=true>{"— your own settings —"}</option>
                    { for crate::experiment::presets::PRESETS.iter().map(|p| html!{ <option value={p.name}>{p.title}</option> }) }
                </select>
                { choice_box(SettingId::Preset, html!{ <>
                    { for Preset::ALL.iter().map(|p| html!{ <option value={p.id()} selected={*p == preset}>{p.label()}</option> }) }
                </> }, &on_edit) }

                { choice_box(SettingId::Data, html!{ <>
                    <option value="synthetic" selected={!real}>{"Synthetic world (built in)"}</option>
                    <option value="real" selected={real}>{"Real data files (load them)"}</option>
                </> }, &on_edit) }
                if real && preset == Preset::Coat {
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
                    // Read as typed (not on leaving the box): the label's shape follows it.
                    <input id="scale" type="text" inputmode="decimal" placeholder={ if real { "1".to_string() } else { default_scale.to_string() } } value={scale.to_string()}
                        oninput={link.callback(|e: InputEvent| SettingsMsg::Edit(SettingId::Scale, e.target_unchecked_into::<HtmlInputElement>().value()))} />
                }

                { box_of(SettingId::Seed, String::new()) }

                { choice_box(SettingId::Mode, html!{ <>
                    { for Mode::ALL.iter().map(|m| html!{ <option value={m.id()} selected={*m == f.mode()}>{m.label()}</option> }) }
                </> }, &on_edit) }

                <fieldset>
                    <legend>{"Budget"}</legend>
                    { box_of(SettingId::Seeds, String::new()) }
                    { box_of(SettingId::EvalEpisodes, String::new()) }
                    { box_of(SettingId::OfflineEpisodes, String::new()) }
                    { box_of(SettingId::OnlineEpisodes, String::new()) }
                    { box_of(SettingId::EvalEvery, String::new()) }
                </fieldset>

                <fieldset>
                    <legend>{"Quit rule"}</legend>
                    { box_of(SettingId::LeaveN, default_n.to_string()) }
                    { setting_box(f, SettingId::LeaveTau, matches!(preset.spec().quit, crate::env::QuitRule::TagCount { .. }).then_some("Threshold τ (tag count)"), default_tau, &on_edit) }
                    { choice_box(SettingId::Window, html!{ <>
                        <option value="intended" selected={f.window() == Window::Intended}>{"last min(N, t) items (intended)"}</option>
                        <option value="peer_compatible" selected={f.window() == Window::PeerCompatible}>{"peer-compatible (DORL/EasyRL4Rec slice)"}</option>
                    </> }, &on_edit) }
                </fieldset>

                <fieldset>
                    <legend>{SettingId::Methods.row().label}</legend>
                    // The imported policy last: it goes with "Deploy a trained policy" below.
                    { for Method::ALL.iter().filter(|m| **m != Method::Imported).chain([&Method::Imported]).map(|p| {
                        let p = *p;
                        let id = format!("{}{}", SettingId::Methods.row().element, p.id());
                        html!{
                            <label class="check" for={id.clone()}>
                                <input id={id} type="checkbox" checked={methods.contains(&p)}
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
                    { box_of(SettingId::A2cLearningRate, String::new()) }
                    { box_of(SettingId::A2cEntropyWeight, String::new()) }
                    { box_of(SettingId::A2cGamma, String::new()) }
                </fieldset>

                <AllSettings form={self.form.clone()} on_config={link.callback(SettingsMsg::Config)} />

                { self.view_share(ctx) }
            </section>
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
            self.form_mut().set_data(DataSource::Real);
        }
    }
}
