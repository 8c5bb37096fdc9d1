"""Property: the credential detector answers quickly on any text (no regex backtracking
blow-up on long runs of the characters its patterns repeat), with offsets inside the text,
and never repeats the value in its message."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from deployer.definitions.secrets import find_credentials

_PIECES = ("password", "PGPASSWORD", "token", "api_key", "secret", "=", ":", " ", "'", '"',
           "\n", "://", "@", "user:", "-p", "mysql ", "IDENTIFIED BY ", "--password ",
           "Authorization: Bearer ", "jdbc:oracle:thin:", "/", "AKIA", "A" * 16, "ghp_",
           "-----BEGIN PRIVATE KEY-----", "$", "{", "}", "%(", "x" * 50, "0123456789abcdef",
           "_", "-", "\t", "é")


@given(st.lists(st.sampled_from(_PIECES), max_size=300).map("".join)
       | st.text(max_size=3000))
def test_find_credentials_on_any_text(text: str) -> None:
    for hit in find_credentials(text):
        assert 0 <= hit.offset < len(text)
        value = text[hit.offset:].split()[0] if text[hit.offset:].strip() else ""
        assert len(value) < 4 or value not in hit.message


@given(st.sampled_from(_PIECES), st.integers(min_value=1000, max_value=20_000))
def test_long_runs_of_one_piece(piece: str, times: int) -> None:
    find_credentials(piece * times)  # the deadline catches a backtracking blow-up
