"""Benchmarks: each script answers one question with ratios against a baseline of the same run."""
