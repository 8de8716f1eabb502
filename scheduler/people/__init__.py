"""Enterprises and staff: who the office writes to, and how to reach them."""
