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
    # The digest uses the part that will read back, so the next plan sees no change: the
    # fitted part reads back as it is, with a clean marker and with a `+dirty` one alike.
    fitted = metadata.fitted("é" * 300, "0.1.0")
    for commit in ("abc1234", "abc1234+dirty"):
        marked = metadata.render(fitted, metadata.Meta(META.digest, commit, "0.1.0"))
        assert len(marked) <= 255
        assert metadata.parse(marked) == (fitted, metadata.Meta(META.digest, commit, "0.1.0"))


def test_a_dirty_commit_is_kept_in_the_marker() -> None:
    assert metadata.short_commit("ABCDEF0123456789+dirty") == "abcdef0+dirty"
    text = metadata.render("nightly", metadata.Meta("0" * 12, "abcdef0+dirty", "0.1.0"))
    assert text == "nightly [dagship 000000000000 abcdef0+dirty v0.1.0]"
    assert metadata.parse(text)[1] == metadata.Meta("0" * 12, "abcdef0+dirty", "0.1.0")
    assert metadata.is_dirty("abcdef0+dirty")
    assert not metadata.is_dirty("abcdef0")


def test_short_commit() -> None:
    assert metadata.short_commit("ABCDEF0123456789") == "abcdef0"
    assert metadata.short_commit("nogit") == "nogit"
    assert metadata.short_commit(None) == "nogit"
