"""Exchange formats out: code matrices and quotes as files researchers share.

Exporters only format what analysis hands them; they never open the project. Importing
this package is cheap: pandas, openpyxl and python-docx load only when a file is written.
"""

from __future__ import annotations

from qcode.exchange.tables import (
    MATRIX_FORMATS,
    QUOTE_COLUMNS,
    QUOTE_FORMATS,
    write_matrix,
    write_quotes,
)

__all__ = ["MATRIX_FORMATS", "QUOTE_COLUMNS", "QUOTE_FORMATS", "write_matrix", "write_quotes"]
