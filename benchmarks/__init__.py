"""Benchmarks (`make bench`): figures printed side by side in one run, on temporary DATA_DIRs."""
