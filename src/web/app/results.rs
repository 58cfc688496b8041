//! The results table (mean ± std over seeds), "does the LLM help?" (each LLM method
//! against its no-LLM twin, seed by seed), the user model's fit, A-iALP_ap's repairs,
//! the downloads, and "Reproduce this run".

use super::*;

/// The results' downloads.
pub enum ResultsMsg {
    ExportResults(&'static str),
}

impl App {
    pub(super) fn on_results(&mut self, _ctx: &Context<App>, msg: ResultsMsg) -> bool {
        match msg {
            ResultsMsg::ExportResults(kind) => {
                if let Some(r) = &self.results {
                    let done = match kind {
                        "csv" => {
                            crate::web::llm::download("ialp-results.csv", "text/csv", &r.to_csv())
                        }
                        _ => crate::web::llm::download(
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
        }
        true
    }

    /// The results table, as the page shows it (with the policy picker in it).
    pub(super) fn view_table(&self, ctx: &Context<Self>) -> Html {
        let Some(results) = &self.results else {
            return html! {};
        };
        html! {
            <ResultsTable results={results.clone()} digest={self.run.as_ref().and_then(|r| r.digest.clone())}
                on_export={ctx.link().callback(ResultsMsg::ExportResults)}>
                { self.view_policy_pick(ctx, results) }
            </ResultsTable>
        }
    }
}

#[derive(Properties, PartialEq)]
pub(super) struct ResultsTableProps {
    pub results: Rc<Results>,
    /// The current run's digest (shown once the results are complete).
    pub digest: Option<String>,
    /// "json" or "csv".
    pub on_export: Callback<&'static str>,
    /// Shown between the downloads and "Reproduce this run" (the policy picker).
    #[prop_or_default]
    pub children: Html,
}

/// The results table, "does the LLM help?", the user model's fit, the repairs, the
/// downloads, and "Reproduce this run".
#[function_component(ResultsTable)]
pub(super) fn results_table(props: &ResultsTableProps) -> Html {
    let results = &*props.results;
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
    let pairs = crate::experiment::paired::paired(results);
    let rated_by = match results.config.llm.provider {
        Provider::Heuristic => Some(
            "the heuristic stand-in (no language model): this measures what its ratings add",
        ),
        Provider::Oracle => {
            Some("the oracle, which peeks at the truth: an upper bound, not an LLM")
        }
        _ => None,
    };
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
    let export = |kind: &'static str| {
        let on = props.on_export.clone();
        Callback::from(move |_: MouseEvent| on.emit(kind))
    };
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
        if !pairs.is_empty() {
            <div id="llm-helps">
                <p><strong>{"Does the LLM help? "}</strong>{"Each method that learns from the LLM's ratings against its no-LLM twin, seed by seed (a seed's runs share the user model and the evaluation users):"}</p>
                <ul>{ for pairs.iter().map(|p| html!{ <li data-method={p.with_llm.id()}>{p.describe()}</li> }) }</ul>
                if let Some(who) = rated_by { <p class="hint">{format!("The ratings came from {who}.")}</p> }
            </div>
        }
        if let Some(um) = um { <p id="user-model" class="hint">{um}</p> }
        if !repairs.is_empty() {
            <details id="repairs" open=true>
                <summary>{format!("A-iALP_ap repaired its policy {} time(s) (▼ on the curve)", repairs.len())}</summary>
                <ul>{ for repairs.iter().map(|r| html!{ <li>{r}</li> }) }</ul>
            </details>
        }
        <div class="buttons">
            <button id="export-json" onclick={export("json")}>{"Download results.json"}</button>
            <button id="export-csv" onclick={export("csv")}>{"Download results.csv"}</button>
        </div>
        { props.children.clone() }
        { reproduce(results, props.digest.as_deref()) }
        </>
    }
}

/// The exact config and, once complete, the results' fingerprint: `ialp run` on the
/// same config prints the same digest.
fn reproduce(results: &Results, digest: Option<&str>) -> Html {
    let config = serde_json::to_string_pretty(&results.config).unwrap_or_default();
    html! {
        <details id="reproduce">
            <summary>{"Reproduce this run"}</summary>
            <p class="hint">{"Save this config as config.json and run "}<code>{"ialp run config.json --json"}</code>
                {" (add --real-dir DIR for real data): it prints the same digest."}</p>
            // The digest is computed in the worker, on the numbers as they were made.
            if let Some(d) = digest.filter(|_| results.complete) {
                <p class="hint">{"Results digest: "}<code id="digest">{d.to_string()}</code></p>
            }
            <pre id="config-json">{config}</pre>
        </details>
    }
}

/// A method's name in tables; a method that asks an LLM says who rated (the oracle says
/// it peeks).
pub(super) fn method_label(m: Method, results: &Results) -> String {
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
pub(super) fn seeds_of(results: &Results, m: Method) -> String {
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
