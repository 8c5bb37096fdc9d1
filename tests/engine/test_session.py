"""Masking never mangles ordinary words: a token too short to be real is refused before it is
used (nothing is sent, nothing is masked), and a real token is masked wherever it occurs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from deployer.core.redact import MASK, redact, register_secret
from deployer.sandbox import Sandbox
from tests.helpers.deploy_env import Env, wf_yaml


@pytest.fixture
def short_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
              capsys: pytest.CaptureFixture[str]) -> Iterator[Env]:
    # a sandbox that would accept the token: the refusal is dagship's, not the server's
    with Sandbox(api_version="3.3", token="staging") as sb:
        env = Env(tmp_path / "repo", sb, monkeypatch, capsys)
        env.write("one", wf_yaml("one"))
        yield env


@pytest.mark.parametrize("command", [["plan"], ["deploy", "--no-progress"], ["status"],
                                     ["pull"], ["rollback", "--to", "HEAD"]])
def test_a_token_too_short_to_be_real_is_refused_and_words_stay_whole(short_env: Env,
                                                                       command):
    served = short_env.sb.request_count
    res = short_env.run(*command)
    assert res.code == 2, res.out + res.err
    assert res.err == (
        "dagship: error: the token in DS_TOKEN (targets.staging.token_env) is 7 characters "
        "long; a DolphinScheduler access token has 32 (Security > Token manage): set the "
        "variable to the token itself\n")
    assert MASK not in res.out + res.err
    assert short_env.sb.request_count == served


def test_a_real_token_is_masked_wherever_it_occurs() -> None:
    token = "0123456789abcdef" * 2
    register_secret(token)
    assert redact(f"token={token}; url%3D{token}&x") == "token=***; url%3D***&x"
    assert redact("targets.staging.url") == "targets.staging.url"


def test_a_short_value_is_never_registered_as_a_secret() -> None:
    register_secret("staging")
    assert redact("targets.staging.url") == "targets.staging.url"


def test_nothing_listening_at_the_url_fails_at_once_naming_the_target(env: Env) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/dolphinscheduler"
    (env.root / "dagship.yaml").write_text(
        (env.root / "dagship.yaml").read_text().replace(env.sb.base_url, url, 1))
    env.write("one", wf_yaml("one"))
    res = env.run("plan", "--verbose")
    assert res.code == 3
    assert res.err.splitlines()[-1] == (
        f"dagship: error: target 'staging': nothing answers at {url} (targets.staging.url): "
        f"GET /projects/list: connection refused by 127.0.0.1:{port}: nothing listens there; "
        "check the url and that DolphinScheduler is running (not retried)")
    assert "retrying" not in res.err
    assert "HTTPConnectionPool" not in res.out + res.err
