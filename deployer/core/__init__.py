"""What every part shares, hooks included: config, errors, the error boundary, git,
CI detection, target selection, redaction, wording.

Kept empty: the hooks import this package on every commit.
"""
