"""∇log p against finite differences of log p; exact ∇J against finite differences of J;
exact J against closed forms and brute-force Monte Carlo."""

import numpy as np
import pytest
from scipy import stats

from gradviz.engine.config import from_mapping
from gradviz.engine.problems import BanditProblem, GaussianProblem, SoftmaxProblem
from gradviz.engine.rewards import CATALOGUE, resolve_reward

H = 1e-6


def gaussian_log_p(theta, x, sigma, learn_sigma):
    """log N(x; μ, σ²I) in 2-D, written out independently of the engine."""
    s = np.exp(theta[2]) if learn_sigma else sigma
    return -np.sum((x - theta[:2]) ** 2) / (2 * s * s) - 2 * np.log(s) - np.log(2 * np.pi)


def fd_gradient(func, theta, h=H):
    grad = np.zeros_like(theta)
    for k in range(len(theta)):
        e = np.zeros_like(theta)
        e[k] = h
        grad[k] = (func(theta + e) - func(theta - e)) / (2 * h)
    return grad


@pytest.mark.parametrize("learn_sigma", [False, True])
def test_gaussian_score_matches_finite_differences(learn_sigma):
    rng = np.random.default_rng(1)
    problem = GaussianProblem(CATALOGUE["hills"], 0.7, learn_sigma)
    theta = np.array([[0.3, -0.4] + ([np.log(0.7)] if learn_sigma else [])])
    batch = problem.sample(theta, 5, rng)
    score = problem.score(theta, batch)[0]  # (d, N)
    for i in range(5):
        x = batch.x[0, :, i]
        expected = fd_gradient(lambda t: gaussian_log_p(t, x, 0.7, learn_sigma), theta[0])
        np.testing.assert_allclose(score[:, i], expected, rtol=1e-7, atol=1e-8)


def test_softmax_score_matches_finite_differences():
    rng = np.random.default_rng(2)
    problem = SoftmaxProblem([1.0, 2.0, -0.5, 0.3])
    theta = np.array([[0.2, -1.0, 0.5, 1.5]])
    batch = problem.sample(theta, 6, rng)
    score = problem.score(theta, batch)[0]
    for i, a in enumerate(batch.actions[0]):
        log_pi = lambda t, a=a: t[a] - np.log(np.exp(t).sum())  # noqa: E731
        np.testing.assert_allclose(score[:, i], fd_gradient(log_pi, theta[0]), atol=1e-8)


GAUSSIAN_CASES = [(name, sigma, learn) for name in CATALOGUE for sigma in (0.05, 0.5, 2.0)
                  for learn in (False, True)]


@pytest.mark.parametrize("name,sigma,learn_sigma", GAUSSIAN_CASES)
def test_gaussian_exact_gradient_matches_finite_differences_of_J(name, sigma, learn_sigma):
    problem = GaussianProblem(CATALOGUE[name], sigma, learn_sigma)
    theta = np.array([0.4, 0.2] + ([np.log(sigma)] if learn_sigma else []))
    J = lambda t: problem.exact(t[None])[0][0]  # noqa: E731
    grad = problem.exact(theta[None])[1][0]
    h = 1e-5 * max(1.0, sigma)
    np.testing.assert_allclose(grad, fd_gradient(J, theta, h), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("problem", [SoftmaxProblem([1.0, 2.0, -0.5]),
                                     BanditProblem(10, 0.0, 1, np.random.default_rng(3))])
def test_categorical_exact_gradient_matches_finite_differences(problem):
    theta = np.linspace(-1, 1, problem.dim)
    J = lambda t: problem.exact(t[None])[0][0]  # noqa: E731
    np.testing.assert_allclose(problem.exact(theta[None])[1][0], fd_gradient(J, theta), atol=1e-9)


@pytest.mark.parametrize("sigma", [0.05, 0.3, 1.0, 3.0])
def test_exact_J_equals_closed_form_for_a_gaussian_hill(sigma):
    """hill = exp(−|x−c|²/2s²), s = 1, c = (1, 0.5): J = s²/(s²+σ²)·exp(−|μ−c|²/2(s²+σ²))."""
    problem = GaussianProblem(CATALOGUE["hill"], sigma, False)
    mu = np.array([[-0.7, 1.3], [2.0, -1.0], [1.0, 0.5]])
    v = 1.0 + sigma**2
    d = mu - np.array([1.0, 0.5])
    J_true = np.exp(-np.sum(d * d, axis=1) / (2 * v)) / v
    grad_true = -d / v * J_true[:, None]
    J, grad = problem.exact(mu)
    np.testing.assert_allclose(J, J_true, rtol=1e-10)
    np.testing.assert_allclose(grad, grad_true, rtol=1e-9, atol=1e-14)


@pytest.mark.parametrize("sigma", [0.05, 1.0, 4.0])
def test_exact_gradient_of_linear_reward_is_constant(sigma):
    J, grad = GaussianProblem(CATALOGUE["linear"], sigma, False).exact(np.array([[0.3, -2.0]]))
    np.testing.assert_allclose(J, [0.3 - 1.0], rtol=1e-10)
    np.testing.assert_allclose(grad, [[1.0, 0.5]], rtol=1e-10)


MC_CASES = [("gaussian", name) for name in CATALOGUE] + [
    ("gaussian", "exp(-(x-1)**2 - y**2) - 0.5*exp(-(x+1)**2)"), ("softmax", None), ("bandit", None)]


@pytest.mark.parametrize("kind,reward", MC_CASES)
def test_exact_J_matches_brute_force_monte_carlo(kind, reward):
    """J from quadrature / enumeration lies within 5 standard errors of a 10⁶-sample mean."""
    rng = np.random.default_rng(4)
    if kind == "gaussian":
        problem = GaussianProblem(resolve_reward(reward), 0.8, False)
        theta = np.array([[0.5, 0.5]])
    elif kind == "softmax":
        problem, theta = SoftmaxProblem([1.0, 2.0, -0.5]), np.array([[0.1, -0.3, 0.4]])
    else:
        problem = BanditProblem(10, 0.0, 1, rng)
        theta = np.linspace(-1, 1, 10)[None]
    f = problem.reward(problem.sample(theta, 1_000_000, rng), rng)[0]
    se = f.std() / np.sqrt(f.size)
    J = problem.exact(theta)[0][0]
    assert abs(f.mean() - J) < 5 * se + 1e-12


def test_softmax_is_stable_for_logits_of_a_thousand():
    problem = SoftmaxProblem([1.0, 2.0, -0.5])
    theta = np.array([[1e3, -1e3, 999.0], [-1e3, -1e3, -1e3]])
    J, grad = problem.exact(theta)
    assert np.isfinite(J).all() and np.isfinite(grad).all()
    np.testing.assert_allclose(J[1], (1.0 + 2.0 - 0.5) / 3)
    batch = problem.sample(theta, 100, np.random.default_rng(0))
    assert np.isfinite(problem.score(theta, batch)).all()
    assert np.isfinite(problem.p_best(theta)).all()


def test_reward_gradient_by_central_differences_is_accurate():
    x, y = np.array([0.3, -1.2]), np.array([0.7, 2.0])
    gx, gy = CATALOGUE["hill"].gradient(x, y)
    f = CATALOGUE["hill"](x, y)
    np.testing.assert_allclose(gx, -(x - 1.0) * f, rtol=1e-8)
    np.testing.assert_allclose(gy, -(y - 0.5) * f, rtol=1e-8)


def test_config_default_starts_where_the_hills_pull():
    config = from_mapping({})
    assert config.initial_theta() == (-1.0, -2.5)


def bump_expectation(mu, sigma, bumps):
    """Closed form of J and ∇μJ for f = Σ h·exp(−‖x − c‖²/2w²) under x ~ N(μ, σ²I):
    J = Σ h·w²/(w² + σ²)·exp(−‖μ − c‖²/2(w² + σ²)), ∇μJ = Σ (its term)·(c − μ)/(w² + σ²)."""
    J, grad = 0.0, np.zeros(2)
    for cx, cy, h, w in bumps:
        s2 = w * w + sigma * sigma
        d = np.array([cx, cy]) - mu
        term = h * w * w / s2 * np.exp(-(d @ d) / (2 * s2))
        J, grad = J + term, grad + term * d / s2
    return J, grad


HILLS = [(-1.5, 1.0, 0.6, 0.6), (1.5, 1.2, 1.0, 0.5), (0.0, -1.5, 0.8, 0.6)]
NARROW = "exp(-((x - 1)**2 + (y + 0.5)**2) / (2 * 0.1**2))"


@pytest.mark.parametrize("reward,bumps,sigmas", [
    ("hills", HILLS, [0.01, 0.1, 0.5, 2.0, 10.0]),
    (NARROW, [(1.0, -0.5, 1.0, 0.1)], [0.01, 0.05, 0.3, 1.0, 5.0]),
])
def test_exact_j_is_exact_at_every_accepted_sigma(reward, bumps, sigmas):
    """To 1e-8 against the closed form, from the narrowest σ to the widest accepted for the
    reward (a 0.1-wide bump at σ = 5 is 50 times narrower than the policy): one replica at
    a time, moving through one problem's cached lattice (kept or rebuilt), and replicas far
    apart in one call (each weighs only the nodes within its own reach)."""
    from gradviz.engine.rewards import resolve_reward
    assert max(sigmas) == min(10.0, resolve_reward(reward).widest_sigma)
    rng = np.random.default_rng(3)
    for sigma in sigmas:
        problem = GaussianProblem(resolve_reward(reward), sigma, False)
        mus = rng.uniform(-2, 2, size=(3, 2))
        truth = [bump_expectation(mu, sigma, bumps) for mu in mus]
        for mu, (J_true, grad_true) in zip(mus, truth):
            J, grad = problem.exact(mu[None])
            assert abs(J[0] - J_true) < 1e-8 and np.abs(grad[0] - grad_true).max() < 1e-8, sigma
        J, grad = problem.exact(mus)
        assert np.abs(J - [J for J, _ in truth]).max() < 1e-8, sigma
        assert np.abs(grad - [g for _, g in truth]).max() < 1e-8, sigma


@pytest.mark.parametrize("width,sigma,height", [(0.02, 0.5, 1.0), (0.005, 0.05, 1.0),
                                                (0.03, 2.0, 1.0), (0.02, 0.5, 1e-3)])
def test_a_formula_narrower_than_its_declared_scale_is_still_exact(width, sigma, height):
    """A formula is assumed to vary no faster than s = 0.1; a bump 5-20 times narrower was
    off by 18 % (J = 2.55e-4 against 2.17e-4 at width 0.02, σ = 0.5).  The rule is checked
    against itself moved half a step, and refined until they agree: J and ∇J to 1e-8 of their
    own size against the closed form (a bump 1e-3 high too: J ~ 2e-7), at μ on the bump's
    flank and on it, and for all three replicas in one call."""
    from gradviz.engine.rewards import resolve_reward
    reward = resolve_reward(f"{height} * exp(-((x - 1)**2 + (y + 0.5)**2) / (2 * {width}**2))")
    mus = np.array([[1.0 - 1.5 * sigma, -0.5], [1.2, -0.5 + 0.5 * sigma], [1.0, -0.5]])
    problem = GaussianProblem(reward, sigma, False)
    J, grad = problem.exact(mus)
    for mu, J_r, grad_r in zip(mus, J, grad):
        J_true, grad_true = bump_expectation(mu, sigma, [(1.0, -0.5, height, width)])
        bound = 1e-8 * max(abs(J_true), sigma * np.abs(grad_true).max())
        assert abs(J_r - J_true) < bound and np.abs(grad_r - grad_true).max() * sigma < bound


def test_a_feature_too_narrow_for_the_widest_rule_stops_the_run_with_the_reason():
    """A bump 0.01 wide at σ = 2 needs more than the rule's 1,601 nodes an axis: the run
    stops, and says to lower σ (the 1,281-node rule moves by 7.5e-3 of J when its nodes
    move half a step)."""
    from gradviz.engine.config import from_mapping
    from gradviz.engine.errors import RunStopped
    from gradviz.engine.run import Run
    with pytest.raises(RunStopped, match="did not settle.*too narrow for this σ.*lower σ"):
        Run(from_mapping({"reward": "exp(-((x - 1)**2 + y**2) / (2 * 0.01**2))", "sigma": 2.0,
                          "theta0": [0.0, 0.0], "estimator": "exact"})).step()


def test_a_formula_with_a_pole_just_off_the_line_is_exact():
    """1/((x − 1)² + 0.001): a Lorentzian 0.03 wide, whose poles sit 0.03 from the real
    line.  Reference: scipy.integrate.quad with the peak as a break point (1e-13)."""
    from gradviz.engine.rewards import resolve_reward
    from scipy.integrate import quad
    from scipy.stats import norm
    sigma, c = 0.5, 0.001
    reference, _ = quad(lambda x: norm.pdf(x, 0.0, sigma) / ((x - 1) ** 2 + c), -10, 10,
                        points=[1.0], limit=500, epsabs=1e-13, epsrel=1e-13)
    slope, _ = quad(lambda x: norm.pdf(x, 0.0, sigma) * x / sigma**2 / ((x - 1) ** 2 + c),
                    -10, 10, points=[1.0], limit=500, epsabs=1e-13, epsrel=1e-13)
    J, grad = GaussianProblem(resolve_reward(f"1/((x - 1)**2 + {c})"), sigma, False).exact(
        np.zeros((1, 2)))
    assert abs(J[0] - reference) < 1e-8 * reference
    assert abs(grad[0, 0] - slope) < 1e-8 * abs(slope) and abs(grad[0, 1]) < 1e-8


@pytest.mark.parametrize("reward", ["cos(40*pi*x + 1)", "cos(40*pi*x + 1)*exp(-y**2)"])
def test_a_formula_periodic_with_the_rules_spacing_is_not_taken_for_a_constant(reward):
    """A formula's rule has spacing 0.05 at σ ≥ 0.1: cos(40πx + 1) takes the value cos(1)
    on every node, and on every other node, so both rules had reported J = cos(1) = 0.54
    (times E[exp(−y²)]) where the truth is cos(40πμ + 1)·exp(−(40π)²σ²/2) ≈ 1e-343."""
    from gradviz.engine.rewards import resolve_reward
    problem = GaussianProblem(resolve_reward(reward), 0.5, False)
    J, grad = problem.exact(np.array([[0.3, 0.0], [0.31, 0.2]]))
    assert np.abs(J).max() < 1e-8 and np.abs(grad).max() < 1e-8


@pytest.mark.parametrize("reward", ["1/(x - 1.0123)", "tan(x)", "1/(x**2 + y**2 - 0.3)"])
def test_a_pole_within_reach_stops_the_run_where_the_expectation_does_not_exist(reward):
    """E[1/(X − c)] does not exist; the rule had printed J = −1.597 for the first and exited 0."""
    from gradviz.engine.config import from_mapping
    from gradviz.engine.errors import RunStopped
    from gradviz.engine.run import Run
    with pytest.raises(RunStopped, match="did not settle.*singularity"):
        Run(from_mapping({"reward": reward, "sigma": 0.5, "theta0": [0.0, 0.0],
                          "estimator": "exact"})).step()


def test_a_sigma_wider_than_the_reward_allows_is_refused_with_the_limit():
    from gradviz.engine.config import from_mapping
    from gradviz.engine.errors import ConfigError
    with pytest.raises(ConfigError, match="wider than 5"):
        from_mapping({"reward": NARROW, "sigma": 5.5})


@pytest.mark.parametrize("reward", ["exp(x**2/2)", "exp(x*x)", "exp(x**2/4)", "1/(1 + 0*x) * exp(abs(y)**2)"])
def test_an_infinite_or_slowly_converging_expectation_stops_the_run_with_a_reason(reward):
    from gradviz.engine.config import from_mapping
    from gradviz.engine.errors import RunStopped
    from gradviz.engine.run import Run
    with pytest.raises(RunStopped, match="infinite or converges too slowly"):
        Run(from_mapping({"reward": reward, "sigma": 1.0, "theta0": [0.0, 0.0]})).step()


NON_SMOOTH = {   # reward: J(μx, μy, σ) from a closed form or scipy, written independently
    "x > 1": lambda mx, my, s: stats.norm.cdf((mx - 1) / s),
    "x > y": lambda mx, my, s: stats.norm.cdf((mx - my) / (s * np.sqrt(2))),
    "y > 1": lambda mx, my, s: stats.norm.cdf((my - 1) / s),
    "abs(x - 0.3)": lambda mx, my, s: (s * np.sqrt(2 / np.pi) * np.exp(-(mx - 0.3) ** 2 / (2 * s * s))
                                       + (mx - 0.3) * (1 - 2 * stats.norm.cdf(-(mx - 0.3) / s))),
    "where(x > 0, x, 0)": lambda mx, my, s: mx * stats.norm.cdf(mx / s) + s * stats.norm.pdf(mx / s),
    "max(x, y)": lambda mx, my, s: (my + (mx - my) * stats.norm.cdf((mx - my) / (s * np.sqrt(2)))
                                    + s * np.sqrt(2) * stats.norm.pdf((mx - my) / (s * np.sqrt(2)))),
    "floor(x)": lambda mx, my, s: sum(stats.norm.cdf((mx - k) / s) for k in range(1, 40))
                                  - sum(stats.norm.cdf((k - mx) / s) for k in range(-40, 1)),
    "x*x + y*y < 1": lambda mx, my, s: stats.ncx2.cdf(1 / s**2, 2, (mx * mx + my * my) / s**2),
}


@pytest.mark.parametrize("reward", list(NON_SMOOTH))
@pytest.mark.parametrize("sigma", [0.05, 0.3, 1.0])
def test_non_smooth_rewards_are_exact_with_their_breaks_located(reward, sigma):
    """Jumps, kinks, a curved break with tangent rows: J to 1e-10 against closed forms and
    scipy, and ∇μJ against the closed form's derivative (central differences of it).  The
    trapezoid rule had printed J = 0.4003 for x > 1 at σ = 0.05, μ = (0.98, 0) (truth
    Φ(−0.4) = 0.3446)."""
    truth = NON_SMOOTH[reward]
    rng = np.random.default_rng(7)
    for mx, my in [(0.98, 0.0), *rng.uniform(-1.5, 1.5, size=(3, 2))]:
        J, grad = GaussianProblem(resolve_reward(reward), sigma, False).exact(np.array([[mx, my]]))
        h = 1e-5
        d_mx = (truth(mx + h, my, sigma) - truth(mx - h, my, sigma)) / (2 * h)
        d_my = (truth(mx, my + h, sigma) - truth(mx, my - h, sigma)) / (2 * h)
        assert abs(J[0] - truth(mx, my, sigma)) < 1e-10, (mx, my)
        assert np.abs(grad[0] - [d_mx, d_my]).max() < 1e-6, (mx, my)


def test_a_non_smooth_reward_with_learned_sigma_gives_the_log_sigma_derivative():
    """∂J/∂log σ = σ ∂J/∂σ, against central differences of the closed form."""
    truth, mx, my, s = NON_SMOOTH["abs(x - 0.3)"], 0.1, 0.4, 0.6
    problem = GaussianProblem(resolve_reward("abs(x - 0.3)"), s, True)
    J, grad = problem.exact(np.array([[mx, my, np.log(s)]]))
    h = 1e-5
    assert abs(grad[0, 2] - s * (truth(mx, my, s + h) - truth(mx, my, s - h)) / (2 * h)) < 1e-6
    assert abs(J[0] - truth(mx, my, s)) < 1e-10


def test_a_break_too_fine_to_resolve_stops_the_run_instead_of_misreporting():
    """sin(1/x) > 0 switches infinitely often near x = 0: the rules never agree."""
    from gradviz.engine.config import from_mapping
    from gradviz.engine.errors import RunStopped
    from gradviz.engine.run import Run
    with pytest.raises(RunStopped, match="did not settle"):
        Run(from_mapping({"reward": "sin(1/x) > 0", "sigma": 0.5, "theta0": [0.2, 0.0],
                          "estimator": "exact"})).step()
