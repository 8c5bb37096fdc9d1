"""What dagship prints: findings renderers, Markdown, progress, the terminal rule.

Kept empty: the hooks import this package on every commit.
"""
