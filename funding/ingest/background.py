"""One worker process that runs jobs in the order they were given, so reading and writing overlap.

A crawl's IngestRun stores its batches there while Scrapy parses the next pages: it pays there
(docs/benchmarks.md, crawl), not for `funding import`, which stores in its own process. On a
one-core machine, or when the worker cannot start (a script run without an `if __name__ == "__main__"` guard, say), jobs run here instead.
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
    """Jobs for one worker process, started on first need; results come back as `Job`s, in order.

    The first `start_after` jobs run here: starting the worker costs about a second of CPU (its
    imports), which a small crawl or file does not repay.
    """

    def __init__(self, parallel: bool | None = None, *, start_after: int = 0):
        self.parallel = can_run_in_parallel() if parallel is None else parallel
        self.start_after = start_after
        self.submitted = 0
        self.pool: ProcessPoolExecutor | None = None

    def next_in_worker(self) -> bool:
        """Whether the next job goes to the worker process (its arguments must then pickle)."""
        return self.parallel and self.submitted >= self.start_after

    def submit(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> "Job":
        self.submitted += 1
        if not self.parallel or self.submitted <= self.start_after:
            return Job.here(function, args, kwargs)
        if self.pool is None:
            # forkserver: a clean child, not a fork of this process's threads or Twisted reactor.
            self.pool = ProcessPoolExecutor(1, mp_context=get_context("forkserver"))
        future = self.pool.submit(function, *args, **kwargs)
        return Job(self, future, (function, args, kwargs))

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()
            self.pool = None


class Job:
    """A submitted job: `result()` waits for it, and raises what it raised."""

    def __init__(self, owner: Background | None, future: Future | None, call: tuple) -> None:
        self.owner, self.future, self.call = owner, future, call
        self.value: Any = None
        self.error: BaseException | None = None

    @classmethod
    def here(cls, function: Callable[..., Any], args: tuple, kwargs: dict) -> "Job":
        """Run now, in this process (so jobs keep their order); an error waits for result()."""
        job = cls(None, None, (function, args, kwargs))
        job._run_here()
        return job

    def _run_here(self) -> None:
        function, args, kwargs = self.call
        try:
            self.value = function(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - handed to whoever asks for the result
            self.error = exc

    def done(self) -> bool:
        return self.future is None or self.future.done()

    def result(self) -> Any:
        if self.future is not None:
            try:
                return self.future.result()
            except BrokenProcessPool:
                # The worker could not start or died: this job and the next ones run here.
                self.owner.parallel = False
                self.future = None
                self._run_here()
        if self.error is not None:
            raise self.error
        return self.value
