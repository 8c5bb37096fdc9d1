"""One module per command of the deployer, each a plain function of typed options
returning an exit code (the hooks' commands live in `hooks/`).
"""
