"""One worker process that runs jobs in the order they were given, so reading and writing overlap.

`funding import` normalises records there while it writes the previous batch; a crawl stores its
batches there while Scrapy parses the next pages. On a one-core machine, or when the worker cannot
start (a script run without an `if __name__ == "__main__"` guard, say), jobs run here instead.
"""

import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from typing import Any


def can_run_in_parallel() -> bool:
    return (os.cpu_count() or 1) > 1


class Background:
    """Jobs for one worker process, started on first need; results come back as `Job`s, in order."""

    def __init__(self, parallel: bool | None = None):
        self.parallel = can_run_in_parallel() if parallel is None else parallel
        self.pool: ProcessPoolExecutor | None = None

    def submit(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> "Job":
        if not self.parallel:
            return Job(self, None, function, args, kwargs)
        if self.pool is None:
            # forkserver: a clean child, not a fork of this process's threads or Twisted reactor.
            self.pool = ProcessPoolExecutor(1, mp_context=get_context("forkserver"))
        return Job(self, self.pool.submit(function, *args, **kwargs), function, args, kwargs)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()
            self.pool = None


class Job:
    """A submitted job: `result()` waits for it (and raises what it raised)."""

    def __init__(
        self, owner: Background, future: Future | None, function: Callable[..., Any],
        args: tuple, kwargs: dict,
    ) -> None:  # fmt: skip
        self.owner, self.future = owner, future
        self.call = (function, args, kwargs)

    def done(self) -> bool:
        return self.future is None or self.future.done()

    def result(self) -> Any:
        function, args, kwargs = self.call
        if self.future is None:
            return function(*args, **kwargs)
        try:
            return self.future.result()
        except BrokenProcessPool:
            # The worker could not start or died: this job and the next ones run here.
            self.owner.parallel = False
            return function(*args, **kwargs)
