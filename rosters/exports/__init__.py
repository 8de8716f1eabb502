"""Rosters for people to read and import: CSV, XLSX, printable HTML (Chinese headings), ICS.

Every export is a pure function of the roster rows, so the same roster gives the same bytes.
"""
