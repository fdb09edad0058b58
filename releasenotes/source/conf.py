"""Sphinx configuration of the Mercador release notes."""

project = 'Mercador Release Notes'
copyright = 'Mercador contributors'
author = 'Mercador contributors'

extensions = ['reno.sphinxext']

master_doc = 'index'
exclude_patterns = ['_build']
html_theme = 'alabaster'
