//! Trained policies: download one after a run, load one for the method that deploys it.

use super::*;

/// Policies: pick (method id and run index, "offline_a2c:0"), export, import.
pub enum PolicyMsg {
    PolicyPick(String),
    ExportPolicy,
    /// The worker's answer to ExportPolicy: (file name, JSON), or why not.
    Saved(Result<(String, String), String>),
    ImportPolicy(Vec<web_sys::File>),
    PolicyRead(String, Result<String, String>),
}

impl App {
    pub(super) fn on_policy(&mut self, ctx: &Context<App>, msg: PolicyMsg) -> bool {
        match msg {
            PolicyMsg::PolicyPick(v) => {
                self.policy_pick = v
                    .split_once(':')
                    .and_then(|(m, k)| Some((Method::from_id(m)?, k.parse().ok()?)));
            }
            PolicyMsg::ExportPolicy => {
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
            PolicyMsg::ImportPolicy(files) => {
                read_first_file(ctx, files, crate::limits::POLICY_FILE_BYTES, PolicyMsg::PolicyRead);
                return false;
            }
            PolicyMsg::PolicyRead(name, text) => {
                match text.and_then(|t| {
                    crate::experiment::PolicyFile::from_json(&t)
                        .map(|p| (p, t))
                        .map_err(|e| e.to_string())
                }) {
                    Ok((p, json)) => {
                        self.policy_status = Some(Ok(format!(
                            "{name}: {}. Method “{}” will deploy it.",
                            p.describe(),
                            Method::Imported.label()
                        )));
                        let mut methods = self.form.methods();
                        if !methods.contains(&Method::Imported) {
                            // Last in the list, after what it may deploy.
                            methods.push(Method::Imported);
                            self.form_mut().set_methods(&methods);
                        }
                        self.imported = Some((name, p, json));
                    }
                    // A policy loaded before stays loaded.
                    Err(e) => self.policy_status = Some(Err(format!("{name}: {e}"))),
                }
            }
            PolicyMsg::Saved(answer) => {
                self.policy_status = Some(answer.and_then(|(name, json)| {
                    crate::web::llm::download(&name, "application/json", &json)?;
                    Ok(format!("saved {name}: load it under “Deploy a trained policy” to fine-tune it online"))
                }));
            }
        }
        true
    }

    /// The finished (method, run index) pairs that have a trained network to export.
    pub(super) fn trained_runs(&self) -> Vec<(Method, usize)> {
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

    /// Load a policy file for the method that deploys it.
    pub(super) fn view_deploy(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        html! {
                <fieldset id="deploy">
                    <legend>{"Deploy a trained policy"}</legend>
                    <p class="hint">{"A policy file from “Download policy” (or ialp run --policies): method “Imported policy” deploys it on the ground truth and fine-tunes it online — pre-train offline, then adapt online."}</p>
                    <label for="import-policy" class="button-like">{"Load a policy file"}</label>
                    <input id="import-policy" type="file" accept=".json,application/json" class="visually-hidden"
                        onchange={link.callback(|e: Event| PolicyMsg::ImportPolicy(chosen_file(&e, true)))} />
                    { status_line("policy-message", &self.policy_status) }
                </fieldset>
        }
    }

    /// Which trained policy "Download policy" exports.
    pub(super) fn view_policy_pick(&self, ctx: &Context<Self>, results: &Results) -> Html {
        html! {
            <>
            if !self.trained_runs().is_empty() {
                <div class="buttons">
                    <label for="policy-pick" class="inline">{"Trained policy"}</label>
                    <select id="policy-pick" onchange={ctx.link().callback(|e: Event| PolicyMsg::PolicyPick(select_value(&e)))}>
                        { for self.trained_runs().into_iter().map(|(m, k)| {
                            let seed = results.config.run_seed(k);
                            html!{ <option value={format!("{}:{k}", m.id())} selected={self.policy_pick == Some((m, k))}>{format!("{} · seed {seed}", m.label())}</option> }
                        }) }
                    </select>
                    <button id="export-policy" onclick={ctx.link().callback(|_| PolicyMsg::ExportPolicy)}>{"Download policy"}</button>
                </div>
            }
            </>
        }
    }
}
