"""Benchmarks: they print measured figures; nothing here asserts on time."""
