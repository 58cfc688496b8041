//! The provenance table and the explanations under the results.

use yew::prelude::*;

/// The provenance table and the explanations: static, so a component of their own that
/// yew never re-renders while a run streams snapshots.
#[function_component(Explanations)]
pub(super) fn explanations() -> Html {
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
                    <p>{"Learning methods are evaluated on the ground truth before training and every few hundred training episodes: the chart shows R_tra per evaluation with a band of ± one standard deviation over seeds, in two panels because the learners count different episodes: on the left the offline learners against their training episodes in the user-model world, on the right the online learners against the episodes real users lived through since deployment; methods that do not learn are dashed lines in both. Online A2C learns on the real users (the ground truth) and is the reference; Offline A2C only ever sees the user model fitted to the biased log, and how far it falls short is the distribution shift iALP and A-iALP address. iALP pre-trains the same A2C in the same user-model world, but its reward mixes in R_φ, learnt from ratings an LLM (or a stand-in) gave while playing the users: the LLM panel counts the calls and shows how well those ratings, and R_φ, agree with the truth. A-iALP deploys iALP's policy on the real users and keeps learning: A-iALP_ft by plain fine-tuning, A-iALP_ap with a frozen anchor (iALP's policy), a detector that rolls back when users fare worse than under the anchor (▼ on the curve), and exploration among the items R_φ prefers. The table's last columns say how users fared while a method learned online: the first 100 episodes (a safe start) and the total reward. Offline A2C_ft and Offline A2C_ap are A-iALP without the LLM: Offline A2C's policy adapted the same way; “Does the LLM help?” compares each LLM method with its twin on the same seeds."}</p>
                </section>
        </>
    }
}
