"""Questions asked of the coded corpus: code matrices, quotes, inter-coder agreement, the
Provan & Kenis typology per case, saturation, text search, coding queries and code
co-occurrence. They read the project; the only things they write are the search index they
keep up to date (:mod:`~qcode.analysis.textindex`) and, when asked, pending suggestions
made from search hits (``qcode search --code``).
"""
