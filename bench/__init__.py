"""Benchmarks: `make bench` prints one table of figures; tests never time anything."""
