"""TLS end to end against a real local HTTPS server (the sandbox behind a self-signed
certificate made by `openssl` in the test): verification is on by default, `ca_bundle`
trusts a private CA, and plain http:// to another host warns."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from deployer.client.transport import plain_http_warning
from deployer.sandbox import Sandbox
from tests.helpers.deploy_env import TOKEN, Env, wf_yaml

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")


@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    crt, key = folder / "ca.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj",
                    "/CN=dagship-test", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                    "-keyout", str(key), "-out", str(crt)], check=True, capture_output=True)
    return crt, key


@pytest.fixture
def tls_env(tmp_path: Path, cert: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch,
            capsys: pytest.CaptureFixture[str]) -> Iterator[Env]:
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    with Sandbox(api_version="3.3", token=TOKEN, tls=(str(cert[0]), str(cert[1]))) as sb:
        assert sb.base_url.startswith("https://127.0.0.1:")
        env = Env(tmp_path / "repo", sb, monkeypatch, capsys)
        env.write("etl", wf_yaml("etl"))
        yield env


def test_an_unknown_ca_is_refused_by_default(tls_env: Env) -> None:
    tls_env.write_config("    timeout: 5\n    deadline: 5\n")
    res = tls_env.run("plan")
    assert res.code == 3
    assert "TLS verification failed" in res.err
    assert "ca_bundle" in res.err
    assert TOKEN not in res.out + res.err
    assert tls_env.sb.request_count == 0  # the handshake failed: no request was served


def test_ca_bundle_trusts_the_private_ca_relative_to_the_config(tls_env: Env,
                                                                cert: tuple[Path, Path]) -> None:
    shutil.copy(cert[0], tls_env.root / "corp-ca.pem")
    tls_env.write_config("    ca_bundle: corp-ca.pem\n")
    (tls_env.root / "workflows").mkdir(exist_ok=True)
    tls_env.mp.chdir(tls_env.root / "workflows")  # a relative path is the config's, not cwd's
    res = tls_env.run("deploy", "--no-progress")
    assert res.code == 0, res.err
    assert tls_env.remote("etl") is not None
    assert "warning" not in res.err


def test_a_missing_ca_bundle_is_a_config_error_not_a_crash(tls_env: Env) -> None:
    tls_env.write_config("    ca_bundle: nowhere.pem\n")
    res = tls_env.run("plan")
    assert res.code == 2
    assert "nowhere.pem: no such file" in res.err


def test_plain_http_to_another_host_warns(tls_env: Env) -> None:
    config = tls_env.root / "dagship.yaml"
    config.write_text(config.read_text().replace(tls_env.sb.base_url, "http://192.0.2.1:1/ds", 1)
                      .replace("project: dagship-test", "project: p\n    timeout: 0.2\n"
                               "    deadline: 0.3", 1))
    res = tls_env.run("plan")
    assert res.code == 3  # TEST-NET-1 is unreachable
    assert ("dagship: warning: targets.staging.url: http://192.0.2.1:1/ds uses plain http:// "
            "to 192.0.2.1: the API token travels unencrypted") in res.err


@pytest.mark.parametrize(("url", "warns"), [
    ("http://127.0.0.1:12345/dolphinscheduler", False),
    ("http://localhost:12345/dolphinscheduler", False),
    ("http://[::1]:12345/dolphinscheduler", False),
    ("https://ds.example.com/dolphinscheduler", False),
    ("http://ds.example.com/dolphinscheduler", True),
    ("http://10.0.0.5:12345/dolphinscheduler", True),
    ("HTTP://DS.EXAMPLE.COM/x", True),
])
def test_which_urls_warn(url: str, warns: bool) -> None:
    assert (plain_http_warning(url) is not None) == warns
