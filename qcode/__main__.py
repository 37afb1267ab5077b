from __future__ import annotations

from qcode.cli import main

main()
