"""The interactive coding screen (``qcode tag``).

Only :mod:`qcode.tui.app`, :mod:`qcode.tui.widgets` and :mod:`qcode.tui.screens` import
Textual; the session, undo, span and search logic are plain Python, tested without a
terminal.
"""
