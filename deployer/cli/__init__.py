"""The command line: the fast entry of the hooks and the click layer over `commands`.

Kept empty: `dagship commit-msg` imports this package on every commit.
"""
