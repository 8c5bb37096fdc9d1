"""Progress on stderr: a bar in a terminal, one line per workflow in CI logs."""

from __future__ import annotations


def test_progress_bar_in_a_terminal_and_lines_in_ci() -> None:
    import io

    from deployer.output.progress import Progress

    tty = io.StringIO()
    bar = Progress(bar=True, stream=tty)
    bar.start(4, "applying")
    bar.current("etl_daily")
    bar.advance("etl_daily", "ok")
    bar.finish()
    assert "[#####---------------] 1/4 applying etl_daily" in tty.getvalue()
    log = io.StringIO()
    plain = Progress(bar=False, stream=log)
    plain.start(2, "applying")
    plain.advance("a", "ok")
    plain.advance("b", "failed")
    assert log.getvalue() == "[1/2] a: ok\n[2/2] b: failed\n"
