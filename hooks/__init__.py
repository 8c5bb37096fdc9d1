"""The pre-commit hooks of dagship: commit messages, workflow files, branches."""
