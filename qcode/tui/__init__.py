"""The data side of the interactive coding screen (``qcode tag``).

The session, undo, span and search logic here are plain Python, tested without a
terminal; the Textual screen that draws them lives in :mod:`qcode.cli.tag`.
"""
