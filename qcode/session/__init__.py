"""The coding session: one coder coding one transcript, as plain Python.

Where the coder is, what the segment holds, what each key changes in the store and how to
undo it, and the sentence spans a coder can select. It holds no terminal code: the Textual
screen of ``qcode tag`` that draws a session lives in :mod:`qcode.cli.tag`, so everything
here is tested without a terminal.
"""
