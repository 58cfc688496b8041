"""The PyTorch reference for BENCHMARKS.md: the same A2C update as
`src/bench_work.rs` (actor and critic 33 -> 64 -> 64 -> {items, 1}, Adam lr 1e-3,
batch of 1,024 states, policy-gradient + 0.5 * value loss - 0.01 * entropy), on the CPU
with one thread, for the Coat-sized (300 items) and the KuaiRec-sized (3,327) catalogue.
Prints updates per second for each."""
import sys
import time

import torch

torch.set_num_threads(1)
S, H, B = 33, 64, 1024


def bench(name, I):
    torch.manual_seed(7)


    def mlp(out):
        return torch.nn.Sequential(torch.nn.Linear(S, H), torch.nn.ReLU(), torch.nn.Linear(H, H), torch.nn.ReLU(), torch.nn.Linear(H, out))


    actor, critic = mlp(I), mlp(1)
    opt = torch.optim.Adam(list(actor.parameters()) + list(critic.parameters()), lr=1e-3)
    states = torch.randn(B, S) * 0.3
    actions = torch.randint(0, I, (B,))
    returns = torch.randn(B, 1) * 3 + 10
    mask = torch.zeros(B, I)


    def update():
        log_probs = torch.log_softmax(actor(states) + mask, dim=1)
        values = critic(states)
        advantage = returns - values.detach()
        chosen = log_probs.gather(1, actions[:, None])
        policy_loss = -(chosen * advantage).mean()
        value_loss = ((returns - values) ** 2).mean()
        entropy = -(log_probs.exp() * log_probs).sum(1).mean()
        loss = policy_loss + 0.5 * value_loss - 0.01 * entropy
        opt.zero_grad()
        loss.backward()
        opt.step()


    for _ in range(20):
        update()
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < 5.0:
        update()
        n += 1
    print(f"BENCH pytorch a2c_update_{name}_per_s {n / (time.perf_counter() - t0):.2f} (torch {torch.__version__}, 1 thread)")


for name, items in [("coat", 300), ("kuairec", 3327)]:
    bench(name, items)
    sys.stdout.flush()
