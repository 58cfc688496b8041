//! The quit rules on hand-made tiny matrices (METHOD.md §2): step 0, the short window
//! at t < N, the peer-compatible window, repeats in FB vs NX_0, and the last step.

use std::sync::Arc;

use ialp::env::{
    EnvError, EnvSettings, Environment, Episode, LeaveReason, Mode, Preset, QuitRule, RatingMatrix,
    Window, World,
};

/// Two users; item columns on a line: i0 (0,1), i1 (10,2), i2 (0.5,3) close to i0,
/// i3 (10.5,4) close to i1, then i4.. far from everything. Rewards differ per item so
/// we can see which step's reward counted.
fn line_world() -> Arc<World> {
    let xs = [
        0.0, 10.0, 0.5, 10.5, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0,
    ];
    let row0: Vec<f32> = xs.iter().map(|x| *x as f32).collect();
    let row1: Vec<f32> = row0.clone();
    let truth = RatingMatrix::from_rows(&[row0, row1]).unwrap();
    let tags = (0..xs.len()).map(|i| vec![i as u16]).collect();
    Arc::new(World::from_matrix(Preset::Coat, truth, tags))
}

fn env(
    world: Arc<World>,
    mode: Mode,
    n: usize,
    tau: f32,
    window: Window,
    max_turn: usize,
) -> Environment {
    Environment::new(
        world,
        EnvSettings {
            mode,
            quit: QuitRule::ItemDistance { n, tau },
            window,
            max_turn,
        },
    )
}

/// Plays `items` and returns the episode (stopping at the first error or end).
fn play(env: &Environment, items: &[usize]) -> Episode {
    let mut ep = env.reset(0);
    for &i in items {
        if ep.is_done() {
            break;
        }
        env.step(&mut ep, i).unwrap();
    }
    ep
}

#[test]
fn step_zero_is_never_checked() {
    // τ so large that every pair is "too close": still, the first item never makes the
    // user leave, the second does.
    let e = env(line_world(), Mode::Fb, 7, 1e6, Window::Intended, 30);
    let mut ep = e.reset(0);
    assert!(!e.step(&mut ep, 4).unwrap().done, "no check at step 0");
    assert!(e.step(&mut ep, 11).unwrap().done, "checked from step 1 on");
}

#[test]
fn repeat_in_fb_makes_the_user_leave_and_the_reward_counts() {
    let e = env(line_world(), Mode::Fb, 7, 1.0, Window::Intended, 30);
    let ep = play(&e, &[4, 4, 5]);
    assert_eq!(ep.items, vec![4, 4], "the user left on the repeat");
    assert_eq!(
        ep.rewards,
        vec![20.0, 20.0],
        "the quitting step's reward counts"
    );
    assert_eq!(ep.r_tra(), 40.0);
    assert!(
        matches!(ep.end, Some(LeaveReason::TooSimilar { item: 4, earlier: 4, distance, .. }) if distance == 0.0)
    );
}

#[test]
fn repeat_in_nx0_is_masked_not_a_quit() {
    let e = env(line_world(), Mode::Nx0, 7, 1.0, Window::Intended, 30);
    let mut ep = play(&e, &[4]);
    assert!(!e.allowed(&ep, 4));
    assert_eq!(
        e.step(&mut ep, 4),
        Err(EnvError::Repeat {
            item: 4,
            mode: Mode::Nx0
        })
    );
    assert_eq!(ep.items, vec![4], "a refused step changes nothing");
    assert!(!ep.is_done());
}

#[test]
fn short_window_at_t_below_n_holds_all_items_so_far() {
    // N = 3, t = 2: the window is both earlier items; i2 is close to i0.
    let e = env(line_world(), Mode::Nx0, 3, 1.0, Window::Intended, 30);
    let ep = play(&e, &[0, 1, 2]);
    assert_eq!(ep.len(), 3);
    assert!(
        matches!(
            ep.end,
            Some(LeaveReason::TooSimilar {
                item: 2,
                earlier: 0,
                ..
            })
        ),
        "{:?}",
        ep.end
    );
}

#[test]
fn the_window_slides_past_old_items() {
    // N = 2: at t = 3 the window is [i1, i4]; i2 (close to i0) is fine, i3 (close to i1) is not.
    let e = env(line_world(), Mode::Nx0, 2, 1.0, Window::Intended, 30);
    let ep = play(&e, &[0, 1, 4, 2]);
    assert!(!ep.is_done(), "i0 has left the window: {:?}", ep.end);
    let ep = play(&e, &[0, 1, 4, 3]);
    assert!(matches!(
        ep.end,
        Some(LeaveReason::TooSimilar {
            item: 3,
            earlier: 1,
            ..
        })
    ));
}

#[test]
fn peer_compatible_window_wraps_for_half_n_to_n() {
    assert_eq!(
        (0..10)
            .map(|t| Window::PeerCompatible.start(t, 7))
            .collect::<Vec<_>>(),
        vec![0, 0, 0, 0, 1, 3, 5, 0, 1, 2]
    );
    assert_eq!(
        (0..10)
            .map(|t| Window::Intended.start(t, 7))
            .collect::<Vec<_>>(),
        vec![0, 0, 0, 0, 0, 0, 0, 0, 1, 2]
    );
    // N = 7, t = 5: the intended window holds i0 and catches i2; the peers' holds only
    // the last 2 items and does not.
    let history = [0, 1, 4, 5, 6];
    let intended = env(line_world(), Mode::Nx0, 7, 1.0, Window::Intended, 30);
    let peer = env(line_world(), Mode::Nx0, 7, 1.0, Window::PeerCompatible, 30);
    let with = |e: &Environment| play(e, &[&history[..], &[2]].concat());
    assert!(with(&intended).is_done());
    assert!(
        !with(&peer).is_done(),
        "peer window at t=5 is [i5, i6] only"
    );
    // t = 2 < N/2: the slice starts at 0 for both.
    assert!(play(&peer, &[0, 1, 2]).is_done());
}

#[test]
fn the_last_step_ends_the_episode_and_nx10_has_fixed_length() {
    let e = env(line_world(), Mode::Nx0, 7, 1.0, Window::Intended, 3);
    let mut ep = play(&e, &[4, 5, 6]);
    assert_eq!(ep.end, Some(LeaveReason::MaxTurn { turns: 3 }));
    assert_eq!(e.step(&mut ep, 7), Err(EnvError::Finished));

    // NX_10: no quit rule (i2 right after i0 is fine), exactly 10 steps.
    let e = env(line_world(), Mode::Nx10, 7, 1.0, Window::Intended, 30);
    let ep = play(&e, &[0, 2, 1, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert_eq!(ep.len(), 10);
    assert_eq!(ep.end, Some(LeaveReason::FixedLength { turns: 10 }));
}

#[test]
fn tag_count_rule_counts_tags_in_the_window() {
    // i0 [0], i1 [1], i2 [0, 2], i3 [3].
    let truth = RatingMatrix::from_rows(&[vec![1.0, 2.0, 3.0, 4.0]]).unwrap();
    let world = Arc::new(World::from_matrix(
        Preset::KuaiRec,
        truth,
        vec![vec![0], vec![1], vec![0, 2], vec![3]],
    ));
    let rule = |n, tau| EnvSettings {
        mode: Mode::Nx0,
        quit: QuitRule::TagCount { n, tau },
        window: Window::Intended,
        max_turn: 30,
    };
    let strict = Environment::new(world.clone(), rule(2, 0));
    let ep = play(&strict, &[0, 1, 2]);
    assert_eq!(
        ep.end,
        Some(LeaveReason::TagRepeated {
            item: 2,
            tag: 0,
            count: 1,
            tau: 0
        })
    );
    assert_eq!(ep.r_tra(), 6.0, "1 + 2 + 3: the quitting step counts");
    // τ = 1 tolerates one earlier occurrence; N = 1 forgets i0 by the time i2 comes.
    assert!(!play(&Environment::new(world.clone(), rule(2, 1)), &[0, 1, 2]).is_done());
    assert!(!play(&Environment::new(world, rule(1, 0)), &[0, 1, 2]).is_done());
}

#[test]
fn the_inspector_explains_each_step_as_the_rule_decided_it() {
    let world = line_world();
    let e = env(world.clone(), Mode::Nx0, 2, 1.0, Window::Intended, 30);
    // i0, i4 far apart; i1 far from both; i3 is within 1.0 of i1: the user leaves.
    let ep = play(&e, &[0, 4, 1, 3, 5]);
    let s = e.settings();
    let steps = s.quit.explain(s.window, &world.truth, &world.tags(), &ep);
    assert_eq!(steps.len(), 4, "the episode ended at i3");
    assert_eq!(
        steps.iter().map(|x| x.item).collect::<Vec<_>>(),
        [0, 4, 1, 3]
    );
    assert!(
        steps[0].verdict.contains("nothing recent"),
        "{}",
        steps[0].verdict
    );
    assert_eq!(steps[2].recent, [0, 4], "window N = 2");
    assert!(
        steps[2]
            .verdict
            .starts_with("stayed: the closest recent item, 0, is at distance 14.14"),
        "{}",
        steps[2].verdict
    );
    assert!(!steps[2].left && steps[3].left);
    assert_eq!(steps[3].verdict, ep.end.as_ref().unwrap().describe());
    assert!(
        steps[3].verdict.contains("from recent item 1"),
        "{}",
        steps[3].verdict
    );
    assert_eq!(
        steps[3].reward, ep.rewards[3],
        "the last step's reward counts"
    );
}

#[test]
fn reaching_the_last_turn_is_not_leaving() {
    let world = line_world();
    let e = env(world.clone(), Mode::Nx0, 1, 0.1, Window::Intended, 3);
    let ep = play(&e, &[0, 4, 5]);
    let s = e.settings();
    let steps = s.quit.explain(s.window, &world.truth, &world.tags(), &ep);
    assert_eq!(steps.len(), 3);
    assert!(steps.iter().all(|x| !x.left), "nobody left");
    assert_eq!(steps[2].verdict, ep.end.as_ref().unwrap().describe());
    assert!(
        steps[2].verdict.contains("last turn"),
        "{}",
        steps[2].verdict
    );
}
