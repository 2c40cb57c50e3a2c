"""How long work says how far it has got: one callable, three listeners.

Imports, feed loads and monitoring runs call `progress(stage, done, total)` as they go; the
command line draws a bar (`ProgressBar`), a background job keeps it for the page to poll
(`bangfu.jobs.services.JobProgress`), and everything else passes `silent`."""

from __future__ import annotations

import os
import sys
from typing import IO, Protocol

from tqdm import tqdm


class Progress(Protocol):
    def __call__(self, stage: str, done: int = 0, total: int = 0) -> None:
        """`stage` is shown to the user; `done` of `total` (0 when not known) within it."""


def silent(stage: str, done: int = 0, total: int = 0) -> None:
    return None


class Every:
    """Report every `step` items of a loop, and its last: `tick(i)` is cheap between steps."""

    def __init__(self, progress: Progress, stage: str, total: int, step: int = 500) -> None:
        self.progress, self.stage, self.total, self.step = progress, stage, total, step
        progress(stage, 0, total)

    def tick(self, done: int) -> None:
        if done % self.step == 0 or done == self.total:
            self.progress(self.stage, done, self.total)


def _columns(stream: IO[str]) -> int:
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (OSError, ValueError, AttributeError):
        return 0


class ProgressBar:
    """A terminal bar per stage (tqdm, on stderr); on a stream that is not a terminal, one line
    per stage instead, so that logs stay readable."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() and _columns(self.stream) > 0
        self.stage = ""
        self.bar: tqdm | None = None

    def __call__(self, stage: str, done: int = 0, total: int = 0) -> None:
        if stage != self.stage:
            self.close()
            self.stage = stage
            if self.tty:
                self.bar = tqdm(
                    total=total or None,
                    desc=stage,
                    file=self.stream,
                    leave=True,
                    dynamic_ncols=True,
                    unit="",
                )
            else:
                self.stream.write(f"· {stage}\n")
        if self.bar is not None:
            if total and self.bar.total != total:
                self.bar.total = total
            self.bar.n = done
            self.bar.refresh()

    def close(self) -> None:
        """End the stage's bar: a stage that ends is complete."""
        if self.bar is not None:
            if self.bar.total:
                self.bar.n = self.bar.total
                self.bar.refresh()
            self.bar.close()
            self.bar = None

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
