"""One way in: files in the contract format, the bundled snapshot, the writer process, exports."""
