"""Coding segments: by hand from scripts, from CSV files, and (later) assisted."""
