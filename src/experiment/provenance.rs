//! Where each part of the reconstruction comes from: the paper's abstract (all that is
//! public of it), METHOD.md (our written specification, after DORL / EasyRL4Rec), or our
//! own choice, with the constants and why. Shown in the page's "Paper or
//! reconstruction?" panel.

/// How much of a component the paper itself gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Named in the paper's abstract.
    Abstract,
    /// METHOD.md, following the public code the paper builds on (DORL, EasyRL4Rec).
    Method,
    /// Our reconstruction: the paper does not say.
    Ours,
}

impl Source {
    pub fn label(self) -> &'static str {
        match self {
            Source::Abstract => "paper (abstract)",
            Source::Method => "METHOD.md (our written specification)",
            Source::Ours => "our reconstruction",
        }
    }
    pub fn id(self) -> &'static str {
        match self {
            Source::Abstract => "abstract",
            Source::Method => "method",
            Source::Ours => "ours",
        }
    }
}

/// (component, source, constants and where they came from).
pub const PROVENANCE: &[(&str, Source, &str)] = &[
    ("Three simulated environments; an actor-critic policy; LLM-driven preference distillation; reward learning; A-iALP with fine-tuning (ft) and adaptive (ap) variants", Source::Abstract, "The abstract names these parts; no constants are public."),
    ("Coat / KuaiRec / MovieLens-1M shapes (DORL / EasyRL4Rec conventions), quit rules (item distance, tag count), max_turn 30, FB / NX_0 / NX_10, R_tra / R_each / Length", Source::Method, "Coat N = 7, τ = 6; KuaiRec N = 4, τ = 0 as in DORL; 100 evaluation episodes."),
    ("Synthetic worlds: tastes over text attributes, polarisation, histogram-matched ratings, self-selected log", Source::Ours, "Calibrated so random-policy returns and item distances match real Coat (README)."),
    ("User model: matrix factorisation with biases", Source::Method, "32-d, 40 epochs, lr 0.02, L2 0.1 (ours: best held-out RMSE on real Coat)."),
    ("User model option: attribute-aware factors (an item's factor plus the mean of its attribute values' factors), the DeepFM-like model METHOD.md allows", Source::Ours, "user_model.attributes, off by default: within a seed-std of plain MF in the ablation (RESULTS.md), and 2.5× slower to fit on KuaiRec."),
    ("State: mean of the last W steps of [item embedding ‖ normalised reward]", Source::Method, "W = 3 (state.window; W = N was within a seed-std in the ablation)."),
    ("State options: the items' attribute values averaged over the same W steps; their histogram over the quit rule's last N items", Source::Ours, "state.attributes, state.histogram, off by default; the paper-kuairec presets turn the attributes on (the tag rule reads them; best of the ablation there, RESULTS.md)."),
    ("Policy option: the user model's predicted ratings for this user, standardised per user and times a weight, added to the actor's logits (the state holds no user, so without it a policy cannot personalise before the first rating)", Source::Ours, "state.prior, 0 (off) by default; 5 in the paper-coat presets, where on some worlds Most popular keeps users all 30 steps and only personalising beats it (RESULTS.md); on KuaiRec it hurt (the model's favourites share tags), on MovieLens and real Coat it was within a seed-std."),
    ("A2C: separate 64-64 actor and critic, Adam, value weight, entropy bonus, MC returns", Source::Method, "γ 0.9, value 0.5, entropy 0.01 (0 in the paper-coat presets: Offline A2C 60.0 ± 5.5 against 44.7 ± 11.6 over 10 seeds). Ours, measured (RESULTS.md): learning rate 1e-2, not METHOD.md's 1e-3 (at the presets' budgets 1e-3 stays at Random's level: Online A2C on KuaiRec 4.1 against 23.1); 8 episodes per update, normalised advantages, the critic as baseline (a2c.baseline none: plain Monte-Carlo returns), one Adam step per batch (a2c.minibatch)."),
    ("A2C's arithmetic: the loss over the catalogue and both MLPs differentiated in closed form on deterministic kernels; burn's modules and initialiser; Adam as burn-optim computes it; R_φ's squared error the same way", Source::Ours, "Same numbers natively and in the browser (no fused multiply-add, a fixed summation order); checked against burn's autodiff, and Adam bit for bit against burn-optim's (tests/a2c_gradients.rs). burn's autodiff and burn-optim are test-only: the page does not ship them."),
    ("Distillation: (user, state) cases from the log and from user-model rollouts; candidates from top, popular and random items; several cases per request; answers cached by prompt hash", Source::Method, "Ours: 200 states, 10 candidates (30 % top, 20 % popular), 4 cases per request, prompt wording and JSON shape, one re-ask after an unparsable answer."),
    ("No-key stand-ins: heuristic (attribute overlap plus noise) and noisy oracle (peeks at the truth)", Source::Method, "Ours: heuristic weights 2.5 / 0.75, noise 0.5; oracle noise 0.5 by default."),
    ("Reward model R_φ(state, item) over item attributes", Source::Method, "Ours: also the user's attributes, the item's MF embedding and R̂[u, i]; early stopping with patience 5 (it memorised its labels otherwise)."),
    ("iALP pre-training on r = (1 − λ)·R̂ + λ·R_φ in the user-model world", Source::Method, "λ = 0.5 (ours)."),
    ("A-iALP_ft: keep updating the iALP actor-critic online with A2C", Source::Method, "A fresh Adam state at deployment (ours)."),
    ("A-iALP_ap: frozen anchor, compromise detection, rollback, adaptive KL toward the anchor, adaptive exploration among LLM-preferred items", Source::Method, "Ours: window 50, check every 25, margin 20 %, patience 3 (tuned so clean runs rarely repair), KL 0.5 ×2 per repair up to 8, ×0.8 when healthy; entropy halves at a repair; LLM exploration 0.2 × 0.995 per episode among R_φ's top 5."),
    ("Baselines: Random, Most popular, Greedy, ε-greedy, UCB, Offline A2C, A2C + DORL-style entropy, Online A2C", Source::Method, "ε 0.1, UCB c 1, DORL-style bonus λ 1 (ours)."),
    ("No-LLM twins of A-iALP: Offline A2C's policy deployed and adapted as A-iALP_ft / A-iALP_ap adapt iALP's", Source::Ours, "offline_a2c_ft, offline_a2c_ap: the same constants; _ap without exploration among R_φ's favourites (no LLM, no R_φ). Paired with A-iALP on the same seed, the difference is what the distillation adds."),
    ("Imported policy, fine-tuned online: any exported policy deployed on the ground truth and updated with online A2C", Source::Ours, "A playground tool, not in the paper: the weights from the file, a fresh Adam state, Online A2C's constants."),
];
