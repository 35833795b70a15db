"""The incremental engine and its worker processes."""
