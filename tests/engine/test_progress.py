"""The progress bar in a terminal: elapsed time while it runs, a summary line at the end."""

from __future__ import annotations

import io

from deployer.progress import Progress


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_bar_shows_elapsed_time_and_ends_on_a_summary_line() -> None:
    out, clock = io.StringIO(), _Clock()
    bar = Progress(bar=True, stream=out, clock=clock)
    bar.start(3, "applying", "applied")
    clock.now += 1.25
    bar.current("etl")
    assert out.getvalue().endswith("[------] 0/3 1.2 s applying etl".replace(
        "------", "-" * 20))
    bar.advance("etl", "ok")
    clock.now += 2.0
    bar.advance("report", "ok")
    bar.advance("legacy", "failed")
    bar.finish()
    last = out.getvalue().rsplit("\r\x1b[2K", 1)[1]
    assert last == f"[{'#' * 20}] 3/3 applied in 3.2 s: 1 failed, 2 ok\n"


def test_ci_lines_stay_one_per_workflow() -> None:
    out = io.StringIO()
    bar = Progress(bar=False, stream=out)
    bar.start(1, "applying")
    bar.advance("etl", "ok")
    bar.finish()
    assert out.getvalue() == "[1/1] etl: ok\n"
