"""The deploy marker at the end of a remote workflow's description."""

from __future__ import annotations

from deployer.engine import metadata

META = metadata.Meta("0123456789ab", "abcdef0", "0.1.0")


def test_marker_round_trip() -> None:
    text = metadata.render("Nightly load", META)
    assert text == "Nightly load [dagship 0123456789ab abcdef0 v0.1.0]"
    assert metadata.parse(text) == ("Nightly load", META)
    assert metadata.parse("made in the UI") == ("made in the UI", None)
    assert metadata.parse(None) == ("", None)
    assert metadata.render("", META) == META.marker()


def test_long_description_is_shortened_within_255_code_points() -> None:
    text = metadata.render("é" * 300, META)
    assert len(text) == 255
    user, meta = metadata.parse(text)
    assert meta == META
    assert user.endswith(metadata.ELLIPSIS)
    # The digest uses the part that will read back, so the next plan sees no change.
    assert metadata.fitted("é" * 300, "0.1.0") == user


def test_short_commit() -> None:
    assert metadata.short_commit("ABCDEF0123456789") == "abcdef0"
    assert metadata.short_commit("nogit") == "nogit"
    assert metadata.short_commit(None) == "nogit"
