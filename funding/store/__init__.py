"""Every SQL statement of the domain: tables, migrations, the write path, reads, full-text and vector search, source runs, partnerships."""
