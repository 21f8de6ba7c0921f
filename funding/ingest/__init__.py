"""One way in: the IngestRun (files in the contract format, crawls, the bundled snapshot), exports."""
