"""Questions asked of the coded corpus: code matrices, quotes, inter-coder agreement and
the Provan & Kenis typology per case. Read-only: these modules never change the project.
"""
