"""The terminal coding screen (Textual): presentation only; the data work is in qcode.session."""
