"""YAML loading that remembers where every key and value came from.

Kept empty: the config loader of every hook imports this package.
"""
