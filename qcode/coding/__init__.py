"""Coding workflows: manual coding from scripts and CSV files, suggestions (suggest,
review, train, evaluate), merging another coder's project, and reconciling disagreements.

The rules for what may be stored live in :mod:`qcode.store`; these modules combine them
into what a command does.
"""
