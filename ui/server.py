"""The process `funding serve` runs: the modules the pages use are imported first, then Streamlit
serves ui/app.py in this same process (as `streamlit run` would).

Python imports cost once per process, about 1.5-3 s on the 2-core machine for this app (pandas and
pyarrow for the first table, the matching engine's vocabularies and patterns, dateparser,
icalendar, Streamlit's emoji table): paid here, before the server listens, rather than by whoever
opens the first pages. `python -m ui.server APP [streamlit options]`.
"""

import gc
import sys
import time


def preload() -> float:
    """Import (and build the process-wide tables of) what the pages need; returns seconds spent."""
    start = time.perf_counter()
    import numpy  # noqa: F401
    import pandas  # noqa: F401
    import pyarrow  # noqa: F401
    import streamlit.emojis  # noqa: F401  (st.info, st.success... look icons up in it)

    import funding.access.auth
    import funding.access.partnerships
    import funding.digests.build
    import funding.digests.subscriptions  # noqa: F401
    from funding.views import finder

    finder.theme_names()  # the themes vocabulary, read once per process
    from funding.matching.profile import TOWNS
    from funding.territory import places

    # The pattern of every commune's name a profile's project text is read with (1.8 s to compile
    # at first use: paid here, not by the first profile someone loads).
    places.find_in_text("Annecy", towns=TOWNS)
    # What was imported lives as long as the process: kept out of the garbage collector's full
    # passes, which would otherwise walk it all again (0.1 s each, during a page's first load).
    gc.freeze()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> None:
    """Preload, then hand over to Streamlit's own command line (`streamlit run APP ...`)."""
    args = list(sys.argv[1:] if argv is None else argv)
    spent = preload()
    print(f"preloaded the interface's modules in {spent:.1f} s", flush=True)
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", *args]
    cli.main()


if __name__ == "__main__":
    main()
