"""REFI-QDA, the exchange standard of ATLAS.ti, NVivo, MAXQDA and QualCoder.

- :mod:`~qcode.refi.reader` reads a ``.qdpx`` project into plain qcode data (stored by
  :mod:`qcode.importing.qdpx`); :mod:`~qcode.refi.codebook` loads a ``.qdc`` codebook.
- :mod:`~qcode.refi.export` writes the project as ``.qdpx`` and its codebook as ``.qdc``.
- :mod:`~qcode.refi.codes`, :mod:`~qcode.refi.sources`, :mod:`~qcode.refi.xml` and
  :mod:`~qcode.refi.archive` are the parts both directions share: code trees and GUIDs,
  source texts and selections, the XML, and the zip container.
"""
