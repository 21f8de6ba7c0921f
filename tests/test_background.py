"""funding.ingest.background: jobs in one worker process, in order, or here when the worker cannot run."""

import os
import subprocess
import sys
import textwrap

import pytest

from funding.ingest.background import Background


def test_jobs_run_in_another_process_and_come_back_in_order():
    background = Background(parallel=True)
    try:
        jobs = [background.submit(pow, 2, n) for n in range(20)]
        pid = background.submit(os.getpid)
        assert [job.result() for job in jobs] == [2**n for n in range(20)]
        assert pid.result() != os.getpid()
    finally:
        background.close()


def test_a_failed_job_raises_its_error_and_the_next_ones_still_run():
    background = Background(parallel=True)
    try:
        bad, good = background.submit(int, "not a number"), background.submit(int, "42")
        with pytest.raises(ValueError, match="not a number"):
            bad.result()
        assert good.result() == 42
    finally:
        background.close()


def test_without_parallelism_jobs_run_here():
    background = Background(parallel=False)
    assert background.submit(os.getpid).result() == os.getpid()
    assert background.pool is None


def test_a_script_without_a_main_guard_falls_back_to_running_here(tmp_path):
    """The worker re-imports the main script, which starts a worker again: Python refuses, the
    pool breaks, and the jobs run in the script's own process instead of failing."""
    script = tmp_path / "unguarded.py"
    script.write_text(
        textwrap.dedent(
            """
            import os
            from funding.ingest.background import Background

            background = Background(parallel=True)
            job = background.submit(os.getpid)
            print(job.result() == os.getpid(), background.parallel)
            """
        )
    )
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split()[-2:] == ["True", "False"]


def test_the_first_jobs_run_here_then_in_the_worker():
    background = Background(parallel=True, start_after=2)
    try:
        pids = [background.submit(os.getpid).result() for _ in range(4)]
        assert pids[:2] == [os.getpid()] * 2 and os.getpid() not in pids[2:]
        failed = Background(parallel=False).submit(int, "x")  # run at once; the error waits
        with pytest.raises(ValueError):
            failed.result()
    finally:
        background.close()
