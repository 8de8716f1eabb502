"""Test helpers: a controllable clock, config builders, local stand-in servers."""
