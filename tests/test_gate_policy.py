"""Gate policies: TOML files that make the gate stricter, or looser within its fixed rules."""

from __future__ import annotations

import pytest
from gate_histories import STABLE, add_build, failed, flaky_history, scattered
from support import cli_on

from triage.errors import ConfigError
from triage.gate import EXIT_ASK, EXIT_PASS, judge
from triage.gate_policy import MIN_HISTORY_FLOOR, Policy, load_policy, short_branch

FLAKY = {"flakyA": scattered(2, 30), "flakyB": scattered(4, 30)}
TESTS = [*STABLE, *FLAKY]


@pytest.fixture
def noisy_build(store):
    """Build 31 of app fails only with flakyA and flakyB's usual errors: the gate passes it."""
    flaky_history(store, 30, FLAKY, branch="refs/remotes/origin/release/1.4")
    add_build(store, 31, {n: failed(n) for n in FLAKY}, tests=TESTS,
              branch="refs/remotes/origin/release/1.4")
    assert judge(store, "app", 31).exit_code == EXIT_PASS
    return store


def policy(tmp_path, text: str) -> Policy:
    path = tmp_path / "gate.toml"
    path.write_text(text, encoding="utf-8")
    return load_policy(path)


# --- stricter -------------------------------------------------------------------------------


@pytest.mark.parametrize(("toml", "reason"), [
    ("max_noise = 1", "2 noise failures, more than the policy's max_noise 1"),
    ("max_noise = 0", "2 noise failures, more than the policy's max_noise 0"),
    ('ask_branches = ["release/*"]', "the policy always asks on branch "
     "refs/remotes/origin/release/1.4 (ask_branches 'release/*')"),
    ('ask_tests = ["*.CartTest.flakyB"]', "1 of 2 failures needs a human: 1 always asked by "
     "the policy (CartTest.flakyB)"),
    ('ask_clusters = ["flaky"]', "all 2 failures need a human: 2 always asked by the policy "
     "(CartTest.flakyA, CartTest.flakyB)"),
    ("min_score = 0.99", "all 2 failures need a human: 2 under the policy's min_score "
     "(CartTest.flakyA, CartTest.flakyB)"),
    ("min_history = 40", "only 30 earlier builds with test results: too short to know (the "
     "policy needs 40)"),
])
def test_a_stricter_policy_asks_where_the_default_passes(noisy_build, tmp_path, toml, reason):
    result = judge(noisy_build, "app", 31, policy=policy(tmp_path, toml))
    assert result.exit_code == EXIT_ASK
    assert result.reasons == [reason]


def test_ask_branches_asks_even_for_a_green_build(store, tmp_path):
    flaky_history(store, 25, {}, branch="main")
    rules = policy(tmp_path, 'ask_branches = ["main", "hotfix/*"]')
    result = judge(store, "app", 25, policy=rules)
    assert result.exit_code == EXIT_ASK and "always asks on branch main" in result.reasons[0]
    add_build(store, 26, {}, branch=None)  # imported without --branch: cannot tell, so ask
    assert judge(store, "app", 26, policy=rules).reasons == [
        "the build's branch is unknown, and the policy always asks on some branches"]


def test_branch_names_match_as_people_write_them():
    assert short_branch("refs/remotes/origin/release/1.4") == "release/1.4"
    assert short_branch("origin/main") == "main"
    assert short_branch("refs/heads/main") == "main"
    assert short_branch("feature/x") == "feature/x"
    rules = Policy(ask_branches=("main",))
    assert rules.asks_on_branch("refs/remotes/origin/main") == "main"
    assert rules.asks_on_branch("refs/remotes/origin/mainline") is None


# --- looser, within the rules ---------------------------------------------------------------


def test_a_looser_policy_lets_a_shorter_history_through_but_not_under_the_floor(store, tmp_path):
    flaky_history(store, 12, {"flakyA": {2, 6, 9}}, tests=STABLE)
    add_build(store, 13, {"flakyA": failed("flakyA")}, tests=[*STABLE, "flakyA"])
    assert judge(store, "app", 13).exit_code == EXIT_ASK  # default: 20 earlier builds
    loose = policy(tmp_path, f"min_history = {MIN_HISTORY_FLOOR}")
    assert judge(store, "app", 13, policy=loose).exit_code == EXIT_PASS
    with pytest.raises(ConfigError, match="min_history = 9 is out of bounds"):
        policy(tmp_path, "min_history = 9")


def test_no_policy_can_let_a_new_failure_through(noisy_build, tmp_path):
    add_build(noisy_build, 32, {"stableA": failed("stableA", "expected:<1> but was:<2>")},
              tests=TESTS, branch="refs/remotes/origin/release/1.4")
    loosest = policy(tmp_path, f"max_noise = 1000\nmin_history = {MIN_HISTORY_FLOOR}\n"
                     "min_score = 0.6\nask_branches = []\n")
    assert judge(noisy_build, "app", 32, policy=loosest).exit_code == EXIT_ASK


# --- malformed files: one clear line, exit 2 ------------------------------------------------


@pytest.mark.parametrize(("text", "message"), [
    ("max_noise = ", "is not valid TOML"),
    ("max_nosie = 3", "unknown key 'max_nosie' (did you mean max_noise?)"),
    ("colour = 'red'", "unknown key 'colour'; known keys: max_noise, min_history"),
    ("max_noise = -1", "max_noise = -1 is out of bounds; it must be at least 0"),
    ("max_noise = '3'", "max_noise must be a whole number, not '3'"),
    ("max_noise = true", "max_noise must be a whole number, not True"),
    ("min_history = 500", "min_history = 500 is out of bounds; it must be from 10 to 200"),
    ("min_score = 0.3", "min_score = 0.3 is out of bounds; it must be from 0.6 (what the "
     "engine calls known flaky) to 1"),
    ("ask_branches = [1, 2]", "ask_branches must be a list of non-empty strings"),
    ("ask_tests = ['']", "ask_tests must be a list of non-empty strings"),
    ("[gate]\nmax_noise = 3", "unknown key 'gate'"),
])
def test_a_bad_policy_file_is_one_line_and_exit_2(db_path, tmp_path, text, message):
    path = tmp_path / "gate.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=None) as caught:
        load_policy(path)
    assert message in caught.value.message and str(path) in caught.value.message
    result = cli_on(db_path)("gate", "--job", "app", "--build", "1", "--policy", str(path),
                             expect=2)
    assert result.output.count("\n") == 1 and result.output.startswith("error: Policy ")
    assert message in result.output


def test_unreadable_policy_files_are_one_line_too(db_path, tmp_path):
    run = cli_on(db_path)
    missing = run("gate", "--job", "app", "--build", "1", "--policy",
                  str(tmp_path / "nope.toml"), expect=2)
    assert "does not exist; check --policy" in missing.output
    folder = run("gate", "--job", "app", "--build", "1", "--policy", str(tmp_path), expect=2)
    assert "is a folder" in folder.output
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00max_noise = 1")
    assert "is not UTF-8 text" in run("gate", "--job", "app", "--build", "1", "--policy",
                                      str(binary), expect=2).output
    huge = tmp_path / "huge.toml"
    huge.write_text("# " + "x" * 70_000)
    assert "is over 64 KiB" in run("gate", "--job", "app", "--build", "1", "--policy",
                                   str(huge), expect=2).output


def test_hostile_policy_files_are_one_line_and_never_read_past_the_cap(db_path, tmp_path):
    run = cli_on(db_path)
    deep = tmp_path / "deep.toml"
    deep.write_text("max_noise = " + "[" * 30_000 + "]" * 30_000)  # within 64 KiB
    assert "nests its values too deep" in run("gate", "--job", "app", "--build", "1",
                                              "--policy", str(deep), expect=2).output
    # A device that never ends (stat says 0 bytes): read up to the cap, then refused.
    endless = run("gate", "--job", "app", "--build", "1", "--policy", "/dev/zero", expect=2)
    assert endless.output == "error: Policy /dev/zero is over 64 KiB; a gate policy is a few " \
        "lines of TOML.\n"


def test_the_policy_in_force_is_part_of_the_result(noisy_build, tmp_path):
    rules = policy(tmp_path, 'max_noise = 4\nask_tests = ["*Payment*"]\n')
    result = judge(noisy_build, "app", 31, policy=rules)
    assert result.policy.as_dict() == {
        "source": str(tmp_path / "gate.toml"), "max_noise": 4, "min_history": 20,
        "min_score": 0.6, "ask_branches": [], "ask_clusters": [], "ask_tests": ["*Payment*"]}
    assert "policy " + str(tmp_path / "gate.toml") in result.summary
