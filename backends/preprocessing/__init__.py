"""Host-side kernels of the preprocessing layers: numpy and plain Python on the host, for data that never
reaches an engine (strings, vocabularies, quantile summaries)."""
