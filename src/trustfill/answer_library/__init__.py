"""The answer library: questionnaires the company already answered, harvested, linked to the bank and reused.

``store`` (the ``library/`` YAML files and their index), ``harvest`` (completed questionnaires -> library),
``reuse`` (the ``fill`` step), ``draft`` (a profile proposed from past answers).
"""
