"""After a harvest or an import: values read from the text, duplicates merged, embeddings."""
