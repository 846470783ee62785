"""Session files: round trip and refusal of bad files."""

import numpy as np
import pytest

from gradviz.engine import session
from gradviz.engine.config import from_mapping
from gradviz.engine.errors import ConfigError
from gradviz.engine.run import Run


def test_session_round_trip_reproduces_the_run_bit_for_bit(tmp_path):
    run = Run(from_mapping({"problem": "gaussian", "reward": "sin(x) * cos(y)", "runs": 2,
                            "optimizer": "momentum", "seed": 3}))
    first = [r.theta for r in run.steps(10)]
    run.set(lr=0.05, baseline="ema", ema_rate=0.3)
    first += [r.theta for r in run.steps(10)]
    session.save(tmp_path / "s.toml", run.session_config(), {"layout": "x"})
    config, app = session.load(tmp_path / "s.toml")
    assert app == {"layout": "x"} and config.steps == 20
    replay = [r.theta for r in Run(config).steps(config.steps)]
    for a, b in zip(first, replay, strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_format_1_session_replays_with_the_generator_it_was_recorded_with():
    """Format 1 was recorded with numpy's default PCG64; format 2 (and a new run) draws from
    SFC64.  Each stream is the one that bit generator gives for the seed."""
    from gradviz.engine.streams import generator

    old, new = session.loads("format = 1\nseed = 5\n")[0], session.loads("format = 2\nseed = 5\n")[0]
    assert (old.generator, new.generator, from_mapping({}).generator) == ("pcg64", "sfc64", "sfc64")
    for config, bits in ((old, np.random.PCG64), (new, np.random.SFC64)):
        eps = np.random.Generator(bits(5)).standard_normal((1, 2, config.batch))
        np.testing.assert_array_equal(Run(config).step().samples, (eps[0] * config.sigma + [[-1.0], [-2.5]]).T)
        assert type(generator(config.generator, 5).bit_generator) is bits
    assert "format = 2" in session.dumps(new) and 'generator = "sfc64"' in session.dumps(new)
    assert session.loads(session.dumps(old))[0] == old       # a resaved format-1 run keeps PCG64


@pytest.mark.parametrize("text,message", [
    ("problem = 'gaussian'\nlr = 'fast'\n", "lr"),
    ("problem = 'gaussian'\nwarp = 9\n", "unknown setting 'warp'"),
    ("problem = 'gaussian'\nbatch = 1e400\n", "batch"),
    ("reward = \"__import__('os').system('x')\"\n", "formula"),
    ("problem = 'gaus", "not a valid TOML"),
    ("format = 99\n", "format"),
    ("format = true\n", "format"),
    ("format = '2'\n", "format"),
    ("generator = 'mt19937'\n", "generator"),
    ("[[schedule]]\nstep = 2\nproblem = 'bandit'\n", "cannot change mid-run"),
    ("theta0 = [1, 'a']\n", "theta0"),
    ("app = 3\n", "[app]"),
])
def test_bad_session_text_is_refused_with_a_message(text, message):
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        session.loads(text)


def test_binary_junk_is_refused(tmp_path):
    path = tmp_path / "junk.toml"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(ConfigError, match="not a text file|not a valid TOML"):
        session.load(path)


def test_saving_to_an_unwritable_place_leaves_nothing(tmp_path):
    from gradviz.engine.files import WriteError
    with pytest.raises(WriteError, match="cannot write"):
        session.save(tmp_path / "no" / "s.toml", from_mapping({}))
    assert list(tmp_path.iterdir()) == []
