"""Progress on stderr: a bar in a terminal (elapsed time while it runs, a summary line at
the end), one line per workflow in CI logs."""

from __future__ import annotations

import io

from deployer.output.progress import Progress


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_progress_bar_in_a_terminal_and_lines_in_ci() -> None:
    tty = io.StringIO()
    bar = Progress(bar=True, stream=tty, clock=lambda: 7.0)
    bar.start(4, "applying")
    bar.current("etl_daily")
    bar.advance("etl_daily", "ok")
    bar.finish()
    assert "[#####---------------] 1/4 0.0 s applying etl_daily" in tty.getvalue()
    log = io.StringIO()
    plain = Progress(bar=False, stream=log)
    plain.start(2, "applying")
    plain.advance("a", "ok")
    plain.advance("b", "failed")
    assert log.getvalue() == "[1/2] a: ok\n[2/2] b: failed\n"


def test_the_bar_shows_elapsed_time_and_ends_on_a_summary_line() -> None:
    out, clock = io.StringIO(), _Clock()
    bar = Progress(bar=True, stream=out, clock=clock)
    bar.start(3, "applying", "applied")
    clock.now += 1.25
    bar.current("etl")
    assert out.getvalue().endswith(f"[{'-' * 20}] 0/3 1.2 s applying etl")
    bar.advance("etl", "ok")
    clock.now += 2.0
    bar.advance("report", "ok")
    bar.advance("legacy", "failed")
    bar.finish()
    last = out.getvalue().rsplit("\r\x1b[2K", 1)[1]
    assert last == f"[{'#' * 20}] 3/3 applied in 3.2 s: 1 failed, 2 ok\n"
