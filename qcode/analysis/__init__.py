"""Read codings back out of the store as matrices and quotes."""
