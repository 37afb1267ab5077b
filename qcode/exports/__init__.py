"""Files researchers share: code matrices, quotes (.csv .xlsx .md .docx .html) and plots.

Exporters only format what analysis hands them; they never open the project. REFI-QDA,
the exchange format of other QDA programs, has its own package, :mod:`qcode.refi`. Importing
this package is cheap: pandas, openpyxl and python-docx load only when a file is written.
"""

from __future__ import annotations

from qcode.exports.tables import (
    MATRIX_FORMATS,
    QUOTE_COLUMNS,
    QUOTE_FORMATS,
    matrix_rows,
    write_matrix,
    write_quotes,
)

__all__ = ["MATRIX_FORMATS", "QUOTE_COLUMNS", "QUOTE_FORMATS", "matrix_rows", "write_matrix",
           "write_quotes"]
