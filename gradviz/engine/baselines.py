"""Baselines b for the score-function estimator ĝ = (1/N) Σᵢ (f(xᵢ) − bᵢ) ∇log p(xᵢ|θ),
and the jackknife that gives Var(ĝ) honestly when b is built from the batch.

A b that does not depend on sample i keeps E[ĝ] = ∇J, because E[∇log p] = 0.
Shapes: rewards f (R, N), scores g (R, d, N); a baseline is (R, 1, N), (R, d, N) or (R, 1, 1).

Var(ĝ): when b is fixed before the batch is drawn (none, past, ema) the contributions are
independent and Var(ĝ_k) = s²_k/N.  When b is built from the batch (mean, loo, average,
optimal) they share rewards and s²/N is wrong (0.68-0.85 of the true spread at N = 4; for
optimal 0.51-0.61 at N = 16 to 64 with rewards 5, 6, 7).  For loo and mean from N = 4, ĝ
is a U-statistic (the sample covariance of f and g_k) and Var(ĝ) has an unbiased estimate
(shared_variance), checked exactly by enumerating every batch; clipped at 0 it errs high
at N = 4 only.  optimal from N = 4 is the same kind of U-statistic once its shrinkage λ is
held fixed (pair_covariance; exactly unbiased then, checked the same way); λ itself
depends on the batch, which that estimate leaves out.  Otherwise the jackknife
v = (N−1)/N Σₖ (ĝ₍ₖ₎ − ĝ₍·₎)² is used, ĝ₍ₖ₎ the same estimator on the batch without
sample k, written in batch sums (O(N)) for mean, loo and average (optimal at N = 3:
recomputed, three times).  Reported over the spread of ĝ across 4000 replicas (softmax
10,0,0 and 5,6,7 / gaussian hills and positive / hills with σ learned; seeds 11 and 12):
  loo, mean (unbiased, clipped at 0)  1.03-1.68 at N = 4; 1.00-1.05 at N = 8; 0.99-1.04 at 16
  (the jackknife they had: 1.20-2.00 at N = 4; 1.07-1.34 at N = 8; 1.02-1.24 at N = 16)
  average (jackknife)                 0.96-1.09 at N ≥ 16
  optimal (pair_covariance)           0.87-2.03 at N = 4; 0.97-1.55 at 8; 0.98-1.39 at 16;
                                      1.00-1.19 at 64 (high where λ adapts: 5,6,7, positive)
  (what optimal had: the jackknife below N = 16, 1.44-3.74 at N = 4; s²/N from 16 on,
   0.51-1.01 at N = 16 and 0.60-1.01 at N = 64)
Every jackknife errs high (Efron–Stein's inequality): at small N the bars are wider than
the truth, never narrower.
"""

from __future__ import annotations

import numpy as np

# from this batch on, Var(ĝ) for loo and mean is the unbiased U-statistic estimate
EXACT_VARIANCE_FROM = 4


def needs_jackknife(name: str, n: int) -> bool:
    """Whether Var(ĝ) with baseline ``name`` at batch ``n`` needs the jackknife (see above)."""
    shares = name in ("mean", "loo", "average") or (name == "optimal" and n > 2)
    return shares and n > 1 and not has_unbiased_variance(name, n)


def has_unbiased_variance(name: str, n: int) -> bool:
    """Whether covariance_of_shared_estimate gives Var(ĝ) for baseline ``name`` at ``n``."""
    return name in ("mean", "loo", "optimal") and n >= EXACT_VARIANCE_FROM


def shared_variance(name: str, n: int, PP, Sab2, Sa2, Sb2):
    """An unbiased estimate of Var(ĝ_k) (or, given cross sums, Cov(ĝ_k, ĝ_l)) for the loo
    and mean baselines, N ≥ 4, from sums over the batch with a = f − f̄ and b = g_k − ḡ_k:
    PP = P², P = Σ a b,  Sab2 = Σ a² b²,  Sa2 = Σ a²,  Sb2 = Σ b²  (for Cov: P_k P_l,
    Σ a² b_k b_l and Σ b_k b_l).

    With loo, ĝ_k = P/(N − 1), the sample covariance of f and g_k: a U-statistic
    U = (1/(N(N−1))) Σ_{i≠j} h(i, j), h(i, j) = (fᵢ − fⱼ)(g_ik − g_jk)/2 (mean is (N−1)/N
    times it).  E[U²] = Var(U) + θ², and θ² = E[h(i, j) h(k, l)] for distinct i, j, k, l, so
    V = U² − Q is unbiased, Q the mean of h(i, j) h(k, l) over the N(N−1)(N−2)(N−3) ordered
    distinct quadruples.  By inclusion–exclusion their sum is S² − 4 Σᵢ rᵢ² + 2 Σ_{i,j} h²
    with rᵢ = Σⱼ h(i, j) = (N aᵢbᵢ + P)/2 and S = N P, which the sums above reduce to
        (N−1)(N−2) P² − N(N−1) Sab2 + Sa2 Sb2.
    An unbiased variance can come out negative when the truth is small; callers report
    max(V, 0)."""
    quadruples = n * (n - 1) * (n - 2) * (n - 3)
    distinct = (n - 1) * (n - 2) * PP - n * (n - 1) * Sab2 + Sa2 * Sb2
    scale = ((n - 1) / n) ** 2 if name == "mean" else 1.0
    return scale * (PP / (n - 1) ** 2 - distinct / quadruples)


def covariance_of_shared_estimate(name: str, f: np.ndarray, g: np.ndarray, full: bool = False,
                                  second_moment: np.ndarray | None = None,
                                  shrink: np.ndarray | None = None):
    """An estimate of Var(ĝ) for every replica and component, (R, d), clipped at 0, for a
    baseline built from the batch (has_unbiased_variance); with ``full`` also replica 0's
    whole d × d Cov(ĝ).  loo and mean: shared_variance.  optimal (E[g²] ``second_moment``
    and the shrinkage λ ``shrink`` of optimal_parts): pair_covariance, with uᵢ = fᵢgᵢ,
    pᵢ = λᵢgᵢ, aᵢ = fᵢgᵢ², c = 1/(2 E[g²]); ĝ is exactly that U-statistic, and the estimate
    exactly unbiased, when λ is held fixed (its own dependence on the batch is left out)."""
    if name == "optimal":
        moment = second_moment
        c = np.where(moment > 0, 0.5 / np.where(moment > 0, moment, 1.0), 0.0)
        terms = (f[:, None, :] * g, shrink * g, f[:, None, :] * g * g, c)
        variance = np.empty(g.shape[:2])
        cov0 = None
        if full:        # replica 0's diagonal is in its full covariance
            cov0 = pair_covariance(tuple(x[0] for x in terms), full=True)
            variance[0] = np.diag(cov0)
        rest = slice(1 if full else 0, None)
        variance[rest] = pair_covariance(tuple(x[rest] for x in terms))
        return np.maximum(variance, 0.0), cov0
    n = f.shape[1]
    a = f - f.mean(axis=1, keepdims=True)                       # (R, N)
    b = g - g.mean(axis=2, keepdims=True)                       # (R, d, N)
    a2 = a * a
    P = np.einsum("rn,rdn->rd", a, b)
    Sab2 = np.einsum("rn,rdn->rd", a2, b * b)
    Sb2 = np.einsum("rdn,rdn->rd", b, b)
    variance = np.maximum(shared_variance(name, n, P * P, Sab2, a2.sum(axis=1, keepdims=True), Sb2), 0.0)
    if not full:
        return variance, None
    b0 = b[0]
    return variance, shared_variance(name, n, np.outer(P[0], P[0]),
                                     np.einsum("n,kn,ln->kl", a2[0], b0, b0), a2[0].sum(), b0 @ b0.T)


def pair_covariance(terms: tuple, full: bool = False) -> np.ndarray:
    """The unbiased estimate of Var(U_k) (or, with ``full``, of every Cov(U_k, U_l)) for
    U-statistics of order 2, U = (1/(N(N−1))) Σ_{i≠j} h(i, j), with the kernel
    h(i, j) = (uᵢ + uⱼ)/2 − c (pᵢ aⱼ + pⱼ aᵢ).

    ``terms`` is (u, p, a, c): u, p, a (…, d, N) and c (…, d); the result is (…, d), or
    (…, d, d) with ``full``.  As in shared_variance, Cov = U_k U_l − Q with Q the mean of
    h_k(i, j) h_l(s, t) over the N(N−1)(N−2)(N−3) ordered quadruples of distinct samples,
    whose sum is S_k S_l − 4 Σᵢ r_ki r_li + 2 Σ_{i≠j} h_k(i, j) h_l(i, j)
    (S = Σ_{i≠j} h, rᵢ = Σ_{j≠i} h(i, j)), and every term reduces to sums over the batch
    (O(N)):  with α = u/2 and Σ over i, j,
      Σ h_k h_l = 2N Σα_kα_l + 2 Σα_k Σα_l − 2c_l (Σα_k p_l Σa_l + Σα_k a_l Σp_l)
                  − 2c_k (Σα_l p_k Σa_k + Σα_l a_k Σp_k) + 2c_k c_l (Σp_k p_l Σa_k a_l + Σp_k a_l Σa_k p_l),
    less its diagonal Σᵢ h_k(i, i) h_l(i, i), h(i, i) = 2αᵢ − 2c pᵢaᵢ."""
    u, p, a, c = terms
    n = u.shape[-1]
    alpha, pa = u / 2, p * a
    A, P, S = a.sum(axis=-1), p.sum(axis=-1), alpha.sum(axis=-1)
    U = (2 * (n - 1) * S - 2 * c * (P * A - pa.sum(axis=-1))) / (n * (n - 1))
    r = (n - 2) * alpha + S[..., None] - c[..., None] * (p * A[..., None] + a * P[..., None] - 2 * pa)
    diagonal = 2 * alpha - 2 * c[..., None] * pa
    per_sample, per_component = (alpha, p, a, r, diagonal), (A, P, S, U, c)
    if full:        # component k along the second-last axis, l along the last
        k = [x[..., :, None, :] for x in per_sample] + [x[..., :, None] for x in per_component]
        l = [x[..., None, :, :] for x in per_sample] + [x[..., None, :] for x in per_component]
    else:
        k = l = list(per_sample) + list(per_component)
    (alk, pk, ak, rk, hk, Ak, Pk, Sk, Uk, ck), (all_, pl, al, rl, hl, Al, Pl, Sl, Ul, cl) = k, l

    def dot(x, y):
        return np.einsum("...n,...n->...", x, y)

    pairs = (2 * n * dot(alk, all_) + 2 * Sk * Sl
             - 2 * cl * (dot(alk, pl) * Al + dot(alk, al) * Pl)
             - 2 * ck * (dot(all_, pk) * Ak + dot(all_, ak) * Pk)
             + 2 * ck * cl * (dot(pk, pl) * dot(ak, al) + dot(pk, al) * dot(ak, pl))
             - dot(hk, hl))
    pair_count = n * (n - 1)
    distinct = pair_count * Uk * pair_count * Ul - 4 * dot(rk, rl) + 2 * pairs
    return Uk * Ul - distinct / (pair_count * (n - 2) * (n - 3))


class RunningBaseline:
    """Reward totals of earlier steps, per replica, for the average, past and ema baselines.

    past:    b_t = (all rewards before step t summed) / (their count); 0 before any;
    average: b_t = (all rewards up to and including step t) / (their count)  (Sutton & Barto
             eq. 2.12: R̄_t includes R_t);
    ema:     b_t = b_{t−1} + ρ (mean f_{t−1} − b_{t−1}), starting at the first batch mean; 0
             before any.
    """

    def __init__(self, replicas: int):
        self.total = np.zeros(replicas)
        self.count = 0
        self.ema = np.zeros(replicas)

    def past(self) -> np.ndarray:
        return self.total / self.count if self.count else np.zeros_like(self.total)

    def update(self, f: np.ndarray, ema_rate: float) -> None:
        batch_total = f.sum(axis=1)
        batch_mean_f = batch_total / f.shape[1]
        self.ema = batch_mean_f if self.count == 0 else self.ema + ema_rate * (batch_mean_f - self.ema)
        self.total = self.total + batch_total
        self.count += f.shape[1]

    def select(self, index: np.ndarray) -> None:
        self.total, self.ema = self.total[index], self.ema[index]


def _leave_one_out_sum(a: np.ndarray) -> np.ndarray:
    """Σ_{j≠i} a_j along the last axis, as prefix + suffix sums: no cancellation, so it
    does not depend on a_i even when a_i dwarfs the rest."""
    before = np.cumsum(a, axis=-1) - a
    after = np.cumsum(a[..., ::-1], axis=-1)[..., ::-1] - a
    return before + after


def optimal(f: np.ndarray, g: np.ndarray, second_moment: np.ndarray) -> np.ndarray:
    """b_{ik} = λ_{ik} b̂_{ik}, from the samples j ≠ i only (so E[ĝ] = ∇J exactly):

    b̂_{ik} = mean_{j≠i}(fⱼ g²ⱼₖ) / E[g_k²]   an unbiased estimate of the variance-minimising
                                             constant b*_k = E[f g_k²]/E[g_k²] (E[g_k²] exact);
    λ_{ik} = max(0, 1 − V̂_{ik}/b̂²_{ik})      positive-part James–Stein shrinkage, V̂ the
                                             estimated variance of b̂ (from the same others).

    Without λ a rare action's one appearance makes b̂ huge (Var(ĝ) 15× that of no baseline,
    measured); with it b stays near 0 until the others pin b* down.  0 when N ≤ 2 (one
    other sample gives no variance)."""
    shrink, b_hat = optimal_parts(f, g, second_moment)
    return shrink * b_hat


def optimal_parts(f: np.ndarray, g: np.ndarray, second_moment: np.ndarray):
    """(λ, b̂) of :func:`optimal`, each (R, d, N): its variance needs λ on its own."""
    n = f.shape[1]
    if n <= 2:
        return np.zeros_like(g), np.zeros_like(g)
    a = f[:, None, :] * g * g
    mean = _leave_one_out_sum(a) / (n - 1)
    spread = np.maximum(_leave_one_out_sum(a * a) - (n - 1) * mean * mean, 0.0) / (n - 2)
    moment = second_moment[:, :, None]
    safe = moment > 0
    b_hat = np.where(safe, mean / np.where(safe, moment, 1.0), 0.0)
    noise = np.where(safe, spread / (n - 1) / np.where(safe, moment, 1.0) ** 2, 0.0)
    with np.errstate(all="ignore"):
        shrink = np.nan_to_num(np.clip(1.0 - noise / (b_hat * b_hat), 0.0, 1.0))
    return shrink, b_hat


def baseline_values(name: str, f: np.ndarray, g: np.ndarray, second_moment: np.ndarray | None,
                    running: RunningBaseline) -> np.ndarray:
    """The baseline ``name`` for every sample, broadcastable against g (R, d, N).

    none:    b = 0
    mean:    b = (1/N) Σⱼ fⱼ, sample i included: E[ĝ] = (N−1)/N · ∇J (biased)
    loo:     bᵢ = (Σⱼ fⱼ − fᵢ)/(N − 1); 0 when N = 1 (unbiased)
    past:    b = mean of every reward before this step (unbiased)
    average: b = mean of every reward up to and including this batch: Sutton & Barto's R̄_t
             (eq. 2.12), biased by each sample's own share, which shrinks as rewards add up
    ema:     b = running exponential average of past batch means (unbiased)
    optimal: see :func:`optimal` (unbiased; needs E[g_k²], ``second_moment`` (R, d))
    """
    n = f.shape[1]
    if name == "none":
        return np.zeros((f.shape[0], 1, 1))
    if name == "mean":
        return f.mean(axis=1, keepdims=True)[:, None, :]
    if name == "loo":
        if n == 1:
            return np.zeros_like(f)[:, None, :]
        return ((f.sum(axis=1, keepdims=True) - f) / (n - 1))[:, None, :]
    if name == "past":
        return running.past()[:, None, None]
    if name == "average":
        return ((running.total + f.sum(axis=1)) / (running.count + n))[:, None, None]
    if name == "ema":
        return running.ema[:, None, None]
    if name == "optimal":
        return optimal(f, g, second_moment)
    raise ValueError(f"unknown baseline {name!r}")


def leave_one_out_estimates(name: str, f: np.ndarray, g: np.ndarray,
                            running: RunningBaseline) -> np.ndarray:
    """ĝ₍ₖ₎ (R, d, N): the estimate with baseline ``name`` (mean, loo, average) on the batch
    without sample k (M = N − 1 samples, N ≥ 2).  With Pₖ = Σ_{i≠k} fᵢgᵢ, Fₖ = Σ_{i≠k} fᵢ,
    Gₖ = Σ_{i≠k} gᵢ:

    mean:    (Pₖ − Fₖ Gₖ/M)/M
    loo:     (Pₖ − Fₖ Gₖ/M)/(M − 1), or Pₖ when M = 1
    average: (Pₖ − bₖ Gₖ)/M,  bₖ = (T + Fₖ)/(C + M), T and C the earlier rewards' sum and count
    """
    m = f.shape[1] - 1
    fg = f[:, None, :] * g
    P = fg.sum(axis=2, keepdims=True) - fg
    G = g.sum(axis=2, keepdims=True) - g
    F = (f.sum(axis=1, keepdims=True) - f)[:, None, :]
    if name == "mean":
        return (P - F * G / m) / m
    if name == "loo":
        return P if m == 1 else (P - F * G / m) / (m - 1)
    if name == "average":
        return (P - (running.total[:, None, None] + F) / (running.count + m) * G) / m
    raise ValueError(f"no leave-one-out form for baseline {name!r}")


def jackknife_spread(name: str, f: np.ndarray, g: np.ndarray, second_moment: np.ndarray | None,
                     running: RunningBaseline) -> np.ndarray:
    """Deviations that stand where centred contributions stand in s²/N (R, d, N):
    (N − 1)(ĝ₍ₖ₎ − ĝ₍·₎), so Σₖ spread²/(N(N − 1)) = (N−1)/N Σₖ (ĝ₍ₖ₎ − ĝ₍·₎)²."""
    n = f.shape[1]
    if name == "optimal":
        estimates = np.stack([_estimate_without(k, name, f, g, second_moment, running)
                              for k in range(n)], axis=2)          # n = 3
    else:
        estimates = leave_one_out_estimates(name, f, g, running)
    return (n - 1) * (estimates - estimates.mean(axis=2, keepdims=True))


def _estimate_without(k: int, name, f, g, second_moment, running) -> np.ndarray:
    """ĝ with baseline ``name`` on the batch without sample k, recomputed, (R, d)."""
    keep = np.arange(f.shape[1]) != k
    f_rest, g_rest = f[:, keep], g[:, :, keep]
    b = baseline_values(name, f_rest, g_rest, second_moment, running)
    return ((f_rest[:, None, :] - b) * g_rest).mean(axis=2)
