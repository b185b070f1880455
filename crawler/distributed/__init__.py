"""Scale-out on Redis: a shared frontier, fleet-wide politeness, and one ingest process per archive."""
