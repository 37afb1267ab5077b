"""Reading the keyboard for interactive commands: one key press, no Enter.

At a terminal the key is read raw (Ctrl-C and Ctrl-D still quit); from a pipe or a test,
each non-blank character of the input counts as a key, so ``printf 'ar' | qcode review``
accepts one suggestion and rejects the next.
"""

from __future__ import annotations

import os
import sys

ESCAPE = "escape"
QUIT_KEYS = ("\x03", "\x04")  # Ctrl-C, Ctrl-D


def _ask(prompt: str) -> None:
    sys.stderr.write(prompt)
    sys.stderr.flush()


def read_key(prompt: str) -> str | None:
    """The next key pressed (``escape`` for Esc or an arrow); None at the end of input or
    on Ctrl-C / Ctrl-D."""
    _ask(prompt)
    if not sys.stdin.isatty():
        while True:
            key = sys.stdin.read(1)
            if key == "":
                sys.stderr.write("\n")
                return None
            if not key.isspace():
                sys.stderr.write(key + "\n")
                return ESCAPE if key == "\x1b" else key
    key = _raw_key()
    sys.stderr.write(("" if key in QUIT_KEYS or key.startswith("\x1b") else key) + "\n")
    sys.stderr.flush()
    if key in QUIT_KEYS:
        return None
    return ESCAPE if key.startswith("\x1b") else key


def _raw_key() -> str:
    if os.name == "nt":  # pragma: no cover - Windows consoles
        import msvcrt

        return str(msvcrt.getwch())  # type: ignore[attr-defined]
    import termios
    import tty

    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd)
    try:
        # TCSANOW: keys typed ahead of the question are kept (setraw's default drops them).
        tty.setraw(fd, termios.TCSANOW)
        # An arrow key sends several bytes at once; read them together.
        return os.read(fd, 8).decode("utf-8", "replace")
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def read_line(prompt: str) -> str | None:
    """A line typed and ended with Enter; None at the end of input."""
    _ask(prompt)
    line = sys.stdin.readline()
    if line == "":
        sys.stderr.write("\n")
        return None
    if not sys.stdin.isatty():
        sys.stderr.write(line if line.endswith("\n") else line + "\n")
    return line.strip()
