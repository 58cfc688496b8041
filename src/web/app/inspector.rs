//! The episode inspector: replay one evaluation episode step by step, with the users'
//! and items' texts and the quit rule's verdict.

use super::*;

/// Inspector: method, run index, episode index; or a step of the shown episode.
pub enum InspectorMsg {
    Inspect(Option<Method>, usize, usize),
    InspectStep(usize),
}

/// What the episode inspector shows.
#[derive(Default)]
pub(super) struct Inspector {
    pub(super) method: Option<Method>,
    pub(super) run: usize,
    pub(super) episode: usize,
    pub(super) step: usize,
    /// The world the inspected results ran in (for the users' and items' texts), built
    /// on demand and kept for the same config.
    pub(super) world: Option<(crate::experiment::ExperimentConfig, Arc<World>)>,
}

impl App {
    pub(super) fn on_inspector(&mut self, _ctx: &Context<App>, msg: InspectorMsg) -> bool {
        match msg {
            InspectorMsg::Inspect(method, run, episode) => {
                self.inspector.method = method;
                self.inspector.run = run;
                self.inspector.episode = episode;
                self.inspector.step = 0;
                self.ensure_inspector_world();
            }
            InspectorMsg::InspectStep(t) => self.inspector.step = t,
        }
        true
    }

    /// Builds (once per config) the world the results ran in, for the inspector's texts.
    pub(super) fn ensure_inspector_world(&mut self) {
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

    /// Step through one evaluation episode: the user, the state, each recommendation,
    /// its reward and the quit rule's verdict.
    pub(super) fn view_inspector(&self, ctx: &Context<Self>) -> Html {
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
        let real_elsewhere = results.config.env.data == DataSource::Real
            && results.config.env.preset != Preset::Coat;
        let body = match &world {
            None if real_elsewhere => html! {
                <p class="hint">{"The loaded MovieLens / KuaiRec data stays in the training worker, so the replay with descriptions is not available for it yet (synthetic worlds and real Coat have it)."}</p>
            },
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
                                <button id="inspect-prev" disabled={t == 0} onclick={link.callback(move |_| InspectorMsg::InspectStep(t.saturating_sub(1)))}>{"◀ Previous step"}</button>
                                <span id="inspect-pos">{format!("step {} of {}", t + 1, steps.len())}</span>
                                <button id="inspect-next" disabled={t + 1 >= steps.len()} onclick={link.callback(move |_| InspectorMsg::InspectStep(t + 1))}>{"Next step ▶"}</button>
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
                                        <button class="linklike" onclick={link.callback(move |_| InspectorMsg::InspectStep(k))}>{format!("{} · {:.1}{}", item_title(st.item), st.reward, if st.left { " · left" } else { "" })}</button>
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
                    <select id="inspect-method" onchange={link.callback(move |e: Event| InspectorMsg::Inspect(Method::from_id(&select_value(&e)), 0, 0))}>
                        { for methods.iter().map(|m| html!{ <option value={m.id()} selected={*m == method}>{m.label()}</option> }) }
                    </select>
                    <label for="inspect-seed">{"Seed"}</label>
                    <select id="inspect-seed" onchange={link.callback(move |e: Event| InspectorMsg::Inspect(Some(method), select_value(&e).parse().unwrap_or(0), 0))}>
                        { for seeds.iter().map(|r| html!{ <option value={r.run.to_string()} selected={r.run == run_k}>{r.seed}</option> }) }
                    </select>
                    <label for="inspect-episode">{"Episode of the last evaluation"}</label>
                    <select id="inspect-episode" onchange={link.callback(move |e: Event| InspectorMsg::Inspect(Some(method), run_k, select_value(&e).parse().unwrap_or(0)))}>
                        { for (0..run.traces.len()).map(|k| html!{ <option value={k.to_string()} selected={k == ep_k}>{format!("{} (user {}, R_tra {:.1})", k + 1, run.traces[k].user, run.traces[k].r_tra())}</option> }) }
                    </select>
                    <button id="inspect-show" onclick={link.callback(move |_| InspectorMsg::Inspect(Some(method), run_k, ep_k))}>{"Show"}</button>
                </div>
                { body }
            </details>
        }
    }
}
